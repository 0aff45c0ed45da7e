package xlsxread

import (
	"math"
	"secmgr/internal/cellref"
	"strconv"
)

// ColumnName returns the letters of a 1-based column index: 1 -> "A",
// 26 -> "Z", 27 -> "AA", 16384 -> "XFD". It returns "" for col < 1.
func ColumnName(col int) string {
	var b [16]byte // on the stack: the string is the one allocation
	return string(cellref.AppendColumn(b[:0], col))
}

// CellRef returns the A1-style reference of a cell: (3, 7) -> "C7".
func CellRef(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// maxRefLetters and maxRowNumber bound what a cell reference may name,
// far above any spreadsheet program's grid, so the arithmetic cannot
// overflow.
const (
	maxRefLetters = 6 // up to column 321,272,406
	maxRowNumber  = math.MaxInt32
)

// ParseCellRef parses an A1-style cell reference such as "C7" or "$C$7"
// (letters in either case) into its 1-based column and row.
func ParseCellRef(ref string) (col, row int, err error) {
	b := []byte(ref)
	if len(b) > 0 && b[0] == '$' {
		b = b[1:]
	}
	n := 0
	for n < len(b) && isLetter(b[n]) {
		n++
	}
	if n+1 < len(b) && b[n] == '$' {
		b = append(b[:n:n], b[n+1:]...)
	}
	col, row, ok := parseRef(b)
	if !ok {
		return 0, 0, &Error{Kind: ErrMalformed, Msg: "invalid cell reference " + strconv.Quote(ref)}
	}
	return col, row, nil
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// ParseRef parses a cell reference such as "AB12" (surrounding spaces
// allowed, no '$'): its column and row, both from 1.
func ParseRef(b []byte) (col, row int, ok bool) { return parseRef(trimSpaceBytes(b)) }

// ParseRowNumber parses a row number (surrounding spaces allowed).
func ParseRowNumber(b []byte) (int, bool) { return parseUint(trimSpaceBytes(b), maxRowNumber) }

// parseRef parses "AB12" (no '$'): letters then digits, both required.
func parseRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) && isLetter(b[i]) {
		c := b[i] | 0x20 // lower case
		col = col*26 + int(c-'a') + 1
		i++
	}
	if i == 0 || i > maxRefLetters {
		return 0, 0, false
	}
	row, ok = parseUint(b[i:], maxRowNumber)
	if !ok || row < 1 {
		return 0, 0, false
	}
	return col, row, true
}

// parseUint parses a decimal number of at most max.
func parseUint(b []byte, max int) (int, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}
