package access

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"secmgr/pkg/artifacts"
)

// reference decides membership straight from the rules of audit.md, by
// recursion over an acyclic environment: slow, obviously right.
type reference struct {
	env  *artifacts.Environment
	ex   map[string]bool
	memo map[[2]string]bool
}

func (r *reference) in(u, g string) bool {
	k := [2]string{u, g}
	if v, ok := r.memo[k]; ok {
		return v
	}
	v := r.decide(u, g)
	r.memo[k] = v
	return v
}

func (r *reference) decide(u, g string) bool {
	switch g {
	case artifacts.Nobody:
		return false
	case artifacts.Everyone:
		return true
	}
	if r.ex[g] {
		in := false
		for _, m := range r.env.UsersInGroups {
			if m.ParentGroup == g && m.User == u {
				in = true
			}
		}
		for _, m := range r.env.GroupsInGroups {
			if m.ParentGroup == g && r.in(u, m.Group) {
				in = true
			}
		}
		type e struct {
			order int
			match bool
			allow bool
		}
		var es []e
		for _, x := range r.env.UsersInExGroups {
			if x.ExGroup == g {
				es = append(es, e{x.ProcessingOrder, x.User == u, x.AllowAccess})
			}
		}
		for _, x := range r.env.GroupsInExGroups {
			if x.ExGroup == g {
				es = append(es, e{x.ProcessingOrder, r.in(u, x.Group), x.AllowAccess})
			}
		}
		slices.SortFunc(es, func(a, b e) int { return a.order - b.order })
		for _, x := range es {
			if x.match {
				in = x.allow
			}
		}
		return in
	}
	for _, m := range r.env.UsersInGroups {
		if m.ParentGroup == g && m.User == u {
			return true
		}
	}
	for _, m := range r.env.GroupsInGroups {
		if m.ParentGroup == g && r.in(u, m.Group) {
			return true
		}
	}
	return false
}

// randomEnv builds an acyclic environment: a group or exclusion group
// only ever contains or names groups created before it.
func randomEnv(rng *rand.Rand) *artifacts.Environment {
	b := newEnv()
	nu, ng := 2+rng.IntN(8), 2+rng.IntN(12)
	var users, names []string
	for i := range nu {
		users = append(users, fmt.Sprintf("U%d", i))
	}
	b.users(users...)
	names = []string{artifacts.Everyone, artifacts.Nobody, artifacts.Administrators}
	for i := range ng {
		name := fmt.Sprintf("G%02d", i)
		isEx := rng.IntN(3) == 0
		if isEx {
			b.exGroups(name)
		} else {
			b.groups(name)
		}
		for _, u := range users {
			if rng.IntN(4) == 0 {
				b.in(u, name)
			}
		}
		for _, c := range names {
			if c != artifacts.Everyone && c != artifacts.Administrators && rng.IntN(5) == 0 {
				b.nest(c, name)
			}
		}
		if rng.IntN(6) == 0 {
			b.nest(name, artifacts.Administrators)
		}
		if isEx {
			orders := rng.Perm(8)
			k := 0
			for _, u := range users {
				if rng.IntN(4) == 0 && k < len(orders) {
					b.userEntry(name, u, orders[k], rng.IntN(2) == 0)
					k++
				}
			}
			for _, c := range names {
				if c != artifacts.Administrators && rng.IntN(4) == 0 && k < len(orders) {
					b.groupEntry(name, c, orders[k], rng.IntN(3) != 0)
					k++
				}
			}
		}
		names = append(names, name)
	}
	return b.build()
}

func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		env := randomEnv(rng)
		ref := &reference{env: env, ex: map[string]bool{}, memo: map[[2]string]bool{}}
		for _, x := range env.ExGroup {
			ref.ex[x.ExGroup] = true
		}
		ix := New(env)
		for _, u := range env.Users {
			for _, g := range ix.GroupNames() {
				if got, want := ix.IsMember(u.User, g), ref.in(u.User, g); got != want {
					data, _ := artifacts.Marshal(env)
					t.Fatalf("environment %d: %s in %s = %v, want %v\n%s", i, u.User, g, got, want, data)
				}
			}
		}
		checkAgreement(t, ix)
		if t.Failed() {
			data, _ := artifacts.Marshal(env)
			t.Fatalf("environment %d:\n%s", i, data)
		}
	}
}
