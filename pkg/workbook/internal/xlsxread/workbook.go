package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"secmgr/internal/limits"
	"secmgr/internal/textfmt"
	"strings"
	"sync/atomic"
)

// Limits bound what one workbook may cost. Zero (or negative) fields take
// the defaults.
type Limits struct {
	// MaxUncompressedBytes bounds the total inflated bytes read from all
	// parts of the workbook, over its whole life (every OpenSheet counts);
	// default 1 GiB.
	MaxUncompressedBytes int64
	// MaxRows bounds the data rows (rows with cells) of one sheet;
	// default 2,000,000.
	MaxRows int
	// MaxColumns is the highest column index a cell may have; default
	// 16384 (XFD). A sheet with a cell beyond it is an error.
	MaxColumns int
	// MaxCellChars bounds the length of one cell value or shared string
	// in UTF-16 code units, as Excel counts; default 32767, Excel's own
	// limit.
	MaxCellChars int
	// MaxSharedStrings bounds the entries of the shared string table;
	// default 5,000,000.
	MaxSharedStrings int
}

// The default limits.
const (
	DefaultMaxUncompressedBytes = 1 << 30
	DefaultMaxRows              = 2_000_000
	DefaultMaxColumns           = 16384
	DefaultMaxCellChars         = 32767
	DefaultMaxSharedStrings     = 5_000_000
)

// defaultLimits are the limits a zero field takes.
var defaultLimits = Limits{MaxUncompressedBytes: DefaultMaxUncompressedBytes, MaxRows: DefaultMaxRows, MaxColumns: DefaultMaxColumns, MaxCellChars: DefaultMaxCellChars, MaxSharedStrings: DefaultMaxSharedStrings}

func (l Limits) withDefaults() Limits { return limits.Fill(l, defaultLimits) }

// maxRawText bounds the raw XML bytes read for one value: a character of
// the value can take up to 7 bytes of XML ("_xHHHH_") and a little slack
// covers entities and markup inside rich text.
func (l Limits) maxRawText() int { return 7*l.MaxCellChars + 64 }

// SheetInfo describes one sheet of the workbook.
type SheetInfo struct {
	Name string
	// Hidden is true for state="hidden" and state="veryHidden".
	Hidden bool
	// State is the sheet's state attribute as written: "" (visible),
	// "visible", "hidden" or "veryHidden".
	State string
	// Part is the zip entry of the sheet's XML, "" when the workbook's
	// relationships do not name one (OpenSheet then fails).
	Part string
}

// Workbook is an open .xlsx file. Its methods may be called from several
// goroutines; each SheetReader is for one goroutine.
type Workbook struct {
	f      *os.File
	zr     *zip.Reader
	files  map[string]*zip.File
	lim    Limits
	budget *budget
	part   string // workbook part name

	sheets   []sheetMeta
	sst      sharedStrings
	date1904 bool
	closed   atomic.Bool
}

type sheetMeta struct {
	info SheetInfo
	rid  string    // r:id of the sheet's relationship
	file *zip.File // nil when the sheet cannot be opened
	bad  string    // why the sheet cannot be opened, when file is nil
}

// budget counts inflated bytes against the limit, for all parts.
type budget struct {
	limit int64
	used  atomic.Int64
}

// limitReader counts what it reads against the workbook's budget and
// fails once the budget is exceeded, after reading at most one byte past
// it.
type limitReader struct {
	r    io.Reader
	b    *budget
	part string
	what string
}

func (l *limitReader) Read(p []byte) (int, error) {
	rem := l.b.limit - l.b.used.Load()
	if rem < 0 {
		rem = 0
	}
	if int64(len(p)) > rem+1 {
		p = p[:rem+1]
	}
	n, err := l.r.Read(p)
	if l.b.used.Add(int64(n)) > l.b.limit {
		return 0, l.b.exceeded(l.part, l.what)
	}
	return n, err
}

func (b *budget) exceeded(part, what string) *Error {
	return newErr(ErrLimit, part, "%s inflates past the %s limit on uncompressed data", what, formatBytes(b.limit))
}

type partReader struct {
	io.Reader
	io.Closer
}

// openPart opens a zip entry for reading through the budget. what names
// the part for people ("sheet XML", "shared strings").
func (w *Workbook) openPart(f *zip.File, what string) (io.ReadCloser, error) {
	return openEntry(f, w.budget, what)
}

func openEntry(f *zip.File, b *budget, what string) (io.ReadCloser, error) {
	if f.Flags&1 != 0 {
		return nil, newErr(ErrEncrypted, f.Name, "the zip entry is encrypted; save the workbook again without a password")
	}
	if rem := b.limit - b.used.Load(); f.UncompressedSize64 > uint64(max(rem, 0)) {
		return nil, newErr(ErrLimit, f.Name, "%s declares %d bytes uncompressed, past the %s limit on uncompressed data", what, f.UncompressedSize64, formatBytes(b.limit))
	}
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, &Error{Kind: ErrMalformed, Part: f.Name, Msg: fmt.Sprintf("the zip entry uses an unsupported compression method (%d); save the workbook again from Excel or LibreOffice", f.Method)}
		}
		return nil, &Error{Kind: ErrTruncated, Part: f.Name, Msg: "the workbook file is damaged or truncated", Err: err}
	}
	return partReader{&limitReader{r: rc, b: b, part: f.Name, what: what}, rc}, nil
}

// normName is the lookup key of a zip entry name: forward slashes, no
// leading slash, lower case.
func normName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimLeft(name, "/")
	return strings.ToLower(name)
}

// resolveTarget resolves a relationship target against the directory of
// the part that owns the relationships. It returns "" for a target that
// leaves the package.
func resolveTarget(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	var p string
	if strings.HasPrefix(target, "/") {
		p = path.Clean(target)
	} else {
		p = path.Clean("/" + path.Join(dir, target))
	}
	// path.Clean of a rooted path removes any "..", so p stays inside.
	return strings.TrimPrefix(p, "/")
}

func (w *Workbook) lookup(name string) *zip.File {
	if name == "" {
		return nil
	}
	return w.files[normName(name)]
}

// Open opens an .xlsx workbook: it checks what kind of file path is,
// reads the workbook's sheet list and its shared strings. The sheets are
// read with OpenSheet.
func Open(path string, lim Limits) (*Workbook, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Kind: ErrIO, Msg: "cannot open the workbook", Err: err}
	}
	w, err := open(f, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func open(f *os.File, lim Limits) (*Workbook, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Kind: ErrIO, Msg: "cannot read the workbook", Err: err}
	}
	if st.IsDir() {
		return nil, &Error{Kind: ErrIO, Msg: fmt.Sprintf("%s is a directory, not an .xlsx workbook", f.Name())}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Kind: ErrIO, Msg: fmt.Sprintf("%s is not a regular file", f.Name())}
	}
	size := st.Size()
	if size == 0 {
		return nil, newErr(ErrNotZip, "", "the file is empty, not an .xlsx workbook")
	}
	head := make([]byte, min(size, 512))
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, &Error{Kind: ErrIO, Msg: "cannot read the workbook", Err: err}
	}
	if bytes.HasPrefix(head, oleMagic) {
		if isEncryptedOLE(f, size) {
			return nil, newErr(ErrEncrypted, "", "the workbook is password-protected; remove the password in Excel (File > Info > Protect Workbook) and save again")
		}
		return nil, newErr(ErrLegacyXLS, "", "this is an Excel 97-2003 .xls file; open it in Excel or LibreOffice and save it as .xlsx")
	}
	if n, ok := zipEntryCount(f, size); ok && n > maxZipEntries {
		return nil, newErr(ErrLimit, "", "the zip archive lists %s entries, more than the %s a workbook may have", textfmt.Count(int(min(n, 1<<62))), textfmt.Count(maxZipEntries))
	}
	zr, err := zip.NewReader(f, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		if bytes.HasPrefix(head, []byte("PK")) {
			return nil, &Error{Kind: ErrTruncated, Msg: "the workbook file is damaged or truncated (its zip directory cannot be read)", Err: err}
		}
		return nil, sniffNotZip(head)
	}
	if len(zr.File) > maxZipEntries {
		return nil, newErr(ErrLimit, "", "the zip archive has %s entries, more than the %s a workbook may have", textfmt.Count(len(zr.File)), textfmt.Count(maxZipEntries))
	}
	// Every part counts, read here or not: an annotated copy is made with
	// excelize, which inflates every part into memory. The declared sizes
	// bind: archive/zip fails a part that inflates past its own.
	var declared uint64
	for _, zf := range zr.File {
		declared = min(declared+min(zf.UncompressedSize64, 1<<62), 1<<62)
	}
	if declared > uint64(lim.MaxUncompressedBytes) {
		return nil, newErr(ErrLimit, "", "the workbook's parts declare %s bytes uncompressed in all, past the %s limit on uncompressed data", textfmt.Count(int(declared)), formatBytes(lim.MaxUncompressedBytes))
	}
	w := &Workbook{
		f:      f,
		zr:     zr,
		files:  make(map[string]*zip.File, len(zr.File)),
		lim:    lim,
		budget: &budget{limit: lim.MaxUncompressedBytes},
	}
	for _, zf := range zr.File {
		k := normName(zf.Name)
		if first, dup := w.files[k]; dup {
			if strings.HasSuffix(k, "/") {
				continue // a folder entry holds no data
			}
			// Readers disagree on which copy counts (the first here, the
			// last in openpyxl and LibreOffice): refuse to pick one.
			what := fmt.Sprintf("the entry %q twice", zf.Name)
			if first.Name != zf.Name {
				what = fmt.Sprintf("the entries %q and %q, which name the same part", first.Name, zf.Name)
			}
			return nil, newErr(ErrMalformed, "", "the zip archive holds %s; a workbook holds each part once (save it again from Excel or LibreOffice)", what)
		}
		w.files[k] = zf
	}
	if err := w.checkMimetype(); err != nil {
		return nil, err
	}
	if err := w.findWorkbook(); err != nil {
		return nil, err
	}
	if err := w.readWorkbook(); err != nil {
		return nil, err
	}
	rels, err := w.readRels(w.part)
	if err != nil {
		return nil, err
	}
	var sstFile *zip.File
	for _, r := range rels {
		if strings.HasSuffix(r.typ, "/sharedStrings") && !r.external {
			sstFile = w.lookup(r.target)
		}
	}
	if sstFile == nil {
		sstFile = w.lookup(path.Join(path.Dir(strings.ReplaceAll(w.part, `\`, "/")), "sharedStrings.xml"))
	}
	for i := range w.sheets {
		m := &w.sheets[i]
		rid := m.rid
		r, ok := rels[rid]
		switch {
		case rid == "":
			m.bad = "the sheet has no r:id relationship in the workbook"
		case !ok:
			m.bad = fmt.Sprintf("the workbook's relationships have no target for the sheet (r:id %q)", rid)
		case r.external:
			m.bad = "the sheet is an external link"
		default:
			m.file = w.lookup(r.target)
			m.info.Part = r.target
			if m.file == nil {
				m.bad = fmt.Sprintf("the sheet's part %s is missing from the archive", r.target)
			} else {
				m.info.Part = m.file.Name
			}
		}
	}
	if sstFile != nil {
		if err := w.readSharedStrings(sstFile); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// maxZipEntries bounds the entries of the archive, checked before
// archive/zip allocates for each of them. Real workbooks have tens of
// parts, a few hundred with many images or comments.
const maxZipEntries = 10_000

// zipEntryCount reads the entry count from the end of central directory
// record (or its zip64 version); ok is false when it cannot be found.
func zipEntryCount(r io.ReaderAt, size int64) (uint64, bool) {
	const eocdLen = 22
	tail := make([]byte, min(size, eocdLen+65535))
	off := size - int64(len(tail))
	if _, err := r.ReadAt(tail, off); err != nil {
		return 0, false
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen || int(binary.LittleEndian.Uint16(tail[i+20:])) != len(tail)-i-eocdLen {
		return 0, false
	}
	n := uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	if n != 0xFFFF {
		return n, true
	}
	// zip64: the locator precedes the record and points at the zip64
	// end of central directory record.
	if i < 20 || string(tail[i-20:i-16]) != "PK\x06\x07" {
		return 0, false
	}
	recOff := int64(binary.LittleEndian.Uint64(tail[i-20+8:]))
	var rec [40]byte
	if recOff < 0 || recOff > size-int64(len(rec)) {
		return 0, false
	}
	if _, err := r.ReadAt(rec[:], recOff); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniffNotZip explains a file that is not a zip archive.
func sniffNotZip(head []byte) error {
	if looksText(head) {
		t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
		if len(t) > 0 && t[0] == '<' {
			return newErr(ErrNotZip, "", "the file looks like an XML or HTML file, not an .xlsx workbook; open it in Excel or LibreOffice and save it as .xlsx")
		}
		return newErr(ErrNotZip, "", "the file looks like a text or CSV file, not an .xlsx workbook; open it in Excel or LibreOffice and save it as .xlsx")
	}
	return newErr(ErrNotZip, "", "the file is not an .xlsx workbook (it is not a zip archive)")
}

// looksText reports whether the first bytes of a file are printable text.
func looksText(head []byte) bool {
	if len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		return true // UTF-16 text
	}
	if len(head) == 0 {
		return false
	}
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7F {
			return false
		}
	}
	return true
}

// checkMimetype recognises an OpenDocument file by its mimetype entry.
func (w *Workbook) checkMimetype() error {
	f := w.files["mimetype"]
	if f == nil {
		return nil
	}
	rc, err := w.openPart(f, "mimetype")
	if err != nil {
		return nil // not what decides this
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 200))
	mt := string(bytes.TrimSpace(b))
	switch {
	case mt == "application/vnd.oasis.opendocument.spreadsheet" || strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
		return newErr(ErrNotZip, "", "this is an OpenDocument .ods file; save it as .xlsx")
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."):
		return newErr(ErrNotZip, "", "this is an OpenDocument file (%s), not an .xlsx workbook", mt)
	}
	return nil
}

// findWorkbook locates the workbook part through _rels/.rels, falling
// back to xl/workbook.xml.
func (w *Workbook) findWorkbook() error {
	var target string
	if f := w.lookup("_rels/.rels"); f != nil {
		rels, err := w.readRelsFile(f, "")
		if err != nil {
			return err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") && !r.external && r.target != "" {
				target = r.target
				break
			}
		}
	}
	if strings.HasSuffix(strings.ToLower(target), ".bin") || w.lookup("xl/workbook.bin") != nil {
		return newErr(ErrNotZip, "", "this is a binary .xlsb workbook; open it in Excel or LibreOffice and save it as .xlsx")
	}
	for _, name := range []string{target, "xl/workbook.xml"} {
		if f := w.lookup(name); f != nil {
			w.part = f.Name
			return nil
		}
	}
	switch {
	case w.lookup("word/document.xml") != nil:
		return newErr(ErrNoWorkbook, "", "this is a Word document, not an Excel workbook")
	case w.lookup("ppt/presentation.xml") != nil:
		return newErr(ErrNoWorkbook, "", "this is a PowerPoint presentation, not an Excel workbook")
	}
	return newErr(ErrNoWorkbook, "", "the file is a zip archive but not an Excel workbook (it has no xl/workbook.xml)")
}

// readWorkbook reads the sheet list of the workbook part.
func (w *Workbook) readWorkbook() error {
	f := w.lookup(w.part)
	rc, err := w.openPart(f, "workbook.xml")
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc, f.Name, int64(f.UncompressedSize64))
	const maxSheets = 1 << 16
	inSheets := false
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return nil
		}
		if k == tokEnd {
			if string(s.name) == "sheets" {
				inSheets = false
			}
			continue
		}
		switch string(s.name) {
		case "sheets":
			inSheets = !s.self
		case "sheet":
			if !inSheets {
				continue
			}
			if len(w.sheets) >= maxSheets {
				return newErr(ErrLimit, f.Name, "the workbook lists more than %s sheets", textfmt.Count(maxSheets))
			}
			name, ok, err := s.attrString("name", false)
			if err != nil {
				return err
			}
			if !ok {
				return s.malformed("a <sheet> element has no name")
			}
			state, _, err := s.attrString("state", false)
			if err != nil {
				return err
			}
			rid, _, err := s.attrString("id", true)
			if err != nil {
				return err
			}
			w.sheets = append(w.sheets, sheetMeta{
				info: SheetInfo{Name: name, State: state, Hidden: state == "hidden" || state == "veryHidden"},
				rid:  rid,
			})
		case "workbookPr":
			v, _, err := s.attrString("date1904", false)
			if err != nil {
				return err
			}
			w.date1904 = v == "1" || v == "true"
		}
	}
}

type relationship struct {
	typ      string
	target   string // resolved part name
	external bool
}

// readRels reads the relationships of a part, keyed by Id. A missing
// relationships part gives no relationships.
func (w *Workbook) readRels(part string) (map[string]relationship, error) {
	part = strings.TrimLeft(strings.ReplaceAll(part, `\`, "/"), "/")
	dir, base := path.Split(part)
	f := w.lookup(dir + "_rels/" + base + ".rels")
	if f == nil {
		return nil, nil
	}
	list, err := w.readRelsFile(f, path.Dir(part))
	if err != nil {
		return nil, err
	}
	m := make(map[string]relationship, len(list))
	for _, r := range list {
		if _, dup := m[r.id]; !dup {
			m[r.id] = r.relationship
		}
	}
	return m, nil
}

type idRel struct {
	id string
	relationship
}

func (w *Workbook) readRelsFile(f *zip.File, dir string) ([]idRel, error) {
	rc, err := w.openPart(f, "the relationships part")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := newScanner(rc, f.Name, int64(f.UncompressedSize64))
	var out []idRel
	const maxRels = 1 << 16
	for {
		k, err := s.next()
		if err != nil {
			return nil, err
		}
		if k == tokEOF {
			return out, nil
		}
		if k != tokStart || string(s.name) != "Relationship" {
			continue
		}
		if len(out) >= maxRels {
			return nil, newErr(ErrLimit, f.Name, "more than %s relationships", textfmt.Count(maxRels))
		}
		var r idRel
		var mode string
		for _, a := range []struct {
			name string
			dst  *string
		}{{"Id", &r.id}, {"Type", &r.typ}, {"Target", &r.target}, {"TargetMode", &mode}} {
			v, _, err := s.attrString(a.name, false)
			if err != nil {
				return nil, err
			}
			*a.dst = v
		}
		r.external = strings.EqualFold(mode, "External")
		if !r.external {
			r.target = resolveTarget(dir, r.target)
		}
		out = append(out, r)
	}
}

// sharedStrings is the shared string table: string i is
// data[ends[i-1]:ends[i]] (with ends[-1] = 0), so looking one up costs no
// allocation and the table costs two allocations however many strings
// it has.
type sharedStrings struct {
	data string
	ends []int
}

func (t *sharedStrings) len() int { return len(t.ends) }

func (t *sharedStrings) get(i int) string {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.data[start:t.ends[i]]
}

func (w *Workbook) readSharedStrings(f *zip.File) error {
	rc, err := w.openPart(f, "the shared strings")
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc, f.Name, int64(f.UncompressedSize64))
	var sb strings.Builder
	var ends []int
	var buf []byte
	maxRaw := w.lim.maxRawText()
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			break
		}
		if k != tokStart {
			continue
		}
		switch string(s.name) {
		case "sst":
			if v, ok := s.attr("uniqueCount"); ok {
				if n, ok := parseUint(v, w.lim.MaxSharedStrings); ok {
					ends = make([]int, 0, min(n, 1<<20))
				}
			}
			continue
		case "si":
		default:
			continue
		}
		if len(ends) >= w.lim.MaxSharedStrings {
			return newErr(ErrLimit, f.Name, "the workbook has more than %s shared strings", textfmt.Count(w.lim.MaxSharedStrings))
		}
		buf = buf[:0]
		if !s.self {
			buf, err = readRich(s, "si", buf, maxRaw)
			if err == errTooLong {
				return newErr(ErrLimit, f.Name, "shared string %d is longer than %s characters", len(ends), textfmt.Count(w.lim.MaxCellChars))
			}
			if err != nil {
				return err
			}
		}
		buf = decodeXEscapes(buf)
		if len(buf) > w.lim.MaxCellChars && utf16Len(buf) > w.lim.MaxCellChars {
			return newErr(ErrLimit, f.Name, "shared string %d is longer than %s characters", len(ends), textfmt.Count(w.lim.MaxCellChars))
		}
		sb.Write(buf)
		ends = append(ends, sb.Len())
	}
	w.sst = sharedStrings{data: sb.String(), ends: ends}
	return nil
}

// readRich reads the content of a string item (<si> or <is>, whose start
// tag was just read) up to its end tag named end: the text of its <t>
// elements, directly or in rich text runs <r>, leaving out phonetic runs
// <rPh> and formatting.
func readRich(s *scanner, end string, dst []byte, max int) ([]byte, error) {
	start := len(dst)
	endTag := "</si>"
	if end == "is" {
		endTag = "</is>"
	}
	for {
		// Fast paths for the usual <t>…</t>.
		if s.lit("</t>") {
			continue
		}
		if s.lit("<t>") {
			var err error
			if dst, err = s.text(dst, max-(len(dst)-start)); err != nil {
				return dst, err
			}
			continue
		}
		if s.lit(endTag) {
			return dst, nil
		}
		k, err := s.next()
		if err != nil {
			return dst, err
		}
		switch k {
		case tokEOF:
			return dst, s.malformed("the XML ends inside <%s> (the part is truncated)", end)
		case tokEnd:
			if string(s.name) == end {
				return dst, nil
			}
		case tokStart:
			switch string(s.name) {
			case "t":
				if !s.self {
					if dst, err = s.text(dst, max-(len(dst)-start)); err != nil {
						return dst, err
					}
				}
			case "r":
				// a run: its <t> is read, its <rPr> skipped
			default: // rPh, rPr, phoneticPr, extensions
				if !s.self {
					if err := s.skipElement(); err != nil {
						return dst, err
					}
				}
			}
		}
	}
}

// Sheets returns the workbook's sheets in workbook order.
func (w *Workbook) Sheets() []SheetInfo {
	out := make([]SheetInfo, len(w.sheets))
	for i, m := range w.sheets {
		out[i] = m.info
	}
	return out
}

// Date1904 reports whether the workbook's date serial numbers count from
// 1904 rather than 1900.
func (w *Workbook) Date1904() bool { return w.date1904 }

// SharedStringCount returns the number of entries of the shared string
// table.
func (w *Workbook) SharedStringCount() int { return w.sst.len() }

// Close closes the file. SheetReaders of the workbook must not be used
// after it.
func (w *Workbook) Close() error {
	if w.closed.Swap(true) {
		return nil
	}
	return w.f.Close()
}
