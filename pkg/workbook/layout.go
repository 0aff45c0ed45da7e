package workbook

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Layout is a sheet that is not a tab of the tab table, such as an access
// review or its evidence: its own columns, written by the Writer like a
// security tab — the same header styles and notes, frozen header row,
// auto-filter and drop-downs, text cells that never become formulas.
type Layout struct {
	Name    string
	Columns []LayoutColumn
	// NoteAuthor signs the header notes; NoteAuthor when empty.
	NoteAuthor string
	// Print makes the sheet print landscape, one page wide, with the
	// header row on every page, as the security tabs do.
	Print bool
}

// LayoutColumn is one column of a Layout.
type LayoutColumn struct {
	Name  string
	Width float64 // in characters
	// Key marks a column that identifies a row: its header is the darkest,
	// as a key column's on a security tab.
	Key bool
	// Input marks a column a person fills in: its header is orange, as
	// ActionType's, and its cells pale.
	Input bool
	// Note is the header's note saying what the column holds; none when
	// empty.
	Note string
	// Choices, when set, gives the column a drop-down of these values over
	// all its rows; any other value is refused with ChoiceTitle and
	// ChoiceMessage, and an empty cell stays allowed. The values are held
	// in the validation itself, so together they must fit its 255
	// characters.
	Choices       []string
	ChoiceTitle   string
	ChoiceMessage string
}

// StartLayout ends the current tab, if any, and starts a sheet of layout
// l holding its styled, frozen header row. WriteRow then takes one value
// per column of l; every value is written as text.
func (w *Writer) StartLayout(l *Layout) error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(l.Columns) == 0 {
		return w.fail(fmt.Errorf("tab %s: no columns", l.Name))
	}
	columns := make([]sheetColumn, len(l.Columns))
	for i, c := range l.Columns {
		sc := sheetColumn{name: c.Name, width: c.Width, head: w.styles.plain, note: c.Note}
		switch {
		case c.Key:
			sc.head = w.styles.key
		case c.Input:
			sc.head = w.styles.action
			cells, err := w.inputCells()
			if err != nil {
				return w.fail(fmt.Errorf("tab %s: %w", l.Name, err))
			}
			sc.cells = cells
		}
		if len(c.Choices) > 0 {
			if !fitsInline(c.Choices) {
				return w.fail(fmt.Errorf("tab %s column %s: the choices do not fit in a drop-down", l.Name, c.Name))
			}
			sc.rule = rule{list: c.Name, values: c.Choices, inline: true, stop: true, title: c.ChoiceTitle, message: c.ChoiceMessage}
			sc.hasRule = true
		}
		columns[i] = sc
	}
	author := l.NoteAuthor
	if author == "" {
		author = NoteAuthor
	}
	return w.startSheet(l.Name, columns, l.Print, author)
}

// TextLine is one line of a text sheet: a paragraph, or a heading.
type TextLine struct {
	Text    string
	Heading bool
}

// AddTextSheet ends the current tab, if any, and adds sheet name holding
// lines, one per row of column A, width characters wide: headings bold
// in the key header colour, paragraphs wrapped. It is for a few dozen
// lines of explanation, such as how to fill in the workbook; the lines
// are text cells, never formulas.
func (w *Writer) AddTextSheet(name string, width float64, lines []TextLine) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.endTab(); err != nil {
		return err
	}
	if err := w.newSheet(name); err != nil {
		return err
	}
	fail := func(err error) error { return w.fail(fmt.Errorf("tab %s: %w", name, err)) }
	if err := w.file.SetColWidth(name, "A", "A", width); err != nil {
		return fail(err)
	}
	heading, err := w.file.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: headerKeyFill}})
	if err != nil {
		return fail(err)
	}
	wrap, err := w.file.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fail(err)
	}
	for i, l := range lines {
		if len(l.Text) > maxCellChars && utf16Len(l.Text) > maxCellChars {
			return fail(errors.New("line " + strconv.Itoa(i+1) + " is longer than a cell holds"))
		}
		cell := "A" + strconv.Itoa(i+1)
		if err := w.file.SetCellStr(name, cell, l.Text); err != nil {
			return fail(err)
		}
		style := wrap
		if l.Heading {
			style = heading
		}
		if err := w.file.SetCellStyle(name, cell, cell, style); err != nil {
			return fail(err)
		}
	}
	return nil
}
