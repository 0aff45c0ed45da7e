package reconcile

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/idp"
	"secmgr/pkg/plans"
	"secmgr/pkg/synthetic"
)

// testEnv: three AzureAD users, one Okta user, one native user; groups
// Finance (mapped) and Houston (mapped), Sales (not mapped).
func testEnv() *artifacts.Environment {
	e := artifacts.New("Test")
	add := func(name, provider, ext, email string, enabled bool) {
		e.Users = append(e.Users, artifacts.User{User: name, UserType: "Interactive", IsEnabled: enabled, NumGridRows: 30,
			ExternalAuthProviderName: provider, ExternalUserName: ext, Email: email, Description: name})
	}
	add("Ann", "AzureAD", "ann@x.example", "ann@x.example", true)
	add("Bob", "AzureAD", "BOB@x.example", "bob@x.example", true)
	add("Cid", "AzureAD", "cid@x.example", "cid@x.example", true)
	add("Dee", "AzureAD", "dee@x.example", "dee@x.example", false)
	add("Oto", "Okta", "oto@x.example", "oto@x.example", true)
	add("Nat", "", "", "nat@x.example", true)
	for _, g := range []string{"Finance", "Houston", "Sales"} {
		e.Groups = append(e.Groups, artifacts.Group{Group: g})
	}
	e.UsersInGroups = append(e.UsersInGroups,
		artifacts.UserInGroup{User: "Ann", ParentGroup: "Finance"},
		artifacts.UserInGroup{User: "Bob", ParentGroup: "Houston"},
		artifacts.UserInGroup{User: "Bob", ParentGroup: "Finance"},
		artifacts.UserInGroup{User: "Bob", ParentGroup: "Sales"})
	e.Normalize()
	return e
}

func testRules(t *testing.T, extra string) *Rules {
	t.Helper()
	r, err := ParseRules([]byte(`{"groups": [{"idp": "FIN-*", "group": "finance"}, {"idp": "*Houston", "group": "Houston"}]` + extra + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func account(key string, enabled bool, groups ...string) idp.Account {
	return idp.Account{Key: key, UserName: key, DisplayName: strings.ToUpper(key[:1]) + key[1:strings.IndexByte(key, '@')],
		Email: key, Enabled: enabled, Groups: groups, File: "idp.csv", Line: 2}
}

func people(ps []Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.User+": "+strings.Join(p.Changes, "; "))
	}
	return out
}

func TestRun(t *testing.T) {
	dir := &idp.Directory{Accounts: []idp.Account{
		account("ann@x.example", true, "FIN-Accounting"),                                                  // in line: Finance held
		account("bob@x.example", true, "Sales-Houston"),                                                   // mover: loses Finance with prune
		account("cid@x.example", false),                                                                   // leaver: disabled
		account("eve@x.example", true, "FIN-Tax", "Dept Houston"),                                         // joiner
		account("fay@x.example", true),                                                                    // only in the provider
		{Key: "gus@y.example", DisplayName: "Gus", Enabled: true, Guest: true, Groups: []string{"FIN-x"}}, // guest
		account("oto@x.example", false),                                                                   // Okta's user: untouched
	}}
	dir.Accounts[0].DisplayName, dir.Accounts[1].DisplayName = "Ann", "Bob"
	for _, prune := range []bool{false, true} {
		t.Run(fmt.Sprint("prune=", prune), func(t *testing.T) {
			res, err := Run(testEnv(), dir, testRules(t, `, "joiners": {"userType": "view", "numGridRows": 50}`), Options{Prune: prune})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{
				"leavers": {"Cid: IsEnabled True → False"},
				"movers":  nil,
				"joiners": {"Eve: added (View); + Finance; + Houston"},
			}
			inLine := 3 // Ann, Bob, and Dee already disabled
			if prune {
				want["movers"] = []string{"Bob: - Finance"}
				want["leavers"] = append(want["leavers"], "Dee: removed")
				inLine = 1
			}
			got := map[string][]string{"leavers": people(res.Leavers), "movers": people(res.Movers), "joiners": people(res.Joiners)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			s := res.Summary
			// Only in the provider: Fay (in no mapped group) and Okta's Oto.
			if s.Native != 1 || s.OtherProviders != 1 || s.InLine != inLine || s.Guests != 1 || s.OnlyInProvider != 2 || res.Provider != "AzureAD" {
				t.Errorf("summary %+v", s)
			}
			if prune {
				// Dee (disabled, missing) is removed; Bob's removal rides on his Users row.
				if !slices.ContainsFunc(res.users, func(r []string) bool { return r[0] == "Dee" && slices.Contains(r, "Remove") }) {
					t.Errorf("no removal of Dee: %q", res.users)
				}
				if !slices.ContainsFunc(res.users, func(r []string) bool { return r[0] == "Bob" && slices.Contains(r, "Finance") }) {
					t.Errorf("no Users row removing Bob from Finance: %q", res.users)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	env := testEnv()
	env.Users = append(env.Users, artifacts.User{User: "Ann Two", UserType: "View", NumGridRows: 30, ExternalAuthProviderName: "azuread", ExternalUserName: "ANN@X.EXAMPLE"})
	env.Normalize()
	dir := &idp.Directory{Accounts: []idp.Account{account("ann@x.example", true)}}
	_, err := Run(env, dir, nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "matches two OneStream users, 'Ann' and 'Ann Two'") || !strings.Contains(err.Error(), "idp.csv:2") {
		t.Errorf("ambiguous: %v", err)
	}
	for _, tc := range []struct{ rules, want string }{
		{`{"groups": [{"idp": "FIN-*", "group": "Finance_View"}]}`, "maps 'FIN-*' to the group 'Finance_View', which does not exist in Test"},
		{`{"groups": [{"idp": "FIN-*", "group": "Everyone"}]}`, "to Everyone, which no one is made a member of"},
	} {
		r, err := ParseRules([]byte(tc.rules))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(testEnv(), dir, r, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.rules, err)
		}
	}
	if _, err := Run(artifacts.New("Empty"), dir, nil, Options{}); err == nil || !strings.Contains(err.Error(), "name the provider") {
		t.Errorf("no provider: %v", err)
	}
}

func TestJoinerNameTaken(t *testing.T) {
	dir := &idp.Directory{Accounts: []idp.Account{{Key: "nat2@x.example", UserName: "nat2@x.example", DisplayName: "Nat", Enabled: true, Groups: []string{"FIN-1"}, File: "f", Line: 3}}}
	res, err := Run(testEnv(), dir, testRules(t, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Joiners) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "f:3: account 'nat2@x.example' is not added: the user name 'Nat' is taken") {
		t.Errorf("joiners %v, warnings %q", res.Joiners, res.Warnings)
	}
	res, err = Run(testEnv(), dir, testRules(t, `, "joiners": {"userName": "userPrincipalName"}`), Options{})
	if err != nil || len(res.Joiners) != 1 || res.Joiners[0].User != "nat2@x.example" {
		t.Errorf("user name from userPrincipalName: %v %+v", err, res.Joiners)
	}
}

func TestParseRules(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"provider": "AzureAD", "groupz": []}`, ":1: unknown field \"groupz\""},
		{"{\n\"joiners\": {\"numGridRows\": \"50\"}}", ":2: joiners.numGridRows is a JSON string; it must be a int"},
		{`{"joiners": {"userType": "Admin"}}`, "joiners.userType 'Admin' is not a user type"},
		{`{"joiners": {"numGridRows": 7}}`, "joiners.numGridRows 7 is not allowed"},
		{`{"joiners": {"userName": "mail"}}`, "joiners.userName 'mail': use displayName or userPrincipalName"},
		{`{"groups": [{"idp": "", "group": "X"}]}`, "groups[0]: write"},
		{`{"csv": {"email": "Mail"}}`, "csv.userName is needed"},
		{`{} {}`, ":1: more after the rules object"},
		{``, "empty"},
		{"{\n\"provider\": ", ":2: not valid JSON"},
	} {
		_, err := ParseRules([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	r := DefaultRules()
	if r.Joiners != (Joiners{UserType: "Interactive", Culture: "en-US", NumGridRows: 30, UserName: "displayName"}) {
		t.Errorf("defaults %+v", r.Joiners)
	}
}

// BenchmarkRun reconciles 100,000 accounts with a synthetic environment
// of 100,000 users, in memory: the part of 'secmgr reconcile' this
// package owns (the command's benchmark measures the whole run).
func BenchmarkRun(b *testing.B) {
	env := synthetic.Generate(synthetic.Options{Users: 100_000})
	var rules strings.Builder
	rules.WriteString(`{"description": "none", "groups": [`)
	for k := range 20 {
		if k > 0 {
			rules.WriteString(",")
		}
		fmt.Fprintf(&rules, `{"idp": "DEPT-%02d*", "group": %q}`, k, env.Groups[k+1].Group)
	}
	rules.WriteString("]}")
	r, err := ParseRules([]byte(rules.String()))
	if err != nil {
		b.Fatal(err)
	}
	dir := &idp.Directory{}
	for i, u := range env.Users {
		if u.ExternalUserName == "" || i%97 == 0 {
			continue
		}
		a := idp.Account{Key: u.ExternalUserName, UserName: u.ExternalUserName, DisplayName: u.User, Email: u.Email, Enabled: u.IsEnabled && i%50 != 0}
		if i%10 == 0 {
			a.Groups = []string{fmt.Sprintf("DEPT-%02d", i/10%20)}
		}
		dir.Accounts = append(dir.Accounts, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(env, dir, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPruneTwoGroupsOfOneUser: a mover leaving two mapped groups, with a
// new e-mail, gets one Users row per removal, the guide's way, each with
// the edit; planned, applied and reconciled again, nothing is left.
func TestPruneTwoGroupsOfOneUser(t *testing.T) {
	env := testEnv()
	bob := account("bob@x.example", true)
	bob.DisplayName, bob.Email = "Bob", "robert@x.example"
	dir := &idp.Directory{Accounts: []idp.Account{bob, account("ann@x.example", true, "FIN-Accounting"), account("cid@x.example", true), account("dee@x.example", false)}}
	dir.Accounts[1].DisplayName, dir.Accounts[2].DisplayName, dir.Accounts[3].DisplayName = "Ann", "Cid", "Dee"
	rules := testRules(t, "")
	res, err := Run(env, dir, rules, Options{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.memberships) != 0 {
		t.Errorf("removals written as UsersInGroups rows: %q", res.memberships)
	}
	path := filepath.Join(t.TempDir(), "changes.xlsx")
	if err := res.WriteWorkbook(path, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	p, err := actions.PlanWorkbook(path, env, actions.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range p.Changes {
		lines = append(lines, plans.ChangeLine(c))
	}
	want := []string{"~ Users Bob: Email bob@x.example → robert@x.example", "- UsersInGroups Bob / Finance", "- UsersInGroups Bob / Houston"}
	if diff := cmp.Diff(want, lines); diff != "" || !p.Applicable {
		t.Fatalf("plan (-want +got):\n%s\n%v", diff, p.Findings)
	}
	after, err := actions.Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(after, dir, rules, Options{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Empty() {
		t.Errorf("reconciled again: users %q, memberships %q", again.users, again.memberships)
	}
}
