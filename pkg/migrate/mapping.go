package migrate

import (
	"fmt"
	"strings"

	"secmgr/pkg/artifacts"
)

// Map renames groups and exclusion groups on their way from the source to
// the destination (diff --map FROM=TO). A rule is exact ("Finance
// Dev=Finance") or has one * on the FROM side that stands for any run of
// characters, also none, and that TO may repeat ("DEV_*=PRD_*" maps
// DEV_Close to PRD_Close). Matching ignores case, as names do; the
// characters * stands for keep their casing. Rules apply in the order
// given and the first that matches wins; a name no rule matches keeps its
// name. The built-in groups (Administrators, Everyone, Nobody) are the
// same in every application and are never mapped.
//
// The zero Map, and a nil *Map, map every name to itself.
type Map struct {
	rules []mapRule
}

type mapRule struct {
	spec     string // as written, for messages
	from, to string
	wild     bool   // from has a *
	pre, suf string // from's text before and after the *
	toWild   bool   // to has a *
	toPre    string // to's text before the *
	toSuf    string // to's text after the *
}

// ParseMap parses --map rules, FROM=TO each. FROM and TO are trimmed of
// surrounding white space (names cannot have it). The first = separates
// them, so FROM cannot contain one.
func ParseMap(specs []string) (*Map, error) {
	m := &Map{}
	for _, spec := range specs {
		from, to, ok := strings.Cut(spec, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("--map %q: write FROM=TO, such as 'Finance Dev=Finance' or 'DEV_*=PRD_*'", spec)
		}
		r := mapRule{spec: spec, from: from, to: to}
		for _, side := range []struct{ name, s string }{{"FROM", from}, {"TO", to}} {
			switch n := strings.Count(side.s, "*"); {
			case strings.Contains(side.s, "?"):
				return nil, fmt.Errorf("--map %q: ? is not a wildcard here; use one * for any run of characters", spec)
			case n > 1:
				return nil, fmt.Errorf("--map %q: use at most one * on each side", spec)
			}
			if p := artifacts.CheckName(strings.ReplaceAll(side.s, "*", "x")); p != "" {
				return nil, fmt.Errorf("--map %q: %s '%s' is not a valid group name: %s", spec, side.name, side.s, p)
			}
		}
		r.wild, r.toWild = strings.Contains(from, "*"), strings.Contains(to, "*")
		if r.toWild && !r.wild {
			return nil, fmt.Errorf("--map %q: TO has a * but FROM has none; a * in TO repeats what the * in FROM matched", spec)
		}
		r.pre, r.suf, _ = strings.Cut(from, "*")
		r.toPre, r.toSuf, _ = strings.Cut(to, "*")
		m.rules = append(m.rules, r)
	}
	return m, nil
}

// Empty reports whether the map has no rules.
func (m *Map) Empty() bool { return m == nil || len(m.rules) == 0 }

// Rules returns the rules as written, in order.
func (m *Map) Rules() []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m.rules))
	for i, r := range m.rules {
		out[i] = r.spec
	}
	return out
}

// Name returns the destination's name for the source's group name.
func (m *Map) Name(name string) string {
	to, _ := m.match(name)
	return to
}

// match returns the mapped name and the index of the rule that matched,
// or name and -1.
func (m *Map) match(name string) (string, int) {
	if m == nil || artifacts.IsBuiltinGroup(name) {
		return name, -1
	}
	for i := range m.rules {
		r := &m.rules[i]
		if !r.wild {
			if strings.EqualFold(name, r.from) {
				return r.to, i
			}
			continue
		}
		// Byte lengths: a name whose casing changes its UTF-8 length
		// around the * simply does not match.
		if len(name) < len(r.pre)+len(r.suf) ||
			!strings.EqualFold(name[:len(r.pre)], r.pre) || !strings.EqualFold(name[len(name)-len(r.suf):], r.suf) {
			continue
		}
		if !r.toWild {
			return r.to, i
		}
		return r.toPre + name[len(r.pre):len(name)-len(r.suf)] + r.toSuf, i
	}
	return name, -1
}
