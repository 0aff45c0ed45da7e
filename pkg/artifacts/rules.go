package artifacts

import (
	"cmp"
	"slices"

	"secmgr/internal/graph"
)

// The rules below look at many rows at once. Every caller checks them
// here — Load and Apply on a whole environment, the planner on the rows
// of a workbook, migrate on a comparison — so that what one accepts the
// others do too.

// A GroupEdge puts Group into Parent (GroupsInGroups), by name in any
// casing.
type GroupEdge struct{ Group, Parent string }

// A Cycle is an added membership that would make a group contain itself.
type Cycle struct {
	// Added is the index of the membership in the added list.
	Added int
	// Path runs from the parent through the memberships back to the
	// parent: "A → B → A" for putting B into A where A is in B.
	Path []string
}

// GroupCycles checks the memberships added to those kept. Added
// memberships are taken in order, and one that would close a cycle with
// the kept ones and the additions before it is returned, with the cycle,
// and left out of the rest of the check. A membership of a group in
// itself is a cycle of one. The cost is linear in the memberships, plus a
// search for each addition inside a strongly connected part.
func GroupCycles(kept, added []GroupEdge) []Cycle {
	if len(added) == 0 {
		return nil
	}
	ids := map[string]int{}
	var names []string
	var adj [][]int
	id := func(name string) int {
		f := Fold(name)
		if n, ok := ids[f]; ok {
			return n
		}
		ids[f] = len(names)
		names = append(names, name)
		adj = append(adj, nil)
		return len(names) - 1
	}
	for _, e := range kept {
		a, b := id(e.Group), id(e.Parent)
		adj[a] = append(adj[a], b)
	}
	type pair struct{ child, parent int }
	adds := make([]pair, len(added))
	for i, e := range added {
		adds[i] = pair{id(e.Group), id(e.Parent)}
		adj[adds[i].child] = append(adj[adds[i].child], adds[i].parent)
	}
	comp := graph.SCC(adj)
	// Only additions inside a strongly connected part can close a cycle.
	// Without them the rest has none; put them back one by one.
	var suspects []int
	for i, a := range adds {
		if comp[a.child] == comp[a.parent] {
			suspects = append(suspects, i)
		}
	}
	if len(suspects) == 0 {
		return nil
	}
	for _, i := range suspects {
		a := adds[i]
		if k := slices.Index(adj[a.child], a.parent); k >= 0 {
			adj[a.child] = slices.Delete(adj[a.child], k, k+1)
		}
	}
	var out []Cycle
	for _, i := range suspects {
		a := adds[i]
		path := graph.ShortestPath(adj, a.parent, a.child, nil) // [a] for a group in itself
		if path == nil {
			adj[a.child] = append(adj[a.child], a.parent)
			continue
		}
		c := Cycle{Added: i}
		for _, n := range path {
			c.Path = append(c.Path, names[n])
		}
		c.Path = append(c.Path, names[a.parent])
		out = append(out, c)
	}
	return out
}

// An OrderEntry is an entry of an exclusion group as it will be: its
// member, the ProcessingOrder it will have, and whether the change sets
// it (rather than keeping one the environment has).
type OrderEntry struct {
	ExGroup string
	Member  string
	IsGroup bool
	Order   int
	Changed bool
	// Ref is the caller's own reference to the entry, carried through.
	Ref int
}

// OrderClashes returns the sets of entries of one exclusion group that
// share a ProcessingOrder, where the change sets at least one of them:
// each entry of an exclusion group needs its own order. Entries are given
// as they will be once the change is made (one per member of each
// exclusion group). The sets come by exclusion group (folded) and order;
// users before groups, then by member name.
func OrderClashes(entries []OrderEntry) [][]OrderEntry {
	type slot struct {
		ex    string
		order int
	}
	by := map[slot][]OrderEntry{}
	var slots []slot
	for _, e := range entries {
		k := slot{Fold(e.ExGroup), e.Order}
		if _, ok := by[k]; !ok {
			slots = append(slots, k)
		}
		by[k] = append(by[k], e)
	}
	slices.SortFunc(slots, func(a, b slot) int {
		return cmp.Or(cmp.Compare(a.ex, b.ex), cmp.Compare(a.order, b.order))
	})
	var out [][]OrderEntry
	for _, k := range slots {
		list := by[k]
		if len(list) < 2 || !slices.ContainsFunc(list, func(e OrderEntry) bool { return e.Changed }) {
			continue
		}
		slices.SortFunc(list, func(a, b OrderEntry) int {
			if a.IsGroup != b.IsGroup {
				if a.IsGroup {
					return 1
				}
				return -1
			}
			return cmp.Compare(Fold(a.Member), Fold(b.Member))
		})
		out = append(out, list)
	}
	return out
}
