// Package cellref writes the column letters of A1-style cell references
// (1 -> A, 27 -> AA), for the workbook reader and for tools that write
// sheet XML of their own.
package cellref

// AppendColumn appends the letters of 1-based column col to b: 1 -> "A",
// 26 -> "Z", 27 -> "AA", 16384 -> "XFD". It appends nothing for col < 1.
func AppendColumn(b []byte, col int) []byte {
	var buf [16]byte // enough for any int
	i := len(buf)
	for col > 0 {
		col--
		i--
		buf[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, buf[i:]...)
}
