package workbook

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/pkg/validate"
)

// FuzzAnnotate annotates arbitrary bytes with findings on a few cells,
// rows and tabs: Annotate may refuse the file, never panic; a copy it
// writes is a zip whose entry names never start with "/", and it reads
// again whenever the original did.
//
//	go test ./pkg/workbook -run '^$' -fuzz FuzzAnnotate -fuzztime 1m
func FuzzAnnotate(f *testing.F) {
	for _, name := range []string{"mistakes.xlsx", "add-users.xlsx"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "examples", "golfstream", "edits", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add(rawBookBytes("Users",
		`<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="B1" t="inlineStr"><is><t>Password</t></is></c></row>`+
			`<row r="3"><c t="inlineStr"><is><t>Jim</t></is></c><c t="inlineStr"><is><t>secret</t></is></c></row>`, `<legacyDrawing r:id="rId9"/>`))
	f.Add([]byte("not a workbook"))

	findings := validate.Findings{
		{Severity: validate.Error, Code: "a", Tab: "Users", Row: 2, Cell: "Users!B2", Message: "bad"},
		{Severity: validate.Warning, Code: "b", Tab: "Users", Row: 3, Cell: "Users!A3", Message: "odd <&>"},
		{Severity: validate.Warning, Code: "c", Tab: "Users", Message: "tab"},
		{Severity: validate.Error, Code: "d", Tab: "UsersInGroups", Row: 5, Message: "row"},
		{Severity: validate.Error, Code: "e", Tab: "Users", Row: 1, Cell: "Users!XFD1048576", Message: "far"},
	}
	dir := f.TempDir()
	in, out := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xlsx")
	opt := Options{MaxUncompressedBytes: 8 << 20, MaxRows: 10_000, MaxColumns: 200, MaxCellChars: 2_000}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Remove(out)
		if err := AnnotateWith(in, out, findings, opt); err != nil {
			if _, statErr := os.Stat(out); statErr == nil {
				t.Fatalf("%s written although Annotate failed: %v", out, err)
			}
			return
		}
		zr, err := zip.OpenReader(out)
		if err != nil {
			t.Fatalf("the annotated copy is not a zip: %v", err)
		}
		for _, e := range zr.File {
			if strings.HasPrefix(e.Name, "/") {
				t.Errorf("entry %q", e.Name)
			}
		}
		zr.Close()
		if wb, err := Open(in, opt); err == nil {
			wb.Close()
			wb, err := Open(out, opt)
			if err != nil {
				t.Fatalf("the workbook reads, its annotated copy does not: %v", err)
			}
			wb.Close()
		}
	})
}

// RawBookBytes is rawBookBytes for the tests of package workbook_test.
var RawBookBytes = rawBookBytes
