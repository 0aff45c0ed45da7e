package workbook

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

const testFingerprint = "sha256:6e407a3dc0bae9688661d1a4502f20fbf53a3674329e34f8b6c8cc71b8fe0f8a"

var testBase = Base{Environment: "GolfStream", Fingerprint: testFingerprint, Version: "v1.2.3",
	Time: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}

// writeWithBase writes a small Users workbook recording testBase.
func writeWithBase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.xlsx")
	b := testBase
	w, err := Create(path, WriteOptions{Base: &b})
	if err != nil {
		t.Fatal(err)
	}
	tab := artifacts.TabUsers.Tab()
	if err := w.StartTab(tab); err != nil {
		t.Fatal(err)
	}
	row := make([]string, len(tab.Columns))
	row[0] = "Jessica Documentation"
	if err := w.WriteRow(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func readBase(t *testing.T, path string) (Base, bool) {
	t.Helper()
	wb, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	b, ok, err := wb.Base()
	if err != nil {
		t.Fatal(err)
	}
	return b, ok
}

func TestBaseRoundTrip(t *testing.T) {
	b, ok := readBase(t, writeWithBase(t))
	if !ok || b != testBase {
		t.Fatalf("Base() = %+v, %v; want %+v", b, ok, testBase)
	}
}

func TestNoBase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.xlsx")
	w, err := Create(path, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.StartTab(artifacts.TabUsers.Tab()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, ok := readBase(t, path); ok {
		t.Fatalf("a workbook written without a base has one: %+v", b)
	}
}

// TestBaseKeptByOpenpyxl: a person's Python script that edits and saves
// the workbook keeps its base. openpyxl before 3.1 drops the custom
// properties; the fingerprint and time survive in the core properties.
func TestBaseKeptByOpenpyxl(t *testing.T) {
	python := testtools.Python(t)
	in := writeWithBase(t)
	out := filepath.Join(t.TempDir(), "resaved.xlsx")
	script := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb["Users"]["B2"] = "edited"
wb.save(sys.argv[2])
`
	if b, err := exec.Command(python, "-c", script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	b, ok := readBase(t, out)
	if !ok || b.Fingerprint != testFingerprint || !b.Time.Equal(testBase.Time) {
		t.Fatalf("after an openpyxl save, Base() = %+v, %v", b, ok)
	}
}

// TestBaseKeptByLibreOffice: LibreOffice keeps the custom properties.
func TestBaseKeptByLibreOffice(t *testing.T) {
	soffice := testtools.Soffice(t)
	in := writeWithBase(t)
	dir := t.TempDir()
	// Convert from a copy with another extension, so the output does not
	// overwrite the input.
	src := filepath.Join(dir, "in.xlsx")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "out"), src)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	out := filepath.Join(dir, "out", "in.xlsx")
	if !hasPart(t, out, "docProps/custom.xml") {
		t.Fatal("LibreOffice's copy has no custom properties")
	}
	b, ok := readBase(t, out)
	if !ok || b.Fingerprint != testFingerprint || b.Environment != "GolfStream" || b.Version != "v1.2.3" {
		t.Fatalf("after a LibreOffice save, Base() = %+v, %v", b, ok)
	}
}

func hasPart(t *testing.T, path, name string) bool {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
