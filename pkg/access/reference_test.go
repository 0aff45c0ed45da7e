package access

import (
	"math/rand/v2"
	"slices"
	"testing"

	"secmgr/internal/randenv"
	"secmgr/pkg/artifacts"
)

// reference decides membership straight from the rules of audit.md, by
// recursion over an acyclic environment (randenv.Memberships): slow,
// obviously right.
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

func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		env := randenv.Memberships(rng)
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
