package actions

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

// A plan file is input from outside: edited by hand, or posted to the
// console. Apply holds each change to the rules the planner follows when
// it makes one, so a plan file can set nothing a workbook could not:
// values in their column's domain (validate.CheckValue, the tab table),
// names that follow the naming rules, text an export can write back (no control characters, at most MaxCellChars).
// References, cycles and processing orders are checked on the result,
// with the environment's invariants.

// ErrInvalid is matched (errors.Is) by every error of Apply that comes
// from the plan itself breaking the rules: a change the planner would
// never make, or a result that breaks the environment's invariants. A
// stale plan (ErrStale) does not match it.
var ErrInvalid = errors.New("the plan is not valid")

// MaxCellChars is the longest text a value may have: what one cell of a
// workbook holds (32,767 UTF-16 units), so every environment exports.
const MaxCellChars = 32_767

// invalid is a change that breaks the planner's rules.
type invalid struct{ msg string }

func (e *invalid) Error() string        { return e.msg }
func (e *invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalid{fmt.Sprintf(format, args...)}
}

// checkChange holds change c of tab t to the planner's rules, before it
// is applied. Keys are checked where the engine uses them (checkKey).
func checkChange(t *artifacts.Tab, c *plans.Change) error {
	for _, k := range append(c.Key[:len(c.Key):len(c.Key)], c.NewKey...) {
		if err := checkText("the key", k); err != nil {
			return err
		}
	}
	seen := make(map[int]bool, len(c.Fields))
	for fi := range c.Fields {
		f := &c.Fields[fi]
		ci := t.Column(f.Column)
		if ci < 0 {
			return invalidf("tab %s has no column %q", t.Name, f.Column)
		}
		if seen[ci] {
			return invalidf("the change sets %s twice", t.Columns[ci].Name)
		}
		seen[ci] = true
		col := &t.Columns[ci]
		if col.Kind == artifacts.KindPassword || col.IsAction() || f.Secret {
			continue // the engine checks secrets and refuses action columns
		}
		if err := checkText(col.Name, f.New); err != nil {
			return err
		}
		if f.New == "" {
			continue // an empty cell is no value to check
		}
		if _, prob := validate.CheckValue(col, f.New); prob != nil && prob.Severity == validate.Error {
			return &invalid{prob.Message}
		}
	}
	return nil
}

// checkText refuses text no workbook cell can hold: control characters
// other than tab and line breaks, invalid UTF-8, more than MaxCellChars.
func checkText(what, v string) error {
	if !utf8.ValidString(v) {
		return invalidf("%s is not valid UTF-8 text", what)
	}
	n := 0
	for _, r := range v {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return invalidf("%s '%s' contains the control character %U", what, validate.Shown(v), r)
		}
		n++
		if r >= 0x10000 {
			n++
		}
	}
	if n > MaxCellChars {
		return invalidf("%s is %d characters long; a cell holds at most %d", what, n, MaxCellChars)
	}
	return nil
}
