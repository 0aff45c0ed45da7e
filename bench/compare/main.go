// Command compare measures secmgr against openpyxl and against the floor
// of what any .xlsx writer and reader must do, on the same synthetic rows.
// It generates an environment with pkg/synthetic, then times
// each step as a separate process under /usr/bin/time -v — wall time and
// peak resident memory — and prints a markdown table with the ratios the
// performance targets name:
//
//	go build -o /tmp/secmgr ./cmd/secmgr
//	go run ./bench/compare -secmgr /tmp/secmgr -users 40000 -memberships 4-8
//
// bench/compare.sh does both; bench/README.md says what each row means.
// The floor steps are subcommands of this program:
//
//	compare floor-write ENV.json OUT.xlsx   the sheet XML, deflated into a zip
//	compare floor-read BOOK.xlsx            every sheet inflated and tokenised
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

//go:embed openpyxl_steps.py
var openpyxlSteps []byte

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "floor-write", "floor-read":
			if err := floorCommand(os.Args[1], os.Args[2:], os.Stdout); err != nil {
				fmt.Fprintf(os.Stderr, "compare %s: %v\n", os.Args[1], err)
				os.Exit(1)
			}
			return
		}
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = compare(ctx, cfg, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// floorCommand runs a floor step and prints its report as one JSON line.
func floorCommand(name string, args []string, stdout io.Writer) error {
	var rep helperReport
	switch {
	case name == "floor-write" && len(args) == 2:
		f, err := os.Create(args[1])
		if err != nil {
			return err
		}
		rep, err = floorWrite(args[0], f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(args[1])
			return err
		}
	case name == "floor-read" && len(args) == 1:
		var err error
		if rep, err = floorRead(args[0]); err != nil {
			return err
		}
	default:
		return errors.New("usage: compare floor-write ENV.json OUT.xlsx | compare floor-read BOOK.xlsx")
	}
	b, _ := json.Marshal(rep)
	_, err := fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// config holds the flags.
type config struct {
	synth      synthetic.Options
	scaleUsers int
	secmgr     string
	python     string
	timeout    time.Duration
	repeat     int
	keep       bool
	jsonOut    string
	args       []string // the flags that shape the measurement, for the reproduce line
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: compare [flags]   (see bench/README.md)")
		fs.PrintDefaults()
	}
	fs.IntVar(&c.synth.Users, "users", 40000, "synthetic users (40000 gives ~300k rows with -memberships 4-8, 120000 ~1M)")
	members := fs.String("memberships", "4-8", "direct group memberships per user, `MIN-MAX` or N")
	fs.IntVar(&c.synth.Groups, "groups", 0, "synthetic groups (default users/10)")
	fs.IntVar(&c.synth.Entities, "entities", 0, "synthetic entities (default groups/4)")
	fs.Uint64Var(&c.synth.Seed, "seed", 1, "random seed of the environment")
	fs.IntVar(&c.scaleUsers, "scale-users", 0, "also time export and plan at this many `USERS`, for the time-per-row target (e.g. 12000 beside -users 120000)")
	fs.StringVar(&c.secmgr, "secmgr", "", "the secmgr `BINARY` to measure (default: go build ./cmd/secmgr)")
	fs.StringVar(&c.python, "python", "", "a Python with openpyxl (default: python3, then /usr/bin/python3)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "time limit of each step")
	fs.IntVar(&c.repeat, "repeat", 1, "run each step `N` times; the table shows the fastest run and the highest peak")
	fs.BoolVar(&c.keep, "keep", false, "keep the work folder (environment, workbooks, logs) and print its path")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results to `FILE` as JSON")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.synth.MembershipsMin, c.synth.MembershipsMax, err = parseRange(*members); err != nil {
		return c, fmt.Errorf("-memberships %q: %v", *members, err)
	}
	switch {
	case c.synth.Users < 1:
		return c, errors.New("-users must be at least 1")
	case c.repeat < 1:
		return c, errors.New("-repeat must be at least 1")
	case c.timeout <= 0:
		return c, errors.New("-timeout must be positive")
	case c.scaleUsers < 0 || c.scaleUsers >= c.synth.Users && c.scaleUsers != 0:
		return c, errors.New("-scale-users must be below -users")
	}
	// The reproduce line: the flags given, less those naming local files.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "secmgr", "python", "json", "keep":
			return
		}
		c.args = append(c.args, "-"+f.Name, f.Value.String())
	})
	return c, nil
}

// parseRange parses "4-8" or "6".
func parseRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = strconv.Atoi(strings.TrimSpace(a)); err != nil {
		return 0, 0, errors.New("want MIN-MAX or N")
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
			return 0, 0, errors.New("want MIN-MAX or N")
		}
	}
	if lo < 0 || hi < lo {
		return 0, 0, errors.New("want 0 <= MIN <= MAX")
	}
	if lo == 0 && hi == 0 {
		return 0, 0, errors.New("0-0 would mean the default 5-10; give at least 1 as MAX")
	}
	return lo, hi, nil
}

// dataset is one generated environment and its row counts.
type dataset struct {
	users   int
	path    string
	rows    int
	perTab  []int
	genTime time.Duration
}

// generate builds and saves a synthetic environment, then lets it go: the
// steps measured later should not compete with it for memory.
func generate(o synthetic.Options, path string) (dataset, error) {
	start := time.Now()
	env := synthetic.Generate(o)
	if err := artifacts.Save(path, env); err != nil {
		return dataset{}, err
	}
	d := dataset{users: o.Users, path: path, genTime: time.Since(start)}
	for _, t := range artifacts.AllTabs() {
		n := t.Len(env)
		d.perTab = append(d.perTab, n)
		d.rows += n
	}
	env = nil
	runtime.GC()
	debug.FreeOSMemory()
	return d, nil
}

// columnsSpec is what the openpyxl writer needs to know of the tab table:
// each tab's columns in order and how an export writes each.
type columnsSpec struct {
	Name    string       `json:"name"`
	Columns []columnKind `json:"columns"`
}

type columnKind struct {
	Name  string `json:"name"`  // the header
	Field string `json:"field"` // the field's name in the environment file
	Kind  string `json:"kind"`  // text, number, bool, or empty (not exported)
}

func writeColumnsSpec(path string) error {
	var spec []columnsSpec
	for _, t := range artifacts.AllTabs() {
		s := columnsSpec{Name: t.Name}
		for i := range t.Columns {
			c := &t.Columns[i]
			kind := "text"
			switch {
			case c.IsAction() || c.Kind == artifacts.KindPassword:
				kind = "empty"
			case c.Kind == artifacts.KindWhole || c.Kind == artifacts.KindNumGridRows:
				kind = "number"
			case c.Kind == artifacts.KindBool:
				kind = "bool"
			}
			s.Columns = append(s.Columns, columnKind{c.Name, t.JSONName(i), kind})
		}
		spec = append(spec, s)
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// buildSecmgr builds ./cmd/secmgr of the module this is run in.
func buildSecmgr(ctx context.Context, out string) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return errors.New("cannot find the secmgr module to build it: run from the repository, or give -secmgr BINARY")
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/secmgr")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/secmgr: %v\n%s", err, b)
	}
	return nil
}
