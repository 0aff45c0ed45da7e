// Package audit checks an environment against security best practices:
// the rules of the OneStream Secure Configuration Guide that an
// environment file can answer (IDs OS-BP-…) and secmgr's own (SM-…), as
// catalogued in docs/audit.md.
//
// Run checks every rule and returns a Report: findings (each with its
// rule, severity, the artifacts involved and what to do), the rules that
// could not be checked and why, and counts. A report prints for people
// (WriteText, grouped by severity), for programs (WriteJSON) and for code
// scanning pipelines (WriteSARIF, SARIF 2.1.0).
//
//	rep := audit.Run(env, nil)
//	rep.WriteText(os.Stdout)
//	if rep.AtOrAbove(audit.High) > 0 { … }
package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
)

// Severity of a finding, from Info to High.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
)

var severityNames = []string{"info", "low", "medium", "high"}

func (s Severity) String() string {
	if s < Info || s > High {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity as its name ("high").
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// ParseSeverity reads info, low, medium or high (any casing).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: use info, low, medium or high", name)
}

// Threshold is the --fail-on level: findings at or above it fail the
// audit. NoThreshold ("none") never fails.
type Threshold struct {
	Severity Severity
	None     bool
}

// ParseThreshold reads a --fail-on value: none, info, low, medium or high.
func ParseThreshold(s string) (Threshold, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return Threshold{None: true}, nil
	}
	sev, err := ParseSeverity(s)
	if err != nil {
		return Threshold{}, fmt.Errorf("unknown level %q: use none, info, low, medium or high", s)
	}
	return Threshold{Severity: sev}, nil
}

// ArtifactRef names an artifact (a row) by its tab and key. An empty key
// names the whole tab.
type ArtifactRef struct {
	Tab string   `json:"tab"`
	Key []string `json:"key"`
}

func (a ArtifactRef) String() string {
	if len(a.Key) == 0 {
		return a.Tab
	}
	return a.Tab + " " + strings.Join(a.Key, " / ")
}

func ref(tab artifacts.TabID, key ...string) ArtifactRef {
	if key == nil {
		key = []string{}
	}
	return ArtifactRef{Tab: tab.Tab().Name, Key: key}
}

// Finding is one problem found by a rule.
type Finding struct {
	Rule      string        `json:"rule"`
	Severity  Severity      `json:"severity"`
	Title     string        `json:"title"`
	Message   string        `json:"message"`
	Artifacts []ArtifactRef `json:"artifacts"`
	Remedy    string        `json:"remedy"`
}

// NotChecked is a rule the environment holds no data for.
type NotChecked struct {
	Rule   string `json:"rule"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// Summary counts findings by severity.
type Summary struct {
	High            int `json:"high"`
	Medium          int `json:"medium"`
	Low             int `json:"low"`
	Info            int `json:"info"`
	Findings        int `json:"findings"`
	RulesChecked    int `json:"rulesChecked"`
	RulesNotChecked int `json:"rulesNotChecked"`
}

// Report is the result of an audit.
type Report struct {
	Environment string       `json:"environment"`
	Findings    []Finding    `json:"findings"`
	NotChecked  []NotChecked `json:"notChecked"`
	Summary     Summary      `json:"summary"`
}

// AtOrAbove counts the findings of severity s or higher.
func (r *Report) AtOrAbove(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

// Fails reports whether the report has findings at or above t.
func (r *Report) Fails(t Threshold) bool { return !t.None && r.AtOrAbove(t.Severity) > 0 }

// Rule is one rule of the catalogue.
type Rule struct {
	ID       string
	Severity Severity // the usual severity; a finding may be higher (OS-BP-PS-AN-002)
	Title    string   // one line: what is wrong
	Detail   string   // why it matters
	Remedy   string   // what to do
	check    func(c *checker, r *Rule) []Finding
}

// finding starts a finding of the rule at its usual severity.
func (r *Rule) finding(msg string, arts ...ArtifactRef) Finding {
	if arts == nil {
		arts = []ArtifactRef{}
	}
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	return Finding{Rule: r.ID, Severity: r.Severity, Title: r.Title, Message: msg, Artifacts: arts, Remedy: r.Remedy}
}

// Rules returns the catalogue of checked rules, in report order.
func Rules() []Rule { return slices.Clone(catalogue) }

// Unchecked returns the rules secmgr cannot check, with the reason.
func Unchecked() []NotChecked { return slices.Clone(unchecked) }

// Run checks every rule against env. ix may be nil; pass the index of env
// when there is one already. Findings are ordered by severity (high
// first), then in catalogue order, then as each rule lists them.
func Run(env *artifacts.Environment, ix *access.Index) *Report {
	return RunWith(env, ix, Options{})
}

// RunWith is Run with data the environment does not hold (Options).
func RunWith(env *artifacts.Environment, ix *access.Index, opt Options) *Report {
	if ix == nil {
		ix = access.New(env)
	}
	c := newChecker(env, ix)
	c.idp = opt.IdP
	rep := &Report{Environment: env.Name, Findings: []Finding{}, NotChecked: Unchecked()}
	order := map[string]int{}
	for i := range catalogue {
		r := &catalogue[i]
		order[r.ID] = i
		rep.Findings = append(rep.Findings, r.check(c, r)...)
	}
	rep.NotChecked = append(rep.NotChecked, c.notChecked...)
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(order[a.Rule], order[b.Rule]))
	})
	for _, f := range rep.Findings {
		switch f.Severity {
		case High:
			rep.Summary.High++
		case Medium:
			rep.Summary.Medium++
		case Low:
			rep.Summary.Low++
		default:
			rep.Summary.Info++
		}
	}
	rep.Summary.Findings = len(rep.Findings)
	rep.Summary.RulesChecked = len(catalogue) - len(c.notChecked)
	rep.Summary.RulesNotChecked = len(rep.NotChecked)
	return rep
}
