package artifacts

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pattern is a compiled wildcard filter: `*` matches any run of characters
// (also none), `?` exactly one; matching is case-insensitive and covers the
// whole name.
type Pattern struct {
	src  string
	pat  []rune
	lit  bool // no wildcard: compare folded strings
	fold string
}

// CompilePattern compiles a wildcard filter. An empty pattern is refused.
func CompilePattern(p string) (*Pattern, error) {
	if p == "" {
		return nil, fmt.Errorf("empty filter pattern")
	}
	if !utf8.ValidString(p) {
		return nil, fmt.Errorf("filter pattern %q is not valid UTF-8", p)
	}
	folded := strings.ToLower(p)
	return &Pattern{src: p, pat: []rune(folded), lit: !strings.ContainsAny(p, "*?"), fold: folded}, nil
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Match reports whether name matches the whole pattern, ignoring case.
// It runs in O(len(name)·len(pattern)) at worst and linear time for the
// usual patterns, with no recursion.
func (p *Pattern) Match(name string) bool {
	if p.lit {
		return Fold(name) == p.fold // the same folding as the key indexes
	}
	s := []rune(strings.ToLower(name))
	pat := p.pat
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == s[si]):
			si++
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// Filter is a set of patterns OR-ed together; an empty Filter matches
// everything.
type Filter []*Pattern

// CompileFilter compiles several patterns of one kind.
func CompileFilter(patterns []string) (Filter, error) {
	var f Filter
	for _, s := range patterns {
		p, err := CompilePattern(s)
		if err != nil {
			return nil, err
		}
		f = append(f, p)
	}
	return f, nil
}

// Active reports whether the filter restricts anything.
func (f Filter) Active() bool { return len(f) > 0 }

// Match reports whether name matches any pattern (true when empty).
func (f Filter) Match(name string) bool {
	if len(f) == 0 {
		return true
	}
	for _, p := range f {
		if p.Match(name) {
			return true
		}
	}
	return false
}

// CheckName returns a problem with a name, or "" when it is acceptable:
// not empty, no wildcard characters, no control characters, no leading or
// trailing white space, at most MaxNameLength characters.
func CheckName(name string) string {
	switch {
	case name == "":
		return "the name is empty"
	case strings.TrimSpace(name) == "":
		return "the name is only white space"
	case !utf8.ValidString(name):
		return "the name is not valid UTF-8 text"
	case strings.ContainsAny(name, "*?"):
		return "a name may not contain the wildcard characters * or ?"
	case utf8.RuneCountInString(name) > MaxNameLength:
		return fmt.Sprintf("the name is %d characters long; at most %d are allowed", utf8.RuneCountInString(name), MaxNameLength)
	}
	r, _ := utf8.DecodeRuneInString(name)
	l, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(r) || unicode.IsSpace(l) {
		return "a name may not start or end with white space"
	}
	for _, c := range name {
		if unicode.IsControl(c) {
			return fmt.Sprintf("the name contains the control character %U", c)
		}
	}
	return ""
}
