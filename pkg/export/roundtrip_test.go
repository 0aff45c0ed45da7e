package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

func sample(t testing.TB) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// dump renders every sheet of a workbook for a golden file: the sheet
// name, its headers and its rows, one JSON array per line.
func dump(t testing.TB, path string) []byte {
	t.Helper()
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var b bytes.Buffer
	line := func(v []string) {
		data, _ := json.Marshal(v)
		b.Write(data)
		b.WriteByte('\n')
	}
	for _, s := range wb.Sheets {
		fmt.Fprintf(&b, "# %s\n", s.Name)
		line(s.Headers)
		if err := wb.Read(s, func(r *workbook.Row) error { line(r.Values); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range wb.Findings {
		fmt.Fprintf(&b, "finding: %s\n", f)
	}
	return b.Bytes()
}

// TestSampleExportGolden fixes the content of the GolfStream export:
// every tab, header and value. Regenerate with go test -update after a
// deliberate change to the sample or the export.
func TestSampleExportGolden(t *testing.T) {
	res, err := WriteWorkbook(sample(t), Selection{}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, res.Path)
	testtools.Golden(t, filepath.Join("testdata", "golfstream-export.golden"), got)
	if bytes.Contains(got, []byte("finding:")) {
		t.Error("reading the export back gave findings")
	}
}

// roundTrip exports env with passwords, snapshots the workbook and checks
// that the environment file is byte for byte the same.
func roundTrip(t *testing.T, env *artifacts.Environment) {
	t.Helper()
	want, err := artifacts.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := WriteWorkbook(env, Selection{IncludePasswords: true}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	back, findings, err := actions.Snapshot(res.Path, actions.SnapshotOptions{Name: env.Name})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	if back == nil {
		t.FailNow()
	}
	got, err := artifacts.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("environment -> export -> snapshot changed the environment file (-want +got):\n%s", diff)
	}
}

func TestRoundTripSample(t *testing.T) {
	roundTrip(t, sample(t))
}

func TestRoundTripRandom(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 3
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			roundTrip(t, randomEnv(seed, 25))
		})
	}
}

// TestExportWithoutPasswords checks that no password value reaches the
// workbook unless asked for.
func TestExportWithoutPasswords(t *testing.T) {
	env := randomEnv(7, 25)
	var secrets []string
	for _, u := range env.Users {
		if u.Password != "" {
			secrets = append(secrets, u.Password)
		}
	}
	if len(secrets) == 0 {
		t.Fatal("the generator made no passwords")
	}
	res, err := WriteWorkbook(env, Selection{}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := dump(t, res.Path)
	for _, s := range secrets {
		if bytes.Contains(got, []byte(s)) {
			t.Errorf("password %q is in the export", s)
		}
	}
}
