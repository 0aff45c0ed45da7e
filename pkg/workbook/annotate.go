package workbook

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook/internal/xlsxread"
)

// Annotation fills: red for a cell with an error, amber for warnings only.
const (
	errorFill   = "FFC7CE"
	warningFill = "FFEB9C"
)

// AnnotateAuthor is the author of the comments Annotate adds.
const AnnotateAuthor = "secmgr"

// maxCommentChars bounds the text of one comment (Excel's limit is
// 32,767 characters).
const maxCommentChars = 32000

// maxPartInMemory bounds a part Annotate reads whole (styles,
// relationships, content types, an existing comments part or drawing).
const maxPartInMemory = 256 << 20

// Annotate writes a copy of the workbook in to out with every finding
// marked on its cell: a comment holding the findings' messages and codes,
// and a red (error) or amber (warnings only) fill. A finding without a
// cell is marked on column A of its row, or on A1 of its tab when it has
// no row; one whose tab is not in the workbook is not marked. It adds
// nothing else, so the copy re-imports to the same findings: a comment
// already on a marked cell is kept below the findings (one that Annotate
// added earlier is replaced). The Password cells of the Users tab are
// emptied: the copy is made to be passed around. out is written
// atomically, owner-only, and is never the same file as in.
//
// The workbook is streamed: every part is copied as it was written except
// the sheets with findings (or passwords), which are rewritten on the
// fly, and the styles, comments, drawing, relationship and content-type
// parts that the notes need. Time is linear in rows and findings, and
// memory flat in rows.
func Annotate(in, out string, findings validate.Findings) error {
	return AnnotateWith(in, out, findings, Options{})
}

// AnnotateWith is Annotate reading the workbook within opt's limits.
func AnnotateWith(in, out string, findings validate.Findings, opt Options) error {
	if same, _ := sameFile(in, out); same {
		return fmt.Errorf("cannot annotate %s into itself; name another output file", in)
	}
	a, err := openAnnotator(in, opt)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.prepare(findings); err != nil {
		return a.fail(err)
	}
	if err := artifacts.WriteFileAtomic(out, a.write); err != nil {
		var we *Error
		if errors.As(err, &we) {
			return we // about the input workbook
		}
		return err // names out already
	}
	return nil
}

// annotator holds what Annotate learns of the workbook before it writes
// the copy.
type annotator struct {
	in    string
	xr    *xlsxread.Workbook
	zr    *zip.ReadCloser
	files map[string]*zip.File // by normalised name

	jobs     []*sheetJob
	notes    map[*sheetJob]*sheetNotes
	jobPart  map[string]*sheetJob // by normalised sheet part
	deferred map[string]bool      // normalised names written after the sheets

	ct        *contentTypes
	ctPart    string
	styles    *styleSheet
	stylesAt  string // normalised name
	newStyles string // the styles part the copy adds, when there is none
	stylesRel bool   // the workbook refers to a styles part

	wbRelsPart string // the workbook's relationships
	wbRelsData []byte
	wbRelsRoot xmlElem
	wbRels     []rel
	sstAt      string // normalised name; "" when there is none
}

// sheetNotes is what one sheet's notes need beside the sheet.
type sheetNotes struct {
	relsPart   string
	relsData   []byte // nil: a new part
	relsRoot   xmlElem
	rels       []rel
	comments   string        // the comments part, existing or new
	existing   *commentsPart // nil: none yet
	commentRel bool          // the sheet already refers to the comments part
	vmls       map[string]*vmlDrawing
	vmlParts   map[string]string // r:id -> VML part (a key of vmls)
	newVMLRID  string
	newVML     string
	newCommRID string
	block      int // drawing number of a new VML part
}

// fail is an error about the input workbook, naming it.
func (a *annotator) fail(err error) error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	return &Error{Path: a.in, Msg: err.Error(), err: err}
}

func openAnnotator(in string, opt Options) (*annotator, error) {
	xr, err := openXLSX(in, opt)
	if err != nil {
		return nil, err
	}
	a := &annotator{in: in, xr: xr, files: map[string]*zip.File{}, notes: map[*sheetJob]*sheetNotes{},
		jobPart: map[string]*sheetJob{}, deferred: map[string]bool{}}
	zr, err := zip.OpenReader(in)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		xr.Close()
		return nil, &Error{Path: in, Msg: "the workbook file is damaged (its zip directory cannot be read)", err: err}
	}
	a.zr = zr
	for _, f := range zr.File {
		k := partKey(f.Name)
		if _, dup := a.files[k]; dup {
			a.close()
			return nil, &Error{Path: in, Msg: fmt.Sprintf("the zip archive has two entries named %s; save the workbook again from Excel or LibreOffice", validate.EscapeControls(f.Name))}
		}
		a.files[k] = f
	}
	return a, nil
}

func (a *annotator) close() {
	a.xr.Close()
	if a.zr != nil {
		a.zr.Close()
	}
}

// partKey is the lookup key of a part name: forward slashes, no leading
// slash, lower case.
func partKey(name string) string {
	return strings.ToLower(strings.TrimLeft(strings.ReplaceAll(name, `\`, "/"), "/"))
}

// entryName is the name a part gets in the copy: a leading slash, which
// some tools write and Excel may treat as damage, is dropped.
func entryName(name string) string {
	return strings.TrimLeft(strings.ReplaceAll(name, `\`, "/"), "/")
}

func (a *annotator) lookup(name string) *zip.File { return a.files[partKey(name)] }

// readWhole reads a part that Annotate changes in memory.
func (a *annotator) readWhole(f *zip.File) ([]byte, error) {
	if f.Flags&1 != 0 {
		return nil, fmt.Errorf("%s: the zip entry is encrypted", f.Name)
	}
	if f.UncompressedSize64 > maxPartInMemory {
		return nil, fmt.Errorf("%s: the part is larger than %d MiB", f.Name, maxPartInMemory>>20)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPartInMemory+1))
	if err != nil {
		return nil, fmt.Errorf("%s: the workbook file is damaged: %v", f.Name, err)
	}
	if len(b) > maxPartInMemory {
		return nil, fmt.Errorf("%s: the part is larger than %d MiB", f.Name, maxPartInMemory>>20)
	}
	return b, nil
}

// prepare decides what to rewrite: the marks of each sheet, the Password
// columns, the parts the notes go to.
func (a *annotator) prepare(findings validate.Findings) error {
	infos := a.xr.Sheets()
	sheets := map[string]string{} // name, and a tab's canonical name -> sheet name
	index := map[string]int{}
	for i, s := range infos {
		sheets[s.Name] = s.Name
		index[s.Name] = i
	}
	for _, s := range infos {
		if t, ok := artifacts.LookupTab(s.Name); ok {
			if _, taken := sheets[t.Name]; !taken {
				sheets[t.Name] = s.Name
			}
		}
	}
	jobs := map[string]*sheetJob{}
	job := func(name string) *sheetJob {
		j, ok := jobs[name]
		if !ok {
			j = &sheetJob{name: name, part: infos[index[name]].Part}
			jobs[name] = j
		}
		return j
	}

	// Marks, one per cell, in the order of the findings.
	type cellKey struct {
		sheet    string
		row, col int
	}
	marks := map[cellKey]*noteMark{}
	for _, fd := range findings {
		sheet, cell := locate(fd, sheets)
		if sheet == "" {
			continue
		}
		col, row, err := xlsxread.ParseCellRef(cell)
		if err != nil || col > xlsxread.DefaultMaxColumns || row > 1<<20 {
			col, row = 1, min(max(fd.Row, 1), 1<<20)
		}
		k := cellKey{sheet, row, col}
		m, ok := marks[k]
		if !ok {
			m = &noteMark{row: row, col: col}
			marks[k] = m
			j := job(sheet)
			j.marks = append(j.marks, m)
		}
		m.lines = append(m.lines, fmt.Sprintf("%s: %s [%s]", fd.Severity, fd.Message, fd.Code))
		m.isError = m.isError || fd.Severity == validate.Error
	}

	// Password columns of the Users tab.
	for i, s := range infos {
		if tab, ok := artifacts.LookupTab(s.Name); !ok || tab.ID != artifacts.TabUsers {
			continue
		}
		cols, err := a.passwordColumns(i)
		if err != nil {
			return err
		}
		if len(cols) > 0 {
			job(s.Name).pwCols = cols
		}
	}

	for _, s := range infos {
		j, ok := jobs[s.Name]
		if !ok {
			continue
		}
		if s.Part == "" || a.lookup(s.Part) == nil {
			return fmt.Errorf("sheet '%s' has no part in the archive", validate.EscapeControls(s.Name))
		}
		slices.SortFunc(j.marks, func(x, y *noteMark) int {
			if x.row != y.row {
				return x.row - y.row
			}
			return x.col - y.col
		})
		a.jobs = append(a.jobs, j)
		a.jobPart[partKey(j.part)] = j
	}
	if len(a.jobs) == 0 {
		return nil
	}

	if err := a.findWorkbookParts(); err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, j := range a.jobs {
		if len(j.marks) == 0 {
			continue
		}
		if err := a.prepareNotes(j, taken); err != nil {
			return err
		}
	}
	return nil
}

// passwordColumns returns the columns of sheet i whose row-1 header is
// Password.
func (a *annotator) passwordColumns(i int) ([]int, error) {
	sr, err := a.xr.OpenSheet(i)
	if err != nil {
		return nil, readError(a.in, err)
	}
	defer sr.Close()
	row, cells, err := sr.Next()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, readError(a.in, err)
	}
	var cols []int
	if row == 1 {
		for _, c := range cells {
			if strings.EqualFold(strings.TrimSpace(c.Value), "Password") {
				cols = append(cols, c.Col)
			}
		}
	}
	return cols, nil
}

// findWorkbookParts finds the content types, styles and shared strings.
func (a *annotator) findWorkbookParts() error {
	ctf := a.lookup("[Content_Types].xml")
	if ctf == nil {
		return fmt.Errorf("the workbook has no [Content_Types].xml")
	}
	a.ctPart = partKey(ctf.Name)
	data, err := a.readWhole(ctf)
	if err != nil {
		return err
	}
	if a.ct, err = parseContentTypes(data); err != nil {
		return fmt.Errorf("[Content_Types].xml: %v", err)
	}
	wbPart := "xl/workbook.xml"
	if f := a.lookup("_rels/.rels"); f != nil {
		data, err := a.readWhole(f)
		if err != nil {
			return err
		}
		rels, _, err := parseRels(data, "")
		if err != nil {
			return fmt.Errorf("%s: %v", f.Name, err)
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") && !r.external && a.lookup(r.target) != nil {
				wbPart = r.target
				break
			}
		}
	}
	stylesPart := path.Join(path.Dir(wbPart), "styles.xml")
	sstPart := path.Join(path.Dir(wbPart), "sharedStrings.xml")
	if f := a.lookup(relsPartOf(entryName(wbPart))); f != nil {
		data, err := a.readWhole(f)
		if err != nil {
			return err
		}
		rels, root, err := parseRels(data, path.Dir(entryName(wbPart)))
		if err != nil {
			return fmt.Errorf("%s: %v", f.Name, err)
		}
		a.wbRelsPart, a.wbRelsData, a.wbRelsRoot, a.wbRels = entryName(f.Name), data, root, rels
		for _, r := range rels {
			switch {
			case r.external:
			case strings.HasSuffix(r.typ, "/styles"):
				stylesPart, a.stylesRel = r.target, true
			case strings.HasSuffix(r.typ, "/sharedStrings"):
				sstPart = r.target
			}
		}
	}
	if a.lookup(sstPart) != nil {
		a.sstAt = partKey(sstPart)
	}
	for _, j := range a.jobs {
		if len(j.pwCols) > 0 && a.sstAt != "" {
			a.deferred[a.sstAt] = true
		}
	}
	marked := false
	for _, j := range a.jobs {
		marked = marked || len(j.marks) > 0
	}
	if !marked {
		return nil
	}
	sf := a.lookup(stylesPart)
	if sf == nil {
		// A workbook some tools write without styles: the copy gets a
		// styles part of its own.
		if a.wbRelsPart == "" {
			return fmt.Errorf("the workbook has no styles part and no relationships to add one to")
		}
		a.newStyles = entryName(stylesPart)
		a.stylesAt = partKey(stylesPart)
		if !a.stylesRel {
			a.deferred[partKey(a.wbRelsPart)] = true
		}
		a.styles, err = parseStyles([]byte(minimalStyles))
		return err
	}
	data, err = a.readWhole(sf)
	if err != nil {
		return err
	}
	if a.styles, err = parseStyles(data); err != nil {
		return fmt.Errorf("%s: %v", sf.Name, err)
	}
	a.stylesAt = partKey(sf.Name)
	a.deferred[a.stylesAt] = true
	return nil
}

// minimalStyles is the styles part of a workbook that has none: what
// Excel needs, and the default format.
const minimalStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<styleSheet xmlns="` + spreadsheetMainNS + `">` +
	`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

// prepareNotes reads the sheet's relationships and existing notes, and
// names the parts its new notes go to.
func (a *annotator) prepareNotes(j *sheetJob, taken map[string]bool) error {
	sheet := entryName(j.part)
	n := &sheetNotes{relsPart: relsPartOf(sheet), vmls: map[string]*vmlDrawing{}, vmlParts: map[string]string{}}
	a.notes[j] = n
	a.deferred[partKey(n.relsPart)] = true
	dir := path.Dir(sheet)
	if f := a.lookup(n.relsPart); f != nil {
		data, err := a.readWhole(f)
		if err != nil {
			return err
		}
		if n.rels, n.relsRoot, err = parseRels(data, dir); err != nil {
			return fmt.Errorf("%s: %v", f.Name, err)
		}
		n.relsData = data
	}
	for _, r := range n.rels {
		if r.external {
			continue
		}
		switch r.typ {
		case relTypeComments:
			if n.comments != "" {
				continue
			}
			n.comments, n.commentRel = r.target, true
			if f := a.lookup(r.target); f != nil {
				data, err := a.readWhole(f)
				if err != nil {
					return err
				}
				if n.existing, err = parseComments(data); err != nil {
					return fmt.Errorf("%s: %v", f.Name, err)
				}
				n.comments = entryName(f.Name)
			}
		case relTypeVML:
			f := a.lookup(r.target)
			if f == nil {
				continue
			}
			data, err := a.readWhole(f)
			if err != nil {
				return err
			}
			v, err := parseVML(data)
			if err != nil {
				continue // not one Annotate can extend: a new drawing is made
			}
			k := entryName(f.Name)
			n.vmls[k] = v
			n.vmlParts[r.id] = k
			a.deferred[partKey(k)] = true
		}
	}
	if n.comments == "" {
		n.comments = a.newPartName("xl/comments%d.xml", taken)
		n.newCommRID = newRelID(n.rels, taken)
	}
	a.deferred[partKey(n.comments)] = true
	n.newVML = a.newPartName("xl/drawings/vmlDrawing%d.vml", taken)
	n.newVMLRID = newRelID(n.rels, taken)
	n.block = len(a.notes)
	return nil
}

// newPartName returns the first name of the pattern that is not a part
// of the workbook nor taken.
func (a *annotator) newPartName(pattern string, taken map[string]bool) string {
	for i := 1; ; i++ {
		name := fmt.Sprintf(pattern, i)
		if a.lookup(name) == nil && !taken[partKey(name)] {
			taken[partKey(name)] = true
			return name
		}
	}
}

// write writes the annotated copy.
func (a *annotator) write(w io.Writer) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	written := map[string]bool{}
	create := func(f *zip.File, name string) (io.Writer, error) {
		written[partKey(name)] = true
		h := &zip.FileHeader{Name: entryName(name), Method: zip.Deflate}
		if f != nil {
			h.Modified = f.Modified
		}
		return zw.CreateHeader(h)
	}
	for _, f := range a.zr.File {
		k := partKey(f.Name)
		switch {
		case k == a.ctPart && a.ct != nil:
			out, err := create(f, f.Name)
			if err != nil {
				return err
			}
			if err := a.writeContentTypes(out); err != nil {
				return a.fail(fmt.Errorf("%s: %v", f.Name, err))
			}
		case a.jobPart[k] != nil:
			j := a.jobPart[k]
			out, err := create(f, f.Name)
			if err != nil {
				return err
			}
			if err := a.rewriteSheet(out, f, j); err != nil {
				return err
			}
		case a.deferred[k]:
		default:
			if err := copyRaw(zw, f, entryName(f.Name)); err != nil {
				return err
			}
			written[k] = true
		}
	}
	if err := a.writeDeferred(create); err != nil {
		return err
	}
	// Deferred parts nothing rewrote are copied as they were.
	for _, f := range a.zr.File {
		if k := partKey(f.Name); a.deferred[k] && !written[k] {
			if err := copyRaw(zw, f, entryName(f.Name)); err != nil {
				return err
			}
			written[k] = true
		}
	}
	return zw.Close()
}

func (a *annotator) writeContentTypes(w io.Writer) error {
	var overrides [][2]string
	var vmls []string
	if a.newStyles != "" {
		overrides = append(overrides, [2]string{a.newStyles, contentStyles})
	}
	for _, j := range a.jobs {
		n := a.notes[j]
		if n == nil {
			continue
		}
		if a.lookup(n.comments) == nil || !a.ct.covers(n.comments) {
			overrides = append(overrides, [2]string{entryName(n.comments), contentComments})
		}
		vmls = append(vmls, n.newVML)
	}
	return a.ct.write(w, overrides, vmls)
}

func (a *annotator) rewriteSheet(w io.Writer, f *zip.File, j *sheetJob) error {
	rc, err := f.Open()
	if err != nil {
		return a.fail(fmt.Errorf("%s: %v", f.Name, err))
	}
	defer rc.Close()
	n := a.notes[j]
	usable := func(string) bool { return false }
	newRID := ""
	if n != nil {
		usable = func(rid string) bool { return n.vmlParts[rid] != "" }
		newRID = n.newVMLRID
	}
	if err := rewriteSheet(w, rc, j, a.styles, usable, newRID); err != nil {
		var we *Error
		if errors.As(err, &we) {
			return err
		}
		return a.fail(fmt.Errorf("sheet '%s': %v", validate.EscapeControls(j.name), err))
	}
	return nil
}

// writeDeferred writes the parts that depend on the rewritten sheets:
// styles, shared strings without the passwords, and each sheet's notes.
func (a *annotator) writeDeferred(create func(*zip.File, string) (io.Writer, error)) error {
	if a.styles != nil && (len(a.styles.derived) > 0 || a.newStyles != "") {
		name := a.newStyles
		if name == "" {
			name = a.files[a.stylesAt].Name
		}
		out, err := create(a.files[a.stylesAt], name)
		if err != nil {
			return err
		}
		if err := a.styles.write(out); err != nil {
			return a.fail(err)
		}
	}
	if a.newStyles != "" && !a.stylesRel {
		out, err := create(a.lookup(a.wbRelsPart), a.wbRelsPart)
		if err != nil {
			return err
		}
		dir := strings.TrimSuffix(path.Dir(path.Dir(a.wbRelsPart)), "/")
		add := []rel{{id: newRelID(a.wbRels, map[string]bool{}), typ: relTypeStyles, target: a.newStyles}}
		if err := writeRels(out, a.wbRelsData, a.wbRelsRoot, add, dir); err != nil {
			return a.fail(fmt.Errorf("%s: %v", a.wbRelsPart, err))
		}
	}
	if err := a.writeSharedStrings(create); err != nil {
		return err
	}
	for _, j := range a.jobs {
		n := a.notes[j]
		if n == nil {
			continue
		}
		if err := a.writeNotes(create, j, n); err != nil {
			return err
		}
	}
	return nil
}

func (a *annotator) writeNotes(create func(*zip.File, string) (io.Writer, error), j *sheetJob, n *sheetNotes) error {
	// The text of each note: the findings, then a note already there
	// that Annotate did not write.
	old := map[[2]int]comment{}
	if n.existing != nil {
		for _, c := range n.existing.comments {
			old[[2]int{c.row, c.col}] = c
		}
	}
	boxes := make([]noteBox, 0, len(j.marks))
	for _, m := range j.marks {
		text := strings.Join(m.lines, "\n")
		if c, ok := old[[2]int{m.row, m.col}]; ok && c.author != AnnotateAuthor && c.text != "" {
			text += "\n\n" + c.text
		}
		if len(text) > maxCommentChars {
			cut := maxCommentChars
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut] + "…"
		}
		m.text = text
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			lines += 1 + utf8.RuneCountInString(l)/50
		}
		boxes = append(boxes, noteBox{row: m.row, col: m.col, height: min(600, 24+15*lines)})
	}

	out, err := create(a.lookup(n.comments), n.comments)
	if err != nil {
		return err
	}
	if err := writeComments(out, n.existing, j.marks); err != nil {
		return a.fail(fmt.Errorf("%s: %v", n.comments, err))
	}

	// The drawing: the sheet's own, extended, or a new one.
	var add []rel
	if n.newCommRID != "" {
		add = append(add, rel{id: n.newCommRID, typ: relTypeComments, target: entryName(n.comments)})
	}
	if vk := n.vmlParts[j.legacyRID]; vk != "" {
		v := n.vmls[vk]
		var need []noteBox
		for _, b := range boxes {
			if !v.notes[[2]int{b.row, b.col}] {
				need = append(need, b)
			}
		}
		out, err := create(a.lookup(vk), vk)
		if err != nil {
			return err
		}
		if err := writeVML(out, v, n.block, need); err != nil {
			return err
		}
	} else {
		// A new drawing has a box for every note of the part, old or new.
		if n.existing != nil {
			marked := map[[2]int]bool{}
			for _, b := range boxes {
				marked[[2]int{b.row, b.col}] = true
			}
			for _, c := range n.existing.comments {
				if !marked[[2]int{c.row, c.col}] {
					boxes = append(boxes, noteBox{row: c.row, col: c.col, height: 80})
				}
			}
		}
		out, err := create(nil, n.newVML)
		if err != nil {
			return err
		}
		if err := writeVML(out, nil, n.block, boxes); err != nil {
			return err
		}
		add = append(add, rel{id: n.newVMLRID, typ: relTypeVML, target: n.newVML})
	}
	if len(add) == 0 {
		return nil // the relationships stay as they were
	}
	out, err = create(a.lookup(n.relsPart), n.relsPart)
	if err != nil {
		return err
	}
	if err := writeRels(out, n.relsData, n.relsRoot, add, path.Dir(entryName(j.part))); err != nil {
		return a.fail(fmt.Errorf("%s: %v", n.relsPart, err))
	}
	return nil
}

// writeSharedStrings writes the shared strings without the values of the
// password cells emptied, unless another cell still shows them.
func (a *annotator) writeSharedStrings(create func(*zip.File, string) (io.Writer, error)) error {
	if a.sstAt == "" || !a.deferred[a.sstAt] {
		return nil
	}
	drop := map[int]bool{}
	for _, j := range a.jobs {
		for _, i := range j.cleared {
			drop[i] = true
		}
	}
	if len(drop) == 0 {
		return nil // copied as it is
	}
	for i, s := range a.xr.Sheets() {
		f := a.lookup(s.Part)
		if f == nil {
			continue
		}
		var pw []int
		if j := a.jobPart[partKey(f.Name)]; j != nil {
			pw = j.pwCols
		}
		rc, err := f.Open()
		if err != nil {
			return a.fail(fmt.Errorf("%s: %v", f.Name, err))
		}
		err = scanSharedStrings(rc, pw, func(k int) { delete(drop, k) })
		rc.Close()
		if err != nil {
			return a.fail(fmt.Errorf("sheet %d: %v", i+1, err))
		}
	}
	f := a.files[a.sstAt]
	rc, err := f.Open()
	if err != nil {
		return a.fail(fmt.Errorf("%s: %v", f.Name, err))
	}
	defer rc.Close()
	out, err := create(f, f.Name)
	if err != nil {
		return err
	}
	if err := dropSharedStrings(out, rc, drop); err != nil {
		return a.fail(fmt.Errorf("%s: %v", f.Name, err))
	}
	return nil
}

// dropSharedStrings copies the shared strings part, emptying the strings
// whose index is in drop.
func dropSharedStrings(w io.Writer, r io.Reader, drop map[int]bool) error {
	i := -1
	skipping := false
	for tok, err := range xmlTokensIn(r) {
		if err != nil {
			return err
		}
		if skipping {
			if isTag(tok, "si", true) {
				skipping = false
				if _, err := w.Write(tok); err != nil {
					return err
				}
			}
			continue
		}
		if isTag(tok, "si", false) {
			i++
			if drop[i] && tok[len(tok)-2] != '/' {
				ti, _ := parseTag(tok)
				skipping = true
				if _, err := fmt.Fprintf(w, "%s<%s/>", tok, qname(ti.prefix, "t")); err != nil {
					return err
				}
				continue
			}
		}
		if _, err := w.Write(tok); err != nil {
			return err
		}
	}
	return nil
}

// locate returns the sheet and cell a finding is marked on, or "" when its
// tab is not in the workbook.
func locate(fd validate.Finding, sheets map[string]string) (sheet, cell string) {
	if i := strings.LastIndexByte(fd.Cell, '!'); i > 0 {
		if s, ok := sheets[fd.Cell[:i]]; ok {
			return s, fd.Cell[i+1:]
		}
		return "", ""
	}
	s, ok := sheets[fd.Tab]
	if !ok {
		return "", ""
	}
	row := max(fd.Row, 1)
	return s, "A" + itoa(row)
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
