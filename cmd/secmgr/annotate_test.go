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
// not annotated (here it has no styles part) still has its plan and
// findings printed; the error says the annotated copy was not written,
// and no file is left at its name.
func TestAnnotateFailureStillPrintsPlan(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	edits := withoutPart(t, copyEdits(t, dir, "mistakes.xlsx"), "xl/styles.xml")
	for _, cmd := range []string{"plan", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			out := filepath.Join(dir, cmd+".checked.xlsx")
			r := runIn(t, cmd, edits, "--env", envPath, "--annotate", out)
			expectCode(t, r, 1, "[unknown-group]", "has no styles part", "the annotated copy "+out+" was not written")
			if cmd == "plan" && !strings.Contains(r.stdout, "error(s)") && !strings.Contains(r.stdout, "errors") {
				t.Errorf("the plan's summary is missing:\n%s", r.stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed annotate: %v", out, err)
			}
		})
	}
}

// withoutPart rewrites the workbook at path without the zip entry name.
func withoutPart(t *testing.T, path, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := strings.TrimSuffix(path, ".xlsx") + ".nostyles.xlsx"
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		if e.Name == name {
			continue
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
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
