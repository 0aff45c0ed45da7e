package workbook_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/export"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// notesScript prints, as JSON, every cell of the workbook in argv[1] with
// a note or a solid fill: {"Sheet!A1": {"note": …, "fill": "FFFFC7CE"}}.
const notesScript = `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
            if c.comment is None and fill is None:
                continue
            out[ws.title + "!" + c.coordinate] = {"note": c.comment.text if c.comment else "", "fill": fill if isinstance(fill, str) else ""}
print(json.dumps(out))
`

type cellNote struct {
	Note string `json:"note"`
	Fill string `json:"fill"`
}

func readNotes(t *testing.T, path string) map[string]cellNote {
	t.Helper()
	out, err := exec.Command(testtools.Python(t), "-c", notesScript, path).Output()
	if err != nil {
		t.Fatalf("openpyxl cannot read %s: %v", filepath.Base(path), err)
	}
	var notes map[string]cellNote
	if err := json.Unmarshal(out, &notes); err != nil {
		t.Fatal(err)
	}
	return notes
}

// convertLibreOffice converts workbooks with LibreOffice, as a person's
// Calc opens and saves them, in one run, and returns the converted copies
// in the same order. The names must differ.
func convertLibreOffice(t *testing.T, in ...string) []string {
	t.Helper()
	soffice := testtools.Soffice(t)
	dir := t.TempDir()
	args := append([]string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", "xlsx", "--outdir", filepath.Join(dir, "out")}, in...)
	if b, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	var outs []string
	for _, p := range in {
		out := filepath.Join(dir, "out", strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))+".xlsx")
		if _, err := os.Stat(out); err != nil {
			t.Fatalf("LibreOffice did not convert %s: %v", filepath.Base(p), err)
		}
		outs = append(outs, out)
	}
	return outs
}

// convertGnumeric saves the workbook again with gnumeric's ssconvert.
func convertGnumeric(t *testing.T, in string) string {
	t.Helper()
	ssconvert, err := exec.LookPath("ssconvert")
	if err != nil {
		t.Skip("skipped: gnumeric (ssconvert) is not installed (apt-get install gnumeric)")
	}
	out := filepath.Join(t.TempDir(), "gnumeric.xlsx")
	cmd := exec.Command(ssconvert, "--export-type=Gnumeric_Excel:xlsx2", in, out)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssconvert: %v\n%s", err, b)
	}
	return out
}

func convertOpenpyxl(t *testing.T, in string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "openpyxl.xlsx")
	script := "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])"
	if b, err := exec.Command(testtools.Python(t), "-c", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	return out
}

const typedPassword = "Tr0ub4dor&3-secret"

// editedExport is an export of Users, UsersInGroups and Entity edited as
// a person would: a misspelt group, a duplicated header (which has an
// export note already) and a password typed in.
func editedExport(t *testing.T) string {
	t.Helper()
	env := sampleEnv(t)
	dir := t.TempDir()
	res, err := export.WriteWorkbook(env, export.Selection{Tabs: []artifacts.TabID{artifacts.TabUsers, artifacts.TabUsersInGroups, artifacts.TabEntity}},
		dir, time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	header, err := f.GetRows("Users")
	if err != nil || len(header) < 2 {
		t.Fatalf("Users: %v", err)
	}
	pw := -1
	for i, h := range header[0] {
		if h == "Password" {
			pw = i + 1
		}
	}
	if pw < 0 {
		t.Fatal("the export's Users tab has no Password column")
	}
	cell, _ := excelize.CoordinatesToCellName(pw, 2)
	for _, e := range [][3]string{{"UsersInGroups", "B3", "Documentation LegaIA"}, {"Entity", "C1", "ReadGroup"}, {"Users", cell, typedPassword}} {
		if err := f.SetCellStr(e[0], e[1], e[2]); err != nil {
			t.Fatal(err)
		}
	}
	edited := filepath.Join(dir, "edited.xlsx")
	if err := f.SaveAs(edited); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return edited
}

// TestAnnotateInterop annotates the same edited export as saved by each
// spreadsheet writer: every note is at its finding's cell with its fill,
// read back by openpyxl from the copy and from the copy converted by
// LibreOffice (which opens it without repair); no zip entry name starts
// with "/"; the typed password is in no part; the copy plans to the same
// findings.
func TestAnnotateInterop(t *testing.T) {
	testtools.Python(t)
	edited := editedExport(t)
	writers := []struct {
		name   string
		resave func(*testing.T, string) string
	}{
		{"secmgr", func(_ *testing.T, p string) string { return p }},
		{"libreoffice", func(t *testing.T, p string) string { return convertLibreOffice(t, p)[0] }},
		{"openpyxl", convertOpenpyxl},
		{"gnumeric", convertGnumeric},
	}
	env := sampleEnv(t)
	dir := t.TempDir()
	type annotated struct {
		writer, path string
		want         map[string]cellNote
	}
	var copies []annotated
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			in := w.resave(t, edited)
			p := plan(t, in, env)
			want := map[string]cellNote{}
			for _, f := range p.Findings {
				if f.Cell == "" {
					continue
				}
				n := want[f.Cell]
				n.Note += "[" + f.Code + "]"
				if f.Severity == validate.Error || n.Fill == "FFFFC7CE" {
					n.Fill = "FFFFC7CE"
				} else {
					n.Fill = "FFFFEB9C"
				}
				want[f.Cell] = n
			}
			if len(want) < 2 {
				t.Fatalf("the edited workbook should have findings on two cells at least: %v", p.Findings)
			}
			out := filepath.Join(dir, w.name+".checked.xlsx")
			if err := workbook.Annotate(in, out, p.Findings); err != nil {
				t.Fatal(err)
			}
			checkEntries(t, out)
			checkNotes(t, "annotated copy", readNotes(t, out), want)
			if diff := cmp.Diff(p.Findings, plan(t, out, env).Findings); diff != "" {
				t.Errorf("the annotated copy plans to other findings (-workbook +copy):\n%s", diff)
			}
			copies = append(copies, annotated{w.name, out, want})
		})
	}
	// One LibreOffice run converts every annotated copy.
	var paths []string
	for _, c := range copies {
		paths = append(paths, c.path)
	}
	if len(paths) == 0 {
		return
	}
	converted := convertLibreOffice(t, paths...)
	for i, c := range copies {
		t.Run(c.writer+"/libreoffice", func(t *testing.T) {
			checkNotes(t, "annotated copy converted by LibreOffice", readNotes(t, converted[i]), c.want)
		})
	}
}

// checkNotes checks that each cell of want has a note holding its codes,
// with its fill.
func checkNotes(t *testing.T, what string, got, want map[string]cellNote) {
	t.Helper()
	for cell, n := range want {
		g, ok := got[cell]
		switch {
		case !ok:
			t.Errorf("%s: %s has no note; notes: %v", what, cell, got)
		case !containsAll(g.Note, strings.SplitAfter(n.Note, "]")...):
			t.Errorf("%s: %s: the note %q lacks %s", what, cell, g.Note, n.Note)
		case g.Fill != n.Fill:
			t.Errorf("%s: %s: fill %q, want %q", what, cell, g.Fill, n.Fill)
		}
	}
}

// checkEntries checks the zip entries of the annotated copy: no name
// starts with "/" or repeats, and no part holds the typed password.
func checkEntries(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	seen := map[string]bool{}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, `\`) {
			t.Errorf("zip entry %q", f.Name)
		}
		if seen[strings.ToLower(f.Name)] {
			t.Errorf("zip entry %q twice", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("Tr0ub4dor")) {
			t.Errorf("%s holds the typed password", f.Name)
		}
	}
}
