package main

import (
	"fmt"
	"io"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
)

// report is everything compare prints, and writes with -json.
type report struct {
	Machine   machine       `json:"machine"`
	LoadStart float64       `json:"loadavg_start"`
	LoadEnd   float64       `json:"loadavg_end"`
	Main      dataset       `json:"-"`
	Small     dataset       `json:"-"`
	Rows      int           `json:"rows"`
	Steps     []*stepResult `json:"steps"`
	Targets   []target      `json:"targets"`
	Args      []string      `json:"args"`
}

// target is one performance target (README, "Performance") and whether
// it was met.
type target struct {
	Name     string `json:"name"`
	Measured string `json:"measured"`
	Goal     string `json:"goal"`
	Met      *bool  `json:"met,omitempty"` // nil when a step it needs failed
}

// memoryGoals are the peak-memory targets in MiB for export and plan: the
// ~300k-row targets up to 500k rows, the 1M-row target above.
func memoryGoals(rows int) (export, plan float64) {
	if rows <= 500_000 {
		return 400, 600
	}
	return 1024, 1024
}

// targets evaluates the targets against the measured steps.
func targets(steps []*stepResult, big, small dataset) []target {
	by := map[string]*stepResult{}
	for _, s := range steps {
		if s.ok() {
			by[s.ID] = s
		}
	}
	var out []target
	ratio := func(name, num, den, unit string, goal float64, atLeast bool) {
		t := target{Name: name, Measured: "n/a"}
		if atLeast {
			t.Goal = fmt.Sprintf("≥ %g×", goal)
		} else {
			t.Goal = fmt.Sprintf("≤ %g×", goal)
		}
		a, b := by[num], by[den]
		if a != nil && b != nil && b.Wall > 0 {
			r := a.Wall / b.Wall
			t.Measured = fmt.Sprintf("%.1f× %s", r, unit)
			met := r >= goal
			if !atLeast {
				met = r <= goal
			}
			t.Met = &met
		}
		out = append(out, t)
	}
	ratio("export vs openpyxl write-only (wall)", "openpyxl-write", "export", "faster", 5, true)
	ratio("export vs floor write (wall)", "export", "floor-write", "the floor", 3, false)
	ratio("plan vs openpyxl read-only (wall)", "openpyxl-read", "plan", "faster", 3, true)
	ratio("plan --annotate vs plan (wall)", "plan-annotate", "plan", "plan", 1.5, false)
	exportGoal, planGoal := memoryGoals(big.rows)
	for _, m := range []struct {
		id   string
		goal float64
	}{{"export", exportGoal}, {"plan", planGoal}} {
		t := target{Name: m.id + " peak memory", Measured: "n/a", Goal: fmt.Sprintf("< %g MiB", m.goal)}
		if s := by[m.id]; s != nil {
			t.Measured = fmt.Sprintf("%.0f MiB", s.PeakMiB)
			met := s.PeakMiB < m.goal
			t.Met = &met
		}
		out = append(out, t)
	}
	if small.rows > 0 {
		for _, id := range []string{"export", "plan"} {
			t := target{Name: fmt.Sprintf("%s time per row, %s vs %s rows", id, textfmt.Count(big.rows), textfmt.Count(small.rows)),
				Measured: "n/a", Goal: "≤ 1.5×"}
			a, b := by[id], by[id+"-small"]
			if a != nil && b != nil && b.Wall > 0 {
				r := (a.Wall / float64(big.rows)) / (b.Wall / float64(small.rows))
				t.Measured = fmt.Sprintf("%.2f×", r)
				met := r <= 1.5
				t.Met = &met
			}
			out = append(out, t)
		}
	}
	return out
}

func (r *report) print(w io.Writer) {
	r.Rows = r.Main.rows
	fmt.Fprintf(w, "### secmgr vs openpyxl vs the floor: %s rows\n\n", textfmt.Count(r.Main.rows))
	fmt.Fprintf(w, "Synthetic environment of %s users (%s rows on %d tabs", textfmt.Count(r.Main.users), textfmt.Count(r.Main.rows), len(r.Main.perTab))
	if r.Small.rows > 0 {
		fmt.Fprintf(w, "; for the time-per-row target also %s users, %s rows", textfmt.Count(r.Small.users), textfmt.Count(r.Small.rows))
	}
	fmt.Fprintln(w, "):")
	fmt.Fprintln(w)
	var parts []string
	for i, t := range artifacts.AllTabs() {
		if i < len(r.Main.perTab) {
			parts = append(parts, fmt.Sprintf("%s %s", t.Name, textfmt.Count(r.Main.perTab[i])))
		}
	}
	fmt.Fprintf(w, "%s.\n\n", strings.Join(parts, " · "))

	fmt.Fprintln(w, "| step | wall s | CPU s | peak MiB | rows/s | file MiB | input + work s | load avg |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var failures []string
	for _, s := range r.Steps {
		if !s.ok() {
			failures = append(failures, fmt.Sprintf("%s: %s", s.Label, s.Err))
			fmt.Fprintf(w, "| %s | failed (%d) | | | | | | |\n", s.Label, len(failures))
			continue
		}
		file, split := "", ""
		if s.OutBytes > 0 {
			file = fmt.Sprintf("%.1f", float64(s.OutBytes)/(1<<20))
		}
		if s.Split != nil {
			split = fmt.Sprintf("%.2f + %.2f", s.Split.LoadS, s.Split.WorkS)
		}
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.0f | %s | %s | %s | %.2f |\n",
			s.Label, s.Wall, s.CPU, s.PeakMiB, textfmt.Count(int(s.RowsPerSecond()+0.5)), file, split, s.Load1)
	}
	fmt.Fprintln(w)
	for i, f := range failures {
		fmt.Fprintf(w, "(%d) %s\n\n", i+1, f)
	}

	fmt.Fprintln(w, "| target | measured | goal | met |")
	fmt.Fprintln(w, "| --- | ---: | ---: | :---: |")
	for _, t := range r.Targets {
		met := "–"
		if t.Met != nil {
			met = "✗"
			if *t.Met {
				met = "✓"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", t.Name, t.Measured, t.Goal, met)
	}
	fmt.Fprintln(w)

	m := r.Machine
	fmt.Fprintf(w, "Machine: %s, %d CPUs (nproc), %.1f GiB memory, %s; %s; %s, openpyxl %s.\n",
		m.CPU, m.NumCPU, m.MemGiB, m.Kernel, m.Go, m.Python, m.Openpyxl)
	fmt.Fprintf(w, "Load average (1 min, /proc/loadavg): %.2f at the start, %.2f at the end. Each step is the fastest of %d run(s), peak the highest.\n\n",
		r.LoadStart, r.LoadEnd, max(1, r.runs()))
	fmt.Fprintf(w, "Reproduce: `%s`\n", reproduce(r.Args))
}

func (r *report) runs() int {
	n := 0
	for _, s := range r.Steps {
		n = max(n, s.Runs)
	}
	return n
}

// reproduce is the command line that repeats this comparison.
func reproduce(args []string) string {
	parts := []string{"bench/compare.sh"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$\\*?") || a == "" {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
