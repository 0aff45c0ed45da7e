package artifacts

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// An environment file that breaks the environment's invariants is refused
// at load, naming the line of the row at fault and the artifact.
func TestDecodeRefusesBrokenInvariants(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(env *Environment)
		want   []string
	}{
		{"dangling user", func(env *Environment) {
			env.UsersInGroups = append(env.UsersInGroups, UserInGroup{User: "ghost", ParentGroup: "Zeta"})
		}, []string{"UsersInGroups 'ghost / Zeta' User names the user 'ghost', which does not exist"}},
		{"dangling group", func(env *Environment) {
			env.Entity = []Entity{{Entity: "Houston", ReadGroup: "Gone", ReadGroup2: "Nobody", ReadWriteGroup: "alpha", ReadWriteGroup2: "alpha"}}
		}, []string{"Entity 'Houston' ReadGroup names the group 'Gone', which does not exist"}},
		{"dangling exclusion group", func(env *Environment) {
			env.UsersInExGroups = []UserInExGroup{{User: "A user", ExGroup: "Nope", ProcessingOrder: 1}}
		}, []string{"UsersInExGroups 'A user / Nope' ExGroup names the exclusion group 'Nope', which does not exist"}},
		{"group in itself", func(env *Environment) {
			env.GroupsInGroups = []GroupInGroup{{Group: "alpha", ParentGroup: "ALPHA"}}
		}, []string{"GroupsInGroups 'alpha / ALPHA': the group 'alpha' is a member of itself"}},
		{"cycle", func(env *Environment) {
			env.GroupsInGroups = []GroupInGroup{{Group: "alpha", ParentGroup: "Zeta"}, {Group: "Zeta", ParentGroup: "Administrators"}, {Group: "Administrators", ParentGroup: "alpha"}}
		}, []string{"makes a cycle: ", "Administrators → alpha → Zeta → Administrators"}},
		{"duplicate processing order", func(env *Environment) {
			env.ExGroup = []ExGroup{{ExGroup: "X"}}
			env.UsersInExGroups = []UserInExGroup{{User: "A user", ExGroup: "X", ProcessingOrder: 4}}
			env.GroupsInExGroups = []GroupInExGroup{{Group: "Zeta", ExGroup: "x", ProcessingOrder: 4}}
		}, []string{"GroupsInExGroups 'Zeta / x': ProcessingOrder 4 is used twice in exclusion group 'x' (also by user 'A user')"}},
		{"user in an exclusion group", func(env *Environment) {
			env.ExGroup = []ExGroup{{ExGroup: "X"}}
			env.UsersInGroups = append(env.UsersInGroups, UserInGroup{User: "A user", ParentGroup: "X"})
		}, []string{"UsersInGroups 'A user / X': 'X' is an exclusion group; a user enters one through UsersInExGroups"}},
		{"group and exclusion group", func(env *Environment) {
			env.ExGroup = []ExGroup{{ExGroup: "ZETA"}}
		}, []string{"'ZETA' is both a group and an exclusion group"}},
		{"negative order in a key", func(env *Environment) {
			env.CubeDataCellAccess[0].ProcessingOrder = -1
		}, []string{"ProcessingOrder \"-1\" is not a whole number >= 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := sampleEnv()
			tc.break_(env)
			env.Normalize() // rows in the file's order
			data, err := Marshal(env)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(data)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			// The line named is the line of the row at fault.
			msg := err.Error()
			if !strings.HasPrefix(msg, "line ") {
				t.Fatalf("no line in %q", msg)
			}
			var line int
			if _, err := fmt.Sscanf(msg, "line %d:", &line); err != nil {
				t.Fatal(err)
			}
			list, _ := env.Violations(1)
			tab := tabs[list[0].Tab]
			lines := bytes.Split(data, []byte{'\n'})
			if line < 2 || line > len(lines) || !bytes.Equal(bytes.TrimSpace(lines[line-1]), []byte("{")) {
				t.Fatalf("line %d is %q, not the start of a row", line, lines[max(0, line-1)])
			}
			// The row there holds the first key value of the row at fault.
			next := string(lines[line])
			if key := tab.KeyOf(env, list[0].Row)[0]; !strings.Contains(next, key) {
				t.Errorf("line %d+1 is %q, not the row %q", line, next, key)
			}
		})
	}
}

// Violations does not change the environment, and an environment it
// finds nothing wrong with loads.
func TestViolationsOnValidEnvironment(t *testing.T) {
	env := sampleEnv()
	env.Normalize()
	before := env.Clone()
	if list, total := env.Violations(0); total != 0 {
		t.Fatalf("%d violations: %v", total, list)
	}
	if d := cmp.Diff(before, env, cmpopts.IgnoreUnexported(Environment{}), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("Violations changed the environment:\n%s", d)
	}
	data, _ := Marshal(env)
	if _, err := Decode(data); err != nil {
		t.Fatal(err)
	}
}

// Fingerprint and Encode leave their argument as it is, normalized or
// not, and give the bytes of the normalized environment.
func TestFingerprintIsPure(t *testing.T) {
	env := sampleEnv()          // rows out of order, built-ins appended by New
	env.Groups = env.Groups[3:] // drop the built-in groups
	before := env.Clone()
	fp, err := Fingerprint(env)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, env, cmpopts.IgnoreUnexported(Environment{}), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("Fingerprint changed its argument:\n%s", d)
	}
	norm := env.Clone()
	norm.Normalize()
	want, _ := Fingerprint(norm)
	if fp != want {
		t.Errorf("fingerprint %s of the environment, %s of its normalized copy", fp, want)
	}
	a, _ := Marshal(env)
	b, _ := Marshal(norm)
	if !bytes.Equal(a, b) {
		t.Error("Marshal of an environment and of its normalized copy differ")
	}
	if d := cmp.Diff(before, env, cmpopts.IgnoreUnexported(Environment{}), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("Marshal changed its argument:\n%s", d)
	}
}
