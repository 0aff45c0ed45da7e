package xlsxread

import (
	"bytes"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeXEscapes decodes, in place, the OOXML escapes of ST_Xstring text:
// "_xHHHH_" stands for the UTF-16 code unit HHHH ("_x000D_" is a carriage
// return, "_x005F_" an underscore, so "_x005F_x000D_" is the literal text
// "_x000D_"); a surrogate pair is two escapes in a row. A lone surrogate
// is left as written.
func decodeXEscapes(b []byte) []byte {
	i := bytes.Index(b, []byte("_x"))
	if i < 0 {
		return b
	}
	out := b[:i]
	for r := i; r < len(b); {
		if u, ok := xEscape(b[r:]); ok {
			switch {
			case !utf16.IsSurrogate(rune(u)):
				out = utf8.AppendRune(out, rune(u))
				r += 7
				continue
			case u < 0xDC00: // high surrogate: needs a low one next
				if lo, ok := xEscape(b[r+7:]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					out = utf8.AppendRune(out, utf16.DecodeRune(rune(u), rune(lo)))
					r += 14
					continue
				}
			}
		}
		out = append(out, b[r])
		r++
	}
	return out
}

// xEscape decodes "_xHHHH_" at the start of b.
func xEscape(b []byte) (uint16, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		u = u<<4 | uint16(c)
	}
	return u, true
}

// utf16Len is the length of UTF-8 text in UTF-16 code units, the unit of
// Excel's cell length limit.
func utf16Len(b []byte) int {
	n := utf8.RuneCount(b)
	for _, c := range b {
		if c >= 0xF0 {
			n++
		}
	}
	return n
}

// canonicalNumber rewrites the number text at b[start:] in canonical
// decimal form (strconv.FormatFloat(f, 'f', -1, 64)): "3.0" -> "3",
// "1E+2" -> "100". Text that is not a finite decimal number is kept.
func canonicalNumber(b []byte, start int) []byte {
	v := b[start:]
	switch isDecimal(v) {
	case decCanonical:
		return b
	case decOther:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return b
		}
		return strconv.AppendFloat(b[:start], f, 'f', -1, 64)
	}
	return b
}

const (
	decNot       = iota // not a decimal number
	decCanonical        // already what FormatFloat would write
	decOther            // a decimal number in another form
)

// isDecimal classifies number text. Canonical text is
// -?(0|[1-9][0-9]*)(\.[0-9]*[1-9])? with at most 15 digits: every such
// decimal round-trips through float64 unchanged. Other numbers match
// [+-]?[0-9]*(\.[0-9]*)?([eE][+-]?[0-9]+)? with at least one digit.
func isDecimal(v []byte) int {
	i := 0
	canon := true
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		canon = v[i] == '-'
		i++
	}
	intStart := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	intDigits := i - intStart
	if intDigits == 0 || intDigits > 1 && v[intStart] == '0' {
		canon = false
	}
	fracDigits := 0
	if i < len(v) && v[i] == '.' {
		i++
		fs := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		fracDigits = i - fs
		if fracDigits == 0 || v[i-1] == '0' {
			canon = false
		}
	}
	if intDigits+fracDigits == 0 {
		return decNot
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		canon = false
		i++
		if i < len(v) && (v[i] == '-' || v[i] == '+') {
			i++
		}
		es := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == es {
			return decNot
		}
	}
	if i != len(v) {
		return decNot
	}
	if canon && intDigits+fracDigits <= 15 {
		return decCanonical
	}
	return decOther
}
