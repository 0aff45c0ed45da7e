package workbook

import (
	"fmt"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"secmgr/pkg/validate"
)

// Annotation fills: red for a cell with an error, amber for warnings only.
const (
	errorFill   = "FFC7CE"
	warningFill = "FFEB9C"
)

// AnnotateAuthor is the author of the comments Annotate adds.
const AnnotateAuthor = "secmgr"

// Annotate writes a copy of the workbook in to out with every finding that
// has a cell marked on it: a comment holding the messages and a red
// (error) or amber (warning) fill. It adds nothing else, so the copy
// re-imports to the same findings. out is created owner-only and is never
// the same file as in.
func Annotate(in, out string, findings validate.Findings) error {
	if same, _ := sameFile(in, out); same {
		return fmt.Errorf("cannot annotate %s into itself; name another output file", in)
	}
	f, err := excelize.OpenFile(in)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	defer f.Close()

	type mark struct {
		sheet, cell string
		lines       []string
		isError     bool
	}
	var order []string
	marks := map[string]*mark{}
	for _, fd := range findings {
		i := strings.LastIndexByte(fd.Cell, '!')
		if i <= 0 {
			continue
		}
		m, ok := marks[fd.Cell]
		if !ok {
			m = &mark{sheet: fd.Cell[:i], cell: fd.Cell[i+1:]}
			marks[fd.Cell] = m
			order = append(order, fd.Cell)
		}
		m.lines = append(m.lines, fmt.Sprintf("%s: %s [%s]", fd.Severity, fd.Message, fd.Code))
		m.isError = m.isError || fd.Severity == validate.Error
	}
	styles := map[[2]int]int{} // (old style, error?) -> new style
	for _, key := range order {
		m := marks[key]
		if idx, err := f.GetSheetIndex(m.sheet); err != nil || idx < 0 {
			continue
		}
		text := strings.Join(m.lines, "\n")
		if len(text) > 32000 {
			text = text[:32000] + "…"
		}
		_ = f.DeleteComment(m.sheet, m.cell) // one comment per cell: ours replaces a stale one
		if err := f.AddComment(m.sheet, excelize.Comment{Cell: m.cell, Author: AnnotateAuthor, Text: text, Width: 320, Height: uint(40 + 20*len(m.lines))}); err != nil {
			return fmt.Errorf("%s: cannot annotate %s!%s: %v", in, m.sheet, m.cell, err)
		}
		old, err := f.GetCellStyle(m.sheet, m.cell)
		if err != nil {
			return fmt.Errorf("%s: %s!%s: %v", in, m.sheet, m.cell, err)
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
			if id, err = f.NewStyle(st); err != nil {
				return fmt.Errorf("%s: %v", in, err)
			}
			styles[sk] = id
		}
		if err := f.SetCellStyle(m.sheet, m.cell, m.cell, id); err != nil {
			return fmt.Errorf("%s: %s!%s: %v", in, m.sheet, m.cell, err)
		}
	}
	file, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", out, err)
	}
	if _, err := f.WriteTo(file); err != nil {
		file.Close()
		os.Remove(out)
		return fmt.Errorf("cannot write %s: %v", out, err)
	}
	return file.Close()
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
