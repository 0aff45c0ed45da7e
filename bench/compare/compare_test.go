package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/export"
	"secmgr/pkg/synthetic"
	"secmgr/pkg/workbook"
)

func TestParseTimeV(t *testing.T) {
	const ok = `	Command being timed: "secmgr export"
	User time (seconds): 1.25
	System time (seconds): 0.50
	Percent of CPU this job got: 160%
	Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.10
	Maximum resident set size (kbytes): 204800
	Exit status: 0
`
	tests := []struct {
		name    string
		report  string
		want    usage
		wantErr string
	}{
		{"success", ok, usage{Wall: 1.1, User: 1.25, Sys: 0.5, MaxRSSKiB: 204800}, ""},
		{"non-zero status", "Command exited with non-zero status 2\n" + strings.Replace(ok, "Exit status: 0", "Exit status: 2", 1),
			usage{Wall: 1.1, User: 1.25, Sys: 0.5, MaxRSSKiB: 204800, ExitStatus: 2}, ""},
		{"hours", strings.Replace(ok, "0:01.10", "1:02:03", 1), usage{Wall: 3723, User: 1.25, Sys: 0.5, MaxRSSKiB: 204800}, ""},
		{"no peak", strings.Replace(ok, "Maximum resident", "Minimum resident", 1), usage{}, "Maximum resident set size"},
		{"bad clock", strings.Replace(ok, "0:01.10", "soon", 1), usage{}, "Elapsed"},
		{"empty", "", usage{}, "no "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTimeV([]byte(tc.report))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi int
		bad    bool
	}{
		{"4-8", 4, 8, false}, {"6", 6, 6, false}, {"0-3", 0, 3, false}, {" 5 - 10 ", 5, 10, false},
		{"8-4", 0, 0, true}, {"x", 0, 0, true}, {"-1-2", 0, 0, true}, {"0", 0, 0, true}, {"4-", 0, 0, true},
	}
	for _, tc := range tests {
		lo, hi, err := parseRange(tc.in)
		if (err != nil) != tc.bad || lo != tc.lo || hi != tc.hi {
			t.Errorf("parseRange(%q) = %d, %d, %v", tc.in, lo, hi, err)
		}
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 296512: "296,512", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := textfmt.Count(in); got != want {
			t.Errorf("textfmt.Count(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestTargets(t *testing.T) {
	steps := []*stepResult{
		{ID: "export", Runs: 1, Wall: 2, PeakMiB: 150},
		{ID: "plan", Runs: 1, Wall: 3, PeakMiB: 700},
		{ID: "plan-annotate", Runs: 1, Wall: 3.6},
		{ID: "openpyxl-write", Runs: 1, Wall: 12},
		{ID: "openpyxl-read", Runs: 1, Err: "failed"},
		{ID: "floor-write", Runs: 1, Wall: 0.5},
		{ID: "export-small", Runs: 1, Wall: 0.25},
		{ID: "plan-small", Runs: 1, Wall: 0.1},
	}
	got := targets(steps, dataset{rows: 300_000}, dataset{rows: 30_000})
	want := []string{
		"export vs openpyxl write-only (wall)|6.0× faster|≥ 5×|true",
		"export vs floor write (wall)|4.0× the floor|≤ 3×|false",
		"plan vs openpyxl read-only (wall)|n/a|≥ 3×|-",
		"plan --annotate vs plan (wall)|1.2× plan|≤ 1.5×|true",
		"export peak memory|150 MiB|< 400 MiB|true",
		"plan peak memory|700 MiB|< 600 MiB|false",
		"export time per row, 300,000 vs 30,000 rows|0.80×|≤ 1.5×|true",
		"plan time per row, 300,000 vs 30,000 rows|3.00×|≤ 1.5×|false",
	}
	var lines []string
	for _, tg := range got {
		met := "-"
		if tg.Met != nil {
			met = fmt.Sprint(*tg.Met)
		}
		lines = append(lines, strings.Join([]string{tg.Name, tg.Measured, tg.Goal, met}, "|"))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if e, p := memoryGoals(1_000_000); e != 1024 || p != 1024 {
		t.Errorf("memory goals at 1M rows: %g, %g", e, p)
	}
}

// stepFor is a step expecting the rows of env.
func stepFor(env *artifacts.Environment) *stepResult {
	d := dataset{rows: env.Rows()}
	for _, t := range artifacts.AllTabs() {
		d.perTab = append(d.perTab, t.Len(env))
	}
	return newStep("test", "test", d)
}

func TestCheckRows(t *testing.T) {
	env := synthetic.Generate(synthetic.Options{Users: 20})
	all := map[string]int{"Lists": 99} // not a tab: not checked
	for _, tab := range artifacts.AllTabs() {
		all[tab.Name] = tab.Len(env)
	}
	if err := stepFor(env).checkRows(&helperReport{PerSheet: all}); err != nil {
		t.Errorf("every row: %v", err)
	}
	short := maps.Clone(all)
	short["Users"] = 0
	delete(short, "Cube")
	err := stepFor(env).checkRows(&helperReport{PerSheet: short})
	if err == nil || !strings.Contains(err.Error(), "0 rows on Users, want 20") || !strings.Contains(err.Error(), "no Cube sheet") {
		t.Errorf("rows missing: %v", err)
	}
}

// smallEnv saves a small synthetic environment with awkward text in it.
func smallEnv(t *testing.T) (string, *artifacts.Environment) {
	t.Helper()
	env := synthetic.Generate(synthetic.Options{Users: 60, MembershipsMin: 1, MembershipsMax: 3})
	env.Users[1].Description = `R&D <lab> "quoted" =1+1`
	env.Users[2].Text2 = "Ünïcödé ✓"
	path := filepath.Join(t.TempDir(), "env.json")
	if err := artifacts.Save(path, env); err != nil {
		t.Fatal(err)
	}
	env, err := artifacts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, env
}

// sameAsExport checks that the workbook at path holds, on every tab, the
// values an export of env writes, read back with secmgr's reader.
func sameAsExport(t *testing.T, path string, env *artifacts.Environment) {
	t.Helper()
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if len(wb.Sheets) != int(artifacts.NumTabs) {
		t.Fatalf("%d tabs read, want %d (findings: %v)", len(wb.Sheets), artifacts.NumTabs, wb.Findings)
	}
	for _, s := range wb.Sheets {
		var want [][]string
		export.Rows(env, s.Tab, export.Selection{}, func(v []string) error {
			want = append(want, slices.Clone(v))
			return nil
		})
		var got [][]string
		if err := wb.Read(s, func(r *workbook.Row) error {
			got = append(got, slices.Clone(r.Values))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, want %d", s.Tab.Name, len(got), len(want))
			continue
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s row %d:\n got %q\nwant %q", s.Tab.Name, i+2, got[i], want[i])
				break
			}
		}
	}
	for _, f := range wb.Findings {
		t.Errorf("finding: %v", f)
	}
}

func TestFloorWritesTheExportsValues(t *testing.T) {
	envPath, env := smallEnv(t)
	out := filepath.Join(t.TempDir(), "floor.xlsx")
	var stdout bytes.Buffer
	if err := floorCommand("floor-write", []string{envPath, out}, &stdout); err != nil {
		t.Fatal(err)
	}
	var rep helperReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report %s: %v", stdout.Bytes(), err)
	}
	if err := stepFor(env).checkRows(&rep); err != nil {
		t.Errorf("floor-write: %v", err)
	}
	sameAsExport(t, out, env)

	// floor-read of the same file finds every row.
	rep, err := floorRead(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := stepFor(env).checkRows(&rep); err != nil {
		t.Errorf("floor-read: %v", err)
	}
}

func TestFloorReadOfAnExport(t *testing.T) {
	_, env := smallEnv(t)
	res, err := export.WriteWorkbook(env, export.Selection{}, t.TempDir(), env0time, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := floorRead(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stepFor(env).checkRows(&rep); err != nil {
		t.Errorf("floor-read: %v", err)
	}
	if _, err := floorRead(filepath.Join(t.TempDir(), "missing.xlsx")); err == nil {
		t.Error("floor-read of a missing file: no error")
	}
}

func TestFloorCommandUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"a"}, {"a", "b", "c"}} {
		if err := floorCommand("floor-write", args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("floor-write %q: %v, want usage", args, err)
		}
	}
}

// TestOpenpyxlSteps runs the embedded script: write must produce the
// export's values, read must find every row of an export.
func TestOpenpyxlSteps(t *testing.T) {
	py, _, _, err := findPython("")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "openpyxl_steps.py")
	columns := filepath.Join(dir, "columns.json")
	if err := os.WriteFile(script, openpyxlSteps, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeColumnsSpec(columns); err != nil {
		t.Fatal(err)
	}
	envPath, env := smallEnv(t)
	out := filepath.Join(dir, "openpyxl.xlsx")
	b, err := exec.Command(py, script, "write", envPath, columns, out).CombinedOutput()
	if err != nil {
		t.Fatalf("write: %v\n%s", err, b)
	}
	checkHelper(t, "write", b, env)
	sameAsExport(t, out, env)

	res, err := export.WriteWorkbook(env, export.Selection{}, dir, env0time, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err = exec.Command(py, script, "read", res.Path).CombinedOutput()
	if err != nil {
		t.Fatalf("read: %v\n%s", err, b)
	}
	checkHelper(t, "read", b, env)
}

// checkHelper checks a helper's report: every row of env handled.
func checkHelper(t *testing.T, step string, out []byte, env *artifacts.Environment) {
	t.Helper()
	var rep helperReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%s reported %s: %v", step, out, err)
	}
	if err := stepFor(env).checkRows(&rep); err != nil {
		t.Errorf("%s: %v", step, err)
	}
}

// env0time is a fixed export time, so export file names are stable.
var env0time = time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC)

func TestMeasure(t *testing.T) {
	if err := checkTime(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	r, err := measure(ctx, dir, "ok", []string{"sh", "-c", "echo out; echo err >&2"}, time.Minute, 0)
	if err != nil || r.Stdout != "out\n" || r.MaxRSSKiB <= 0 {
		t.Errorf("ok: %+v, %v", r, err)
	}
	if _, err := measure(ctx, dir, "exit2", []string{"sh", "-c", "echo broken >&2; exit 2"}, time.Minute, 0); err == nil ||
		!strings.Contains(err.Error(), "exit status 2, want 0") || !strings.Contains(err.Error(), "broken") {
		t.Errorf("exit 2: %v, want the status and the end of standard error", err)
	}
	if _, err := measure(ctx, dir, "exit2ok", []string{"sh", "-c", "exit 2"}, time.Minute, 2); err != nil {
		t.Errorf("exit 2 expected: %v", err)
	}
	start := time.Now()
	if _, err := measure(ctx, dir, "slow", []string{"sleep", "30"}, 200*time.Millisecond, 0); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("slow: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the timeout took %s to end the step", d)
	}
	if _, err := measureHelper(ctx, dir, "notjson", []string{"echo", "hello"}, time.Minute); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("helper without a report: %v", err)
	}
}
