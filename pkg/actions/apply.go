package actions

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// SecretSource supplies secret values (passwords) a plan refers to.
type SecretSource interface {
	Secret(c *plans.Change, f *plans.Field) (string, error)
}

// ChangeError is a change Apply refused; its message names the change's
// number (from 1), op, tab and key.
type ChangeError struct {
	Number int
	Op     plans.Op
	Tab    string
	Key    []string
	Err    error
}

func (e *ChangeError) Error() string {
	return fmt.Sprintf("change %d (%s %s %s): %v", e.Number, e.Op, e.Tab, quoteKey(e.Key), e.Err)
}

func (e *ChangeError) Unwrap() error { return e.Err }

// Is makes a refused change match ErrInvalid, unless it is stale.
func (e *ChangeError) Is(target error) bool {
	return target == ErrInvalid && !errors.Is(e.Err, ErrStale)
}

// ErrStale is wrapped by the error of a plan computed against another
// state of the environment: an edit whose old value is not the
// environment's, or (history.ApplyFile) a plan whose fingerprint is not
// the file's.
var ErrStale = errors.New("the plan does not fit this environment (stale)")

// Apply carries out p's changes, in order, on a copy of env and returns
// it, normalized; env is not changed. A plan that is not Applicable is
// refused, and so is the whole plan when any change does not fit.
//
// Each change's Key names the row as it is after the previous changes. An
// add appends a row (columns it does not set are empty, False or 0); an
// edit checks each field's Old against the row (exactly; secrets are not
// compared) and sets New; a rename sets the key and follows the name into
// every column that refers to it, then applies its fields as edits; a
// remove deletes the row and the relationship rows that name it, and
// refuses a group that roles, artifacts or slice rules still use. After
// the last change every user, group and exclusion group reference must
// resolve, and no name may be both a group and an exclusion group.
//
// Apply is linear in the size of env plus the size of p: lookups and
// references are indexed once, and deleted rows are dropped in one pass at
// the end.
func Apply(env *artifacts.Environment, p *plans.Plan, secrets SecretSource) (*artifacts.Environment, error) {
	return apply(env, p, secrets, false)
}

// apply is Apply; create lets it add rows to the edit-only tabs, as a
// snapshot records artifacts that OneStream, not a workbook, creates.
func apply(env *artifacts.Environment, p *plans.Plan, secrets SecretSource, create bool) (out *artifacts.Environment, err error) {
	if env == nil {
		return nil, errors.New("no environment to apply the plan to")
	}
	if p == nil {
		return nil, errors.New("no plan to apply")
	}
	if !p.Applicable {
		if n := p.Findings.Errors(); n > 0 {
			return nil, fmt.Errorf("the plan has %d error(s) and cannot be applied; correct them and plan again", n)
		}
		return nil, errors.New("the plan is not marked applicable; plan again")
	}
	e := &engine{env: env.Clone(), secrets: secrets, create: create}
	defer func() {
		// A bug must not crash the command with a stack trace; the
		// environment is untouched either way.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("internal error while applying change %d of the plan: %v; nothing was applied", e.n, r)
		}
	}()
	for i := range p.Changes {
		e.n = i + 1
		c := &p.Changes[i]
		if err := e.apply(c); err != nil {
			return nil, &ChangeError{Number: e.n, Op: c.Op, Tab: c.Tab, Key: c.Key, Err: err}
		}
	}
	return e.finish()
}

// finish ends applying: removed rows dropped, the environment normalized
// and held to its invariants.
func (e *engine) finish() (*artifacts.Environment, error) {
	e.n = 0
	e.compact()
	e.env.Normalize()
	if err := e.check(); err != nil {
		return nil, err
	}
	return e.env, nil
}

// The two namespaces references point into: users, and groups with
// exclusion groups.
const (
	userRefs = iota
	groupRefs
	numRefClasses
)

func refClass(k artifacts.Kind) int {
	switch k {
	case artifacts.KindUser:
		return userRefs
	case artifacts.KindGroup, artifacts.KindExGroup:
		return groupRefs
	}
	return -1
}

// refColumns lists, per tab and reference class, the columns that hold
// references of that class.
var refColumns = func() (out [artifacts.NumTabs][numRefClasses][]int) {
	for _, t := range artifacts.AllTabs() {
		for ci := range t.Columns {
			if cl := refClass(t.Columns[ci].Kind); cl >= 0 {
				out[t.ID][cl] = append(out[t.ID][cl], ci)
			}
		}
	}
	return out
}()

// namedKinds returns the reference kinds that can name a row of tab:
// users are named by user columns; a group by group columns; an exclusion
// group by group columns (a group column accepts one) and exclusion-group
// columns. Only the tabs with a Rename action have any.
func namedKinds(tab artifacts.TabID) []artifacts.Kind {
	switch tab {
	case artifacts.TabUsers:
		return []artifacts.Kind{artifacts.KindUser}
	case artifacts.TabGroups:
		return []artifacts.Kind{artifacts.KindGroup}
	case artifacts.TabExGroup:
		return []artifacts.Kind{artifacts.KindGroup, artifacts.KindExGroup}
	}
	return nil
}

// otherNamespaceTab returns the tab that shares tab's namespace: groups
// and exclusion groups share one.
func otherNamespaceTab(tab artifacts.TabID) (artifacts.TabID, bool) {
	switch tab {
	case artifacts.TabGroups:
		return artifacts.TabExGroup, true
	case artifacts.TabExGroup:
		return artifacts.TabGroups, true
	}
	return 0, false
}

// ref locates one reference cell.
type ref struct {
	tab uint8
	col uint8
	row int32
}

// engine applies one plan to one environment.
type engine struct {
	env     *artifacts.Environment
	secrets SecretSource
	n       int  // number of the change being applied, from 1
	create  bool // rows may be added to edit-only tabs (a snapshot)

	// keys maps, per tab, folded keys to live rows; built on first use.
	// The environment's own index is rebuilt after every key change, which
	// would make a plan of many renames quadratic.
	keys [artifacts.NumTabs]map[string]int
	// dead marks removed rows; they are dropped in one pass at the end so
	// row numbers stay valid for the indexes.
	dead  [artifacts.NumTabs][]bool
	ndead [artifacts.NumTabs]int
	// refs maps, per reference class, a folded name to the cells that
	// named it when they were recorded; entries go stale as cells change
	// and are checked when used. Built on the first rename or remove.
	refs [numRefClasses]map[string][]ref
	// touched records, per tab, which change last set a row's values, to
	// name it when the final check finds a dangling reference.
	touched [artifacts.NumTabs]map[string]int
}

func (e *engine) apply(c *plans.Change) error {
	t, ok := artifacts.LookupTab(c.Tab)
	if !ok {
		return fmt.Errorf("unknown tab %q", c.Tab)
	}
	if len(c.Key) != len(t.Key) {
		return fmt.Errorf("tab %s needs %d key value(s), not %d", t.Name, len(t.Key), len(c.Key))
	}
	if err := checkChange(t, c); err != nil {
		return err
	}
	switch c.Op {
	case plans.OpAdd:
		return e.add(t, c)
	case plans.OpEdit:
		i, ok := e.find(t, c.Key)
		if !ok {
			return fmt.Errorf("%s %s does not exist", t.Artifact, quoteKey(c.Key))
		}
		if err := e.edit(t, i, c); err != nil {
			return err
		}
		e.touch(t, c.Key)
		return nil
	case plans.OpRename:
		return e.rename(t, c)
	case plans.OpRemove:
		return e.remove(t, c)
	}
	return fmt.Errorf("unknown op %q", c.Op)
}

func (e *engine) isDead(tab artifacts.TabID, i int) bool {
	d := e.dead[tab]
	return i < len(d) && d[i]
}

func (e *engine) index(t *artifacts.Tab) map[string]int {
	m := e.keys[t.ID]
	if m == nil {
		n := t.Len(e.env)
		m = make(map[string]int, n)
		for i := 0; i < n; i++ {
			if !e.isDead(t.ID, i) {
				m[artifacts.KeyString(t.KeyOf(e.env, i))] = i
			}
		}
		e.keys[t.ID] = m
	}
	return m
}

func (e *engine) find(t *artifacts.Tab, key []string) (int, bool) {
	i, ok := e.index(t)[artifacts.KeyString(canonicalKey(t, key))]
	return i, ok
}

// canonicalKey writes whole numbers in a key as the environment stores
// them ("07" → "7"), so they match.
func canonicalKey(t *artifacts.Tab, key []string) []string {
	var out []string
	for j, ci := range t.Key {
		if t.Columns[ci].Kind != artifacts.KindWhole {
			continue
		}
		if n, err := strconv.Atoi(key[j]); err == nil && strconv.Itoa(n) != key[j] {
			if out == nil {
				out = slices.Clone(key)
			}
			out[j] = strconv.Itoa(n)
		}
	}
	if out == nil {
		return key
	}
	return out
}

func (e *engine) touch(t *artifacts.Tab, key []string) {
	if e.create {
		return // a snapshot's every row is a change: its checks named the cells already
	}
	if e.touched[t.ID] == nil {
		e.touched[t.ID] = make(map[string]int)
	}
	e.touched[t.ID][artifacts.KeyString(canonicalKey(t, key))] = e.n
}

// kill marks row i of t removed.
func (e *engine) kill(t *artifacts.Tab, i int) {
	if e.isDead(t.ID, i) {
		return
	}
	d := e.dead[t.ID]
	if n := t.Len(e.env); len(d) < n {
		d = append(d, make([]bool, n-len(d))...)
	}
	d[i] = true
	e.dead[t.ID] = d
	e.ndead[t.ID]++
	if idx := e.keys[t.ID]; idx != nil {
		ks := artifacts.KeyString(t.KeyOf(e.env, i))
		if j, ok := idx[ks]; ok && j == i {
			delete(idx, ks)
		}
	}
}

// set sets column ci of row i, keeping the key index and, when note is
// set, the reference index up to date. A key change that would give the
// tab two rows with one key is refused.
func (e *engine) set(t *artifacts.Tab, i, ci int, value string, note bool) error {
	c := &t.Columns[ci]
	var oldKey string
	var idx map[string]int
	if c.Key {
		idx = e.index(t)
		oldKey = artifacts.KeyString(t.KeyOf(e.env, i))
	}
	if err := t.SetCell(e.env, i, ci, value); err != nil {
		return err
	}
	if c.Key {
		newKey := artifacts.KeyString(t.KeyOf(e.env, i))
		if newKey != oldKey {
			if j, taken := idx[newKey]; taken && j != i {
				return fmt.Errorf("%s would have two rows %s", t.Name, quoteKey(t.KeyOf(e.env, i)))
			}
			if j, ok := idx[oldKey]; ok && j == i {
				delete(idx, oldKey)
			}
			idx[newKey] = i
		}
	}
	if note {
		e.noteRef(t, i, ci, value)
	}
	return nil
}

// noteRef records that column ci of row i now names value, if the
// reference index of its class has been built.
func (e *engine) noteRef(t *artifacts.Tab, i, ci int, value string) {
	cl := refClass(t.Columns[ci].Kind)
	if cl < 0 || e.refs[cl] == nil {
		return
	}
	f := artifacts.Fold(value)
	e.refs[cl][f] = append(e.refs[cl][f], ref{tab: uint8(t.ID), col: uint8(ci), row: int32(i)})
}

func (e *engine) refIndex(class int) map[string][]ref {
	if m := e.refs[class]; m != nil {
		return m
	}
	m := make(map[string][]ref)
	for _, t := range artifacts.AllTabs() {
		cols := refColumns[t.ID][class]
		if len(cols) == 0 {
			continue
		}
		n := t.Len(e.env)
		for i := 0; i < n; i++ {
			if e.isDead(t.ID, i) {
				continue
			}
			for _, ci := range cols {
				f := artifacts.Fold(t.Cell(e.env, i, ci))
				m[f] = append(m[f], ref{tab: uint8(t.ID), col: uint8(ci), row: int32(i)})
			}
		}
	}
	e.refs[class] = m
	return m
}

// refsTo returns the live cells of the given kinds that name folded (each
// once), and the live cells of other kinds of the same class that do.
func (e *engine) refsTo(folded string, kinds []artifacts.Kind) (match, other []ref) {
	class := refClass(kinds[0])
	list := e.refIndex(class)[folded]
	seen := make(map[ref]bool, len(list))
	for _, r := range list {
		if seen[r] {
			continue
		}
		seen[r] = true
		t := artifacts.TabID(r.tab).Tab()
		if e.isDead(t.ID, int(r.row)) || artifacts.Fold(t.Cell(e.env, int(r.row), int(r.col))) != folded {
			continue // stale entry
		}
		if hasKind(kinds, t.Columns[r.col].Kind) {
			match = append(match, r)
		} else {
			other = append(other, r)
		}
	}
	return match, other
}

func hasKind(kinds []artifacts.Kind, k artifacts.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (e *engine) add(t *artifacts.Tab, c *plans.Change) error {
	if !t.MayAdd && !e.create {
		return fmt.Errorf("%s rows cannot be added: the %s tab is edit only", t.Artifact, t.Name)
	}
	if err := checkKey(t, c.Key); err != nil {
		return err
	}
	if _, ok := e.find(t, c.Key); ok {
		return fmt.Errorf("%s %s already exists", t.Artifact, quoteKey(c.Key))
	}
	cells := make([]string, len(t.Columns))
	for ci := range t.Columns {
		if t.Columns[ci].Kind == artifacts.KindBool {
			cells[ci] = "False"
		}
	}
	for j, ci := range t.Key {
		cells[ci] = c.Key[j]
	}
	for fi := range c.Fields {
		f := &c.Fields[fi]
		ci, col, err := fieldColumn(t, f)
		if err != nil {
			return err
		}
		if col.Key {
			if artifacts.Fold(f.New) != artifacts.Fold(cells[ci]) {
				return fmt.Errorf("%s is part of the key and is %q, not %q", col.Name, cells[ci], f.New)
			}
			continue
		}
		v, err := e.value(c, f, col)
		if err != nil {
			return err
		}
		cells[ci] = v
	}
	idx := e.index(t)
	i, err := t.Append(e.env, cells)
	if err != nil {
		return err
	}
	idx[artifacts.KeyString(t.KeyOf(e.env, i))] = i
	for cl := range numRefClasses {
		for _, ci := range refColumns[t.ID][cl] {
			e.noteRef(t, i, ci, cells[ci])
		}
	}
	e.touch(t, c.Key)
	return nil
}

// edit applies c's fields to row i.
func (e *engine) edit(t *artifacts.Tab, i int, c *plans.Change) error {
	for fi := range c.Fields {
		f := &c.Fields[fi]
		ci, col, err := fieldColumn(t, f)
		if err != nil {
			return err
		}
		cur := t.Cell(e.env, i, ci)
		if col.Kind != artifacts.KindPassword && cur != f.Old {
			return fmt.Errorf("%s is %q where the plan expected %q: %w", col.Name, cur, f.Old, ErrStale)
		}
		v, err := e.value(c, f, col)
		if err != nil {
			return err
		}
		if col.Key && artifacts.Fold(v) != artifacts.Fold(cur) {
			return fmt.Errorf("%s is part of the key: an edit may change only its casing; a new name needs a rename", col.Name)
		}
		if err := e.set(t, i, ci, v, true); err != nil {
			return err
		}
	}
	return nil
}

// fieldColumn finds the column a field sets.
func fieldColumn(t *artifacts.Tab, f *plans.Field) (int, *artifacts.Column, error) {
	ci := t.Column(f.Column)
	if ci < 0 {
		return 0, nil, fmt.Errorf("tab %s has no column %q", t.Name, f.Column)
	}
	col := &t.Columns[ci]
	if col.IsAction() {
		return 0, nil, fmt.Errorf("%s is not stored; a plan cannot set it", col.Name)
	}
	return ci, col, nil
}

// value returns the value field f sets column col to: New, or for a
// password the secret it stands for.
func (e *engine) value(c *plans.Change, f *plans.Field, col *artifacts.Column) (string, error) {
	if col.Kind != artifacts.KindPassword {
		if f.Secret {
			return "", fmt.Errorf("%s is marked secret, but only passwords are", col.Name)
		}
		return f.New, nil
	}
	if !f.Secret {
		return "", fmt.Errorf("%s is a password and must be marked secret in the plan", col.Name)
	}
	switch f.New {
	case "":
		return "", nil
	case plans.MaskedValue:
	default:
		return "", fmt.Errorf("%s is secret: the plan must hold %q or nothing, never a value", col.Name, plans.MaskedValue)
	}
	if e.secrets == nil {
		return "", fmt.Errorf("the plan sets a %s, but no source of password values was given", col.Name)
	}
	v, err := e.secrets.Secret(c, f)
	if err != nil {
		return "", fmt.Errorf("cannot read the new %s: %w", col.Name, err)
	}
	if v == "" {
		return "", fmt.Errorf("the source of password values has no %s for it", col.Name)
	}
	return v, nil
}

func (e *engine) rename(t *artifacts.Tab, c *plans.Change) error {
	if !t.HasAction(artifacts.ActionRename) {
		return fmt.Errorf("%s rows cannot be renamed", t.Name)
	}
	if len(c.NewKey) != len(t.Key) {
		return fmt.Errorf("a rename needs %d new key value(s), not %d", len(t.Key), len(c.NewKey))
	}
	i, old, err := e.target(t, c.Key, "renamed")
	if err != nil {
		return err
	}
	if err := checkKey(t, c.NewKey); err != nil {
		return err
	}
	sameName := artifacts.KeyString(old) == artifacts.KeyString(c.NewKey)
	if !sameName {
		if _, taken := e.find(t, c.NewKey); taken {
			return fmt.Errorf("cannot rename to %s: a %s of that name exists", quoteKey(c.NewKey), t.Artifact)
		}
	}
	if err := e.ambiguous(t, old, "renamed"); err != nil {
		return err
	}
	for j, ci := range t.Key {
		if err := e.set(t, i, ci, c.NewKey[j], true); err != nil {
			return err
		}
	}
	if kinds := namedKinds(t.ID); len(kinds) > 0 && len(old) == 1 {
		from, to := artifacts.Fold(old[0]), artifacts.Fold(c.NewKey[0])
		match, other := e.refsTo(from, kinds)
		for _, r := range match {
			rt := artifacts.TabID(r.tab).Tab()
			if err := e.set(rt, int(r.row), int(r.col), c.NewKey[0], false); err != nil {
				return err
			}
		}
		if from != to {
			m := e.refIndex(refClass(kinds[0]))
			m[to] = append(m[to], match...)
			if len(other) > 0 {
				m[from] = other
			} else {
				delete(m, from)
			}
		}
	}
	if err := e.edit(t, i, c); err != nil {
		return err
	}
	e.touch(t, c.NewKey)
	return nil
}

func (e *engine) remove(t *artifacts.Tab, c *plans.Change) error {
	if !t.MayAdd {
		return fmt.Errorf("%s rows cannot be removed: the %s tab is edit only", t.Artifact, t.Name)
	}
	i, key, err := e.target(t, c.Key, "removed")
	if err != nil {
		return err
	}
	kinds := namedKinds(t.ID)
	if other, ok := otherNamespaceTab(t.ID); ok {
		// While a plan turns a group into an exclusion group of the same
		// name (or back), group columns name the other one: leave them.
		if _, alive := e.find(other.Tab(), key); alive {
			kinds = kinds[1:]
		}
	}
	if len(kinds) > 0 {
		match, _ := e.refsTo(artifacts.Fold(key[0]), kinds)
		var drop, uses []ref
		for _, r := range match {
			rt := artifacts.TabID(r.tab).Tab()
			if rt.Relationship || t.ID == artifacts.TabUsers {
				drop = append(drop, r)
			} else {
				uses = append(uses, r)
			}
		}
		if len(uses) > 0 {
			return fmt.Errorf("%s '%s' is still used by %s", t.Artifact, key[0], e.describeRefs(uses))
		}
		for _, r := range drop {
			e.kill(artifacts.TabID(r.tab).Tab(), int(r.row))
		}
	}
	e.kill(t, i)
	return nil
}

// describeRefs lists where cells are, the first few in full.
// target finds the row a rename or a removal names, and its key as
// stored; a built-in group cannot be one.
func (e *engine) target(t *artifacts.Tab, key []string, what string) (int, []string, error) {
	i, ok := e.find(t, key)
	if !ok {
		return 0, nil, fmt.Errorf("%s %s does not exist", t.Artifact, quoteKey(key))
	}
	stored := t.KeyOf(e.env, i)
	if err := e.builtin(t, stored, what); err != nil {
		return 0, nil, err
	}
	return i, stored, nil
}

func (e *engine) describeRefs(refs []ref) string {
	parts := textfmt.First(refs, 5, func(r ref) string {
		t := artifacts.TabID(r.tab).Tab()
		return fmt.Sprintf("%s %s %s", t.Name, quoteKey(t.KeyOf(e.env, int(r.row))), t.Columns[r.col].Name)
	})
	return strings.Join(parts, "; ")
}

// builtin refuses to rename or remove a built-in group.
func (e *engine) builtin(t *artifacts.Tab, key []string, what string) error {
	if _, shared := otherNamespaceTab(t.ID); shared && artifacts.IsBuiltinGroup(key[0]) {
		return fmt.Errorf("the built-in group '%s' cannot be %s", key[0], what)
	}
	return nil
}

// ambiguous refuses to rename a name that is, for the moment, both a
// group and an exclusion group: the references cannot be told apart.
func (e *engine) ambiguous(t *artifacts.Tab, key []string, what string) error {
	other, ok := otherNamespaceTab(t.ID)
	if !ok {
		return nil
	}
	if _, alive := e.find(other.Tab(), key); alive {
		return fmt.Errorf("'%s' is both a group and an exclusion group at this point of the plan; it cannot be %s", key[0], what)
	}
	return nil
}

// checkKey refuses key values an environment file cannot hold.
func checkKey(t *artifacts.Tab, key []string) error {
	for j, ci := range t.Key {
		c := &t.Columns[ci]
		v := key[j]
		switch c.Kind {
		case artifacts.KindName, artifacts.KindUser, artifacts.KindGroup, artifacts.KindExGroup:
			if p := artifacts.CheckName(v); p != "" {
				return fmt.Errorf("%s %q: %s", c.Name, v, p)
			}
		case artifacts.KindRole, artifacts.KindEnum:
			if !containsFold(c.Enum, v) {
				return fmt.Errorf("%s %q is not one of the known values", c.Name, v)
			}
		case artifacts.KindWhole:
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return fmt.Errorf("%s %q is not a whole number >= 0", c.Name, v)
			}
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// compact drops the removed rows, one pass per tab.
func (e *engine) compact() {
	for _, t := range artifacts.AllTabs() {
		if e.ndead[t.ID] == 0 {
			continue
		}
		rows := make([]int, 0, e.ndead[t.ID])
		for i, d := range e.dead[t.ID] {
			if d {
				rows = append(rows, i)
			}
		}
		t.Delete(e.env, rows)
		e.dead[t.ID] = nil
		e.ndead[t.ID] = 0
	}
	e.keys = [artifacts.NumTabs]map[string]int{}
	e.refs = [numRefClasses]map[string][]ref{}
}

// check verifies the result keeps the environment's invariants, the
// ones artifacts.Load refuses a file for breaking (see
// artifacts.Environment.Violations), naming the change that last set each
// row at fault.
func (e *engine) check() error {
	list, total := e.env.Violations(5)
	if total == 0 {
		return nil
	}
	return &InconsistentError{Violations: list, Total: total, describe: func(v artifacts.Violation) string {
		t := v.Tab.Tab()
		for _, row := range append([]int{v.Row}, v.Related...) {
			if k := e.touched[t.ID][artifacts.KeyString(t.KeyOf(e.env, row))]; k > 0 {
				return fmt.Sprintf("%s (set by change %d)", v.Msg, k)
			}
		}
		return v.Msg
	}}
}

// InconsistentError is a plan whose result would break the environment's
// invariants; nothing was applied.
type InconsistentError struct {
	Violations []artifacts.Violation // the first few
	Total      int
	describe   func(artifacts.Violation) string
}

// Is makes an inconsistent result match ErrInvalid.
func (e *InconsistentError) Is(target error) bool { return target == ErrInvalid }

func (e *InconsistentError) Error() string {
	d := e.describe
	if d == nil {
		d = func(v artifacts.Violation) string { return v.Msg }
	}
	return "the plan would leave the environment inconsistent: " + artifacts.JoinViolations(e.Violations, e.Total, d)
}

// quoteKey formats a key for messages: 'Houston' or 'Jane / Finance'.
func quoteKey(key []string) string {
	return "'" + strings.Join(key, " / ") + "'"
}
