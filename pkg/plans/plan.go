// Package plans is plan data: the ordered list of changes that takes one
// environment (identified by its fingerprint) to the state a workbook asks
// for, with the findings met on the way, the base of a three-way plan, the
// decisions of an access review and the impact on effective access.
//
// A plan knows nothing of files. pkg/actions computes plans (from workbook
// rows, or as the difference of two environments) and applies them in
// memory; pkg/history stores them and applies them to an environment file.
// This package holds the data, the secmgr.plan/v1 JSON codec
// (MarshalPlan, UnmarshalPlan) and the renderings for people (RenderText,
// RenderMarkdown).
//
// Op is a small enum whose value is its JSON name and whose Symbol is its
// display symbol:
//
//   - add    ~ edit    > rename    - remove
package plans

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

// PlanFormat is the value of the "format" field of a plan file.
const PlanFormat = "secmgr.plan/v1"

// Op is what a change does.
type Op string

const (
	OpAdd    Op = "add"
	OpEdit   Op = "edit"
	OpRename Op = "rename"
	OpRemove Op = "remove"
)

// Symbol is the op's display symbol: + ~ > -.
func (o Op) Symbol() string {
	switch o {
	case OpAdd:
		return "+"
	case OpEdit:
		return "~"
	case OpRename:
		return ">"
	case OpRemove:
		return "-"
	}
	return "?"
}

// MaskedValue stands for a password in plans and output.
const MaskedValue = "********"

// Field is one column's change: its old and new value. Passwords are
// Secret: Old and New hold MaskedValue (or "" for none), and the value
// itself is fetched from the plan's source when the plan is applied.
type Field struct {
	Column string
	Old    string
	New    string
	Secret bool
	// From is, for a secret, the cell of the source workbook that holds the
	// new value ("Users!G5"); empty when the source is an environment file
	// (an undo plan), where the value is found by the change's key.
	From string
}

// Fields is a list of field changes in column order; it marshals as a JSON
// object keyed by column, in that order.
type Fields []Field

// MarshalJSON writes {"Column": {"old": …, "new": …}, …} in column order.
func (fs Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Column)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(fieldJSON{f.Old, f.New, f.Secret, f.From})
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type fieldJSON struct {
	Old    string `json:"old"`
	New    string `json:"new"`
	Secret bool   `json:"secret,omitempty"`
	From   string `json:"from,omitempty"`
}

// UnmarshalJSON reads the object MarshalJSON writes, keeping its order.
func (fs *Fields) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("fields: expected an object")
	}
	*fs = nil
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		col, _ := tok.(string)
		var v fieldJSON
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("fields: %s: %w", col, err)
		}
		*fs = append(*fs, Field{Column: col, Old: v.Old, New: v.New, Secret: v.Secret, From: v.From})
	}
	_, err = dec.Token()
	return err
}

// Change is one line of a plan.
type Change struct {
	Op     Op       `json:"op"`
	Tab    string   `json:"tab"`
	Key    []string `json:"key"`
	NewKey []string `json:"newKey,omitempty"`
	Fields Fields   `json:"fields,omitempty"`
	Cells  []string `json:"cells,omitempty"`
	// Note explains a change the workbook did not ask for directly, such
	// as a reference set to Nobody by --cascade.
	Note string `json:"note,omitempty"`
}

// EnvironmentRef identifies the environment a plan was computed against.
type EnvironmentRef struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

// SourceRef identifies where a plan's secret values (passwords) are read
// from when it is applied: the workbook it was planned from, or, for an
// undo plan, the backup environment file. Its fingerprint must still match.
type SourceRef struct {
	Path        string `json:"path"`
	Fingerprint string `json:"fingerprint"`
}

// Summary counts a plan's changes and findings.
type Summary struct {
	Add      int `json:"add"`
	Edit     int `json:"edit"`
	Rename   int `json:"rename"`
	Remove   int `json:"remove"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// Plan is the ordered list of changes that takes an environment to the
// state a workbook asks for.
type Plan struct {
	Format      string            `json:"format"`
	Environment EnvironmentRef    `json:"environment"`
	Source      string            `json:"source"`
	Secrets     *SourceRef        `json:"secrets,omitempty"`
	Base        *BaseRef          `json:"base,omitempty"` // set when planned three-way
	Applicable  bool              `json:"applicable"`
	Changes     []Change          `json:"changes"`
	Findings    validate.Findings `json:"findings"`
	Summary     Summary           `json:"summary"`
	// Impact is what the changes do to effective access, user by user
	// (computed by package impact; absent when nothing changes).
	Impact []Consequence `json:"impact,omitempty"`
	// Review holds, for a plan of a reviewed access review, every
	// decision a reviewer wrote (Keep too), so that the apply's journal
	// keeps the evidence of the review.
	Review []ReviewDecision `json:"review,omitempty"`
}

// ReviewDecision is one row of a reviewed access review: the reviewer's
// decision on one membership, and what the plan does with it.
type ReviewDecision struct {
	Cell     string `json:"cell"` // the Decision cell, "AccessReview!H12"
	User     string `json:"user"`
	Group    string `json:"group"`
	Decision string `json:"decision"` // Keep or Remove
	Reviewer string `json:"reviewer,omitempty"`
	Comment  string `json:"comment,omitempty"`
	// Outcome is what planning made of it: "removed" (a change of the
	// plan), "kept", "already absent", or "refused" (an error at the
	// cell; nothing planned).
	Outcome string `json:"outcome"`
}

// Consequence is one change in one user's effective access that a plan
// makes: the user gains or loses a group (through nesting and exclusion
// groups), a role, or membership of Administrators. Exactly one of Group,
// Role and Administrator is set. Via is the path that grants it, from the
// user's direct group to the group itself ("Finance_Mod → Finance_View"),
// empty for a direct membership; for a role, the path to the group that
// holds the role. For a loss it is the path as it was before the plan.
type Consequence struct {
	User          string `json:"user"`
	Change        string `json:"change"` // ChangeGains or ChangeLoses
	Group         string `json:"group,omitempty"`
	Role          string `json:"role,omitempty"`
	Administrator bool   `json:"administrator,omitempty"`
	Via           string `json:"via,omitempty"`
}

// The values of Consequence.Change.
const (
	ChangeGains = "gains"
	ChangeLoses = "loses"
)

// Count adds one change of op to the summary.
func (s *Summary) Count(op Op) {
	switch op {
	case OpAdd:
		s.Add++
	case OpEdit:
		s.Edit++
	case OpRename:
		s.Rename++
	case OpRemove:
		s.Remove++
	}
}

// Tally counts changes and findings.
func Tally(changes []Change, findings validate.Findings) Summary {
	s := Summary{Errors: findings.Errors(), Warnings: findings.Warnings()}
	for _, c := range changes {
		s.Count(c.Op)
	}
	return s
}

// Summarize recomputes Summary and Applicable from Changes and Findings.
func (p *Plan) Summarize() {
	s := Tally(p.Changes, p.Findings)
	p.Summary = s
	p.Applicable = s.Errors == 0
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if p.Findings == nil {
		p.Findings = validate.Findings{}
	}
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// HasSecrets reports whether applying the plan needs secret values.
func (p *Plan) HasSecrets() bool {
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			if f.Secret && f.New != "" {
				return true
			}
		}
	}
	return false
}

// MarshalPlan returns the plan's JSON document: two-space indentation and a
// final newline, the same bytes for the same plan.
func MarshalPlan(p *Plan) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalPlan reads a plan document strictly: another format, or fields
// secmgr does not know, are refused.
func UnmarshalPlan(data []byte) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a valid secmgr plan: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if p.Format != PlanFormat {
		return nil, fmt.Errorf("has format %q; this secmgr reads plans of format %q", p.Format, PlanFormat)
	}
	for i, c := range p.Changes {
		t, ok := artifacts.LookupTab(c.Tab)
		if !ok {
			return nil, fmt.Errorf("change %d: unknown tab %q", i+1, c.Tab)
		}
		if len(c.Key) != len(t.Key) {
			return nil, fmt.Errorf("change %d: tab %s needs %d key values, not %d", i+1, t.Name, len(t.Key), len(c.Key))
		}
		switch c.Op {
		case OpAdd, OpEdit, OpRemove:
		case OpRename:
			if len(c.NewKey) != len(t.Key) {
				return nil, fmt.Errorf("change %d: a rename needs newKey", i+1)
			}
		default:
			return nil, fmt.Errorf("change %d: unknown op %q", i+1, c.Op)
		}
		for _, f := range c.Fields {
			if t.Column(f.Column) < 0 {
				return nil, fmt.Errorf("change %d: tab %s has no column %q", i+1, t.Name, f.Column)
			}
		}
	}
	return &p, nil
}

// BaseRef records, in a plan, the state a three-way plan was made
// against.
type BaseRef struct {
	Fingerprint string    `json:"fingerprint"`
	Time        time.Time `json:"time,omitzero"`
	Applies     int       `json:"applies"`
}

// Header is the line a plan's text starts with when it was planned
// three-way.
func (b *BaseRef) Header() string {
	since := textfmt.Plural(b.Applies, "apply", "applies")
	if b.Time.IsZero() {
		return fmt.Sprintf("planned three-way against the state the workbook was made from (%s since)", since)
	}
	return fmt.Sprintf("planned three-way against the state of %s (%s since)", FormatTime(b.Time), since)
}

// FormatTime writes a time of the journal for people, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
