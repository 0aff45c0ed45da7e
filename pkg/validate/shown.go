package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShownRunes bounds a value quoted in a message; a longer one is cut.
const maxShownRunes = 80

// Shown is a cell value as a message quotes it: control characters
// escaped (a hostile cell must not drive the terminal that shows the
// message) and a value over 80 characters cut to its first 60 and "…"
// (a 32,767-character cell would otherwise make a 32 KB line).
func Shown(v string) string {
	if utf8.RuneCountInString(v) > maxShownRunes {
		n := 0
		for i := range v {
			if n == 60 {
				v = v[:i] + "…"
				break
			}
			n++
		}
	}
	return EscapeControls(v)
}

// EscapeControls writes control characters (and invalid UTF-8) as Go
// escapes, \x1b or \u0085, leaving everything else as it is: for a
// message that may quote a hostile file.
func EscapeControls(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
