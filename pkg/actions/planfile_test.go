package actions

import (
	"errors"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// A hand-edited plan file is held to the planner's rules and the result
// to the environment's invariants: each of these is refused as invalid,
// naming the change, and the environment is left as it was.
func TestApplyRefusesInvalidPlanFiles(t *testing.T) {
	long := strings.Repeat("x", 40_005)
	tests := []struct {
		name    string
		changes []plans.Change
		wantErr string
	}{
		{"group in itself", []plans.Change{{Op: plans.OpAdd, Tab: "GroupsInGroups", Key: []string{"Finance", "finance"}}},
			"the plan would leave the environment inconsistent: GroupsInGroups 'Finance / finance': the group 'Finance' is a member of itself (set by change 1)"},
		{"cycle", []plans.Change{{Op: plans.OpAdd, Tab: "GroupsInGroups", Key: []string{"Readers", "Carol"}}},
			"makes a cycle: Carol → Finance → Readers → Carol (set by change 1)"},
		{"unknown UserType", []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "UserType", Old: "View", New: "Bogus"}}}},
			"change 1 (edit Users 'Bob'): UserType 'Bogus' is not allowed"},
		{"bad e-mail", []plans.Change{{Op: plans.OpAdd, Tab: "Users", Key: []string{"Dana"}, Fields: plans.Fields{{Column: "UserType", New: "View"}, {Column: "Email", New: "not an address"}}}},
			"change 1 (add Users 'Dana'): Email 'not an address' is not an e-mail address"},
		{"control character", []plans.Change{{Op: plans.OpEdit, Tab: "Groups", Key: []string{"Sales"}, Fields: plans.Fields{{Column: "Description", New: "bell\x07"}}}},
			"change 1 (edit Groups 'Sales'): Description 'bell\\x07' contains the control character U+0007"},
		{"control character in a new name", []plans.Change{{Op: plans.OpRename, Tab: "Groups", Key: []string{"Sales"}, NewKey: []string{"Sa\x1bles"}}},
			"contains the control character U+001B"},
		{"description too long", []plans.Change{{Op: plans.OpEdit, Tab: "Groups", Key: []string{"Sales"}, Fields: plans.Fields{{Column: "Description", New: long}}}},
			"change 1 (edit Groups 'Sales'): Description is 40005 characters long; a cell holds at most 32767"},
		{"bad name", []plans.Change{{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Bob", "Fin*"}}},
			"ParentGroup \"Fin*\""},
		{"bad reference value", []plans.Change{{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Readers", New: "Read*ers"}}}},
			"ReadGroup 'Read*ers' is not a valid name"},
		{"dangling reference", []plans.Change{{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Readers", New: "Ghost"}}}},
			"Entity 'Houston' ReadGroup names the group 'Ghost', which does not exist (set by change 1)"},
		{"duplicate processing order", []plans.Change{{Op: plans.OpAdd, Tab: "UsersInExGroups", Key: []string{"Bob", "Finance Except"}, Fields: plans.Fields{{Column: "ProcessingOrder", New: "1"}, {Column: "AllowAccess", New: "True"}}}},
			"ProcessingOrder 1 is used twice in exclusion group 'Finance Except'"},
		{"user as plain member of an exclusion group", []plans.Change{{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Bob", "Finance Except"}}},
			"'Finance Except' is an exclusion group; a user enters one through UsersInExGroups"},
		{"a field set twice", []plans.Change{{Op: plans.OpEdit, Tab: "Groups", Key: []string{"Sales"}, Fields: plans.Fields{{Column: "Description", New: "a"}, {Column: "Description", Old: "a", New: "b"}}}},
			"sets Description twice"},
		{"bad whole number", []plans.Change{{Op: plans.OpEdit, Tab: "UsersInExGroups", Key: []string{"Carol", "Finance Except"}, Fields: plans.Fields{{Column: "ProcessingOrder", Old: "1", New: "-3"}}}},
			"ProcessingOrder '-3' is not a whole number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := applyFixture()
			before := mustMarshal(t, env)
			_, err := Apply(env, applicable(tc.changes...), nil)
			if err == nil {
				t.Fatal("applied")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not match ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q\nwant one containing %q", err, tc.wantErr)
			}
			if string(mustMarshal(t, env)) != string(before) {
				t.Error("the environment changed")
			}
		})
	}

	// A stale edit is not an invalid plan.
	_, err := Apply(applyFixture(), applicable(plans.Change{Op: plans.OpEdit, Tab: "Groups", Key: []string{"Sales"}, Fields: plans.Fields{{Column: "Description", Old: "was", New: "now"}}}), nil)
	if !errors.Is(err, ErrStale) || errors.Is(err, ErrInvalid) {
		t.Errorf("stale edit: %v", err)
	}
}

func mustMarshal(t *testing.T, env *artifacts.Environment) []byte {
	t.Helper()
	b, err := artifacts.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzApplyPlanFile applies any decoded plan file to an environment: it
// applies, and the result loads again, or it is refused. Never a panic,
// never an environment Load would refuse.
func FuzzApplyPlanFile(f *testing.F) {
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"add","tab":"GroupsInGroups","key":["Sales","Sales"]}]}`))
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"edit","tab":"Users","key":["Bob"],"fields":{"UserType":{"old":"View","new":"Bogus"}}}]}`))
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"add","tab":"Users","key":["Dana"],"fields":{"UserType":{"old":"","new":"View"},"Email":{"old":"","new":"dana@example.com"}}},{"op":"add","tab":"UsersInGroups","key":["Dana","Sales"]}]}`))
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"rename","tab":"Groups","key":["Finance"],"newKey":["Finance EU"]}]}`))
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"remove","tab":"Users","key":["Carol"]},{"op":"add","tab":"GroupsInExGroups","key":["Readers","Spare Except"],"fields":{"ProcessingOrder":{"old":"","new":"0"}}}]}`))
	f.Add([]byte(`{"format":"secmgr.plan/v1","applicable":true,"changes":[{"op":"edit","tab":"Groups","key":["Sales"],"fields":{"Description":{"old":"","new":"\u0001"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plans.UnmarshalPlan(data)
		if err != nil {
			return
		}
		env := applyFixture()
		out, err := Apply(env, p, mapSecrets{"Bob": "ENC(bob)", "Dana": "ENC(dana)"})
		if err != nil {
			return
		}
		b, err := artifacts.Marshal(out)
		if err != nil {
			t.Fatalf("the result does not encode: %v", err)
		}
		if _, err := artifacts.Decode(b); err != nil {
			t.Fatalf("the result does not load again: %v\nplan: %s", err, data)
		}
	})
}
