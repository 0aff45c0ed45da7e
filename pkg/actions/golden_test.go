package actions

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// editsDir holds example workbooks people can try against the sample:
// secmgr plan examples/golfstream/edits/realistic.xlsx --env examples/golfstream/environment.json
const editsDir = "../../examples/golfstream/edits"

var fullUsersHeader = []any{"User", "Description", "UserType", "IsEnabled", "ExternalAuthProviderName", "ExternalUserName", "Password", "Email", "Culture", "NumGridRows", "Text1", "Text2", "Text3", "Text4", "ActionType", "ActionValue"}

// exported returns row i of tab as an export writes it, with an action.
func exported(env *artifacts.Environment, tab artifacts.TabID, key string, action ...any) []any {
	t := tab.Tab()
	i, ok := t.Find(env, key)
	if !ok {
		panic("sample has no " + key)
	}
	var out []any
	for ci, v := range t.Cells(env, i, nil) {
		if t.Columns[ci].IsAction() || t.Columns[ci].Kind == artifacts.KindPassword {
			out = append(out, nil)
			continue
		}
		out = append(out, v)
	}
	for i, a := range action {
		out[len(out)-len(action)+i] = a
	}
	return out
}

type goldenExample struct {
	name    string
	cascade bool
	sheets  []sheet
}

// goldenExamples are the example workbooks and how they are planned:
// edits of an export of the sample, as a person would make them.
func goldenExamples() []goldenExample {
	env, err := golfstream.Environment()
	if err != nil {
		panic(err)
	}
	return []goldenExample{
		{name: "realistic", sheets: []sheet{
			{"Users", rows(fullUsersHeader,
				[]any{"Pat Morgan", "Houston Financial Analyst", "Interactive", "True", "AzureAD", "pat.morgan@golfstream.example.com", nil, "  pat.morgan@golfstream.example.com ", "en-US", 40, "Houston"},
				exported(env, artifacts.TabUsers, "Natalie Documentation", "Rename", "Natalie Doc"),
				exported(env, artifacts.TabUsers, "Kevin Walsh", "remove", nil),
			)},
			{"UsersInGroups", rows(uigHeader,
				[]any{"Pat Morgan", "houston_view"},
				[]any{"Natalie Doc", "documentation legalc"},
				[]any{"Jessica Documentation", "Documentation LegalA", "Remove"},
			)},
			{"Groups", rows(groupsHeader,
				[]any{"Documentation LegalD", "Legal entity D"},
				exported(env, artifacts.TabGroups, "Documentation LegalB", "Rename", "Documentation Legal B"),
			)},
			{"GroupsInGroups", rows(gigHeader,
				[]any{"Documentation LegalD", "Documentation AllOrgs"},
			)},
			{"Entity", rows([]any{"Entity", "ReadGroup2", "ReadWriteGroup2"},
				[]any{"Carlsbad", "Documentation Legal B", "Documentation LegalB"},
				[]any{"Augusta", "Documentation LegalD", "Nobody"},
			)},
		}},
		{name: "mistakes", sheets: []sheet{
			{"Users", rows([]any{"User", "UserType", "NumGridRows", "Email"},
				[]any{"Jessica Documentation", "Admin", 35, "jessica.documentation@golfstream.example.com"},
				[]any{"New*User", "View", 10, "new@golfstream.example.com"},
			)},
			{"UsersInGroups", rows(uigHeader,
				[]any{"Jessica Documentation", "Documentation LegaIA"},
				[]any{"Jesica Documentation", "Houston_View"},
			)},
			{"GroupsInGroups", rows(gigHeader,
				[]any{"North America", "Houston_Mod"},
			)},
			{"Workflow", rows([]any{"Profile", "AccessGroup"},
				[]any{"Houston.Fcst", "Houston_View"},
			)},
			{"Notes", rows([]any{"Remember to ask Jessica about LegalD"})},
		}},
		{name: "remove-group", cascade: true, sheets: []sheet{
			{"Groups", rows(groupsHeader,
				[]any{"Houston Controllers", nil, "Remove"},
			)},
		}},
	}
}

func writeWorkbookTo(t testing.TB, path string, sheets ...sheet) {
	t.Helper()
	src := writeWorkbook(t, sheets...)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenPlans plans the example workbooks against the GolfStream
// sample and compares the text and JSON plans with testdata. The
// LibreOffice-saved copy of an example (NAME.libreoffice.xlsx, made with
// soffice --convert-to xlsx) must plan identically.
func TestGoldenPlans(t *testing.T) {
	for _, ex := range goldenExamples() {
		t.Run(ex.name, func(t *testing.T) {
			path := filepath.Join(editsDir, ex.name+".xlsx")
			if testtools.Update() {
				writeWorkbookTo(t, path, ex.sheets...)
			}
			env, err := golfstream.Environment()
			if err != nil {
				t.Fatal(err)
			}
			p := plan(t, env, path, PlanOptions{Cascade: ex.cascade, Source: ex.name + ".xlsx"})
			text := []byte(render(p))
			js, err := plans.MarshalPlan(p)
			if err != nil {
				t.Fatal(err)
			}
			testtools.Golden(t, filepath.Join("testdata", ex.name+".plan.txt"), text)
			testtools.Golden(t, filepath.Join("testdata", ex.name+".plan.json"), js)

			lo := filepath.Join(editsDir, ex.name+".libreoffice.xlsx")
			if _, err := os.Stat(lo); err != nil {
				return
			}
			p2 := plan(t, env, lo, PlanOptions{Cascade: ex.cascade, Source: ex.name + ".xlsx"})
			if diff := cmp.Diff(p, p2); diff != "" {
				t.Errorf("the LibreOffice-saved copy plans differently (-excelize +libreoffice):\n%s", diff)
			}
		})
	}
}

// TestExampleWorkbooksAreCurrent keeps the committed example workbooks in
// step with their description above.
func TestExampleWorkbooksAreCurrent(t *testing.T) {
	for _, ex := range goldenExamples() {
		f, err := excelize.OpenFile(filepath.Join(editsDir, ex.name+".xlsx"))
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		for _, s := range ex.sheets {
			got, err := f.GetRows(s.name)
			if err != nil {
				t.Fatalf("%s: %v", ex.name, err)
			}
			if len(got) != len(s.rows) {
				t.Errorf("%s/%s: %d rows, want %d (run go test -update)", ex.name, s.name, len(got), len(s.rows))
			}
		}
		f.Close()
	}
}
