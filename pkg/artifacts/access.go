package artifacts

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fold returns the form of a name used for case-insensitive matching.
func Fold(s string) string {
	// Most names are ASCII; avoid an allocation when s is already lower case.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

// KeyString joins key values into the folded form used by indexes: two
// keys match when their KeyStrings are equal.
func KeyString(key []string) string {
	if len(key) == 1 {
		return Fold(key[0])
	}
	return string(appendKey(nil, key))
}

// appendKey appends the KeyString of key to b.
func appendKey(b []byte, key []string) []byte {
	for i, k := range key {
		if i > 0 {
			b = append(b, 0)
		}
		b = appendFold(b, k)
	}
	return b
}

// AppendFold appends Fold(s) to b, without allocating for ASCII names.
func AppendFold(b []byte, s string) []byte { return appendFold(b, s) }

// appendFold appends Fold(s) to b.
func appendFold(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return append(b, strings.ToLower(s[i:])...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func (t *Tab) rows(env *Environment) reflect.Value {
	return reflect.ValueOf(env).Elem().Field(t.field)
}

// Len returns the number of rows of the tab in env.
func (t *Tab) Len(env *Environment) int { return t.rows(env).Len() }

// Row returns a pointer to row i (a *User, *Entity …).
func (t *Tab) Row(env *Environment, i int) any { return t.rows(env).Index(i).Addr().Interface() }

// Cell returns the text of column col of row i: names and text as stored,
// booleans as True/False, numbers in decimal. ActionType and ActionValue
// read as empty.
func (t *Tab) Cell(env *Environment, i, col int) string {
	c := &t.Columns[col]
	if c.field < 0 {
		return ""
	}
	return cellText(t.rows(env).Index(i).Field(c.field))
}

func cellText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return "True"
		}
		return "False"
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	default:
		return v.String()
	}
}

// Cells appends the text of every column of row i to dst[:0] and returns
// it, in column order (ActionType and ActionValue empty).
func (t *Tab) Cells(env *Environment, i int, dst []string) []string {
	dst = dst[:0]
	row := t.rows(env).Index(i)
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.field < 0 {
			dst = append(dst, "")
			continue
		}
		dst = append(dst, cellText(row.Field(c.field)))
	}
	return dst
}

// KeyOf returns the key values of row i.
func (t *Tab) KeyOf(env *Environment, i int) []string {
	row := t.rows(env).Index(i)
	k := make([]string, len(t.Key))
	for j, ci := range t.Key {
		k[j] = cellText(row.Field(t.Columns[ci].field))
	}
	return k
}

// SetCell sets column col of row i from its canonical text ("True",
// "12"). It fails for text that is not a value of the column's type; the
// domain itself is validate's business.
func (t *Tab) SetCell(env *Environment, i, col int, value string) error {
	c := &t.Columns[col]
	if c.field < 0 {
		return nil
	}
	if c.Key {
		env.index[t.ID] = nil
	}
	return setField(t.rows(env).Index(i).Field(c.field), c, value)
}

func setField(f reflect.Value, c *Column, value string) error {
	switch f.Kind() {
	case reflect.Bool:
		b, ok := ParseBool(value)
		if !ok {
			return fmt.Errorf("%s: %q is not True or False", c.Name, value)
		}
		f.SetBool(b)
	case reflect.Int:
		if value == "" {
			f.SetInt(0)
			return nil
		}
		n, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", c.Name, value)
		}
		f.SetInt(int64(n))
	default:
		f.SetString(value)
	}
	return nil
}

// ParseBool reads True/False in any casing.
func ParseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// Append adds a row built from cells (one per column, in column order;
// ActionType and ActionValue ignored) and returns its index.
func (t *Tab) Append(env *Environment, cells []string) (int, error) {
	if len(cells) != len(t.Columns) {
		return 0, fmt.Errorf("%s: %d cells for %d columns", t.Name, len(cells), len(t.Columns))
	}
	row := reflect.New(t.typ).Elem()
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.field < 0 {
			continue
		}
		if err := setField(row.Field(c.field), c, cells[ci]); err != nil {
			return 0, err
		}
	}
	rows := t.rows(env)
	rows.Set(reflect.Append(rows, row))
	i := rows.Len() - 1
	if idx := env.index[t.ID]; idx != nil {
		idx[KeyString(t.KeyOf(env, i))] = i
	}
	return i, nil
}

// Delete removes the rows whose indexes are listed, keeping the order of
// the others.
func (t *Tab) Delete(env *Environment, rows []int) {
	if len(rows) == 0 {
		return
	}
	drop := make(map[int]bool, len(rows))
	for _, r := range rows {
		drop[r] = true
	}
	v := t.rows(env)
	n := 0
	for i := 0; i < v.Len(); i++ {
		if drop[i] {
			continue
		}
		if n != i {
			v.Index(n).Set(v.Index(i))
		}
		n++
	}
	v.SetLen(n)
	env.index[t.ID] = nil
}

// Find returns the index of the row whose key matches key
// case-insensitively.
func (t *Tab) Find(env *Environment, key ...string) (int, bool) {
	idx := env.index[t.ID]
	if idx == nil {
		n := t.Len(env)
		idx = make(map[string]int, n)
		for i := 0; i < n; i++ {
			idx[KeyString(t.KeyOf(env, i))] = i
		}
		env.index[t.ID] = idx
	}
	var scratch [128]byte
	i, ok := idx[string(appendKey(scratch[:0], key))] // no allocation for the lookup
	return i, ok
}

// Invalidate drops the lookup indexes; call it after changing key fields
// of rows directly rather than through SetCell.
func (env *Environment) Invalidate() { env.index = [NumTabs]map[string]int{} }

// compareKeys orders rows: key column by key column, whole numbers
// numerically, names case-insensitively with the stored casing breaking
// ties, so the canonical order never depends on input order.
func (t *Tab) compareKeys(a, b reflect.Value) int {
	for _, ci := range t.Key {
		fa, fb := a.Field(t.Columns[ci].field), b.Field(t.Columns[ci].field)
		if fa.Kind() == reflect.Int {
			if c := int(fa.Int() - fb.Int()); c != 0 {
				if c < 0 {
					return -1
				}
				return 1
			}
			continue
		}
		sa, sb := fa.String(), fb.String()
		if c := CompareFold(sa, sb); c != 0 {
			return c
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
	return 0
}

// CompareFold compares two names as Fold(a) and Fold(b) would compare,
// without allocating.
func CompareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.Compare(Fold(a[i:]), Fold(b[i:]))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// sortRows sorts the tab's rows by key; rows already in order (the usual
// case for a file secmgr wrote) are left as they are.
func (t *Tab) sortRows(env *Environment) {
	v := t.rows(env)
	n := v.Len()
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = t.compareKeys(v.Index(i-1), v.Index(i)) <= 0
	}
	if sorted {
		return
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int { return t.compareKeys(v.Index(a), v.Index(b)) })
	out := reflect.MakeSlice(v.Type(), n, n)
	for i, p := range perm {
		out.Index(i).Set(v.Index(p))
	}
	v.Set(out)
	env.index[t.ID] = nil
}

// Normalize makes env canonical: the built-in groups exist, every
// application and system role has a row (held by Administrators unless
// set), and every tab is sorted by key.
func (env *Environment) Normalize() {
	for _, g := range builtinGroups {
		if _, ok := tabs[TabGroups].Find(env, g.Group); !ok {
			env.Groups = append(env.Groups, g)
			env.index[TabGroups] = nil
		}
	}
	for _, r := range ApplicationRoles {
		if _, ok := tabs[TabAppRoles].Find(env, r); !ok {
			env.AppRoles = append(env.AppRoles, AppRole{AppRole: r, GroupName: Administrators})
			env.index[TabAppRoles] = nil
		}
	}
	for _, r := range SystemRoleNames {
		if _, ok := tabs[TabSystemRoles].Find(env, r); !ok {
			env.SystemRoles = append(env.SystemRoles, SystemRole{SystemRole: r, GroupName: Administrators})
			env.index[TabSystemRoles] = nil
		}
	}
	for _, t := range tabs {
		t.sortRows(env)
	}
}

// normalized reports whether Normalize would leave env as it is. It reads
// env only (no index is built), so it is safe on an environment shared
// between goroutines.
func (env *Environment) normalized() bool {
	for _, t := range tabs {
		v := t.rows(env)
		for i := 1; i < v.Len(); i++ {
			if t.compareKeys(v.Index(i-1), v.Index(i)) > 0 {
				return false
			}
		}
	}
	has := func(t *Tab, name string) bool {
		// The tab is sorted by folded key: binary search.
		n := t.Len(env)
		i := sort.Search(n, func(j int) bool { return CompareFold(t.Cell(env, j, t.Key[0]), name) >= 0 })
		return i < n && strings.EqualFold(t.Cell(env, i, t.Key[0]), name)
	}
	for _, g := range builtinGroups {
		if !has(tabs[TabGroups], g.Group) {
			return false
		}
	}
	for _, r := range ApplicationRoles {
		if !has(tabs[TabAppRoles], r) {
			return false
		}
	}
	for _, r := range SystemRoleNames {
		if !has(tabs[TabSystemRoles], r) {
			return false
		}
	}
	return true
}

// New returns an empty environment: the built-in groups and every role
// held by Administrators.
func New(name string) *Environment {
	env := &Environment{Name: name}
	env.Normalize()
	return env
}

// Clone returns a deep copy of env.
func (env *Environment) Clone() *Environment {
	out := &Environment{Name: env.Name}
	src, dst := reflect.ValueOf(env).Elem(), reflect.ValueOf(out).Elem()
	for _, t := range tabs {
		s := src.Field(t.field)
		c := reflect.MakeSlice(s.Type(), s.Len(), s.Len())
		reflect.Copy(c, s)
		dst.Field(t.field).Set(c)
	}
	return out
}

// Rows returns the number of rows across all tabs.
func (env *Environment) Rows() int {
	n := 0
	for _, t := range tabs {
		n += t.Len(env)
	}
	return n
}
