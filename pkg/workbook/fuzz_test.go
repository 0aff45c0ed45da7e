package workbook

import (
	"os"
	"path/filepath"
	"testing"

	"secmgr/pkg/artifacts"
)

// FuzzRead feeds arbitrary bytes to Open, Read and Snapshot: they may
// refuse the file or report findings, never panic.
//
//	go test ./pkg/workbook -run '^$' -fuzz FuzzRead -fuzztime 1m
func FuzzRead(f *testing.F) {
	f.Add(rawBookBytes("Users",
		`<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="B1" t="inlineStr"><is><t>IsEnabled</t></is></c><c r="C1" t="inlineStr"><is><t>ActionType</t></is></c></row>`+
			`<row r="2"><c r="A2" t="str"><f>A1</f><v> Jim </v></c><c r="B2" t="b"><v>1</v></c></row>`+
			`<row r="4"><c r="C4" t="inlineStr"><is><t>Remove</t></is></c></row>`,
		`<mergeCells count="1"><mergeCell ref="A2:B3"/></mergeCells>`))
	f.Add(rawBookBytes("UsersInGroups",
		`<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="B1" t="inlineStr"><is><t>ParentGroup</t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><t>Jim</t></is></c><c r="B2"><v>3.0</v></c></row>`, ""))
	f.Add(rawBookBytes("Notes", `<row r="2"><c r="A2"><v>1</v></c></row>`, ""))
	f.Add([]byte("User,Group\n"))
	f.Add([]byte{})

	// A workbook as secmgr writes it.
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.xlsx")
	w, err := Create(path, WriteOptions{})
	if err != nil {
		f.Fatal(err)
	}
	for _, id := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabUsersInExGroups} {
		tab := id.Tab()
		if err := w.StartTab(tab); err != nil {
			f.Fatal(err)
		}
		vals := make([]string, len(tab.Columns))
		vals[0], vals[1] = "=1+1", "x"
		if err := w.WriteRow(vals); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)

	opt := Options{MaxUncompressedBytes: 8 << 20, MaxRows: 10_000, MaxColumns: 200, MaxCellChars: 2_000}
	// One file per fuzzing process, rewritten for every input: a fresh
	// temporary folder per input costs more than the reading.
	fuzzPath := filepath.Join(dir, "fuzz.xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		path := fuzzPath
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		wb, err := Open(path, opt)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		for _, s := range wb.Sheets {
			_ = wb.Read(s, func(r *Row) error {
				if len(r.Values) != len(s.Tab.Columns) || r.Number < 2 {
					t.Errorf("row %d of %s has %d values", r.Number, s.Name, len(r.Values))
				}
				return nil
			})
		}
		wb.Close()
	})
}
