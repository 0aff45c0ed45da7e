package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// stepResult is what one step measured over its runs.
type stepResult struct {
	ID       string        `json:"id"`
	Label    string        `json:"label"`
	Rows     int           `json:"rows"`
	Runs     int           `json:"runs"`
	Wall     float64       `json:"wall_s"` // of the fastest run
	CPU      float64       `json:"cpu_s"`  // of the fastest run
	PeakMiB  float64       `json:"peak_mib"`
	OutBytes int64         `json:"output_bytes,omitempty"`
	Load1    float64       `json:"loadavg_1m"`      // when the fastest run started
	Split    *helperReport `json:"split,omitempty"` // a helper step's own account
	Err      string        `json:"error,omitempty"`

	perTab []int // the rows of each tab, which a helper step must account for
}

func newStep(id, label string, d dataset) *stepResult {
	return &stepResult{ID: id, Label: label, Rows: d.rows, perTab: d.perTab}
}

func (s *stepResult) ok() bool { return s.Runs > 0 && s.Err == "" }

// RowsPerSecond is rows over the fastest wall time.
func (s *stepResult) RowsPerSecond() float64 {
	if !s.ok() || s.Wall <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Wall
}

// bench is one comparison run.
type bench struct {
	cfg    config
	work   string // the work folder, removed at the end unless -keep
	secmgr string
	self   string // this program, for the floor steps
	python string
	log    io.Writer
	steps  []*stepResult
}

// compare runs every step and prints the report on stdout; progress goes
// to log.
func compare(ctx context.Context, cfg config, stdout, log io.Writer) (err error) {
	b := &bench{cfg: cfg, log: log}
	if err := checkTime(); err != nil {
		return err
	}
	var pyVersion, openpyxlVersion string
	if b.python, pyVersion, openpyxlVersion, err = findPython(cfg.python); err != nil {
		return err
	}
	if b.self, err = os.Executable(); err != nil {
		return fmt.Errorf("cannot find this program to run its floor steps: %v", err)
	}
	if b.work, err = os.MkdirTemp("", "secmgr-bench-"); err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(log, "compare: work folder %s (kept)\n", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}
	if cfg.secmgr == "" {
		b.secmgr = filepath.Join(b.work, "secmgr")
		fmt.Fprintln(log, "compare: building ./cmd/secmgr")
		if err := buildSecmgr(ctx, b.secmgr); err != nil {
			return err
		}
	} else {
		if b.secmgr, err = filepath.Abs(cfg.secmgr); err != nil {
			return err
		}
		if st, err := os.Stat(b.secmgr); err != nil || st.IsDir() {
			return fmt.Errorf("-secmgr %s: no such program", cfg.secmgr)
		}
	}
	script := filepath.Join(b.work, "openpyxl_steps.py")
	columns := filepath.Join(b.work, "columns.json")
	if err := os.WriteFile(script, openpyxlSteps, 0o600); err != nil {
		return err
	}
	if err := writeColumnsSpec(columns); err != nil {
		return err
	}

	m := describeMachine()
	m.Python, m.Openpyxl = pyVersion, openpyxlVersion
	loadStart := loadAverage()

	big, err := b.generate(cfg.synth, "env.json")
	if err != nil {
		return err
	}
	var small dataset
	if cfg.scaleUsers > 0 {
		o := cfg.synth
		o.Users = cfg.scaleUsers
		o.Groups, o.Entities = 0, 0 // derived from Users, as for the main set
		if small, err = b.generate(o, "env-small.json"); err != nil {
			return err
		}
	}

	export := b.runExport(ctx, "export", "secmgr export", big)
	exportPath := export.path
	b.run(ctx, newStep("plan", "secmgr plan (read + validate + plan)", big), exportPath == "", false,
		func(int) []string { return []string{b.secmgr, "--env", big.path, "plan", exportPath, "--quiet"} }, nil)
	b.run(ctx, newStep("plan-annotate", "secmgr plan --annotate (no findings)", big), exportPath == "", false,
		func(int) []string {
			return []string{b.secmgr, "--env", big.path, "plan", exportPath, "--quiet", "--annotate", filepath.Join(b.work, "checked.xlsx")}
		}, nil)
	pyOut := filepath.Join(b.work, "openpyxl.xlsx")
	pyWrite := newStep("openpyxl-write", "openpyxl write-only", big)
	b.run(ctx, pyWrite, false, true,
		func(int) []string { return []string{b.python, script, "write", big.path, columns, pyOut} }, outputSize(pyWrite, pyOut))
	b.run(ctx, newStep("openpyxl-read", "openpyxl read-only (of the export)", big), exportPath == "", true,
		func(int) []string { return []string{b.python, script, "read", exportPath} }, nil)
	floorOut := filepath.Join(b.work, "floor.xlsx")
	floorStep := newStep("floor-write", "floor write (sheet XML → zip)", big)
	b.run(ctx, floorStep, false, true,
		func(int) []string { return []string{b.self, "floor-write", big.path, floorOut} }, outputSize(floorStep, floorOut))
	b.run(ctx, newStep("floor-read", "floor read (inflate + tokenise the export)", big), exportPath == "", true,
		func(int) []string { return []string{b.self, "floor-read", exportPath} }, nil)
	if cfg.scaleUsers > 0 {
		se := b.runExport(ctx, "export-small", fmt.Sprintf("secmgr export, %s rows", textfmt.Count(small.rows)), small)
		b.run(ctx, newStep("plan-small", fmt.Sprintf("secmgr plan, %s rows", textfmt.Count(small.rows)), small), se.path == "", false,
			func(int) []string { return []string{b.secmgr, "--env", small.path, "plan", se.path, "--quiet"} }, nil)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	rep := report{Machine: m, LoadStart: loadStart, LoadEnd: loadAverage(), Main: big, Small: small,
		Steps: b.steps, Args: cfg.args}
	rep.Targets = targets(b.steps, big, small)
	rep.print(stdout)
	if cfg.jsonOut != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(cfg.jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	var failed []string
	for _, s := range b.steps {
		if s.Err != "" {
			failed = append(failed, s.Label)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d step(s) failed: %s", len(failed), strings.Join(failed, "; "))
	}
	return nil
}

// generate writes a synthetic environment into the work folder and prints
// its size.
func (b *bench) generate(o synthetic.Options, name string) (dataset, error) {
	fmt.Fprintf(b.log, "compare: generating %d users …", o.Users)
	d, err := generate(o, filepath.Join(b.work, name))
	if err != nil {
		fmt.Fprintln(b.log, " failed")
		return d, err
	}
	fmt.Fprintf(b.log, " %s rows in %.1f s\n", textfmt.Count(d.rows), d.genTime.Seconds())
	return d, nil
}

// exportResult is a measured export and the workbook it wrote.
type exportResult struct {
	*stepResult
	path string
}

// runExport measures secmgr export of d; each run writes into its own
// folder, and the first run's workbook is kept for the steps that read it.
func (b *bench) runExport(ctx context.Context, id, label string, d dataset) exportResult {
	res := exportResult{stepResult: newStep(id, label, d)}
	argv := func(run int) []string {
		dir := filepath.Join(b.work, fmt.Sprintf("%s-%d", id, run))
		os.MkdirAll(dir, 0o700)
		return []string{b.secmgr, "--env", d.path, "export", "--out-dir", dir, "--quiet"}
	}
	check := func(r run, n int) error {
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		path := strings.TrimSpace(lines[len(lines)-1])
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("it printed %q, which is not the workbook it wrote: %v", path, err)
		}
		res.OutBytes = st.Size()
		if n == 1 {
			res.path = path
		} else {
			os.RemoveAll(filepath.Dir(path))
		}
		return nil
	}
	b.run(ctx, res.stepResult, false, false, argv, check)
	if !res.ok() {
		res.path = ""
	}
	return res
}

// checkRows makes sure a helper step handled every row of every tab. A
// sheet that is not a tab (an export's drop-down lists) is not checked.
func (s *stepResult) checkRows(rep *helperReport) error {
	var wrong []string
	for i, t := range artifacts.AllTabs() {
		if i >= len(s.perTab) {
			break
		}
		got, ok := rep.PerSheet[t.Name]
		switch {
		case !ok:
			wrong = append(wrong, fmt.Sprintf("no %s sheet", t.Name))
		case got != s.perTab[i]:
			wrong = append(wrong, fmt.Sprintf("%s rows on %s, want %s", textfmt.Count(got), t.Name, textfmt.Count(s.perTab[i])))
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	if len(wrong) > 3 {
		wrong = append(wrong[:3], fmt.Sprintf("and %d more", len(wrong)-3))
	}
	return fmt.Errorf("it did not handle every row: %s", strings.Join(wrong, "; "))
}

// outputSize returns a check that records in s the size of the file at
// path that the step wrote.
func outputSize(s *stepResult, path string) func(run, int) error {
	return func(run, int) error {
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("it wrote no %s: %v", path, err)
		}
		s.OutBytes = st.Size()
		return nil
	}
}

// run measures one step cfg.repeat times, or records why it was skipped.
// A helper step's report must account for every row.
func (b *bench) run(ctx context.Context, s *stepResult, skip, helper bool, argv func(run int) []string, check func(run, int) error) {
	b.steps = append(b.steps, s)
	if skip {
		s.Err = "skipped: the export failed"
		fmt.Fprintf(b.log, "compare: %s: %s\n", s.Label, s.Err)
		return
	}
	for n := 1; n <= b.cfg.repeat; n++ {
		if ctx.Err() != nil {
			s.Err = ctx.Err().Error()
			return
		}
		fmt.Fprintf(b.log, "compare: %s (run %d of %d) …", s.Label, n, b.cfg.repeat)
		var (
			r   run
			err error
		)
		if helper {
			r, err = measureHelper(ctx, b.work, fmt.Sprintf("%s-%d", s.ID, n), argv(n), b.cfg.timeout)
			if err == nil {
				err = s.checkRows(r.Report)
			}
		} else {
			r, err = measure(ctx, b.work, fmt.Sprintf("%s-%d", s.ID, n), argv(n), b.cfg.timeout, 0)
		}
		if err == nil && check != nil {
			err = check(r, n)
		}
		if err != nil {
			fmt.Fprintln(b.log, " failed")
			s.Err = err.Error()
			return
		}
		fmt.Fprintf(b.log, " %.2f s, %.0f MiB\n", r.Wall, r.PeakMiB())
		if s.Runs == 0 || r.Wall < s.Wall {
			s.Wall, s.CPU, s.Load1, s.Split = r.Wall, r.CPU(), r.Load1, r.Report
		}
		s.PeakMiB = max(s.PeakMiB, r.PeakMiB())
		s.Runs++
	}
}
