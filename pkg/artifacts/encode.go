package artifacts

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// appendRowJSON appends one row as the canonical file writes it: the
// struct's fields in order, four spaces of indentation for the object and
// six for its fields, strings tagged omitempty left out when empty. It is
// what encoding/json with SetIndent("    ", "  ") and SetEscapeHTML(false)
// writes (a test holds it to that), several times faster.
func (t *Tab) appendRowJSON(b []byte, row reflect.Value) []byte {
	b = append(b, "\n    {"...)
	first := true
	for i := 0; i < t.typ.NumField(); i++ {
		f := row.Field(i)
		name, omit := t.jsonNames[i], t.omitEmpty[i]
		if omit && f.Kind() == reflect.String && f.Len() == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, "\n      \""...)
		b = append(b, name...)
		b = append(b, "\": "...)
		switch f.Kind() {
		case reflect.Bool:
			b = strconv.AppendBool(b, f.Bool())
		case reflect.Int:
			b = strconv.AppendInt(b, f.Int(), 10)
		default:
			b = appendJSONString(b, f.String())
		}
	}
	if first {
		return append(b, '}')
	}
	return append(b, "\n    }"...)
}

// appendJSONString quotes s as encoding/json does with HTML escaping off.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// bindJSON records each field's JSON name and whether it is omitempty.
func (t *Tab) bindJSON() {
	n := t.typ.NumField()
	t.jsonNames = make([]string, n)
	t.omitEmpty = make([]bool, n)
	for i := 0; i < n; i++ {
		tag := t.typ.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		t.jsonNames[i] = name
		t.omitEmpty[i] = strings.Contains(opts, "omitempty")
	}
}
