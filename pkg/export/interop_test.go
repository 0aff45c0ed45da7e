package export

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

// openpyxlScript prints, per sheet of the workbook in argv[1], its name,
// header row, number of data rows, the cells that are formulas and the
// number of text cells whose value starts with "=".
const openpyxlScript = `
import json, sys, warnings
warnings.simplefilter("ignore")
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    rows = list(ws.iter_rows())
    headers = [c.value for c in rows[0]] if rows else []
    formulas, eq_text = [], 0
    for row in rows[1:]:
        for c in row:
            if c.data_type == "f":
                formulas.append(c.coordinate)
            elif c.data_type == "s" and isinstance(c.value, str) and c.value.startswith("="):
                eq_text += 1
    data_rows = sum(1 for row in rows[1:] if any(c.value is not None for c in row))
    out.append({"name": ws.title, "headers": headers, "rows": data_rows, "formulas": formulas, "eqText": eq_text})
print(json.dumps(out))
`

type openpyxlSheet struct {
	Name     string   `json:"name"`
	Headers  []string `json:"headers"`
	Rows     int      `json:"rows"`
	Formulas []string `json:"formulas"`
	EqText   int      `json:"eqText"`
}

// TestOpenpyxlReadsExport checks the export with another reader than our
// own: openpyxl, as used by Python scripts around OneStream.
func TestOpenpyxlReadsExport(t *testing.T) {
	python := testtools.Python(t)
	env := sample(t)
	// Values a spreadsheet would take for formulas.
	env.Groups = append(env.Groups, artifacts.Group{Group: "=Danger", Description: "=1+1"})
	env.Users[0].Text1 = `=HYPERLINK("http://example.com","click")`
	env.Users[0].Description = "+SUM(A1)"
	env.Normalize()

	res, err := WriteWorkbook(env, Selection{IncludePasswords: true}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", openpyxlScript, res.Path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var sheets []openpyxlSheet
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl output: %v\n%s", err, out)
	}
	// A hidden Lists tab may follow the security tabs.
	if n := len(sheets); n == int(artifacts.NumTabs)+1 && sheets[n-1].Name == "Lists" {
		sheets = sheets[:n-1]
	}
	if len(sheets) != int(artifacts.NumTabs) {
		t.Fatalf("openpyxl sees %d sheets, want %d", len(sheets), artifacts.NumTabs)
	}
	eqText := 0
	for i, s := range sheets {
		tab := artifacts.TabID(i).Tab()
		if s.Name != tab.Name {
			t.Errorf("sheet %d is %q, want %q", i+1, s.Name, tab.Name)
			continue
		}
		var headers []string
		for _, c := range tab.Columns {
			headers = append(headers, c.Name)
		}
		if diff := cmp.Diff(headers, s.Headers); diff != "" {
			t.Errorf("%s headers (-want +got):\n%s", s.Name, diff)
		}
		if s.Rows != res.Rows[tab.Name] {
			t.Errorf("%s: openpyxl counts %d rows, we wrote %d", s.Name, s.Rows, res.Rows[tab.Name])
		}
		if len(s.Formulas) > 0 {
			t.Errorf("%s: formula cells %v; every value must be a text cell", s.Name, s.Formulas)
		}
		eqText += s.EqText
	}
	if eqText < 3 {
		t.Errorf("openpyxl found %d text cells starting with '=', want at least 3", eqText)
	}
}

// featuresScript prints, per sheet of the workbook in argv[1], what
// openpyxl sees beyond the values: its state, frozen pane, filter, data
// validations and the number of notes on the header row.
const featuresScript = `
import json, sys, warnings
warnings.simplefilter("ignore")
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    dvs = sorted("%s %s %s %s" % (dv.sqref, dv.type, dv.formula1, dv.errorStyle) for dv in ws.data_validations.dataValidation)
    notes = sum(1 for c in next(ws.iter_rows(max_row=1), ()) if c.comment is not None)
    out.append({"name": ws.title, "state": ws.sheet_state, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "validations": dvs, "notes": notes})
print(json.dumps(out))
`

type openpyxlFeatures struct {
	Name        string   `json:"name"`
	State       string   `json:"state"`
	Freeze      *string  `json:"freeze"`
	Filter      *string  `json:"filter"`
	Validations []string `json:"validations"`
	Notes       int      `json:"notes"`
}

func readFeatures(t *testing.T, python, path string) []openpyxlFeatures {
	t.Helper()
	out, err := exec.Command(python, "-c", featuresScript, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var sheets []openpyxlFeatures
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("openpyxl output: %v\n%s", err, out)
	}
	return sheets
}

// TestOpenpyxlSeesExportFeatures: a real client sees every tab's frozen
// header, filter, notes and drop-downs, and the hidden Lists tab last.
// LibreOffice opens the export without complaint and keeps the drop-downs,
// filters, notes and hidden Lists tab when it saves it (headless, it drops
// view settings such as frozen panes from any file).
func TestOpenpyxlSeesExportFeatures(t *testing.T) {
	python := testtools.Python(t)
	res, err := WriteWorkbook(sample(t), Selection{}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, path string, views bool) {
		sheets := readFeatures(t, python, path)
		if len(sheets) != int(artifacts.NumTabs)+1 {
			t.Fatalf("%d sheets, want %d and Lists", len(sheets), artifacts.NumTabs)
		}
		lists := sheets[len(sheets)-1]
		if lists.Name != "Lists" || lists.State != "hidden" {
			t.Errorf("last sheet %q is %s; want Lists, hidden", lists.Name, lists.State)
		}
		for i, s := range sheets[:len(sheets)-1] {
			tab := artifacts.TabID(i).Tab()
			if s.Name != tab.Name || s.State != "visible" {
				t.Errorf("sheet %d: %q %s", i, s.Name, s.State)
			}
			if views && (s.Freeze == nil || *s.Freeze != "A2") {
				t.Errorf("%s: frozen at %v, want A2", s.Name, s.Freeze)
			}
			if s.Filter == nil || !strings.HasPrefix(strings.ReplaceAll(*s.Filter, "$", ""), "A1:") {
				t.Errorf("%s: filter %v", s.Name, s.Filter)
			}
			if s.Notes != len(tab.Columns) {
				t.Errorf("%s: %d header notes, want %d", s.Name, s.Notes, len(tab.Columns))
			}
			lists := 0
			for _, v := range s.Validations {
				if strings.Contains(v, " list Lists!$") {
					lists++
				}
			}
			if lists == 0 {
				t.Errorf("%s: no drop-down from the Lists tab: %q", s.Name, s.Validations)
			}
		}
		users := sheets[artifacts.TabUsersInGroups].Validations
		if len(users) != 3 || !strings.Contains(users[0], " list Lists!$") || !strings.HasSuffix(users[0], " warning") {
			t.Errorf("UsersInGroups validations %q", users)
		}
	}
	t.Run("openpyxl", func(t *testing.T) { check(t, res.Path, true) })
	t.Run("libreoffice", func(t *testing.T) { check(t, resaveLibreOffice(t, res.Path), false) })
}
