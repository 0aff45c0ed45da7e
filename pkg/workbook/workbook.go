// Package workbook is secmgr's codec for the security workbook: it reads
// the tabs of an .xlsx file into rows of the tab table (package artifacts),
// each value with its cell reference, and writes rows back out as a
// workbook. Both directions stream: memory stays flat in the number of rows.
//
// Reading is tolerant the way a person's spreadsheet program requires
// (headers in any order and casing, numeric and boolean cells, formula
// cells by their cached value) and strict where a mistake would change
// security: problems become findings (package validate) that name the
// cell.
//
//	wb, err := workbook.Open("edits.xlsx", workbook.Options{})
//	if err != nil { … }            // not a workbook at all: the message names the file
//	defer wb.Close()
//	for _, s := range wb.Sheets {
//		err := wb.Read(s, func(r *workbook.Row) error {
//			fmt.Println(s.Ref(0, r.Number), r.Values[0])
//			return nil
//		})
//		…
//	}
//	for _, f := range wb.Findings { fmt.Println(f) }
package workbook

import (
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

// Options bound what reading one workbook may cost. Zero fields take the
// defaults given.
type Options struct {
	MaxUncompressedBytes int64 // total inflated bytes of all parts; default 1 GiB
	MaxRows              int   // data rows per sheet; default 2,000,000
	MaxColumns           int   // columns per sheet; default 16,384
	MaxCellChars         int   // characters in one cell; default 32,767
	MaxFindings          int   // findings listed per severity; default validate.MaxListed

	// Progress, when not nil, is told how reading goes: at the start and
	// end of each sheet Read and every 1,000 rows in between, from the
	// goroutine that reads.
	Progress func(ReadProgress)
}

// Row is one data row of a tab.
type Row struct {
	// Number is the spreadsheet row number (the header is row 1).
	Number int
	// Values holds one value per column of the tab (Tab.Columns order),
	// trimmed of surrounding white space, numbers in canonical decimal
	// ("3.0" reads "3"), booleans "TRUE"/"FALSE"; "" when the cell is
	// empty or the column is absent from the sheet (see Sheet.Present).
	// Workbook.Read reuses the Row and this slice for every row: copy what
	// you keep (the strings themselves may be kept).
	Values []string
}

// Sheet is one recognised tab of a workbook.
type Sheet struct {
	Tab    *artifacts.Tab
	Name   string // the sheet name as written ("users" or "User" for Users)
	Hidden bool
	// Present says, per tab column, whether the sheet has that column; an
	// absent column means "leave as is".
	Present []bool
	// Headers holds, per tab column, the header as the user wrote it.
	Headers []string

	index  int   // position in the file
	column []int // per tab column, the 1-based sheet column; 0 when absent
}

// NewSheet describes rows of tab that another layout holds, so that they
// can be checked and planned as the tab's rows: columns gives, per tab
// column, the 1-based column of the sheet named name that holds it (0
// for none), and headers its header there. An access review's Remove
// decisions are UsersInGroups rows of this kind, each finding placed at
// the review's own cell.
func NewSheet(tab *artifacts.Tab, name string, columns []int, headers []string) *Sheet {
	s := &Sheet{Tab: tab, Name: name, Present: make([]bool, len(tab.Columns)), Headers: make([]string, len(tab.Columns)), column: make([]int, len(tab.Columns))}
	for ci := range tab.Columns {
		if ci < len(columns) && columns[ci] > 0 {
			s.column[ci] = columns[ci]
			s.Present[ci] = true
			if ci < len(headers) {
				s.Headers[ci] = headers[ci]
			}
		}
	}
	return s
}

// Ref returns the cell reference of tab column col at spreadsheet row
// row, such as "Users!C7" ("Users!?7" for an absent column: callers report
// those at the row).
func (s *Sheet) Ref(col, row int) string {
	if col < 0 || col >= len(s.column) || s.column[col] == 0 {
		return s.Name + "!" + "A" + itoa(row)
	}
	return s.Name + "!" + columnName(s.column[col]) + itoa(row)
}

// Finding returns a finding located at tab column col of row, with the
// column header as the user wrote it.
func (s *Sheet) Finding(sev validate.Severity, code string, col, row int, msg string) validate.Finding {
	f := validate.Finding{Severity: sev, Code: code, Tab: s.Tab.Name, Row: row, Message: msg}
	if col >= 0 && col < len(s.column) && s.column[col] > 0 {
		f.Column = s.Headers[col]
		f.Cell = s.Ref(col, row)
	} else if col >= 0 && col < len(s.Tab.Columns) {
		f.Column = s.Tab.Columns[col].Name
	}
	return f
}
