package actions

import (
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// nameKind says what a name in the group namespace is.
type nameKind uint8

const (
	kindUser nameKind = iota
	kindGroup
	kindExGroup
)

func (k nameKind) String() string {
	switch k {
	case kindUser:
		return "user"
	case kindGroup:
		return "group"
	}
	return "exclusion group"
}

func (k nameKind) tab() artifacts.TabID {
	switch k {
	case kindUser:
		return artifacts.TabUsers
	case kindGroup:
		return artifacts.TabGroups
	}
	return artifacts.TabExGroup
}

// nameState is what a workbook does to one name.
type nameState uint8

const (
	stateUnknown  nameState = iota
	stateExisting           // exists and stays
	stateAdded              // added by the workbook
	stateRenamed            // renamed by the workbook; final is the new name
	stateRemoved            // removed by the workbook
)

type nameEntry struct {
	name string // as the workbook or environment writes it
	kind nameKind
	cell string // the cell that asked for it
	// sheet and row of the asking row, to report problems found later
	sheet *workbook.Sheet
	row   int
	// absent: a removal of a name the environment no longer has.
	absent bool
}

// namespace tracks, for users or for groups and exclusion groups (which
// share one namespace), what the workbook adds, renames and removes, so
// that any row can resolve a name written in its old or new form.
type namespace struct {
	env         *artifacts.Environment
	users       bool
	added       map[string]nameEntry // folded new name
	renamedFrom map[string]nameEntry // folded old name -> new name
	renamedTo   map[string]string    // folded new name -> stored old name
	removed     map[string]nameEntry // folded name
	// aliases are old names of renames already applied ("already
	// renamed"): rows may still use them.
	aliases map[string]nameEntry
}

func newNamespace(env *artifacts.Environment, users bool) *namespace {
	return &namespace{env: env, users: users,
		added: map[string]nameEntry{}, renamedFrom: map[string]nameEntry{},
		renamedTo: map[string]string{}, removed: map[string]nameEntry{}, aliases: map[string]nameEntry{}}
}

// existing returns the stored name and kind of a name in the environment.
func (ns *namespace) existing(name string) (string, nameKind, bool) {
	if ns.users {
		t := artifacts.TabUsers.Tab()
		if i, ok := t.Find(ns.env, name); ok {
			return ns.env.Users[i].User, kindUser, true
		}
		return "", kindUser, false
	}
	if i, ok := artifacts.TabGroups.Tab().Find(ns.env, name); ok {
		return ns.env.Groups[i].Group, kindGroup, true
	}
	if i, ok := artifacts.TabExGroup.Tab().Find(ns.env, name); ok {
		return ns.env.ExGroup[i].ExGroup, kindExGroup, true
	}
	return "", kindGroup, false
}

// resolve returns the name a reference ends up as after the workbook's
// adds and renames, its kind and its state.
func (ns *namespace) resolve(name string) (final string, kind nameKind, st nameState) {
	if !ns.busy() {
		if stored, k, ok := ns.existing(name); ok {
			return stored, k, stateExisting
		}
		return name, kindGroup, stateUnknown
	}
	f := artifacts.Fold(name)
	if e, ok := ns.removed[f]; ok {
		return e.name, e.kind, stateRemoved
	}
	if e, ok := ns.renamedFrom[f]; ok {
		return e.name, e.kind, stateRenamed
	}
	if e, ok := ns.added[f]; ok {
		return e.name, e.kind, stateAdded
	}
	if _, ok := ns.renamedTo[f]; ok {
		old := ns.renamedTo[f]
		e := ns.renamedFrom[artifacts.Fold(old)]
		return e.name, e.kind, stateRenamed
	}
	if stored, k, ok := ns.existing(name); ok {
		return stored, k, stateExisting
	}
	if e, ok := ns.aliases[f]; ok {
		return e.name, e.kind, stateExisting
	}
	return name, kindGroup, stateUnknown
}

// busy reports whether the workbook adds, renames or removes any name:
// when not, resolving is a plain lookup.
func (ns *namespace) busy() bool {
	return len(ns.removed)+len(ns.renamedFrom)+len(ns.added)+len(ns.aliases) > 0
}

// final maps a name stored in the environment to what it is called after
// the workbook's renames.
func (ns *namespace) final(stored string) string {
	if len(ns.renamedFrom) == 0 {
		return stored
	}
	if e, ok := ns.renamedFrom[artifacts.Fold(stored)]; ok {
		return e.name
	}
	return stored
}

// candidates lists the names a misspelt reference may have meant.
func (ns *namespace) candidates(kinds ...nameKind) []string {
	var out []string
	want := func(k nameKind) bool {
		for _, x := range kinds {
			if x == k {
				return true
			}
		}
		return false
	}
	for _, k := range []nameKind{kindUser, kindGroup, kindExGroup} {
		if !want(k) {
			continue
		}
		t := k.tab().Tab()
		for i, n := 0, t.Len(ns.env); i < n; i++ {
			out = append(out, t.Cell(ns.env, i, t.Key[0]))
		}
	}
	for _, e := range ns.added {
		if want(e.kind) {
			out = append(out, e.name)
		}
	}
	for _, e := range ns.renamedFrom {
		if want(e.kind) {
			out = append(out, e.name)
		}
	}
	return out
}
