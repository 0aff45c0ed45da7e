package history

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// state returns test environment number n: the same users and groups,
// with details (descriptions, memberships, a group) that depend on n, so
// states differ in adds, edits and removes. users sets the size.
func state(n, users int) *artifacts.Environment {
	env := artifacts.New("Test")
	for g := 0; g < 5; g++ {
		env.Groups = append(env.Groups, artifacts.Group{Group: fmt.Sprintf("Group %d", g), Description: fmt.Sprintf("group %d, state %d", g, n)})
	}
	if n%2 == 1 {
		env.Groups = append(env.Groups, artifacts.Group{Group: "Odd Group"})
	}
	for u := 0; u < users; u++ {
		name := fmt.Sprintf("user%04d", u)
		env.Users = append(env.Users, artifacts.User{
			User: name, UserType: "Interactive", IsEnabled: (u+n)%3 != 0, NumGridRows: 50,
			Description: fmt.Sprintf("user %d in state %d", u, n),
			Password:    fmt.Sprintf("pw-%d", u),
		})
		env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: name, ParentGroup: fmt.Sprintf("Group %d", (u+n)%5)})
	}
	env.Normalize()
	return env
}

// planFor returns the plan that takes from to to, as the planner would
// record it.
func planFor(t testing.TB, from, to *artifacts.Environment) *plans.Plan {
	t.Helper()
	changes, missing := actions.Diff(to, from, actions.DiffOptions{Prune: true})
	if len(missing) > 0 {
		t.Fatalf("Diff: %d missing", len(missing))
	}
	p := &plans.Plan{
		Format:      plans.PlanFormat,
		Environment: plans.EnvironmentRef{Name: from.Name, Fingerprint: fingerprint(t, from)},
		Source:      "test.xlsx",
		Changes:     changes,
	}
	p.Summarize()
	return p
}

func fingerprint(t testing.TB, env *artifacts.Environment) string {
	t.Helper()
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func canonical(t testing.TB, env *artifacts.Environment) []byte {
	t.Helper()
	b, err := artifacts.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeEnv saves env as dir/prod.json and returns the path.
func writeEnv(t testing.TB, dir string, env *artifacts.Environment) string {
	t.Helper()
	path := filepath.Join(dir, "prod.json")
	if err := artifacts.Save(path, env); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertFile checks that the file at path holds want.
func assertFile(t testing.TB, path string, want []byte) {
	t.Helper()
	if got := readFile(t, path); !bytes.Equal(got, want) {
		t.Fatalf("%s: content differs from the expected state (%d bytes, want %d)", path, len(got), len(want))
	}
}

// historyFiles lists the names in the history folder that are not the
// lock (nil when the folder does not exist).
func historyFiles(t testing.TB, envPath string) []string {
	t.Helper()
	ents, err := os.ReadDir(Dir(envPath))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() != lockName {
			out = append(out, e.Name())
		}
	}
	return out
}

func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// loadPlan reads a plan file.
func loadPlan(t testing.TB, path string) *plans.Plan {
	t.Helper()
	p, err := plans.UnmarshalPlan(readFile(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// applyUndo applies the undo plan res.Undo to envPath the way the apply
// command does: its passwords come from SecretsFor.
func applyUndo(t testing.TB, envPath string, res *Result, opt Options) *Result {
	t.Helper()
	undo := loadPlan(t, res.Undo)
	src, err := actions.SecretsFor(undo, filepath.Dir(res.Undo))
	if err != nil {
		t.Fatalf("actions.SecretsFor(undo): %v", err)
	}
	r, err := ApplyFile(envPath, undo, src, opt)
	if err != nil {
		t.Fatalf("applying the undo plan: %v", err)
	}
	return r
}
