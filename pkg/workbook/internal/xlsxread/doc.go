// Package xlsxread is secmgr's low-level, streaming reader for .xlsx
// (Office Open XML SpreadsheetML) workbooks.
//
// It reads what people save from Excel or LibreOffice and what openpyxl
// writes: the zip container, xl/workbook.xml (sheet names, order and
// hidden state, found through _rels/.rels), xl/_rels/workbook.xml.rels,
// the shared string table, and then each worksheet's XML row by row.
//
//	wb, err := xlsxread.Open("security.xlsx", xlsxread.Limits{})
//	if err != nil { … }            // *Error: err.Kind tells why
//	defer wb.Close()
//	for i, info := range wb.Sheets() {
//		sr, err := wb.OpenSheet(i)
//		…
//		for {
//			row, cells, err := sr.Next()
//			if err == io.EOF { break }
//			…
//		}
//		merged := sr.MergedRanges()
//		sr.Close()
//	}
//
// Memory is flat in the number of rows: a SheetReader holds one row at a
// time (its cells and one string backing their values) and a fixed scan
// buffer. Only the shared string table is held whole, and it is bounded
// by Limits.
//
// The reader is meant for files from anyone, so every cost is bounded:
// all inflated bytes are counted against Limits.MaxUncompressedBytes (a
// zip bomb is refused after at most that many bytes, in bounded memory),
// rows, columns, cell length, shared strings and the length of any one
// XML tag are capped, DTDs are skipped and never expanded, and no input
// makes it panic. Errors are *Error values whose Kind says what went
// wrong (not an xlsx at all, a password-protected or legacy .xls file, a
// damaged zip, a limit, malformed XML) and whose message names the part,
// sheet and cell where it can.
//
// The sheet XML is read by a small hand-written scanner rather than
// encoding/xml: the grammar inside <sheetData> is tiny, and the scanner
// does the whole job (inflate, scan, decode and build the cells) in less
// time than encoding/xml takes only to tokenise the same XML. It still
// handles what XML allows there: entities and character references,
// CDATA sections, comments, processing instructions, namespace
// prefixes, either quote style and line-end normalisation.
package xlsxread
