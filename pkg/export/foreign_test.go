package export

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// resaveOpenpyxl loads a workbook with openpyxl and saves it again: every
// part is rewritten the way Python scripts around OneStream write them.
func resaveOpenpyxl(t *testing.T, in string) string {
	python := testtools.Python(t)
	out := filepath.Join(t.TempDir(), "openpyxl.xlsx")
	script := "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])"
	if b, err := exec.Command(python, "-c", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	return out
}

// resaveLibreOffice converts a workbook with LibreOffice, as a person who
// opens and saves it in Calc would.
func resaveLibreOffice(t *testing.T, in string) string {
	soffice := testtools.Soffice(t)
	dir := t.TempDir()
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "xlsx", "--outdir", filepath.Join(dir, "out"), in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	return filepath.Join(dir, "out", filepath.Base(in))
}

// TestSnapshotOfForeignWorkbooks: a full export saved again by openpyxl or
// LibreOffice snapshots back to the same environment, every value of
// every tab, and exports again in the spec's tab and column order.
func TestSnapshotOfForeignWorkbooks(t *testing.T) {
	env := sample(t)
	want, _ := artifacts.Marshal(env)
	res, err := WriteWorkbook(env, Selection{IncludePasswords: true}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, resave := range map[string]func(*testing.T, string) string{"openpyxl": resaveOpenpyxl, "libreoffice": resaveLibreOffice} {
		t.Run(name, func(t *testing.T) {
			foreign := resave(t, res.Path)
			back, findings, err := actions.Snapshot(foreign, actions.SnapshotOptions{Name: env.Name})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				t.Errorf("finding: %s", f)
			}
			if back == nil {
				t.FailNow()
			}
			got, _ := artifacts.Marshal(back)
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
				t.Fatalf("snapshot of the %s-saved export differs (-want +got):\n%s", name, diff)
			}
			// Exporting the snapshot gives the spec's tabs and columns, Password empty.
			again, err := WriteWorkbook(back, Selection{}, t.TempDir(), exportTime, Options{})
			if err != nil {
				t.Fatal(err)
			}
			wb, err := workbook.Open(again.Path, workbook.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			if len(wb.Sheets) != int(artifacts.NumTabs) {
				t.Fatalf("%d tabs, want %d", len(wb.Sheets), artifacts.NumTabs)
			}
			for i, s := range wb.Sheets {
				if s.Tab.ID != artifacts.TabID(i) {
					t.Errorf("tab %d is %s", i, s.Tab.Name)
				}
				for ci, h := range s.Headers {
					if h != s.Tab.Columns[ci].Name {
						t.Errorf("%s column %d is %q", s.Tab.Name, ci, h)
					}
				}
			}
			pw := artifacts.TabUsers.Tab().Column("Password")
			wb.Read(wb.Sheets[artifacts.TabUsers], func(r *workbook.Row) error {
				if r.Values[pw] != "" {
					t.Errorf("Users row %d: a password was exported without --include-password-hashes", r.Number)
				}
				return nil
			})
		})
	}
}

// TestAnnotateLibreOfficeSavedExport: an export saved by LibreOffice keeps
// its header notes as "shape_N" drawings; annotating it still works and
// keeps them.
func TestAnnotateLibreOfficeSavedExport(t *testing.T) {
	res, err := WriteWorkbook(sample(t), Selection{}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lo := resaveLibreOffice(t, res.Path)
	out := filepath.Join(t.TempDir(), "checked.xlsx")
	fs := validate.Findings{{Severity: validate.Error, Code: validate.CodeUnknownGroup, Tab: "UsersInGroups", Row: 3, Column: "ParentGroup", Cell: "UsersInGroups!B3", Message: "group 'X' does not exist"}}
	if err := workbook.Annotate(lo, out, fs); err != nil {
		t.Fatalf("annotating a LibreOffice-saved export: %v", err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := map[string]bool{}
	for _, sheet := range []string{"Users", "UsersInGroups"} {
		comments, _ := f.GetComments(sheet)
		for _, c := range comments {
			found[sheet+"!"+c.Cell] = true
		}
	}
	if !found["UsersInGroups!B3"] || !found["Users!A1"] {
		t.Errorf("comments after annotating: %v", found)
	}
}
