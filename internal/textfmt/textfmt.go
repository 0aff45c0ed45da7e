// Package textfmt formats counts and lists for messages: thousands
// separators, plurals and the first few of a long list, written once for
// every package that reports them.
package textfmt

import (
	"fmt"
	"strconv"
	"strings"
)

// Count writes n with a comma every three digits: 1,234,567.
func Count[N ~int | ~int64](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Plural writes n and the word for n: "1 rule", "3 rules". many is the
// plural; when empty it is one with an s.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	if many == "" {
		many = one + "s"
	}
	return strconv.Itoa(n) + " " + many
}

// First describes the first most items and, when there are more, adds
// "and N more": the way a message lists what may be a long list.
func First[T any](items []T, most int, describe func(T) string) []string {
	out := make([]string, 0, min(len(items), most+1))
	for i, x := range items {
		if i == most {
			out = append(out, fmt.Sprintf("and %d more", len(items)-most))
			break
		}
		out = append(out, describe(x))
	}
	return out
}
