package impact

import (
	"slices"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

func sample(t testing.TB) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func planOf(changes ...plans.Change) *plans.Plan {
	p := &plans.Plan{Format: plans.PlanFormat, Changes: changes}
	p.Summarize()
	return p
}

func add(tab string, key ...string) plans.Change {
	return plans.Change{Op: plans.OpAdd, Tab: tab, Key: key}
}

func remove(tab string, key ...string) plans.Change {
	return plans.Change{Op: plans.OpRemove, Tab: tab, Key: key}
}

func order(group, exgroup, from, to string) plans.Change {
	return plans.Change{Op: plans.OpEdit, Tab: "GroupsInExGroups", Key: []string{group, exgroup},
		Fields: plans.Fields{{Column: "ProcessingOrder", Old: from, New: to}}}
}

// line renders a consequence compactly for the tests.
func line(c plans.Consequence) string {
	var b strings.Builder
	b.WriteString(c.User + " " + c.Change + " ")
	switch {
	case c.Administrator:
		b.WriteString("administrator")
	case c.Role != "":
		b.WriteString("role " + c.Role)
	default:
		b.WriteString(c.Group)
	}
	if c.Via != "" {
		b.WriteString(" via " + c.Via)
	}
	return b.String()
}

// TestSampleConsequences: one plan per kind of consequence on the
// GolfStream sample, each with lines the impact must hold and lines it
// must not.
func TestSampleConsequences(t *testing.T) {
	tests := []struct {
		name    string
		plan    *plans.Plan
		want    []string // lines that must be present
		wantNot []string // prefixes that must be absent
		users   []string // exactly the users listed
	}{{
		name: "nested gain",
		plan: planOf(add("UsersInGroups", "Kevin Walsh", "Houston_Mod")),
		want: []string{
			"Kevin Walsh gains Houston_Mod",
			"Kevin Walsh gains Houston_View via Houston_Mod → Houston_View",
			"Kevin Walsh gains North America via Houston_Mod → Houston_View → Houston Team → North America",
			"Kevin Walsh gains Houston Mod Except Contractors via Houston_Mod → Houston Mod Except Contractors",
		},
		users: []string{"Kevin Walsh"},
	}, {
		name: "loss through removing a parent link",
		plan: planOf(remove("GroupsInGroups", "Executives", "GolfStream_View")),
		want: []string{
			"Nina Patel loses GolfStream_View via Executives → GolfStream_View",
			"Nina Patel loses GolfStream Users via Executives → GolfStream_View → GolfStream Users",
			"Nina Patel loses Corporate Readers Except Auditors via Executives → GolfStream_View → Corporate Readers Except Auditors",
		},
		// Rachel Goldberg is an executive too, but keeps GolfStream_View
		// through Corporate Finance.
		users: []string{"Nina Patel"},
	}, {
		name: "role gained through nesting",
		plan: planOf(add("GroupsInGroups", "Canada Finance", "Corporate Finance")),
		want: []string{
			"Camille Roy gains Corporate Finance via Canada Finance → Corporate Finance",
			"Camille Roy gains role CertifyAndLockDescendants via Canada Finance → Corporate Finance",
			"Julien Tremblay gains role LockFXRates via Montreal_Mod → Canada Finance → Corporate Finance",
			"Sophie Gagnon gains role ManageFXRates via Canada Finance → Corporate Finance",
			// Corporate Finance is in GolfStream_Mod: nesting goes on.
			"Sophie Gagnon gains GolfStream_Mod via Canada Finance → Corporate Finance → GolfStream_Mod",
		},
		users: []string{"Camille Roy", "Julien Tremblay", "Sophie Gagnon"},
	}, {
		name: "becoming an administrator",
		plan: planOf(add("UsersInGroups", "Laura Chen", "IT Platform Team")),
		want: []string{
			"Laura Chen gains administrator via IT Platform Team → Administrators",
			"Laura Chen gains IT Platform Team",
		},
		// Administrators can do everything: no line per role.
		wantNot: []string{"Laura Chen gains Administrators", "Laura Chen gains role"},
		users:   []string{"Laura Chen"},
	}, {
		name: "stopping being an administrator",
		plan: planOf(remove("UsersInGroups", "Robert Kline", "Administrators")),
		want: []string{
			"Robert Kline loses administrator",
		},
		wantNot: []string{"Robert Kline loses role"},
		users:   []string{"Robert Kline"},
	}, {
		name: "exclusion reorder lets a user in",
		// Deny the auditors first and allow GolfStream_View last: the
		// allow now decides for the auditors too. Two harmless-looking
		// edits.
		plan: planOf(
			order("External Auditors", "Corporate Readers Except Auditors", "1", "2"),
			order("GolfStream_View", "Corporate Readers Except Auditors", "0", "3"),
		),
		want: []string{
			"Greg Olsen gains Corporate Readers Except Auditors via External Auditors → GolfStream_View → Corporate Readers Except Auditors",
		},
		users: []string{"Greg Olsen"},
	}, {
		name:  "rename is neither gain nor loss",
		plan:  planOf(plans.Change{Op: plans.OpRename, Tab: "Groups", Key: []string{"Houston_View"}, NewKey: []string{"Houston_Read"}}),
		users: nil,
	}, {
		name: "a gain through a renamed group is named as after the plan",
		plan: planOf(
			plans.Change{Op: plans.OpRename, Tab: "Groups", Key: []string{"Houston_View"}, NewKey: []string{"Houston_Read"}},
			add("UsersInGroups", "Kevin Walsh", "Houston_Mod"),
		),
		want:    []string{"Kevin Walsh gains Houston_Read via Houston_Mod → Houston_Read"},
		wantNot: []string{"Kevin Walsh gains Houston_View"},
		users:   []string{"Kevin Walsh"},
	}, {
		name: "a removed user loses what it had",
		plan: planOf(remove("Users", "Greg Olsen")),
		want: []string{
			"Greg Olsen loses External Auditors",
			"Greg Olsen loses GolfStream_View via External Auditors → GolfStream_View",
		},
		wantNot: []string{"Greg Olsen loses Everyone"},
		users:   []string{"Greg Olsen"},
	}, {
		name: "artifact edits change no one's access",
		plan: planOf(plans.Change{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"},
			Fields: plans.Fields{{Column: "ReadGroup", Old: "Houston_View", New: "Nobody"}}}),
		users: nil,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := sample(t)
			before, _ := artifacts.Marshal(env)
			if _, err := actions.Apply(env, tc.plan, nil); err != nil {
				t.Fatalf("the test plan does not apply to the sample: %v", err)
			}
			got, err := Of(env, tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			var lines, users []string
			for _, c := range got {
				lines = append(lines, line(c))
				if len(users) == 0 || users[len(users)-1] != c.User {
					users = append(users, c.User)
				}
			}
			all := strings.Join(lines, "\n")
			for _, w := range tc.want {
				if !slices.Contains(lines, w) {
					t.Errorf("missing %q in\n%s", w, all)
				}
			}
			for _, w := range tc.wantNot {
				for _, l := range lines {
					if strings.HasPrefix(l, w) {
						t.Errorf("unexpected %q in\n%s", l, all)
					}
				}
			}
			if !slices.Equal(users, tc.users) {
				t.Errorf("users listed: %q, want %q\n%s", users, tc.users, all)
			}
			if after, _ := artifacts.Marshal(env); string(after) != string(before) {
				t.Error("computing the impact changed the environment")
			}
		})
	}
}

// TestOrderWithinUser: the administrator flag, then groups, then roles,
// each by name; users by name.
func TestOrderWithinUser(t *testing.T) {
	env := sample(t)
	p := planOf(add("UsersInGroups", "Laura Chen", "IT Platform Team"), add("UsersInGroups", "Kevin Walsh", "Houston_Mod"))
	got, err := Of(env, p)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].User != "Kevin Walsh" || !got[len(got)-1].Administrator && got[len(got)-1].User != "Laura Chen" {
		t.Fatalf("users not in name order: first %q, last %q", got[0].User, got[len(got)-1].User)
	}
	rank := func(c plans.Consequence) int {
		switch {
		case c.Administrator:
			return 0
		case c.Group != "":
			return 1
		}
		return 2
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.User != b.User {
			continue
		}
		ra, rb := rank(a), rank(b)
		if ra > rb || ra == rb && strings.ToLower(a.Group+a.Role) > strings.ToLower(b.Group+b.Role) {
			t.Fatalf("out of order: %q before %q", line(a), line(b))
		}
	}
}

// TestNotApplicablePlanHasNoImpact: a plan with errors applies nothing.
func TestNotApplicablePlanHasNoImpact(t *testing.T) {
	p := planOf(add("UsersInGroups", "Kevin Walsh", "Houston_Mod"))
	p.Applicable = false
	got, err := Of(sample(t), p)
	if err != nil || got != nil {
		t.Fatalf("got %v, %v", got, err)
	}
}
