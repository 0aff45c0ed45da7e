package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// filterEnv is a small environment whose names exercise the filters.
func filterEnv(t testing.TB) *artifacts.Environment {
	t.Helper()
	env := artifacts.New("Filters")
	env.Users = []artifacts.User{
		{User: "Jessica Documentation", UserType: "Interactive", IsEnabled: true, NumGridRows: 30, Password: "secret-1"},
		{User: "Natalie Documentation", UserType: "View", IsEnabled: true, NumGridRows: 30},
		{User: "Bob Smith", UserType: "Interactive", NumGridRows: 30},
		{User: "Zoë Ünicode", UserType: "Restricted", IsEnabled: true, NumGridRows: 30},
	}
	env.Groups = append(env.Groups,
		artifacts.Group{Group: "Documentation LegalA"},
		artifacts.Group{Group: "Documentation LegalB"},
		artifacts.Group{Group: "Finance Houston"},
		artifacts.Group{Group: "Sales"},
	)
	env.UsersInGroups = []artifacts.UserInGroup{
		{User: "Jessica Documentation", ParentGroup: "Documentation LegalA"},
		{User: "Natalie Documentation", ParentGroup: "Documentation LegalB"},
		{User: "Bob Smith", ParentGroup: "Sales"},
		{User: "Bob Smith", ParentGroup: "Finance Houston"},
	}
	env.GroupsInGroups = []artifacts.GroupInGroup{
		{Group: "Documentation LegalA", ParentGroup: "Finance Houston"},
		{Group: "Sales", ParentGroup: "Documentation LegalB"},
	}
	env.ExGroup = []artifacts.ExGroup{{ExGroup: "Ex Documentation"}}
	env.UsersInExGroups = []artifacts.UserInExGroup{{User: "Jessica Documentation", ExGroup: "Ex Documentation", ProcessingOrder: 1}}
	env.GroupsInExGroups = []artifacts.GroupInExGroup{{Group: "Sales", ExGroup: "Ex Documentation", ProcessingOrder: 2, AllowAccess: true}}
	env.Workflow = []artifacts.WorkflowProfile{
		{Profile: "Houston.Import", AccessGroup: "Finance Houston", MaintenanceGroup: "Administrators", ExecGroup_Default: "Finance Houston", CertifyGroup_Default: "Nobody"},
		{Profile: "Dallas.Import", AccessGroup: "Sales", MaintenanceGroup: "Administrators", ExecGroup_Default: "Sales", CertifyGroup_Default: "Nobody"},
	}
	env.Cube = []artifacts.Cube{{Cube: "GolfStream", AccessGroup: "Everyone", MaintenanceGroup: "Administrators"}}
	env.CubeDataCellAccess = []artifacts.SliceRule{{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 1,
		AccessGroup: "Documentation LegalA", BehaviorInGrpInFilter: "Increase Access And Stop", BehaviorInGrpNotInFilter: "Skip Item And Continue",
		BehaviorNotInGrpInFilter: "Skip Item And Continue", AccessLevelInGrpInFilter: "All Access", AccessLevelInGrpNotInFilter: "No Access",
		AccessLevelNotInGrpInFilter: "No Access", EntityMemberFilter: "E#Houston.Base"}}
	env.Entity = []artifacts.Entity{
		{Entity: "Houston", ReadGroup: "Finance Houston", ReadGroup2: "Nobody", ReadWriteGroup: "Finance Houston", ReadWriteGroup2: "Nobody"},
		{Entity: "Dallas", ReadGroup: "Sales", ReadGroup2: "Nobody", ReadWriteGroup: "Sales", ReadWriteGroup2: "Nobody"},
	}
	env.DisplayMembers = []artifacts.DisplayMember{{Dimension: "E", Member: "Houston", DisplayMemberGroup: "Sales"}}
	for i := range env.AppRoles {
		if env.AppRoles[i].AppRole == "ManageData" {
			env.AppRoles[i].GroupName = "Finance Houston"
		}
	}
	env.Normalize()
	return env
}

func mustFilter(t testing.TB, patterns ...string) artifacts.Filter {
	t.Helper()
	f, err := artifacts.CompileFilter(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// keysByTab lists the keys (joined by " / ") of the rows Rows selects,
// per tab that has any.
func keysByTab(t testing.TB, env *artifacts.Environment, sel Selection) map[string][]string {
	t.Helper()
	out := make(map[string][]string)
	for _, tab := range sel.tabs() {
		err := Rows(env, tab, sel, func(values []string) error {
			var key []string
			for _, ci := range tab.Key {
				key = append(key, values[ci])
			}
			out[tab.Name] = append(out[tab.Name], strings.Join(key, " / "))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func areas(t testing.TB, list string) []artifacts.TabID {
	t.Helper()
	ids, err := artifacts.ParseAreas(list)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestFilters(t *testing.T) {
	env := filterEnv(t)
	type want = map[string][]string
	tests := []struct {
		name                    string
		areas                   string
		users, groups, artifact []string
		want                    want
	}{
		{name: "no filter", areas: "users",
			want: want{
				"Users":         {"Bob Smith", "Jessica Documentation", "Natalie Documentation", "Zoë Ünicode"},
				"UsersInGroups": {"Bob Smith / Finance Houston", "Bob Smith / Sales", "Jessica Documentation / Documentation LegalA", "Natalie Documentation / Documentation LegalB"},
			}},
		{name: "trailing wildcard", areas: "users", users: []string{"Jess*"},
			want: want{"Users": {"Jessica Documentation"}, "UsersInGroups": {"Jessica Documentation / Documentation LegalA"}}},
		{name: "leading wildcard", areas: "users", users: []string{"*Smith"},
			want: want{"Users": {"Bob Smith"}, "UsersInGroups": {"Bob Smith / Finance Houston", "Bob Smith / Sales"}}},
		{name: "in-line wildcard", areas: "groups", groups: []string{"Doc*LegalA"},
			want: want{"Groups": {"Documentation LegalA"}, "GroupsInGroups": {"Documentation LegalA / Finance Houston"}}},
		{name: "multiple wildcards", areas: "users", users: []string{"*doc*tion*"},
			want: want{"Users": {"Jessica Documentation", "Natalie Documentation"},
				"UsersInGroups": {"Jessica Documentation / Documentation LegalA", "Natalie Documentation / Documentation LegalB"}}},
		{name: "question mark matches one character", areas: "groups", groups: []string{"Documentation Legal?"},
			want: want{"Groups": {"Documentation LegalA", "Documentation LegalB"},
				"GroupsInGroups": {"Documentation LegalA / Finance Houston", "Sales / Documentation LegalB"}}},
		{name: "question mark needs exactly one", areas: "groups", groups: []string{"Sales?"},
			want: want{}},
		{name: "case-insensitive, whole name, non-ASCII", areas: "users", users: []string{"ZOË ü*"},
			want: want{"Users": {"Zoë Ünicode"}}},
		{name: "a pattern covers the whole name", areas: "users", users: []string{"Smith"},
			want: want{}},
		{name: "patterns of one kind are OR-ed", areas: "users", users: []string{"bob*", "natalie*"},
			want: want{"Users": {"Bob Smith", "Natalie Documentation"},
				"UsersInGroups": {"Bob Smith / Finance Houston", "Bob Smith / Sales", "Natalie Documentation / Documentation LegalB"}}},
		{name: "group filter: either side of GroupsInGroups, ParentGroup of UsersInGroups", areas: "users,groups", groups: []string{"Finance*"},
			want: want{
				"Users":          {"Bob Smith", "Jessica Documentation", "Natalie Documentation", "Zoë Ünicode"},
				"UsersInGroups":  {"Bob Smith / Finance Houston"},
				"Groups":         {"Finance Houston"},
				"GroupsInGroups": {"Documentation LegalA / Finance Houston"},
			}},
		{name: "user and group filters both restrict UsersInGroups", areas: "users", users: []string{"Bob*"}, groups: []string{"Sales"},
			want: want{"Users": {"Bob Smith"}, "UsersInGroups": {"Bob Smith / Sales"}}},
		{name: "group filter on roles", areas: "roles", groups: []string{"finance houston"},
			want: want{"AppRoles": {"ManageData"}}},
		{name: "group filter on exclusion groups: ExGroup column or Group column", areas: "exgroups", groups: []string{"Ex*"},
			want: want{"ExGroup": {"Ex Documentation"}, "UsersInExGroups": {"Jessica Documentation / Ex Documentation"},
				"GroupsInExGroups": {"Sales / Ex Documentation"}}},
		{name: "group filter on GroupsInExGroups by Group", areas: "exgroups", groups: []string{"Sales"},
			want: want{"GroupsInExGroups": {"Sales / Ex Documentation"}}},
		{name: "group filter on artifact tabs: any group column", areas: "workflow,entity,cubedataaccess,displaymembers,cube", groups: []string{"Sales", "Documentation*"},
			want: want{"Workflow": {"Dallas.Import"}, "Entity": {"Dallas"}, "DisplayMembers": {"E / Houston"},
				"CubeDataCellAccess": {"GolfStream / Data Cell Access Security / 1"}}},
		{name: "artifact filter by key: Profile, Entity, slice Cube, display Member", areas: "all", artifact: []string{"Houston*", "golf*"},
			want: want{
				"Users":              {"Bob Smith", "Jessica Documentation", "Natalie Documentation", "Zoë Ünicode"},
				"UsersInGroups":      {"Bob Smith / Finance Houston", "Bob Smith / Sales", "Jessica Documentation / Documentation LegalA", "Natalie Documentation / Documentation LegalB"},
				"Groups":             {"Administrators", "Documentation LegalA", "Documentation LegalB", "Everyone", "Finance Houston", "Nobody", "Sales"},
				"GroupsInGroups":     {"Documentation LegalA / Finance Houston", "Sales / Documentation LegalB"},
				"AppRoles":           artifacts.ApplicationRoles,
				"SystemRoles":        artifacts.SystemRoleNames,
				"ExGroup":            {"Ex Documentation"},
				"UsersInExGroups":    {"Jessica Documentation / Ex Documentation"},
				"GroupsInExGroups":   {"Sales / Ex Documentation"},
				"Workflow":           {"Houston.Import"},
				"Cube":               {"GolfStream"},
				"CubeDataCellAccess": {"GolfStream / Data Cell Access Security / 1"},
				"Entity":             {"Houston"},
				"DisplayMembers":     {"E / Houston"},
			}},
		{name: "artifact and group filters both restrict artifact tabs", areas: "workflow,entity", artifact: []string{"Houston*"}, groups: []string{"Sales"},
			want: want{}},
		{name: "nothing matched", areas: "users,groups", users: []string{"nobody-here*"}, groups: []string{"no-such-group"},
			want: want{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel := Selection{Tabs: areas(t, tc.areas)}
			if tc.users != nil {
				sel.Users = mustFilter(t, tc.users...)
			}
			if tc.groups != nil {
				sel.Groups = mustFilter(t, tc.groups...)
			}
			if tc.artifact != nil {
				sel.Artifacts = mustFilter(t, tc.artifact...)
			}
			got := keysByTab(t, env, sel)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRowsValues(t *testing.T) {
	env := filterEnv(t)
	users := artifacts.TabUsers.Tab()
	pw := users.Column("Password")
	for _, include := range []bool{false, true} {
		var got []string
		sel := Selection{Users: mustFilter(t, "jessica*"), IncludePasswords: include}
		if err := Rows(env, users, sel, func(v []string) error {
			got = append([]string(nil), v...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(users.Columns) {
			t.Fatalf("%d values for %d columns", len(got), len(users.Columns))
		}
		want := ""
		if include {
			want = "secret-1"
		}
		if got[pw] != want {
			t.Errorf("IncludePasswords=%v: Password %q, want %q", include, got[pw], want)
		}
		if got[users.Column("IsEnabled")] != "True" || got[users.Column("NumGridRows")] != "30" {
			t.Errorf("values %q", got)
		}
		if got[users.Column("ActionType")] != "" || got[users.Column("ActionValue")] != "" {
			t.Errorf("action columns not empty: %q", got)
		}
	}
	// An error from fn stops Rows and is returned.
	stop := errors.New("stop")
	n := 0
	err := Rows(env, users, Selection{}, func([]string) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Rows after an error: err %v, %d calls", err, n)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 3, 1, 2, 22, 27, 0, time.UTC), "SecurityExtract.022227.xlsx"},
		{time.Date(2026, 3, 1, 23, 5, 9, 999, time.UTC), "SecurityExtract.230509.xlsx"},
		// The local time of now's location, not UTC.
		{time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC).In(time.FixedZone("CET", 3600)), "SecurityExtract.111500.xlsx"},
	}
	for _, tc := range tests {
		if got := FileName(tc.now); got != tc.want {
			t.Errorf("FileName(%v) = %q, want %q", tc.now, got, tc.want)
		}
	}
}

// readBack returns every sheet of the workbook at path: the sheet names in
// file order and, per sheet, its data rows.
func readBack(t testing.TB, path string) ([]string, map[string][][]string) {
	t.Helper()
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if len(wb.Findings) > 0 {
		t.Errorf("findings reading %s: %v", path, wb.Findings)
	}
	var names []string
	rows := make(map[string][][]string)
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
		rows[s.Name] = [][]string{}
		err := wb.Read(s, func(r *workbook.Row) error {
			rows[s.Name] = append(rows[s.Name], append([]string(nil), r.Values...))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return names, rows
}

var exportTime = time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC)

func TestWriteWorkbook(t *testing.T) {
	env := filterEnv(t)
	dir := t.TempDir()
	sel := Selection{Tabs: areas(t, "groups,users"), Users: mustFilter(t, "Bob*")}
	res, err := WriteWorkbook(env, sel, dir, exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "SecurityExtract.101500.xlsx"); res.Path != want {
		t.Errorf("path %s, want %s", res.Path, want)
	}
	if st, err := os.Stat(res.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("stat %s: %v %v, want mode 0600", res.Path, st.Mode(), err)
	}
	wantRows := map[string]int{"Users": 1, "UsersInGroups": 2, "Groups": 7, "GroupsInGroups": 2}
	if diff := cmp.Diff(wantRows, res.Rows); diff != "" {
		t.Errorf("Result.Rows (-want +got):\n%s", diff)
	}
	if res.Empty || len(res.Unmatched) > 0 {
		t.Errorf("Empty %v, Unmatched %v", res.Empty, res.Unmatched)
	}
	names, rows := readBack(t, res.Path)
	// Export order, whatever order the areas were given in.
	if diff := cmp.Diff([]string{"Users", "UsersInGroups", "Groups", "GroupsInGroups"}, names); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	if got := rows["Users"][0][0]; got != "Bob Smith" {
		t.Errorf("Users!A2 = %q", got)
	}

	// The name is taken: refused without force, replaced with it.
	before, _ := os.ReadFile(res.Path)
	_, err = WriteWorkbook(env, Selection{}, dir, exportTime, Options{})
	var exists *ExistsError
	if !errors.As(err, &exists) || !strings.Contains(err.Error(), res.Path) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second export without force: %v", err)
	}
	if after, _ := os.ReadFile(res.Path); string(after) != string(before) {
		t.Error("a refused export changed the existing file")
	}
	res2, err := WriteWorkbook(env, Selection{}, dir, exportTime, Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := readBack(t, res2.Path); len(names) != int(artifacts.NumTabs) {
		t.Errorf("forced export has %d sheets, want %d", len(names), artifacts.NumTabs)
	}
}

func TestWriteWorkbookNothingMatched(t *testing.T) {
	env := filterEnv(t)
	dir := t.TempDir()
	sel := Selection{Tabs: areas(t, "users,groups,workflow"), Groups: mustFilter(t, "no-such-group*"), Users: mustFilter(t, "bob*")}
	res, err := WriteWorkbook(env, sel, dir, exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Empty {
		t.Error("Empty is false for a filter that matched nothing")
	}
	if diff := cmp.Diff([]string{"--group no-such-group*"}, res.Unmatched); diff != "" {
		t.Errorf("Unmatched (-want +got):\n%s", diff)
	}
	names, rows := readBack(t, res.Path)
	// Every selected tab is there, with its header row only where the
	// group filter applies; Users is restricted by --user alone.
	if diff := cmp.Diff([]string{"Users", "UsersInGroups", "Groups", "GroupsInGroups", "Workflow"}, names); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	for _, n := range []string{"UsersInGroups", "Groups", "GroupsInGroups", "Workflow"} {
		if len(rows[n]) != 0 {
			t.Errorf("%s has %d rows, want none", n, len(rows[n]))
		}
	}
	if len(rows["Users"]) != 1 {
		t.Errorf("Users has %d rows, want 1", len(rows["Users"]))
	}
}

func TestWriteWorkbookBadFolder(t *testing.T) {
	env := filterEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	for _, d := range []string{filepath.Join(dir, "missing"), file} {
		_, err := WriteWorkbook(env, Selection{}, d, exportTime, Options{})
		if err == nil || !strings.Contains(err.Error(), d) {
			t.Errorf("export into %s: %v", d, err)
		}
	}
}
