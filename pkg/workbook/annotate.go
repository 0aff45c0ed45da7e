package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
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

// Annotate writes a copy of the workbook in to out with every finding
// marked on its cell: a comment holding the findings' messages (with
// their suggestions) and codes, and a red (error) or amber (warnings
// only) fill. A finding without a cell is marked on column A of its row,
// or on A1 of its tab when it has no row; one whose tab is not in the
// workbook is not marked. It adds nothing else, so the copy re-imports to
// the same findings: a comment already on a marked cell is kept below
// the findings (one that Annotate added earlier is replaced). out is
// written atomically, owner-only, and is never the same file as in.
func Annotate(in, out string, findings validate.Findings) error {
	if same, _ := sameFile(in, out); same {
		return fmt.Errorf("cannot annotate %s into itself; name another output file", in)
	}
	f, err := openForAnnotate(in)
	if err != nil {
		return fmt.Errorf("%s: %v", in, describeOSError(err))
	}
	defer f.Close()
	cleared, err := clearPasswords(f)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}

	sheets := sheetNames(f)
	type mark struct {
		sheet, cell string
		lines       []string
		isError     bool
	}
	var order []string
	marks := map[string]*mark{}
	for _, fd := range findings {
		sheet, cell := locate(fd, sheets)
		if sheet == "" {
			continue
		}
		key := sheet + "!" + cell
		m, ok := marks[key]
		if !ok {
			m = &mark{sheet: sheet, cell: cell}
			marks[key] = m
			order = append(order, key)
		}
		m.lines = append(m.lines, fmt.Sprintf("%s: %s [%s]", fd.Severity, fd.Message, fd.Code))
		m.isError = m.isError || fd.Severity == validate.Error
	}
	existing := map[string]map[string]excelize.Comment{} // sheet -> cell -> comment
	styles := map[[2]int]int{}                           // (old style, error?) -> new style
	for _, key := range order {
		m := marks[key]
		if _, ok := existing[m.sheet]; !ok {
			existing[m.sheet] = map[string]excelize.Comment{}
			cs, _ := f.GetComments(m.sheet)
			for _, c := range cs {
				existing[m.sheet][c.Cell] = c
			}
		}
		text := strings.Join(m.lines, "\n")
		if old, ok := existing[m.sheet][m.cell]; ok {
			if err := f.DeleteComment(m.sheet, m.cell); err != nil {
				return fmt.Errorf("%s: cannot annotate %s: %v", in, key, err)
			}
			if old.Author != AnnotateAuthor {
				text += "\n\n" + commentText(old)
			}
		}
		if len(text) > maxCommentChars {
			text = text[:maxCommentChars] + "…"
		}
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			lines += 1 + len(l)/50
		}
		if err := f.AddComment(m.sheet, excelize.Comment{Cell: m.cell, Author: AnnotateAuthor, Text: text,
			Width: 340, Height: uint(min(600, 24+15*lines))}); err != nil {
			return fmt.Errorf("%s: cannot annotate %s: %v", in, key, err)
		}
		old, err := f.GetCellStyle(m.sheet, m.cell)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", in, key, err)
		}
		sk := [2]int{old, 0}
		if m.isError {
			sk[1] = 1
		}
		id, ok := styles[sk]
		if !ok {
			st, err := f.GetStyle(old)
			if err != nil || st == nil {
				st = &excelize.Style{}
			}
			color := warningFill
			if m.isError {
				color = errorFill
			}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
			if st.Font != nil && strings.EqualFold(st.Font.Color, "FFFFFF") {
				st.Font.Color = "000000" // a header's white text on the light fill
			}
			if id, err = f.NewStyle(st); err != nil {
				return fmt.Errorf("%s: %v", in, err)
			}
			styles[sk] = id
		}
		if err := f.SetCellStyle(m.sheet, m.cell, m.cell, id); err != nil {
			return fmt.Errorf("%s: %s: %v", in, key, err)
		}
	}
	if err := artifacts.WriteFileAtomic(out, func(w io.Writer) error {
		if len(cleared) == 0 {
			_, err := f.WriteTo(w)
			return err
		}
		// excelize keeps a cleared cell's text in the shared strings;
		// drop the password values from them on the way out.
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			return err
		}
		return dropSharedStrings(buf.Bytes(), w, cleared)
	}); err != nil {
		return err // names out already
	}
	return nil
}

// sheetNames maps each sheet name of f, and the canonical name of the
// security tab it holds, to the sheet name.
func sheetNames(f *excelize.File) map[string]string {
	out := map[string]string{}
	for _, name := range f.GetSheetList() {
		out[name] = name
	}
	for _, name := range f.GetSheetList() {
		if t, ok := artifacts.LookupTab(name); ok {
			if _, taken := out[t.Name]; !taken {
				out[t.Name] = name
			}
		}
	}
	return out
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

// commentText is the text of a comment, its runs joined.
func commentText(c excelize.Comment) string {
	var b strings.Builder
	b.WriteString(c.Text)
	for _, r := range c.Paragraph {
		b.WriteString(r.Text)
	}
	return strings.TrimSpace(b.String())
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

// clearPasswords empties the Password cells of the Users tab: an annotated
// copy is made to be read and passed around, and password values never
// leave the workbook they were typed in. It returns the values cleared
// that no other cell of the workbook holds.
func clearPasswords(f *excelize.File) (map[string]bool, error) {
	cleared := map[string]bool{}
	kept := map[string]bool{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			return nil, err
		}
		col := -1
		if tab, ok := artifacts.LookupTab(name); ok && tab.ID == artifacts.TabUsers && len(rows) > 0 {
			for i, h := range rows[0] {
				if strings.EqualFold(strings.TrimSpace(h), "Password") {
					col = i
				}
			}
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				if c != col || r == 0 {
					kept[v] = true
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(name, ref, nil); err != nil {
					return nil, err
				}
				cleared[v] = true
			}
		}
	}
	for v := range kept {
		delete(cleared, v)
	}
	return cleared, nil
}

var sharedStringItem = regexp.MustCompile(`(?s)<si>.*?</si>`)
var xmlTag = regexp.MustCompile(`<[^>]*>`)

// dropSharedStrings copies the workbook zip in to w, blanking the shared
// strings whose text is one of drop.
func dropSharedStrings(in []byte, w io.Writer, drop map[string]bool) error {
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range zr.File {
		if f.Name != "xl/sharedStrings.xml" {
			r, err := f.OpenRaw()
			if err != nil {
				return err
			}
			h := f.FileHeader
			out, err := zw.CreateRaw(&h)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, r); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		xml, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		xml = sharedStringItem.ReplaceAllFunc(xml, func(si []byte) []byte {
			text := html.UnescapeString(xmlTag.ReplaceAllString(string(si), ""))
			if drop[text] {
				return []byte("<si><t></t></si>")
			}
			return si
		})
		out, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return err
		}
		if _, err := out.Write(xml); err != nil {
			return err
		}
	}
	return zw.Close()
}

// vmlShapeID matches the shape ids LibreOffice gives comment boxes
// ("shape_0"), which excelize cannot number new comments after.
var vmlShapeID = regexp.MustCompile(`id="shape_(\d+)"`)

// openForAnnotate opens a workbook for annotating. A workbook LibreOffice
// saved with notes (an export's header notes) names its comment shapes
// "shape_N"; those ids are renumbered the way Excel writes them
// ("_x0000_sNNNN") so that excelize can add comments beside them. The ids
// are local to the drawing: nothing else refers to them.
func openForAnnotate(path string) (*excelize.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return excelize.OpenReader(bytes.NewReader(data))
	}
	needs := false
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".vml") {
			needs = true
		}
	}
	if !needs {
		return excelize.OpenReader(bytes.NewReader(data))
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(strings.ToLower(f.Name), ".vml") {
			body = vmlShapeID.ReplaceAllFunc(body, func(m []byte) []byte {
				n, _ := strconv.Atoi(string(vmlShapeID.FindSubmatch(m)[1]))
				return []byte(fmt.Sprintf(`id="_x0000_s%d"`, 1025+n))
			})
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			return nil, err
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return excelize.OpenReader(&out)
}
