package xlsxread

import (
	"fmt"
	"strings"
)

// ErrorKind classifies an *Error. A kind is itself an error, so
// errors.Is(err, xlsxread.ErrLimit) tells whether err is of that kind.
type ErrorKind uint8

// The kinds of Error.
const (
	// ErrNotZip: the file is not an .xlsx workbook at all: empty, text or
	// CSV, an OpenDocument (.ods) or binary (.xlsb) file, or random bytes.
	ErrNotZip ErrorKind = iota + 1
	// ErrEncrypted: the workbook is password-protected (encrypted).
	ErrEncrypted
	// ErrLegacyXLS: the file is an Excel 97-2003 .xls workbook.
	ErrLegacyXLS
	// ErrTruncated: the zip archive is truncated or damaged (bad
	// directory, bad checksum, bad compressed data).
	ErrTruncated
	// ErrNoWorkbook: a zip archive without an Excel workbook part.
	ErrNoWorkbook
	// ErrLimit: a Limits bound was exceeded.
	ErrLimit
	// ErrMalformed: a part is not well-formed or not valid SpreadsheetML
	// (bad XML, a bad cell reference, a missing part).
	ErrMalformed
	// ErrIO: the file could not be opened or read (missing file, a
	// directory, a read error). Err holds the os error.
	ErrIO
)

var kindNames = [...]string{
	ErrNotZip:     "not an xlsx workbook",
	ErrEncrypted:  "password-protected workbook",
	ErrLegacyXLS:  "legacy .xls workbook",
	ErrTruncated:  "truncated or damaged workbook",
	ErrNoWorkbook: "no workbook in the archive",
	ErrLimit:      "limit exceeded",
	ErrMalformed:  "malformed workbook",
	ErrIO:         "cannot read the file",
}

// String describes the kind in a few words.
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Error makes a kind usable as an errors.Is target.
func (k ErrorKind) Error() string { return "xlsxread: " + k.String() }

// Error is the error returned by this package for anything wrong with a
// workbook file. Its message is meant for the person who made the file.
type Error struct {
	Kind  ErrorKind
	Part  string // zip part, e.g. "xl/worksheets/sheet1.xml"; "" for the file as a whole
	Sheet string // sheet name, when known
	Cell  string // cell reference such as "B7", when known
	Msg   string // what is wrong, readable on its own
	Err   error  // underlying error, if any
}

// Error formats the error as, for example,
//
//	sheet "Users" cell B7: invalid cell reference "7B" (xl/worksheets/sheet1.xml)
//	xl/sharedStrings.xml: unknown entity &nbsp;
//	the workbook is password-protected; remove the password …
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Sheet != "":
		fmt.Fprintf(&b, "sheet %q", e.Sheet)
		if e.Cell != "" {
			b.WriteString(" cell ")
			b.WriteString(e.Cell)
		}
		b.WriteString(": ")
	case e.Part != "":
		b.WriteString(e.Part)
		if e.Cell != "" {
			b.WriteString(" cell ")
			b.WriteString(e.Cell)
		}
		b.WriteString(": ")
	case e.Cell != "":
		b.WriteString("cell ")
		b.WriteString(e.Cell)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	if e.Sheet != "" && e.Part != "" {
		b.WriteString(" (")
		b.WriteString(e.Part)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's ErrorKind.
func (e *Error) Is(target error) bool {
	k, ok := target.(ErrorKind)
	return ok && k == e.Kind
}

func newErr(kind ErrorKind, part, format string, args ...any) *Error {
	return &Error{Kind: kind, Part: part, Msg: fmt.Sprintf(format, args...)}
}

// formatBytes renders a byte count the way a limit is usually set.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
