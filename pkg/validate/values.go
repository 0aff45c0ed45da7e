package validate

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"secmgr/pkg/artifacts"
)

// Problem is what is wrong with one value: a severity, a code and a
// message that completes "Users!C7: …".
type Problem struct {
	Severity Severity
	Code     string
	Message  string
}

// CheckValue checks a non-empty cell value (already trimmed) against the
// domain of column c. It returns the canonical form to store (enums in
// their export casing, "3.0" as "3", True/False) and the problem, if any.
// Whether an empty value is allowed, and whether a referenced name exists,
// is decided by the caller, which knows the row and the environment.
func CheckValue(c *artifacts.Column, v string) (string, *Problem) {
	switch c.Kind {
	case artifacts.KindName, artifacts.KindUser, artifacts.KindGroup, artifacts.KindExGroup:
		if p := artifacts.CheckName(v); p != "" {
			return v, &Problem{Error, CodeInvalidName, fmt.Sprintf("%s '%s' is not a valid name: %s", c.Name, Shown(v), p)}
		}
	case artifacts.KindEnum, artifacts.KindRole:
		for _, e := range c.Enum {
			if strings.EqualFold(e, v) {
				return e, nil
			}
		}
		return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not allowed; use one of: %s%s", c.Name, Shown(v), listOf(c.Enum), didYouMean(v, c.Enum))}
	case artifacts.KindBool:
		if b, ok := artifacts.ParseBool(v); ok {
			if b {
				return "True", nil
			}
			return "False", nil
		}
		return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not True or False", c.Name, Shown(v))}
	case artifacts.KindWhole:
		n, ok := ParseWhole(v)
		if !ok {
			return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not a whole number of 0 or more", c.Name, Shown(v))}
		}
		return strconv.Itoa(n), nil
	case artifacts.KindNumGridRows:
		n, ok := ParseWhole(v)
		if ok && validGridRows(n) {
			return strconv.Itoa(n), nil
		}
		return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not allowed; use 10 to 90 in steps of 10, or 100 to 1000 in steps of 100", c.Name, Shown(v))}
	case artifacts.KindUIVisibility:
		if canon, ok := ParseUIVisibility(v); ok {
			return canon, nil
		}
		return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not allowed; use Always, Never, or a combination of %s written in that order without separators (e.g. WorkflowExcelOnePlace)", c.Name, Shown(v), strings.Join(artifacts.CubeViewUIParts, ", "))}
	case artifacts.KindMemberFilter:
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if len(part) < len(c.Prefix) || !strings.EqualFold(part[:len(c.Prefix)], c.Prefix) {
				return v, &Problem{Error, CodeMemberFilter, fmt.Sprintf("%s: member filter '%s' does not start with %s", c.Name, Shown(part), c.Prefix)}
			}
		}
	case artifacts.KindEmail:
		if !plausibleEmail(v) {
			return v, &Problem{Error, CodeDomain, fmt.Sprintf("%s '%s' is not an e-mail address", c.Name, Shown(v))}
		}
	case artifacts.KindCulture:
		for _, e := range artifacts.Cultures {
			if strings.EqualFold(e, v) {
				return e, nil
			}
		}
		return v, &Problem{Warning, CodeUnknownCulture, fmt.Sprintf("%s '%s' is not one secmgr knows (%s); it is kept as written", c.Name, Shown(v), listOf(artifacts.Cultures))}
	case artifacts.KindActionType:
		for _, e := range artifacts.ActionTypes {
			if strings.EqualFold(e, v) {
				return e, nil
			}
		}
		return v, &Problem{Error, CodeActionType, fmt.Sprintf("ActionType '%s' is not Rename or Remove (leave it empty to add or edit)", Shown(v))}
	}
	return v, nil
}

// ParseWhole reads a whole number >= 0 written as "3", "3.0" or "3.00".
func ParseWhole(v string) (int, bool) {
	if i := strings.IndexByte(v, '.'); i >= 0 {
		if strings.Trim(v[i+1:], "0") != "" {
			return 0, false
		}
		v = v[:i]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

func validGridRows(n int) bool {
	return (n >= 10 && n <= 90 && n%10 == 0) || (n >= 100 && n <= 1000 && n%100 == 0)
}

// ParseUIVisibility reads a cube view profile's UIVisibility in any
// casing and returns it in canonical casing.
func ParseUIVisibility(v string) (string, bool) {
	switch {
	case strings.EqualFold(v, "Always"):
		return "Always", true
	case strings.EqualFold(v, "Never"):
		return "Never", true
	}
	rest := v
	var b strings.Builder
	for _, part := range artifacts.CubeViewUIParts {
		if len(rest) >= len(part) && strings.EqualFold(rest[:len(part)], part) {
			b.WriteString(part)
			rest = rest[len(part):]
		}
	}
	if rest != "" || b.Len() == 0 {
		return v, false
	}
	return b.String(), true
}

func plausibleEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at != strings.LastIndexByte(v, '@') || strings.ContainsAny(v, " \t,;<>") {
		return false
	}
	domain := v[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func listOf(values []string) string {
	if len(values) > 12 {
		return strings.Join(values[:12], ", ") + ", …"
	}
	return strings.Join(values, ", ")
}

func didYouMean(v string, candidates []string) string {
	if s := Closest(v, candidates); s != "" {
		return fmt.Sprintf(" — did you mean '%s'?", s)
	}
	return ""
}

// Closest returns the candidate nearest to name by edit distance
// (case-insensitive), or "" when none is near enough to be a plausible
// typo.
func Closest(name string, candidates []string) string {
	best, bestD := "", -1
	fn := []rune(strings.ToLower(name))
	limit := max(2, len(fn)/3)
	for _, c := range candidates {
		fc := []rune(strings.ToLower(c))
		if abs(len(fc)-len(fn)) > limit {
			continue
		}
		d := editDistance(fn, fc, limit)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance, giving up (returning limit+1)
// once every entry of a row exceeds limit.
func editDistance(a, b []rune, limit int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// NearMiss returns the candidate that name is a near miss of — equal once
// case, spaces and underscores are ignored, or within two edits of it then
// — or "" when there is none. It finds misspelt headers and tab names:
// close enough that the person surely meant the candidate. Names shorter
// than five letters may be one edit off, names under three none.
func NearMiss(name string, candidates []string) string {
	fn := []rune(looseForm(name))
	limit := 2
	switch {
	case len(fn) == 0:
		return ""
	case len(fn) < 3:
		limit = 0
	case len(fn) < 5:
		limit = 1
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		fc := []rune(looseForm(c))
		if abs(len(fc)-len(fn)) > limit {
			continue
		}
		if d := editDistance(fn, fc, limit); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// looseForm is name in lower case without spaces and underscores.
func looseForm(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '_' || r == '\u00a0' || r == '\t' {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}
