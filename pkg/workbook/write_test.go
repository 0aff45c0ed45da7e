package workbook

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
)

// writeTabs writes tabs with their rows through the Writer.
func writeTabs(t testing.TB, path string, force bool, tabs []*artifacts.Tab, rows map[string][][]string) {
	t.Helper()
	w, err := Create(path, WriteOptions{Replace: force})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, tab := range tabs {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[tab.Name] {
			if err := w.WriteRow(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// zipPart returns the content of one part of an .xlsx file.
func zipPart(t *testing.T, path, part string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == part {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s has no part %s", path, part)
	return ""
}

func TestWriteFormulaLookingText(t *testing.T) {
	groups := artifacts.TabGroups.Tab()
	texts := []string{"=1+1", "+A1", "-5", "@SUM(A1:A2)", `=HYPERLINK("http://x","y")`, "=cmd|' /C calc'!A0"}
	var rows [][]string
	for i, s := range texts {
		rows = append(rows, []string{s, texts[len(texts)-1-i], "", ""})
	}
	path := filepath.Join(t.TempDir(), "out.xlsx")
	writeTabs(t, path, false, []*artifacts.Tab{groups}, map[string][][]string{"Groups": rows})

	xml := zipPart(t, path, "xl/worksheets/sheet1.xml")
	if strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
		t.Errorf("the sheet holds a formula:\n%s", xml)
	}
	for _, s := range texts {
		esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
		if !strings.Contains(xml, `t="inlineStr"><is><t>`+esc+`</t></is>`) {
			t.Errorf("%q is not written as an inline string:\n%s", s, xml)
		}
	}
	_, got := readAll(t, path, Options{})
	for i, r := range got["Groups"] {
		if diff := cmp.Diff(rows[i], r.Values); diff != "" {
			t.Errorf("row %d (-want +got):\n%s", r.Number, diff)
		}
	}
}

func TestWriteRefusesExistingFile(t *testing.T) {
	groups := artifacts.TabGroups.Tab()
	path := filepath.Join(t.TempDir(), "SecurityExtract.101500.xlsx")
	if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Create(path, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), path+" already exists") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Create on an existing file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "precious" {
		t.Fatal("the existing file was changed")
	}
	writeTabs(t, path, true, []*artifacts.Tab{groups}, map[string][][]string{"Groups": {{"g", "", "", ""}}})
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after --force, want 0600", st.Mode().Perm())
	}
	if _, rows := readAll(t, path, Options{}); len(rows["Groups"]) != 1 {
		t.Errorf("rows %v", rows)
	}
}

func TestWriteModeAndAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.xlsx")
	writeTabs(t, path, false, []*artifacts.Tab{artifacts.TabCube.Tab()}, nil)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}

	aborted := filepath.Join(dir, "aborted.xlsx")
	w, err := Create(aborted, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.StartTab(artifacts.TabCube.Tab()); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow([]string{"c", strings.Repeat("x", 40_000), ""}); err == nil || !strings.Contains(err.Error(), "AccessGroup value is 40000 characters long") {
		t.Errorf("WriteRow of an over-long value: %v", err)
	}
	if err := w.WriteRow([]string{"only one value"}); err == nil {
		t.Error("WriteRow with too few values succeeded")
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed WriteRow succeeded")
	}
	if _, err := os.Stat(aborted); !os.IsNotExist(err) {
		t.Errorf("a failed workbook left a file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}

	if _, err := Create(filepath.Join(dir, "no", "such", "dir.xlsx"), WriteOptions{}); err == nil {
		t.Error("Create in a missing folder succeeded")
	}
}

// Every tab written and read back gives the same values, numbers as
// numeric cells, the first tab first and no default Sheet1.
func TestWriteRoundTrip(t *testing.T) {
	sample := map[string][][]string{
		"Users": {
			{"Jessica Documentation", "Doc lead, \"quoted\" & <tagged>", "Interactive", "True", "", "jessica@example.com", "ENC:abc==", "jessica@example.com", "en-US", "30", "t1", "_x0041_ stays", "", "t4", "", ""},
			{"  spaced out", "line one\nline two", "View", "False", "AzureAD", "", "", "", "", "1000", "", "", "", "", "", ""},
		},
		"UsersInGroups":      {{"Jessica Documentation", "Documentation LegalA", "", ""}},
		"UsersInExGroups":    {{"Jessica Documentation", "NoHouston", "0", "False", "", ""}, {"X", "NoHouston", "12", "True", "", ""}},
		"CubeDataCellAccess": {append([]string{"GolfStream", "Data Cell Access Security", "3", "", "Nobody", "Skip Item And Continue", "Skip Item And Continue", "Skip Item And Continue", "No Access", "Read Only", "All Access", "E#Houston.Base"}, make([]string, len(artifacts.TabCubeDataCellAccess.Tab().Columns)-12)...)},
		"Workflow":           {{"Houston.Import", "Everyone", "Administrators", "Nobody", "Ünïcødé 😀"}},
	}
	var tabs []*artifacts.Tab
	for _, t := range artifacts.AllTabs() {
		tabs = append(tabs, t)
	}
	path := filepath.Join(t.TempDir(), "all.xlsx")
	writeTabs(t, path, false, tabs, sample)

	wb, got := readAll(t, path, Options{})
	if len(wb.Findings) != 1 || wb.Findings[0].Cell != "Users!A3" {
		t.Errorf("findings: %v (want only the key white space warning)", findingLines(wb.Findings))
	}
	if len(wb.Sheets) != int(artifacts.NumTabs) {
		t.Fatalf("%d sheets read back, want %d", len(wb.Sheets), artifacts.NumTabs)
	}
	for i, s := range wb.Sheets {
		if s.Name != artifacts.TabID(i).Tab().Name {
			t.Errorf("sheet %d is %q, want %q", i, s.Name, artifacts.TabID(i).Tab().Name)
		}
		for ci, p := range s.Present {
			if !p {
				t.Errorf("%s: column %s missing", s.Name, s.Tab.Columns[ci].Name)
			}
		}
	}
	for name, rows := range sample {
		for i, want := range rows {
			if name == "Users" && i == 1 {
				want = append([]string(nil), want...)
				want[0] = "spaced out" // reading trims
			}
			if i >= len(got[name]) {
				t.Errorf("%s: row %d missing", name, i+2)
				continue
			}
			if diff := cmp.Diff(want, got[name][i].Values); diff != "" {
				t.Errorf("%s row %d (-want +got):\n%s", name, i+2, diff)
			}
		}
	}
	// Whole numbers are numeric cells; the header is bold (styled).
	xml := zipPart(t, path, "xl/worksheets/sheet8.xml") // UsersInExGroups
	if !regexp.MustCompile(`<c r="C3"( s="\d+")?><v>12</v></c>`).MatchString(xml) {
		t.Errorf("ProcessingOrder is not a numeric cell:\n%s", xml)
	}
	if !regexp.MustCompile(`<c r="A1" s="[1-9]\d*" t="inlineStr">`).MatchString(xml) {
		t.Errorf("the header is not styled:\n%s", xml)
	}
	if cols := regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(xml, -1); len(cols) != 6 || cols[0][1] != "1" || cols[5][1] != "6" {
		t.Errorf("column widths not in ascending order: %v", cols)
	}
	if strings.Contains(zipPart(t, path, "xl/workbook.xml"), `name="Sheet1"`) {
		t.Error("the default Sheet1 is left in the workbook")
	}
}
