package workbook

import (
	"os/exec"
	"path/filepath"
	"secmgr/internal/testtools"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openpyxlScript writes a workbook the way Python tooling does: shared
// strings, real boolean cells, a float 3.0, a hidden Lists sheet.
const openpyxlScript = `
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Users"
ws.append(["User", "UserType", "IsEnabled", "NumGridRows", "Description"])
ws.append(["Jessica Documentation", "Interactive", True, 3.0, "Doc lead"])
ws.append([" Jim ", "View", False, 30, None])
ws = wb.create_sheet("UsersInExGroups")
ws.append(["User", "ExGroup", "ProcessingOrder", "AllowAccess"])
ws.append(["Jim", "NoHouston", 3.0, True])
ws = wb.create_sheet("Lists")
ws.sheet_state = "hidden"
ws.append(["UserType", "Interactive"])
wb.save(sys.argv[1])
`

func TestReadOpenpyxlWorkbook(t *testing.T) {
	python := testtools.Python(t)
	path := filepath.Join(t.TempDir(), "openpyxl.xlsx")
	if out, err := exec.Command(python, "-c", openpyxlScript, path).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	wb, rows := readAll(t, path, Options{})
	wantFindings := []string{"Users!A3: warning: leading or trailing spaces in ' Jim ' were removed [whitespace-trimmed]"}
	if diff := cmp.Diff(wantFindings, findingLines(wb.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	users := func(user, userType, enabled, grid, desc string) []string {
		v := make([]string, 16)
		v[0], v[1], v[2], v[3], v[9] = user, desc, userType, enabled, grid
		return v
	}
	want := map[string][]Row{
		"Users": {
			{2, users("Jessica Documentation", "Interactive", "TRUE", "3", "Doc lead")},
			{3, users("Jim", "View", "FALSE", "30", "")},
		},
		"UsersInExGroups": {{2, []string{"Jim", "NoHouston", "3", "TRUE", "", ""}}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
