package actions

import (
	"errors"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// Load and Apply hold an environment to the same invariants: a state
// that Load refuses in a file, Apply refuses as the result of a plan,
// with the same message, and the other way round.
func TestLoadAndApplyShareInvariants(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(env *artifacts.Environment)
		change plans.Change
	}{
		{"dangling reference",
			func(env *artifacts.Environment) { env.Entity[0].ReadGroup = "Ghost" },
			plans.Change{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Readers", New: "Ghost"}}}},
		{"cycle",
			func(env *artifacts.Environment) {
				env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: "Readers", ParentGroup: "Carol"})
			},
			plans.Change{Op: plans.OpAdd, Tab: "GroupsInGroups", Key: []string{"Readers", "Carol"}}},
		{"group in itself",
			func(env *artifacts.Environment) {
				env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: "Sales", ParentGroup: "Sales"})
			},
			plans.Change{Op: plans.OpAdd, Tab: "GroupsInGroups", Key: []string{"Sales", "Sales"}}},
		{"duplicate processing order",
			func(env *artifacts.Environment) {
				env.UsersInExGroups = append(env.UsersInExGroups, artifacts.UserInExGroup{User: "Bob", ExGroup: "Finance Except", ProcessingOrder: 1})
			},
			plans.Change{Op: plans.OpAdd, Tab: "UsersInExGroups", Key: []string{"Bob", "Finance Except"}, Fields: plans.Fields{{Column: "ProcessingOrder", New: "1"}}}},
		{"user in an exclusion group",
			func(env *artifacts.Environment) {
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: "Bob", ParentGroup: "Finance Except"})
			},
			plans.Change{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Bob", "Finance Except"}}},
		{"group and exclusion group",
			func(env *artifacts.Environment) {
				env.ExGroup = append(env.ExGroup, artifacts.ExGroup{ExGroup: "Sales"})
			},
			plans.Change{Op: plans.OpAdd, Tab: "ExGroup", Key: []string{"Sales"}}},
	}
	base := applyFixture()
	baseBytes, err := artifacts.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := artifacts.Decode(baseBytes); err != nil {
		t.Fatalf("the fixture does not load: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broken := base.Clone()
			tc.mutate(broken)
			broken.Normalize()
			list, total := broken.Violations(1)
			if total == 0 {
				t.Fatal("the mutated environment breaks no invariant")
			}
			want := list[0].Msg
			data, _ := artifacts.Marshal(broken)
			if _, err := artifacts.Decode(data); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Load: %v\nwant %q", err, want)
			}
			_, err := Apply(base, applicable(tc.change), nil)
			var ie *InconsistentError
			if !errors.As(err, &ie) || ie.Violations[0].Msg != want {
				t.Errorf("Apply: %v\nwant %q", err, want)
			}
		})
	}
}
