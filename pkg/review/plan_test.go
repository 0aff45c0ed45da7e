package review

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

func exampleTime() time.Time { return time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC) }

func itoa(n int) string { return strconv.Itoa(n) }

// edit changes cells of the AccessReview tab ("H5": "Remove") and, with
// build, anything else, then saves the workbook as a spreadsheet program
// would.
func edit(t testing.TB, path string, cells map[string]string, build ...func(f *excelize.File)) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, v := range cells {
		if err := f.SetCellStr(Sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, fn := range build {
		fn(f)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// member is the membership on spreadsheet row n of a fresh review.
func member(env *artifacts.Environment, n int) string {
	m := env.UsersInGroups[n-2]
	return m.User + " / " + m.ParentGroup
}

func changeLines(p *plans.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, plans.ChangeLine(c)+" @"+strings.Join(c.Cells, ","))
	}
	return out
}

func findingLines(p *plans.Plan) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.String())
	}
	return out
}

func TestPlanReviewed(t *testing.T) {
	env := sample(t)
	tests := []struct {
		name     string
		cells    map[string]string
		build    func(f *excelize.File)
		changes  func(env *artifacts.Environment) []string
		findings []string
	}{
		{name: "not reviewed yet"},
		{name: "Remove in any casing, Keep and blank change nothing",
			cells: map[string]string{"H2": "Remove", "H3": "keep", "H4": "", "H5": "  remove ", "H7": "Keep", "H9": "REMOVE", "I5": "Ann Auditor", "J5": "left in June"},
			changes: func(env *artifacts.Environment) []string {
				return []string{
					"- UsersInGroups " + member(env, 2) + " @AccessReview!H2",
					"- UsersInGroups " + member(env, 5) + " @AccessReview!H5",
					"- UsersInGroups " + member(env, 9) + " @AccessReview!H9",
				}
			}},
		{name: "another decision is an error at its cell",
			cells: map[string]string{"H2": "Remove", "H4": "Remvoe", "H6": "maybe", "H8": "Yes"},
			changes: func(env *artifacts.Environment) []string {
				return []string{"- UsersInGroups " + member(env, 2) + " @AccessReview!H2"}
			},
			findings: []string{
				"AccessReview!H4: error: Decision 'Remvoe' is neither Keep nor Remove; pick one from the drop-down, or leave it empty for a membership not reviewed yet — did you mean 'Remove'? [invalid-value]",
				"AccessReview!H6: error: Decision 'maybe' is neither Keep nor Remove; pick one from the drop-down, or leave it empty for a membership not reviewed yet [invalid-value]",
				"AccessReview!H8: error: Decision 'Yes' is neither Keep nor Remove; pick one from the drop-down, or leave it empty for a membership not reviewed yet [invalid-value]",
			}},
		{name: "names are matched ignoring case and spaces; the plan spells them as stored",
			cells: map[string]string{"A2": "  ROBERT KLINE ", "D2": "administrators", "H2": "Remove"},
			changes: func(*artifacts.Environment) []string {
				return []string{"- UsersInGroups Robert Kline / Administrators @AccessReview!H2"}
			}},
		{name: "a membership, user or group that no longer exists is a warning",
			cells: map[string]string{
				"A2": "Natalie Doc", "H2": "Remove", // no such user
				"D3": "Documentation LegalD", "H3": "Remove", // no such group
				"A4": "Kevin Walsh", "D4": "Administrators", "H4": "Remove", // both exist, not a member
				"A5": "Nobody Here", "D5": "Nowhere", "H5": "Remove", "H6": "Keep"},
			findings: []string{
				"AccessReview!H2: warning: user 'Natalie Doc' no longer exists; nothing to remove [already-absent]",
				"AccessReview!H3: warning: group 'Documentation LegalD' no longer exists; nothing to remove [already-absent]",
				"AccessReview!H4: warning: group membership 'Kevin Walsh' in 'Administrators' is already absent; nothing to remove [already-absent]",
				"AccessReview!H5: warning: user 'Nobody Here' no longer exists; nothing to remove [already-absent]",
			}},
		{name: "Remove without a user or a group",
			cells: map[string]string{"A2": "", "H2": "Remove", "D3": " ", "H3": "Remove", "A4": "", "H4": "Keep"},
			findings: []string{
				"AccessReview!A2: error: Decision is Remove but the User cell is empty; write the user whose membership ends [required-value]",
				"AccessReview!D3: error: Decision is Remove but the Group cell is empty; write the group the user leaves [required-value]",
			}},
		{name: "the same membership removed twice is removed once",
			build: copyRow(2, 60, "Remove"), cells: map[string]string{"H2": "Remove"},
			changes: func(env *artifacts.Environment) []string {
				return []string{"- UsersInGroups " + member(env, 2) + " @AccessReview!H2"}
			},
			findings: []string{"AccessReview!A60: warning: row 60 repeats row 2 (" + member(env, 2) + "); it is ignored [duplicate-row]"}},
		{name: "kept on one row and removed on another: an error on both",
			build: copyRow(3, 60, "keep"), cells: map[string]string{"H3": "Remove", "H4": "Remove"},
			changes: func(env *artifacts.Environment) []string {
				return []string{"- UsersInGroups " + member(env, 4) + " @AccessReview!H4"}
			},
			findings: []string{
				"AccessReview!H3: error: row 3 removes '" + strings.ReplaceAll(member(env, 3), " / ", "' from '") + "' and row 60 keeps it; decide once [conflicting-rows]",
				"AccessReview!H60: error: row 3 removes '" + strings.ReplaceAll(member(env, 3), " / ", "' from '") + "' and row 60 keeps it; decide once [conflicting-rows]",
			}},
		{name: "other tabs are ignored, with a warning",
			cells: map[string]string{"H3": "Remove"},
			build: func(f *excelize.File) {
				f.NewSheet("Users")
				f.SetCellStr("Users", "A1", "User")
			},
			changes: func(env *artifacts.Environment) []string {
				return []string{"- UsersInGroups " + member(env, 3) + " @AccessReview!H3"}
			},
			findings: []string{"Users: warning: tab 'Users' is not part of an access review; it is ignored (plan security edits from a workbook of their own) [unknown-tab]"}},
		{name: "columns found by header, in any order and casing; the tab name in any casing",
			cells: map[string]string{"H2": "Remove"},
			build: func(f *excelize.File) {
				f.SetCellStr(Sheet, "A1", " user ")
				f.SetCellStr(Sheet, "H1", "DECISION")
				if err := f.MoveSheet(AboutSheet, Sheet); err != nil {
					panic(err)
				}
				f.SetSheetName(Sheet, "accessreview")
				f.InsertCols("accessreview", "A", 1)
			},
			changes: func(env *artifacts.Environment) []string {
				return []string{"- UsersInGroups " + member(env, 2) + " @accessreview!I2"}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSample(t, env)
			var build []func(*excelize.File)
			if tt.build != nil {
				build = append(build, tt.build)
			}
			edit(t, path, tt.cells, build...)
			p, err := Plan(path, env)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if tt.changes != nil {
				want = tt.changes(env)
			}
			if diff := cmp.Diff(want, changeLines(p)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.findings, findingLines(p)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			wantApplicable := !strings.Contains(strings.Join(tt.findings, "\n"), ": error: ")
			fp, _ := artifacts.Fingerprint(env)
			if p.Applicable != wantApplicable || p.Format != plans.PlanFormat || p.Source != path ||
				p.Environment.Name != env.Name || p.Environment.Fingerprint != fp || p.Summary.Remove != len(p.Changes) {
				t.Errorf("plan header: applicable %v, %+v, source %q, summary %+v", p.Applicable, p.Environment, p.Source, p.Summary)
			}
		})
	}
}

// copyRow copies row from to row to, with Decision set.
func copyRow(from, to int, decision string) func(f *excelize.File) {
	return func(f *excelize.File) {
		for col := 1; col <= len(Columns); col++ {
			src, _ := excelize.CoordinatesToCellName(col, from)
			dst, _ := excelize.CoordinatesToCellName(col, to)
			v, _ := f.GetCellValue(Sheet, src)
			f.SetCellStr(Sheet, dst, v)
		}
		f.SetCellStr(Sheet, "H"+itoa(to), decision)
	}
}

// TestReplanAfterApply: applied once, the same reviewed file plans to
// warnings only, one per Remove.
func TestReplanAfterApply(t *testing.T) {
	env := sample(t)
	path := writeSample(t, env)
	edit(t, path, map[string]string{"H2": "Remove", "H10": "Remove", "H11": "Keep", "H30": "remove"})
	p, err := Plan(path, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 3 || !p.Applicable {
		t.Fatalf("plan: %v %v", changeLines(p), findingLines(p))
	}
	after, err := actions.Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.UsersInGroups) != len(env.UsersInGroups)-3 {
		t.Fatalf("%d memberships after removing 3 of %d", len(after.UsersInGroups), len(env.UsersInGroups))
	}
	again, err := Plan(path, after)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 || again.Findings.Warnings() != 3 || again.Findings.Errors() != 0 || !again.Applicable {
		t.Errorf("replanning after apply: %v %v", changeLines(again), findingLines(again))
	}
}

// TestPlanGolden renders the plan of a reviewed sample as plan prints
// it, and checks that planning is deterministic.
func TestPlanGolden(t *testing.T) {
	env := sample(t)
	path := writeSample(t, env)
	cells := map[string]string{"H8": "Keep", "J8": "needed for the close"}
	for r := range Rows(env, Scope{}) {
		if r.Administrator || r.UserType == "Third Party Access" {
			for n := 2; n < len(env.UsersInGroups)+2; n++ {
				if member(env, n) == r.User+" / "+r.Group {
					cells["H"+itoa(n)], cells["I"+itoa(n)] = "Remove", "Ann Auditor"
				}
			}
		}
	}
	edit(t, path, cells)
	var outs [2][]byte
	for i := range outs {
		p, err := PlanWith(path, env, Options{Source: "AccessReview.101500.xlsx"})
		if err != nil {
			t.Fatal(err)
		}
		if outs[i], err = plans.MarshalPlan(p); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			var b bytes.Buffer
			if err := plans.RenderText(&b, p, false); err != nil {
				t.Fatal(err)
			}
			testtools.Golden(t, filepath.Join("testdata", "golfstream.reviewed.plan.txt"), []byte(b.String()))
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two plans of the same file differ")
	}
}

func TestIsReviewWorkbook(t *testing.T) {
	env := sample(t)
	dir := t.TempDir()
	review := writeSample(t, env)
	noDecision := writeSample(t, env)
	edit(t, noDecision, map[string]string{"H1": "Verdict"})
	notXLSX := filepath.Join(dir, "notes.xlsx")
	os.WriteFile(notXLSX, []byte("User,Group,Decision\n"), 0o600)
	tests := []struct {
		path    string
		want    bool
		wantErr string
	}{
		{path: review, want: true},
		{path: noDecision},
		{path: filepath.Join("..", "..", "examples", "golfstream", "edits", "realistic.xlsx")},
		{path: notXLSX, wantErr: notXLSX},
		{path: filepath.Join(dir, "missing.xlsx"), wantErr: "missing.xlsx: no such file"},
	}
	for _, tt := range tests {
		got, err := IsReviewWorkbook(tt.path)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("IsReviewWorkbook(%s) = %v, %v; want %v, error with %q", filepath.Base(tt.path), got, err, tt.want, tt.wantErr)
		}
	}
}

// TestPlanBadHeader: a review whose headers were damaged is an error,
// not a silent no-op.
func TestPlanBadHeader(t *testing.T) {
	env := sample(t)
	tests := []struct {
		name  string
		cells map[string]string
		build func(f *excelize.File)
		want  []string
	}{
		{name: "missing column", cells: map[string]string{"D1": "Team", "H2": "Remove"},
			want: []string{"AccessReview row 1: error: the AccessReview tab has no Group column; keep the headers secmgr review wrote (User, UserType, IsEnabled, Group, NestedGroups, Roles, Administrator, Decision, Reviewer, Comment) [missing-key-column]"}},
		{name: "repeated column", cells: map[string]string{"J1": "decision", "H2": "Remove"},
			want: []string{"AccessReview!J1: error: column 'Decision' appears twice in the AccessReview tab (AccessReview!H1 and AccessReview!J1); delete one of them [duplicate-column]"}},
		{name: "no header row", build: func(f *excelize.File) {
			for i := range Columns {
				f.SetCellValue(Sheet, columnName(i+1)+"1", nil)
			}
		},
			want: []string{"AccessReview!A1: error: the AccessReview tab has no header row; row 1 must hold the headers User, UserType, IsEnabled, Group, NestedGroups, Roles, Administrator, Decision, Reviewer, Comment [no-header]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSample(t, env)
			var build []func(*excelize.File)
			if tt.build != nil {
				build = append(build, tt.build)
			}
			edit(t, path, tt.cells, build...)
			p, err := Plan(path, env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, findingLines(p)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if p.Applicable || len(p.Changes) != 0 {
				t.Errorf("applicable %v, changes %v", p.Applicable, changeLines(p))
			}
		})
	}
	if _, err := Plan(filepath.Join("..", "..", "examples", "golfstream", "edits", "realistic.xlsx"), env); err == nil ||
		!strings.Contains(err.Error(), "realistic.xlsx: the workbook has no AccessReview tab") {
		t.Errorf("planning a security workbook as a review: %v", err)
	}
}

// TestLibreOfficeReviewed: a review saved by LibreOffice Calc is still
// recognised and plans the same.
func TestLibreOfficeReviewed(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: converts with LibreOffice")
	}
	soffice := testtools.Soffice(t)
	env := sample(t)
	path := writeSample(t, env)
	edit(t, path, map[string]string{"H3": "Remove", "H4": "Keep", "H12": "remove"})
	want, err := Plan(path, env)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+t.TempDir(), "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	saved := filepath.Join(out, filepath.Base(path))
	if ok, err := IsReviewWorkbook(saved); !ok || err != nil {
		t.Fatalf("the LibreOffice copy is not recognised: %v %v", ok, err)
	}
	got, err := Plan(saved, env)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(changeLines(want), changeLines(got)); diff != "" || len(got.Findings) != 0 {
		t.Errorf("changes (-excelize +LibreOffice):\n%s\nfindings %v", diff, findingLines(got))
	}
}

// TestReviewBlock: every decision, Keep too, reaches the plan's review
// block with its reviewer, comment and what planning made of it.
func TestReviewBlock(t *testing.T) {
	env := sample(t)
	path := writeSample(t, env)
	edit(t, path, map[string]string{
		"H2": "Remove", "I2": "Ann Auditor", "J2": "left in June",
		"H3": "keep", "I3": "Ann Auditor",
		"H4": "Maybe",
		"A5": "Nobody Here", "H5": "Remove", "I5": "Bo Reviewer", "J5": "gone already",
	})
	p, err := Plan(path, env)
	if err != nil {
		t.Fatal(err)
	}
	m2, m3, m4 := env.UsersInGroups[0], env.UsersInGroups[1], env.UsersInGroups[2]
	want := []plans.ReviewDecision{
		{Cell: "AccessReview!H2", User: m2.User, Group: m2.ParentGroup, Decision: Remove, Reviewer: "Ann Auditor", Comment: "left in June", Outcome: OutcomeRemoved},
		{Cell: "AccessReview!H3", User: m3.User, Group: m3.ParentGroup, Decision: Keep, Reviewer: "Ann Auditor", Outcome: OutcomeKept},
		{Cell: "AccessReview!H4", User: m4.User, Group: m4.ParentGroup, Decision: "Maybe", Outcome: OutcomeRefused},
		{Cell: "AccessReview!H5", User: "Nobody Here", Group: env.UsersInGroups[3].ParentGroup, Decision: Remove, Reviewer: "Bo Reviewer", Comment: "gone already", Outcome: OutcomeAbsent},
	}
	if diff := cmp.Diff(want, p.Review); diff != "" {
		t.Errorf("review block (-want +got):\n%s", diff)
	}
}

// TestScope: --user, --group and --owner narrow the memberships reviewed.
func TestScope(t *testing.T) {
	env := sample(t)
	count := func(s Scope) (n int, users, groups map[string]bool) {
		users, groups = map[string]bool{}, map[string]bool{}
		for r := range Rows(env, s) {
			n++
			users[r.User], groups[r.Group] = true, true
		}
		return n, users, groups
	}
	all, _, _ := count(Scope{})
	if all != len(env.UsersInGroups) {
		t.Fatalf("the zero scope covers %d of %d memberships", all, len(env.UsersInGroups))
	}
	uf, _ := artifacts.CompileFilter([]string{"laura*"})
	n, users, _ := count(Scope{Users: uf})
	if n == 0 || len(users) != 1 || !users["Laura Chen"] {
		t.Errorf("--user laura*: %d rows of %v", n, users)
	}
	gf, _ := artifacts.CompileFilter([]string{"*_Mod"})
	_, _, groups := count(Scope{Groups: gf})
	for g := range groups {
		if !strings.HasSuffix(g, "_Mod") {
			t.Errorf("--group *_Mod covers %s", g)
		}
	}
	// The owner is named in the group's Description.
	owner := ""
	for _, g := range env.Groups {
		if g.Group == "Houston_Mod" {
			owner = g.Description
		}
	}
	if owner == "" {
		t.Skip("the sample's Houston_Mod has no description to name an owner by")
	}
	env.Groups = append([]artifacts.Group(nil), env.Groups...)
	for i := range env.Groups {
		if env.Groups[i].Group == "Houston_Mod" {
			env.Groups[i].Description += " (owner: Pat Owner)"
		}
	}
	_, _, groups = count(Scope{Owner: "pat owner"})
	if len(groups) != 1 || !groups["Houston_Mod"] {
		t.Errorf("--owner 'pat owner' covers %v", groups)
	}
}
