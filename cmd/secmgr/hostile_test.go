package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
)

// hostileCase is one bad input: how to make it, and what secmgr must say.
type hostileCase struct {
	name string
	make func(t *testing.T, path string)
	// stderr must mention every one of these (the file name always).
	want []string
	// findings: the plan's output must name these cells.
	cells []string
}

// writeZip writes a zip of the given parts.
func writeZip(t *testing.T, path string, parts map[string]string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range parts {
		w, _ := zw.Create(name)
		io.WriteString(w, content)
	}
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// minimalParts is a workbook of one sheet named name with sheetData data.
func minimalParts(name, data string) map[string]string {
	return map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + name + `" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + data + `</sheetData></worksheet>`,
	}
}

// zipBomb writes a workbook whose one sheet inflates to more than 1 GiB,
// streaming, so the test needs neither the memory nor the disk.
func zipBomb(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	parts := minimalParts("Groups", "")
	for name, content := range parts {
		w, _ := zw.Create(name)
		if name != "xl/worksheets/sheet1.xml" {
			io.WriteString(w, content)
			continue
		}
		io.WriteString(w, `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Group</t></is></c></row>`)
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for i := 0; i < 1100; i++ { // 1.1 GiB of white space between elements
			w.Write(spaces)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func excelizeBook(t *testing.T, path string, build func(f *excelize.File), opts ...excelize.Options) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	if err := f.SaveAs(path, opts...); err != nil {
		t.Fatal(err)
	}
}

func groupsSheet(rows ...[]any) func(f *excelize.File) {
	return func(f *excelize.File) {
		f.SetSheetName("Sheet1", "Groups")
		for i, r := range rows {
			f.SetSheetRow("Groups", "A"+strconv.Itoa(i+1), &r)
		}
	}
}

// TestHostileInputs runs plan (and snapshot) on every bad file of the
// corpus: exit 1, a one-paragraph message naming the file (and the cell
// where there is one), no panic, no change to the environment, and under
// a minute each.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus includes a 1 GiB zip bomb; skipped with -short")
	}
	dir := t.TempDir()
	envPath := filepath.Join(dir, "env.json")
	if err := os.WriteFile(envPath, golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(golfstream.EnvironmentJSON)
	export := func(t *testing.T) string {
		r := ok(t, dir, nil, "export", "--env", envPath, "--out-dir", t.TempDir(), "--quiet")
		return strings.TrimSpace(r.stdout)
	}
	cases := []hostileCase{
		{name: "empty.xlsx", make: func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600) }, want: []string{"empty"}},
		{name: "random.xlsx", make: func(t *testing.T, p string) {
			r := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 4096)
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			os.WriteFile(p, b, 0o600)
		}, want: []string{"not"}},
		{name: "csv.xlsx", make: func(t *testing.T, p string) { os.WriteFile(p, []byte("User,Group\njessica,LegalA\n"), 0o600) }, want: []string{"text or CSV"}},
		{name: "truncated.xlsx", make: func(t *testing.T, p string) {
			b, _ := os.ReadFile(export(t))
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, want: []string{"truncated"}},
		{name: "nowb.xlsx", make: func(t *testing.T, p string) { writeZip(t, p, map[string]string{"hello.txt": "hi"}) }, want: []string{"workbook"}},
		{name: "legacy.xlsx", make: func(t *testing.T, p string) {
			b := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 4088)...)
			os.WriteFile(p, b, 0o600)
		}, want: []string{".xls", "save"}},
		{name: "calc.xlsx", make: func(t *testing.T, p string) {
			writeZip(t, p, map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
		}, want: []string{"OpenDocument", ".xlsx"}},
		{name: "protected.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, groupsSheet([]any{"Group"}, []any{"X"}), excelize.Options{Password: "secret"})
		}, want: []string{"password"}},
		{name: "bomb.xlsx", make: zipBomb, want: []string{"limit", "--max-workbook-bytes"}},
		{name: "wide.xlsx", make: func(t *testing.T, p string) {
			var b strings.Builder
			b.WriteString(`<row r="1">`)
			for c := 1; c <= 100_000; c++ {
				fmt.Fprintf(&b, `<c r="%s1" t="inlineStr"><is><t>H%d</t></is></c>`, colName(c), c)
			}
			b.WriteString(`</row>`)
			writeZip(t, p, minimalParts("Groups", b.String()))
		}, want: []string{"column", "--max-columns"}},
		{name: "longcell.xlsx", make: func(t *testing.T, p string) {
			writeZip(t, p, minimalParts("Groups", `<row r="1"><c r="A1" t="inlineStr"><is><t>Group</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`+strings.Repeat("x", 32_768)+`</t></is></c></row>`))
		}, want: []string{"A2", "--max-cell-chars"}},
		{name: "maxcell.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, groupsSheet([]any{"Group"}, []any{strings.Repeat("x", 32_767)}))
		}, cells: []string{"Groups!A2"}},
		{name: "names.xlsx", make: func(t *testing.T, p string) {
			// As Excel writes them: a control character as _x0007_.
			cell := func(ref, v string) string {
				return `<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">` + v + `</t></is></c>`
			}
			rows := `<row r="1">` + cell("A1", "Group") + cell("B1", "Description") + `</row>`
			for i, name := range []string{"Wild*Card", "Bell_x0007_Ring", "   ", strings.Repeat("n", 101), "Ok?"} {
				n := strconv.Itoa(i + 2)
				rows += `<row r="` + n + `">` + cell("A"+n, name) + cell("B"+n, "a description") + `</row>`
			}
			writeZip(t, p, minimalParts("Groups", rows))
		}, cells: []string{"Groups!A2", "Groups!A3", "Groups!A4", "Groups!A5", "Groups!A6"}},
		{name: "dupheader.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, groupsSheet([]any{"Group", "Description", "description"}, []any{"X", "a", "b"}))
		}, cells: []string{"Groups!C1"}},
		{name: "noheader.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, func(f *excelize.File) {
				f.SetSheetName("Sheet1", "Groups")
				f.SetCellStr("Groups", "A3", "Orphan")
			})
		}, want: []string{"error"}},
		{name: "formulakey.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, func(f *excelize.File) {
				groupsSheet([]any{"Group", "Description"})(f)
				f.SetCellFormula("Groups", "A2", `"Houston"&"_View"`)
				f.SetCellStr("Groups", "B2", "computed name")
			})
		}, cells: []string{"Groups!A2"}},
		{name: "merged.xlsx", make: func(t *testing.T, p string) {
			excelizeBook(t, p, func(f *excelize.File) {
				groupsSheet([]any{"Group", "Description"}, []any{"Houston_View", "x"}, []any{"Houston_Mod", "y"})(f)
				f.MergeCell("Groups", "B2", "B3")
			})
		}, cells: []string{"Groups!B2"}},
		{name: "folder.xlsx", make: func(t *testing.T, p string) { os.Mkdir(p, 0o755) }, want: []string{"folder"}},
		{name: "missing.xlsx", make: func(t *testing.T, p string) {}, want: []string{"no such file"}},
	}
	timeTool, _ := exec.LookPath("/usr/bin/time")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			c.make(t, path)
			start := time.Now()
			args := []string{"plan", path, "--env", envPath}
			r := fails(t, dir, nil, args, append([]string{c.name}, c.want...)...)
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
			if c.cells == nil && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("the message is more than one paragraph:\n%s", r.stderr)
			}
			for _, cell := range c.cells {
				if !strings.Contains(r.stdout, cell+": error") {
					t.Errorf("no error at %s:\n%s", cell, r.stdout)
				}
			}
			if c.name == "bomb.xlsx" && timeTool != "" {
				cmd := exec.Command(timeTool, "-v", binary, "plan", path, "--env", envPath)
				out, _ := cmd.CombinedOutput()
				m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindSubmatch(out)
				if m != nil {
					kb, _ := strconv.Atoi(string(m[1]))
					t.Logf("zip bomb refused in %v, peak %d MiB", time.Since(start), kb/1024)
					if kb > 1<<20 {
						t.Errorf("peak memory %d MiB", kb/1024)
					}
				}
			}
			// snapshot refuses the same files without writing anything.
			if c.cells == nil {
				fails(t, dir, nil, []string{"snapshot", path, "--out", filepath.Join(dir, "snap.json")}, c.name)
			}
		})
	}
	after, _ := os.ReadFile(envPath)
	if sha256.Sum256(after) != before {
		t.Error("the environment file changed")
	}
	for _, p := range []string{filepath.Join(dir, "env.history"), filepath.Join(dir, "snap.json")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}

func colName(c int) string {
	s := ""
	for c > 0 {
		c--
		s = string(rune('A'+c%26)) + s
		c /= 26
	}
	return s
}
