package access

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
)

// groupsOf returns "group: path" lines for a user, Everyone left out.
func groupsOf(t *testing.T, ix *Index, user string) []string {
	t.Helper()
	ua, err := ix.User(user)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ua.Groups {
		if m.Name == artifacts.Everyone {
			if !slices.Equal(m.Path, []string{ua.User, artifacts.Everyone}) {
				t.Errorf("path to Everyone = %v", m.Path)
			}
			continue
		}
		out = append(out, m.Name+": "+strings.Join(m.Path, " > "))
	}
	return out
}

func members(t *testing.T, ix *Index, group string) []string {
	t.Helper()
	m, err := ix.Members(group)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMembership(t *testing.T) {
	tests := []struct {
		name   string
		env    *envBuilder
		user   string
		groups []string // without Everyone
	}{
		{
			name:   "direct",
			env:    newEnv().users("Ann").groups("A").in("Ann", "A"),
			user:   "Ann",
			groups: []string{"A: Ann > A"},
		},
		{
			name: "nested to any depth",
			env:  newEnv().users("Ann").groups("A", "B", "C").in("Ann", "A").nest("A", "B").nest("B", "C"),
			user: "Ann",
			groups: []string{
				"A: Ann > A",
				"B: Ann > A > B",
				"C: Ann > A > B > C",
			},
		},
		{
			name: "shortest path, alphabetical tie-break",
			env: newEnv().users("Ann").groups("A", "B", "C", "D", "Top").
				in("Ann", "B").in("Ann", "A").in("Ann", "C").
				nest("B", "Top").nest("A", "Top").nest("C", "D").nest("D", "Top"),
			user: "Ann",
			groups: []string{
				"A: Ann > A", "B: Ann > B", "C: Ann > C", "D: Ann > C > D", "Top: Ann > A > Top",
			},
		},
		{
			name:   "case-insensitive references keep stored casing",
			env:    newEnv().users("Ann").groups("Doc LegalA").in("ann", "doc legala"),
			user:   "ANN",
			groups: []string{"Doc LegalA: Ann > Doc LegalA"},
		},
		{
			name:   "Nobody holds no one, even when listed",
			env:    newEnv().users("Ann").groups("A", "P").in("Ann", "Nobody").in("Ann", "A").nest("A", "Nobody").nest("Nobody", "P"),
			user:   "Ann",
			groups: []string{"A: Ann > A"},
		},
		{
			name:   "Everyone nested in a group puts every user in it",
			env:    newEnv().users("Ann").groups("All").nest("Everyone", "All"),
			user:   "Ann",
			groups: []string{"All: Ann > Everyone > All"},
		},
		{
			name:   "administrator",
			env:    newEnv().users("Ann").groups("Admins").in("Ann", "Admins").nest("Admins", "Administrators"),
			user:   "Ann",
			groups: []string{"Administrators: Ann > Admins > Administrators", "Admins: Ann > Admins"},
		},
		{
			name:   "cycle of groups terminates",
			env:    newEnv().users("Ann").groups("A", "B", "C").in("Ann", "A").nest("A", "B").nest("B", "C").nest("C", "A"),
			user:   "Ann",
			groups: []string{"A: Ann > A", "B: Ann > A > B", "C: Ann > A > B > C"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.env.index()
			if diff := cmp.Diff(tc.groups, groupsOf(t, ix, tc.user)); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
			checkAgreement(t, ix)
		})
	}
}

// checkAgreement checks that every group's members are exactly the users
// whose groups include it, and that paths run from user to group.
func checkAgreement(t *testing.T, ix *Index) {
	t.Helper()
	for _, g := range ix.GroupNames() {
		ga, err := ix.Group(g)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ga.Members {
			got = append(got, m.User)
			if len(m.Path) < 2 || m.Path[0] != m.User || m.Path[len(m.Path)-1] != ga.Group {
				t.Errorf("group %s: bad path %v", g, m.Path)
			}
		}
		var want []string
		for _, u := range ix.users {
			ua, _ := ix.User(u)
			for _, m := range ua.Groups {
				if m.Name == ga.Group {
					want = append(want, u)
					mp := ga.Members[slices.IndexFunc(ga.Members, func(x Member) bool { return x.User == u })].Path
					if !slices.Equal(mp, m.Path) {
						t.Errorf("path of %s in %s: user view %v, group view %v", u, g, m.Path, mp)
					}
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("group %s: members %v, but users naming it %v", g, got, want)
		}
	}
}

func TestExclusionGroups(t *testing.T) {
	type want struct {
		user    string
		in      bool
		decider string // "tab key…, order" of the deciding entry; "" for none
	}
	tests := []struct {
		name string
		env  *envBuilder
		want []want
	}{
		{
			name: "group allow then user deny: everyone in G but U",
			env: newEnv().users("Ann", "Bob", "Cy").groups("G").exGroups("X").in("Ann", "G").in("Bob", "G").
				groupEntry("X", "G", 0, true).userEntry("X", "Bob", 1, false),
			want: []want{{"Ann", true, "GroupsInExGroups G/X 0"}, {"Bob", false, "UsersInExGroups Bob/X 1"}},
		},
		{
			name: "user deny then group allow: the later allow wins",
			env: newEnv().users("Ann", "Bob").groups("G").exGroups("X").in("Ann", "G").in("Bob", "G").
				userEntry("X", "Bob", 0, false).groupEntry("X", "G", 1, true),
			want: []want{{"Ann", true, "GroupsInExGroups G/X 1"}, {"Bob", true, "GroupsInExGroups G/X 1"}},
		},
		{
			name: "group allow then group deny",
			env: newEnv().users("Ann", "Bob").groups("G", "H").exGroups("X").in("Ann", "G").in("Bob", "G").in("Bob", "H").
				groupEntry("X", "G", 0, true).groupEntry("X", "H", 5, false),
			want: []want{{"Ann", true, "GroupsInExGroups G/X 0"}, {"Bob", false, "GroupsInExGroups H/X 5"}},
		},
		{
			name: "processing order, not row order, decides",
			env: newEnv().users("Ann").groups("G").exGroups("X").in("Ann", "G").
				groupEntry("X", "G", 9, false).userEntry("X", "Ann", 3, true),
			want: []want{{"Ann", false, "GroupsInExGroups G/X 9"}},
		},
		{
			name: "nested group inside an entry's group matches",
			env: newEnv().users("Ann", "Bob").groups("G", "Sub", "Deep").exGroups("X").
				in("Ann", "Deep").nest("Deep", "Sub").nest("Sub", "G").in("Bob", "Sub").
				groupEntry("X", "G", 0, true).groupEntry("X", "Deep", 1, false),
			want: []want{{"Ann", false, "GroupsInExGroups Deep/X 1"}, {"Bob", true, "GroupsInExGroups G/X 0"}},
		},
		{
			name: "Everyone entry",
			env:  newEnv().users("Ann", "Bob").exGroups("X").groupEntry("X", "Everyone", 0, true).userEntry("X", "Ann", 1, false),
			want: []want{{"Ann", false, "UsersInExGroups Ann/X 1"}, {"Bob", true, "GroupsInExGroups Everyone/X 0"}},
		},
		{
			name: "no matching entry: not in, not listed",
			env:  newEnv().users("Ann", "Bob").groups("G").exGroups("X").in("Ann", "G").groupEntry("X", "G", 0, true),
			want: []want{{"Ann", true, "GroupsInExGroups G/X 0"}, {"Bob", false, ""}},
		},
		{
			name: "direct UsersInGroups row in an exclusion group allows before the entries",
			env: newEnv().users("Ann", "Bob").exGroups("X").in("Ann", "X").in("Bob", "X").
				userEntry("X", "Bob", 0, false),
			want: []want{{"Ann", true, "UsersInGroups Ann/X direct"}, {"Bob", false, "UsersInExGroups Bob/X 0"}},
		},
		{
			name: "exclusion group inside another exclusion group's entry",
			env: newEnv().users("Ann", "Bob").groups("G").exGroups("X", "Y").in("Ann", "G").in("Bob", "G").
				groupEntry("X", "G", 0, true).userEntry("X", "Bob", 1, false).
				groupEntry("Y", "X", 0, true),
			want: []want{{"Ann", true, "GroupsInExGroups G/X 0"}, {"Bob", false, "UsersInExGroups Bob/X 1"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.env.index()
			for _, w := range tc.want {
				ua, err := ix.User(w.user)
				if err != nil {
					t.Fatal(err)
				}
				var got *ExclusionDecision
				for i := range ua.ExclusionGroups {
					if ua.ExclusionGroups[i].Name == "X" {
						got = &ua.ExclusionGroups[i]
					}
				}
				decider := ""
				if got != nil && got.DecidedBy != nil {
					e := got.DecidedBy
					order := "direct"
					if e.ProcessingOrder != nil {
						order = strconv.Itoa(*e.ProcessingOrder)
					}
					decider = e.Tab + " " + strings.Join(e.Key, "/") + " " + order
				}
				if decider != w.decider {
					t.Errorf("%s: decided by %q, want %q", w.user, decider, w.decider)
				}
				if in := ix.IsMember(w.user, "X"); in != w.in {
					t.Errorf("%s in X = %v, want %v", w.user, in, w.in)
				}
				if got != nil && got.In != w.in {
					t.Errorf("%s: decision says in=%v, want %v", w.user, got.In, w.in)
				}
			}
			checkAgreement(t, ix)
		})
	}
}

func TestExclusionGroupNestedInGroup(t *testing.T) {
	ix := newEnv().users("Ann", "Bob").groups("G", "P", "Top").exGroups("X").
		in("Ann", "G").in("Bob", "G").groupEntry("X", "G", 0, true).userEntry("X", "Bob", 1, false).
		nest("X", "P").nest("P", "Top").index()
	if diff := cmp.Diff([]string{"G: Ann > G", "P: Ann > G > X > P", "Top: Ann > G > X > P > Top", "X: Ann > G > X"}, groupsOf(t, ix, "Ann")); diff != "" {
		t.Errorf("Ann (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"G: Bob > G"}, groupsOf(t, ix, "Bob")); diff != "" {
		t.Errorf("Bob (-want +got):\n%s", diff)
	}
	if got := members(t, ix, "Top"); !slices.Equal(got, []string{"Ann"}) {
		t.Errorf("Top holds %v, want [Ann]", got)
	}
	checkAgreement(t, ix)
}

func TestCyclesThroughExclusionGroupsTerminate(t *testing.T) {
	tests := []struct {
		name string
		env  *envBuilder
	}{
		{"exclusion group inside the group its entry names", newEnv().users("Ann", "Bob").groups("G").exGroups("X").
			in("Ann", "G").nest("X", "G").groupEntry("X", "G", 0, true)},
		{"deny through the cycle", newEnv().users("Ann", "Bob").groups("G").exGroups("X").
			in("Ann", "G").userEntry("X", "Bob", 0, true).nest("X", "G").groupEntry("X", "G", 1, false)},
		{"two exclusion groups naming each other", newEnv().users("Ann", "Bob").exGroups("X", "Y").
			userEntry("X", "Ann", 0, true).groupEntry("X", "Y", 1, true).
			userEntry("Y", "Bob", 0, true).groupEntry("Y", "X", 1, false)},
		{"exclusion group naming itself", newEnv().users("Ann").exGroups("X").
			userEntry("X", "Ann", 0, true).groupEntry("X", "X", 1, false)},
		{"long cycle mixing groups and exclusion groups", newEnv().users("Ann", "Bob", "Cy").groups("A", "B", "C").exGroups("X", "Y").
			in("Ann", "A").nest("A", "B").nest("B", "X").groupEntry("X", "C", 0, true).nest("X", "C").
			groupEntry("Y", "B", 0, true).userEntry("Y", "Cy", 1, true).nest("Y", "A").in("Bob", "C")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := tc.env.index()
			for _, u := range ix.users {
				if _, err := ix.User(u); err != nil {
					t.Fatal(err)
				}
			}
			checkAgreement(t, ix)
		})
	}
	// A user in G reaches X through G's entry; X then sits in G, which
	// changes nothing: Ann is in X, and G's members are Ann alone.
	ix := tests[0].env.index()
	if !ix.IsMember("Ann", "X") || ix.IsMember("Bob", "X") {
		t.Errorf("cycle: Ann in X = %v, Bob in X = %v", ix.IsMember("Ann", "X"), ix.IsMember("Bob", "X"))
	}
}

func TestRightsRolesAndSliceRules(t *testing.T) {
	ix := newEnv().users("Ann").groups("Readers", "Writers", "Planners").
		in("Ann", "Writers").nest("Writers", "Readers").
		role("OpenApplication", "Everyone").role("ManageData", "Writers").role("SecurityAdminPage", "Readers").
		with(func(env *artifacts.Environment) {
			env.Entity = append(env.Entity,
				artifacts.Entity{Entity: "Houston", ReadGroup: "Readers", ReadGroup2: "Nobody", ReadWriteGroup: "Writers", ReadWriteGroup2: "Nobody"},
				artifacts.Entity{Entity: "Austin", ReadGroup: "Planners", ReadGroup2: "Nobody", ReadWriteGroup: "Nobody", ReadWriteGroup2: "Nobody"},
			)
			env.Scenario = append(env.Scenario, artifacts.Scenario{Scenario: "Actual", ReadGroup: "Everyone", ReadWriteGroup: "Writers", CalculateFromGridsGroup: "Readers", ManageDataGroup: "Nobody"})
			env.Workflow = append(env.Workflow, artifacts.WorkflowProfile{Profile: "Houston.Import", AccessGroup: "Readers", MaintenanceGroup: "Administrators", ExecGroup_Default: "Writers", CertifyGroup_Default: "Nobody"})
			env.Cube = append(env.Cube, artifacts.Cube{Cube: "GolfStream", AccessGroup: "Everyone", MaintenanceGroup: "Nobody"})
			env.DashboardGroups = append(env.DashboardGroups, artifacts.DashboardGroup{DBGroup: "Sales", AccessGroup: "Readers"})
			env.DisplayMembers = append(env.DisplayMembers, artifacts.DisplayMember{Dimension: "E", Member: "Houston", DisplayMemberGroup: "Readers"})
			env.CubeDataCellAccess = append(env.CubeDataCellAccess,
				artifacts.SliceRule{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 2, AccessGroup: "Writers"},
				artifacts.SliceRule{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 1, AccessGroup: "Planners"},
			)
		}).index()
	ua, err := ix.User("Ann")
	if err != nil {
		t.Fatal(err)
	}
	var rights []string
	for _, r := range ua.Rights {
		rights = append(rights, r.Tab+" "+strings.Join(r.Key, "/")+" "+r.Right+" via "+r.Via)
	}
	wantRights := []string{
		"Workflow Houston.Import access via Readers",
		"Workflow Houston.Import execute via Writers",
		"Cube GolfStream access via Everyone",
		"Entity Houston read via Readers",
		"Entity Houston read via Writers",
		"Entity Houston write via Writers",
		"Scenario Actual read via Everyone",
		"Scenario Actual read via Writers",
		"Scenario Actual read-write via Writers",
		"Scenario Actual calculate via Readers",
		"DisplayMembers E/Houston see via Readers",
		"DashboardGroups Sales access via Readers",
	}
	if diff := cmp.Diff(wantRights, rights); diff != "" {
		t.Errorf("rights (-want +got):\n%s", diff)
	}
	var roles []string
	for _, r := range ua.Roles {
		roles = append(roles, r.Tab+" "+r.Role+" via "+r.Via)
	}
	wantRoles := []string{"AppRoles ManageData via Writers", "AppRoles OpenApplication via Everyone", "SystemRoles SecurityAdminPage via Readers"}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	want := []SliceRuleRef{{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 2, Via: "Writers"}}
	if diff := cmp.Diff(want, ua.SliceRules); diff != "" {
		t.Errorf("slice rules (-want +got):\n%s", diff)
	}
	if ua.Administrator {
		t.Error("Ann is not an administrator")
	}
}

func TestGroupView(t *testing.T) {
	ix := newEnv().users("Ann", "Bob", "Cy").groups("Doc AllOrgs", "Doc LegalA", "Doc LegalB", "Empty", "Orphan").
		in("Ann", "Doc LegalA").in("Bob", "Doc LegalB").in("Cy", "Doc AllOrgs").
		nest("Doc LegalA", "Doc AllOrgs").nest("Doc LegalB", "Doc AllOrgs").nest("Empty", "Doc AllOrgs").
		role("ManageData", "Doc AllOrgs").
		with(func(env *artifacts.Environment) {
			env.Entity = append(env.Entity, artifacts.Entity{Entity: "Houston", ReadGroup: "Doc AllOrgs", ReadGroup2: "Nobody", ReadWriteGroup: "Doc LegalA", ReadWriteGroup2: "Nobody"})
		}).index()
	ga, err := ix.Group("doc allorgs")
	if err != nil {
		t.Fatal(err)
	}
	want := &GroupAccess{
		Group: "Doc AllOrgs",
		Members: []Member{
			{"Ann", []string{"Ann", "Doc LegalA", "Doc AllOrgs"}},
			{"Bob", []string{"Bob", "Doc LegalB", "Doc AllOrgs"}},
			{"Cy", []string{"Cy", "Doc AllOrgs"}},
		},
		DirectMembers: DirectMembers{Users: []string{"Cy"}, Groups: []string{"Doc LegalA", "Doc LegalB", "Empty"}},
		Parents:       []string{},
		UsedBy: []Use{
			{Tab: "AppRoles", Key: []string{"ManageData"}, Column: "GroupName"},
			{Tab: "Entity", Key: []string{"Houston"}, Column: "ReadGroup"},
		},
	}
	if diff := cmp.Diff(want, ga); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
	for _, name := range []string{"Empty", "Orphan"} {
		ga, err := ix.Group(name)
		if err != nil {
			t.Fatal(err)
		}
		if !ga.Unused() {
			t.Errorf("%s should be unused: %+v", name, ga)
		}
		var b strings.Builder
		ga.WriteText(&b)
		if !strings.Contains(b.String(), "used nowhere and holds no one") {
			t.Errorf("%s text does not say it is unused:\n%s", name, b.String())
		}
	}
	if ga, _ := ix.Group("Everyone"); len(ga.Members) != 3 {
		t.Errorf("Everyone holds %d users, want 3", len(ga.Members))
	}
	if ga, _ := ix.Group("Nobody"); len(ga.Members) != 0 {
		t.Errorf("Nobody holds %d users, want 0", len(ga.Members))
	}
}

func TestUnknownNames(t *testing.T) {
	ix := newEnv().users("Jessica Documentation").groups("Documentation LegalA").index()
	tests := []struct {
		get  func() error
		want string
	}{
		{func() error { _, err := ix.User("Jesica Documentation"); return err },
			`there is no user named "Jesica Documentation" — did you mean "Jessica Documentation"?`},
		{func() error { _, err := ix.Group("Documentation LegalB"); return err },
			`there is no group named "Documentation LegalB" — did you mean "Documentation LegalA"?`},
		{func() error { _, err := ix.User("Documentation LegalA"); return err },
			`there is no user named "Documentation LegalA" ("Documentation LegalA" is a group)`},
		{func() error { _, err := ix.Group("zzz"); return err },
			`there is no group named "zzz"`},
	}
	for _, tc := range tests {
		err := tc.get()
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("error %v is not a *NotFoundError", err)
		}
		if err.Error() != tc.want {
			t.Errorf("error %q, want %q", err, tc.want)
		}
	}
}

// TestJSONShape checks the field names and nesting of audit.md.
func TestJSONShape(t *testing.T) {
	ix := newEnv().users("Ann").groups("G").exGroups("X").in("Ann", "G").groupEntry("X", "G", 0, true).
		role("ManageData", "G").
		with(func(env *artifacts.Environment) {
			env.Entity = append(env.Entity, artifacts.Entity{Entity: "Houston", ReadGroup: "G", ReadGroup2: "Nobody", ReadWriteGroup: "Nobody", ReadWriteGroup2: "Nobody"})
			env.CubeDataCellAccess = append(env.CubeDataCellAccess, artifacts.SliceRule{Cube: "C", Type: "Data Cell Access Security", AccessGroup: "G"})
		}).index()
	ua, _ := ix.User("Ann")
	checkShape(t, ua, map[string]any{
		"user": "", "enabled": true, "administrator": true,
		"groups":          []any{map[string]any{"name": "", "path": []any{""}}},
		"exclusionGroups": []any{map[string]any{"name": "", "in": true, "decidedBy": map[string]any{"tab": "", "key": []any{""}, "processingOrder": 0.0, "allowAccess": true}}},
		"roles":           []any{map[string]any{"tab": "", "role": "", "via": ""}},
		"rights":          []any{map[string]any{"tab": "", "key": []any{""}, "right": "", "via": ""}},
		"sliceRules":      []any{map[string]any{"cube": "", "type": "", "processingOrder": 0.0}},
	})
	ga, _ := ix.Group("G")
	checkShape(t, ga, map[string]any{
		"group":         "",
		"members":       []any{map[string]any{"user": "", "path": []any{""}}},
		"directMembers": map[string]any{"users": []any{""}, "groups": []any{}},
		"parents":       []any{},
		"usedBy":        []any{map[string]any{"tab": "", "key": []any{""}, "column": ""}},
	})
	// Empty lists are [] rather than null.
	ga, _ = ix.Group("Nobody")
	var b strings.Builder
	WriteJSON(&b, ga)
	if strings.Contains(b.String(), "null") {
		t.Errorf("empty lists should be []:\n%s", b.String())
	}
}

// checkShape compares the keys and JSON types of v's encoding with want,
// looking at the first element of each list.
func checkShape(t *testing.T, v any, want map[string]any) {
	t.Helper()
	var b strings.Builder
	if err := WriteJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shape(want), shape(got)); diff != "" {
		t.Errorf("JSON shape (-want +got):\n%s\n%s", diff, b.String())
	}
}

func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = shape(e)
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shape(x[0])}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "?"
}

func TestConcurrentQueries(t *testing.T) {
	env := syntheticEnv(3000, 2000)
	ix := New(env)
	want, _ := ix.Members("L1 Group 00001")
	done := make(chan bool)
	for w := range 4 {
		go func() {
			defer func() { done <- true }()
			for i := range 50 {
				ix.User(ix.users[(w*50+i)%len(ix.users)])
				ix.Group(ix.groups[(w*7+i)%len(ix.groups)])
				if got, _ := ix.Members("L1 Group 00001"); !slices.Equal(got, want) {
					t.Errorf("members changed under concurrency")
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
