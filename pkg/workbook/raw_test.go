package workbook

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestReadSheetRaw(t *testing.T) {
	path := book(t,
		sheetFx{name: "About", rows: [][]any{{"how to fill it in"}}},
		sheetFx{name: "AccessReview", rows: [][]any{
			{"User", "Group", "Decision"},
			nil, // an empty row is skipped
			{" Jim ", 3.0, excelize.Cell{Formula: `"Re"&"move"`, Value: "Remove"}},
			{nil, true, "Keep"},
		}},
	)
	rw, err := OpenRaw(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if diff := cmp.Diff([]string{"About", "AccessReview"}, rw.SheetNames()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	if name, ok := rw.Sheet("accessreview"); !ok || name != "AccessReview" {
		t.Errorf("Sheet(accessreview) = %q, %v", name, ok)
	}
	type row struct {
		Num   int
		Cells []RawCell
	}
	var got []row
	var progress []ReadProgress
	rw.opt.Progress = func(p ReadProgress) { progress = append(progress, p) }
	err = rw.ReadSheet("ACCESSREVIEW", func(n int, cells []RawCell) error {
		got = append(got, row{n, append([]RawCell(nil), cells...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, []RawCell{{Col: 1, Value: "User"}, {Col: 2, Value: "Group"}, {Col: 3, Value: "Decision"}}},
		{3, []RawCell{{Col: 1, Value: " Jim "}, {Col: 2, Value: "3"}, {Col: 3, Value: "Remove", Formula: true}}},
		{4, []RawCell{{Col: 2, Value: "TRUE"}, {Col: 3, Value: "Keep"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(progress) < 2 || progress[len(progress)-1].Rows != 3 || progress[len(progress)-1].Done != progress[len(progress)-1].Total {
		t.Errorf("progress: %+v", progress)
	}

	// ErrStopReading stops without an error; another error is returned as is.
	n := 0
	if err := rw.ReadSheet("AccessReview", func(int, []RawCell) error { n++; return ErrStopReading }); err != nil || n != 1 {
		t.Errorf("stop: %v after %d rows", err, n)
	}
	mine := errors.New("mine")
	if err := rw.ReadSheet("AccessReview", func(int, []RawCell) error { return mine }); err != mine {
		t.Errorf("callback error: %v", err)
	}
	if err := rw.ReadSheet("Users", func(int, []RawCell) error { return nil }); err == nil || !strings.Contains(err.Error(), path+": the workbook has no sheet named 'Users'") {
		t.Errorf("missing sheet: %v", err)
	}
	if CellName(7, 12) != "G12" || CellName(28, 1) != "AB1" {
		t.Errorf("CellName: %s %s", CellName(7, 12), CellName(28, 1))
	}
}

// TestOpenRawLimits: the limits and the errors of Open apply.
func TestOpenRawLimits(t *testing.T) {
	path := book(t, sheetFx{name: "AccessReview", rows: [][]any{{"User"}, {"a"}, {"b"}, {"c"}}})
	rw, err := OpenRaw(path, Options{MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	err = rw.ReadSheet("AccessReview", func(int, []RawCell) error { return nil })
	var we *Error
	if !errors.As(err, &we) || !we.Limit || !strings.Contains(err.Error(), path) {
		t.Errorf("rows past MaxRows: %v", err)
	}

	text := filepath.Join(t.TempDir(), "notes.xlsx")
	os.WriteFile(text, []byte("User,Group,Decision\n"), 0o600)
	for _, p := range []string{text, filepath.Join(t.TempDir(), "missing.xlsx")} {
		if _, err := OpenRaw(p, Options{}); !errors.As(err, &we) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("OpenRaw(%s): %v", filepath.Base(p), err)
		}
	}
}
