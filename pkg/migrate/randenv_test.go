package migrate

// Random environments come from internal/randenv; these add what only
// migration tests need.

import (
	"math/rand/v2"

	"secmgr/internal/randenv"
	"secmgr/pkg/artifacts"
)

var (
	randomEnvironment = randenv.Environment
	mutate            = randenv.Mutate
	newEnvGen         = randenv.NewGen
)

// withArtifacts returns a copy of env with n new rows of edit-only
// artifact tabs (workflow profiles, entities …): import cannot create
// them, so a source that has them is a finding.
func withArtifacts(r *rand.Rand, env *artifacts.Environment, n int) *artifacts.Environment {
	out := env.Clone()
	g := newEnvGen(r)
	g.Seq = 3_000_000 + r.IntN(1_000_000)
	g.Load(out)
	var tabs []*artifacts.Tab
	for _, t := range artifacts.AllTabs() {
		if t.ID >= artifacts.TabWorkflow && !t.MayAdd {
			tabs = append(tabs, t)
		}
	}
	for range n {
		g.AddRow(out, tabs[r.IntN(len(tabs))])
	}
	out.Normalize()
	return out
}

// prefixGroups returns a copy of env whose groups and exclusion groups
// (but the built-in ones) are called prefix+name everywhere: what --map
// prefix*=* undoes.
func prefixGroups(env *artifacts.Environment, prefix string) *artifacts.Environment {
	out := env.Clone()
	g := newEnvGen(rand.New(rand.NewPCG(0, 0)))
	for _, tab := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup} {
		t := tab.Tab()
		for i := 0; i < t.Len(out); i++ {
			name := t.KeyOf(out, i)[0]
			if !artifacts.IsBuiltinGroup(name) {
				g.RenameNamed(out, t, i, prefix+name)
			}
		}
	}
	out.Normalize()
	return out
}
