package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnnotateFailureStillPrintsPlan: a workbook that can be planned but
// not annotated (here its styles part is damaged) still has its plan and
// findings printed; the error says the annotated copy was not written,
// and no file is left at its name.
func TestAnnotateFailureStillPrintsPlan(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	edits := replacePart(t, copyEdits(t, dir, "mistakes.xlsx"), "xl/styles.xml", `<styleSheet><cellXfs count="1">`)
	for _, cmd := range []string{"plan", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			out := filepath.Join(dir, cmd+".checked.xlsx")
			r := runIn(t, cmd, edits, "--env", envPath, "--annotate", out)
			expectCode(t, r, 1, "[unknown-group]", `xl/styles.xml: the XML ends inside <cellXfs>`, "the annotated copy "+out+" was not written")
			if cmd == "plan" && !strings.Contains(r.stdout, "error(s)") && !strings.Contains(r.stdout, "errors") {
				t.Errorf("the plan's summary is missing:\n%s", r.stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed annotate: %v", out, err)
			}
		})
	}
}

// replacePart rewrites the workbook at path with the zip entry name
// holding body.
func replacePart(t *testing.T, path, name, body string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := strings.TrimSuffix(path, ".xlsx") + ".damaged.xlsx"
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == name {
			io.WriteString(w, body)
			continue
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}
