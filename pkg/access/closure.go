package access

import (
	"slices"
)

// next starts a new query on the scratch marks: stamps of earlier
// queries no longer count. Callers hold ix.mu.
func (s *scratch) next() uint64 {
	s.epoch++
	return s.epoch
}

// candidates is a binary min-heap of exclusion groups waiting to be
// decided, keyed by dependency rank and then by id.
type candidates []int64

func (h *candidates) push(x int64) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *candidates) pop() int64 {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && a[l] < a[m] {
			m = l
		}
		if l+1 < n && a[l+1] < a[m] {
			m = l + 1
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// walk finds the groups user u belongs to and leaves them in scratch:
// s.mark[g] == the returned epoch for each, s.groups lists them,
// s.decisions lists every exclusion group decided, and s.source gives the
// deciding entry's group of each exclusion group the user is in (-1 when
// the entry names the user). With region != 0 only groups whose
// s.region stamp equals region are considered: a region closed under
// dependencies (see dependencies) gives the exact answer for its groups at
// a fraction of the cost. Callers hold ix.mu.
//
// Ordinary groups are reached by walking up from the user's direct groups
// (and Everyone). An exclusion group becomes a candidate when one of its
// entries names the user or a group reached; candidates are decided in
// dependency order, so that when one is decided every group its entries
// name is already complete. Deciding one "in" walks on up from it, which
// may make further candidates. On a cycle through an exclusion group (an
// entry names a group that holds the exclusion group itself) the group is
// decided once, from what was reached before it: nothing loops.
func (ix *Index) walk(u int32, region uint64) uint64 {
	s := &ix.scratch
	ep := s.next()
	groups := s.groups[:0]
	decisions := s.decisions[:0]
	queue := s.queue[:0]
	cand := s.heap[:0]
	add := func(g int32) {
		if g == ix.nobody || s.mark[g] == ep || (region != 0 && s.region[g] != region) {
			return
		}
		s.mark[g] = ep
		groups = append(groups, g)
		queue = append(queue, g)
	}
	push := func(x int32) {
		if s.done[x] != ep && (region == 0 || s.region[x] == region) {
			cand.push(int64(ix.rank[x])<<32 | int64(x))
		}
	}
	drain := func() {
		for len(queue) > 0 {
			g := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for _, p := range ix.parents[g] {
				add(p)
			}
			for _, x := range ix.exByGroup[g] {
				push(x)
			}
		}
	}

	add(ix.everyone)
	for _, g := range ix.userGroups[u] {
		add(g)
	}
	for _, x := range ix.exByUser[u] {
		push(x)
	}
	drain()
	for len(cand) > 0 {
		x := int32(cand.pop() & 0xffffffff)
		if s.done[x] == ep {
			continue
		}
		s.done[x] = ep
		d := decision{ex: x, entry: -1}
		for i, e := range ix.entries[x] {
			if e.user == u || (e.group >= 0 && s.mark[e.group] == ep) {
				d.entry, d.in = int32(i), e.allow
			}
		}
		decisions = append(decisions, d)
		if d.in {
			s.source[x] = ix.entries[x][d.entry].group
			add(x)
			drain()
		}
	}
	s.groups, s.decisions, s.queue, s.heap = groups, decisions, queue, cand
	return ep
}

// closureOf returns the groups user u belongs to, computing them on first
// use. Callers hold ix.mu.
func (ix *Index) closureOf(u int32) *closure {
	if c := ix.closures[u]; c != nil {
		return c
	}
	ix.walk(u, 0)
	s := &ix.scratch
	c := &closure{groups: slices.Clone(s.groups), decisions: slices.Clone(s.decisions)}
	slices.Sort(c.groups)
	slices.SortFunc(c.decisions, func(a, b decision) int { return int(a.ex - b.ex) })
	ix.closures[u] = c
	return c
}

// has reports whether the user of c belongs to group g.
func (c *closure) has(g int32) bool {
	_, ok := slices.BinarySearch(c.groups, g)
	return ok
}

// restore puts a cached closure back into the scratch marks, as walk
// leaves them, and returns their epoch. Callers hold ix.mu.
func (ix *Index) restore(c *closure) uint64 {
	s := &ix.scratch
	ep := s.next()
	for _, g := range c.groups {
		s.mark[g] = ep
	}
	for _, d := range c.decisions {
		if d.in {
			s.source[d.ex] = ix.entries[d.ex][d.entry].group
		}
	}
	return ep
}

// shortestPaths runs a breadth-first search from user u over the groups
// marked with epoch ep (by walk or restore) and leaves, in s.pred, the
// predecessor of each group on its path (-1 for the user). Neighbours are
// visited in name order, so the path found to each group is the shortest
// one that reads first in alphabetical order from the user's end. An
// exclusion group is entered only from the entry that decided it. If
// target >= 0 the search stops once target is reached. Callers hold
// ix.mu; the result is valid until the next query.
func (ix *Index) shortestPaths(u int32, ep uint64, target int32) {
	s := &ix.scratch
	seen := s.next()
	queue := s.queue[:0]
	visit := func(from int32, nbrs []int32) bool {
		slices.Sort(nbrs)
		for _, g := range nbrs {
			if s.mark[g] != ep || s.seen[g] == seen {
				continue
			}
			s.seen[g] = seen
			s.pred[g] = from
			if g == target {
				return true
			}
			queue = append(queue, g)
		}
		return false
	}

	nbrs := append(s.nbrs[:0], ix.everyone)
	nbrs = append(nbrs, ix.userGroups[u]...)
	for _, x := range ix.exByUser[u] {
		if s.mark[x] == ep && s.source[x] == -1 {
			nbrs = append(nbrs, x)
		}
	}
	if !visit(-1, nbrs) {
		for head := 0; head < len(queue); head++ {
			g := queue[head]
			nbrs = append(nbrs[:0], ix.parents[g]...)
			for _, x := range ix.exByGroup[g] {
				if s.mark[x] == ep && s.source[x] == g {
					nbrs = append(nbrs, x)
				}
			}
			if visit(g, nbrs) {
				break
			}
		}
	}
	s.nbrs, s.queue = nbrs, queue
}

// path returns the names on the path from the user to g found by the last
// shortestPaths: [user, g1, …, g]. It carves the path out of *arena when
// arena is not nil, so that a long list of paths costs few allocations.
// Callers hold ix.mu.
func (ix *Index) path(u, g int32, arena *[]string) []string {
	n := 1
	for x := g; x >= 0; x = ix.scratch.pred[x] {
		n++
	}
	var p []string
	if arena == nil {
		p = make([]string, n)
	} else {
		if cap(*arena)-len(*arena) < n {
			*arena = make([]string, 0, max(4096, n))
		}
		p = (*arena)[len(*arena) : len(*arena)+n : len(*arena)+n]
		*arena = (*arena)[:len(*arena)+n]
	}
	p[0] = ix.users[u]
	for x, i := g, n-1; x >= 0; x, i = ix.scratch.pred[x], i-1 {
		p[i] = ix.groups[x]
	}
	return p
}
