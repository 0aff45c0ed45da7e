package impact

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/internal/randenv"
	"secmgr/pkg/access"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// anySecret stands in for the password values of a random plan.
type anySecret struct{}

func (anySecret) Secret(*plans.Change, *plans.Field) (string, error) { return "pw", nil }

// TestImpactIsExplainDifference: for random environments and random
// plans, the impact is exactly the difference of explain before and after
// applying the plan, user by user — computed here the slow way, over every
// user of both whole environments.
func TestImpactIsExplainDifference(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 30
	}
	nonEmpty := 0
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 0x1a9ac7))
		env := randenv.Environment(r, 10+r.IntN(40))
		target := randenv.Mutate(r, env, 1+r.IntN(12))
		p := &plans.Plan{Format: plans.PlanFormat}
		p.Changes, _ = actions.Diff(target, env, actions.DiffOptions{Prune: true})
		p.Changes = append(p.Changes, randomRenames(r, target, seed)...)
		p.Summarize()
		after, err := actions.Apply(env, p, anySecret{})
		if err != nil {
			t.Fatalf("seed %d: the random plan does not apply: %v", seed, err)
		}
		got, err := Of(env, p)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want := explainDifference(t, env, after, p)
		if d := cmp.Diff(want, lines(got)); d != "" {
			t.Fatalf("seed %d: impact differs from explain before and after (-explain +impact):\n%s\nplan:\n%s", seed, d, planText(p))
		}
		if len(got) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < seeds/3 {
		t.Fatalf("only %d of %d random plans changed anyone's access: the test is too weak", nonEmpty, seeds)
	}
}

// randomRenames renames up to two users or groups of env (the state after
// the plan's other changes) to new names: renames are not gains or losses.
func randomRenames(r *rand.Rand, env *artifacts.Environment, seed uint64) []plans.Change {
	var out []plans.Change
	for i := range r.IntN(3) {
		var tab, name string
		switch r.IntN(3) {
		case 0:
			if len(env.Users) == 0 {
				continue
			}
			tab, name = "Users", env.Users[r.IntN(len(env.Users))].User
		case 1:
			g := env.Groups[r.IntN(len(env.Groups))].Group
			if artifacts.IsBuiltinGroup(g) {
				continue
			}
			tab, name = "Groups", g
		default:
			if len(env.ExGroup) == 0 {
				continue
			}
			tab, name = "ExGroup", env.ExGroup[r.IntN(len(env.ExGroup))].ExGroup
		}
		if slices.ContainsFunc(out, func(c plans.Change) bool { return strings.EqualFold(c.Key[0], name) }) {
			continue
		}
		out = append(out, plans.Change{Op: plans.OpRename, Tab: tab, Key: []string{name}, NewKey: []string{fmt.Sprintf("Renamed %d-%d %s", seed, i, name)}})
	}
	return out
}

// explainDifference lists, as impact lines, what explain shows a user
// holding after the plan and not before, and the reverse, for every user.
func explainDifference(t *testing.T, env, after *artifacts.Environment, p *plans.Plan) []string {
	userNew, groupNew := map[string]string{}, map[string]string{}
	for _, c := range p.Changes {
		if c.Op != plans.OpRename {
			continue
		}
		m := groupNew
		if c.Tab == "Users" {
			m = userNew
		}
		from := artifacts.Fold(c.Key[0])
		for orig, now := range m {
			if artifacts.Fold(now) == from {
				from = orig
			}
		}
		m[from] = c.NewKey[0]
	}
	rename := func(m map[string]string, name string) string {
		if n, ok := m[artifacts.Fold(name)]; ok {
			return n
		}
		return name
	}
	bx, ax := access.New(env), access.New(after)
	type grant struct{ name, via string }
	type held map[string]grant // "group G" (G after renames) / "role R" / "administrator" → what is shown
	explain := func(ix *access.Index, name string, renamed bool) held {
		h := held{}
		ua, err := ix.User(name)
		if err != nil {
			return h
		}
		paths := map[string][]string{}
		for _, m := range ua.Groups {
			paths[artifacts.Fold(m.Name)] = m.Path[1:]
			via := ""
			if len(m.Path) > 2 {
				via = strings.Join(m.Path[1:], " → ")
			}
			switch {
			case m.Name == artifacts.Everyone:
			case m.Name == artifacts.Administrators:
				h["administrator"] = grant{"administrator", via}
			case renamed:
				h["group "+artifacts.Fold(m.Name)] = grant{"group " + m.Name, via}
			default:
				h["group "+artifacts.Fold(rename(groupNew, m.Name))] = grant{"group " + m.Name, via}
			}
		}
		for _, rg := range ua.Roles {
			if _, ok := h["role "+rg.Role]; !ok {
				h["role "+rg.Role] = grant{"role " + rg.Role, strings.Join(paths[artifacts.Fold(rg.Via)], " → ")}
			}
		}
		return h
	}
	type entry struct {
		user, line string
	}
	var out []entry
	seen := map[string]bool{}
	report := func(user string, was, is held) {
		_, admin1 := was["administrator"]
		_, admin2 := is["administrator"]
		if admin1 || admin2 {
			// An administrator can do everything: roles are not compared.
			for _, h := range []held{was, is} {
				for k := range h {
					if strings.HasPrefix(k, "role ") {
						delete(h, k)
					}
				}
			}
		}
		for k, g := range is {
			if _, ok := was[k]; !ok {
				out = append(out, entry{user, fmt.Sprintf("%s gains %s via %s", user, g.name, g.via)})
			}
		}
		for k, g := range was {
			if _, ok := is[k]; !ok {
				out = append(out, entry{user, fmt.Sprintf("%s loses %s via %s", user, g.name, g.via)})
			}
		}
	}
	for _, u := range env.Users {
		now := rename(userNew, u.User)
		seen[artifacts.Fold(now)] = true
		name := u.User
		if _, ok := ax.UserName(now); ok {
			name, _ = ax.UserName(now)
		}
		report(name, explain(bx, u.User, false), explain(ax, now, true))
	}
	for _, u := range after.Users {
		if !seen[artifacts.Fold(u.User)] {
			report(u.User, held{}, explain(ax, u.User, true))
		}
	}
	// Gains name groups as after the plan, losses as before it. Lines are
	// compared as sorted sets.
	var lines []string
	for _, e := range out {
		lines = append(lines, e.line)
	}
	slices.Sort(lines)
	return lines
}

// lines renders consequences in the form explainDifference uses, sorted.
func lines(cs []plans.Consequence) []string {
	var out []string
	for _, c := range cs {
		what := "administrator"
		switch {
		case c.Group != "":
			what = "group " + c.Group
		case c.Role != "":
			what = "role " + c.Role
		}
		out = append(out, fmt.Sprintf("%s %s %s via %s", c.User, c.Change, what, c.Via))
	}
	slices.Sort(out)
	return out
}

func planText(p *plans.Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString(plans.ChangeLine(c))
		b.WriteByte('\n')
	}
	return b.String()
}
