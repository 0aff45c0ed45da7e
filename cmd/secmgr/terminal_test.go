package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestVersion(t *testing.T) {
	r := ok(t, t.TempDir(), nil, "--version")
	v, found := strings.CutPrefix(strings.TrimSpace(r.stdout), "secmgr version ")
	if !found || v == "" || strings.Contains(v, "\n") {
		t.Errorf("--version printed %q", r.stdout)
	}
	saved := version
	defer func() { version = saved }()
	version = "v1.4.0"
	if got := buildVersion(); got != "v1.4.0" {
		t.Errorf("the link-time version gives %q", got)
	}
}

func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	for shell, want := range map[string]string{
		"bash": "complete -o bashdefault -o default -F __secmgr_bash_autocomplete secmgr",
		"zsh":  "compdef",
		"fish": "complete -c secmgr",
	} {
		r := ok(t, dir, nil, "completion", shell)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s lacks %q:\n%s", shell, want, r.stdout)
		}
	}
	// What the scripts ask secmgr for.
	r := ok(t, dir, nil, "--generate-shell-completion")
	for _, name := range []string{"export:", "plan:", "completion:"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("command completion lacks %s:\n%s", name, r.stdout)
		}
	}
	r = ok(t, dir, nil, "export", "--ar", "--generate-shell-completion")
	if !strings.Contains(r.stdout, "--areas:") || !strings.Contains(r.stdout, "--artifact:") {
		t.Errorf("flag completion of export --ar:\n%s", r.stdout)
	}
	if r := ok(t, dir, nil, "--help"); !strings.Contains(r.stdout, "completion") {
		t.Error("--help does not list the completion command")
	}
}

// TestEveryHelpHasAnExample: each command's --help carries a worked
// example that runs secmgr.
func TestEveryHelpHasAnExample(t *testing.T) {
	dir := t.TempDir()
	a := newApp(io.Discard, io.Discard)
	names := []string{"completion"}
	for _, c := range commands {
		names = append(names, c(a).Name)
	}
	for _, name := range names {
		h := ok(t, dir, nil, name, "--help")
		if !strings.Contains(h.stdout, "Example:") || !strings.Contains(h.stdout, "   secmgr ") {
			t.Errorf("secmgr %s --help has no worked example:\n%s", name, h.stdout)
		}
	}
}

// example is the absolute path of an example edits workbook.
func example(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "golfstream", "edits", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNothingForTerminalsInPipes: with standard error and output not a
// terminal (CI, a pipe), nothing is written for terminals: no progress
// line, no colour.
func TestNothingForTerminalsInPipes(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	runs := []result{
		ok(t, dir, nil, "--env", "g.json", "export", "--out-dir", "."),
		secmgr(t, dir, nil, "--env", "g.json", "plan", example(t, "realistic.xlsx")),
		secmgr(t, dir, nil, "--env", "g.json", "validate", example(t, "mistakes.xlsx")),
	}
	for i, r := range runs {
		for _, bad := range []string{"\r", "\x1b"} {
			if strings.Contains(r.stdout+r.stderr, bad) {
				t.Errorf("run %d wrote %q for a terminal:\n%q\n%q", i, bad, r.stdout, r.stderr)
			}
		}
	}
	if runs[1].code != 2 || !strings.Contains(runs[1].stdout, "\n+ ") {
		t.Errorf("plan: exit %d\n%s%s", runs[1].code, runs[1].stdout, runs[1].stderr)
	}
}

// readTerminal runs fn with a terminal as its output and returns what the
// terminal received.
func readTerminal(t *testing.T, fn func(tty *os.File)) string {
	t.Helper()
	master, tty := openPTY(t)
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with an error once the terminal side is closed and drained
		got <- b.String()
	}()
	fn(tty)
	tty.Close()
	master.SetReadDeadline(time.Now().Add(2 * time.Second))
	return <-got
}

// TestPlanColour: on a terminal the change lines are coloured by what they
// do, unless NO_COLOR is set.
func TestPlanColour(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	edits := copyEdits(t, dir, "realistic.xlsx")
	plan := func(tty *os.File) {
		var stderr bytes.Buffer
		a := newApp(tty, &stderr)
		if code := a.exit(rootCommand(a).Run(t.Context(), []string{"secmgr", "plan", edits, "--env", envPath})); code != 2 {
			t.Errorf("plan: exit %d\n%s", code, stderr.String())
		}
	}
	out := readTerminal(t, plan)
	for _, want := range []string{"\x1b[32m+ ", "\x1b[33m~ ", "\x1b[0m"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan on a terminal lacks %q:\n%q", want, out)
		}
	}
	t.Setenv("NO_COLOR", "1")
	if out := readTerminal(t, plan); strings.Contains(out, "\x1b[") || !strings.Contains(out, "+ ") {
		t.Errorf("with NO_COLOR the plan is:\n%q", out)
	}
}

// TestJSONLogsStayJSON: with --log-format json every line on standard
// error is one JSON object, warnings and findings included.
func TestJSONLogsStayJSON(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	mistakes := example(t, "mistakes.xlsx")
	for _, args := range [][]string{
		{"--log-format", "json", "--log-level", "debug", "--env", "g.json", "export", "--out-dir", ".", "--force", "--group", "nothing*"},
		{"--log-format", "json", "--env", "g.json", "snapshot", mistakes, "--out", "x.json"},
	} {
		r := secmgr(t, dir, nil, args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) < 2 {
			t.Errorf("%q logged %q", args, r.stderr)
		}
		for _, line := range lines {
			if strings.HasPrefix(line, "secmgr: ") && r.code == 1 {
				continue // the final error message
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil || v["msg"] == nil || v["level"] == nil || v["time"] == nil {
				t.Errorf("%q: not a JSON log line: %q", args, line)
			}
		}
	}
}

// TestAnnotateCommand: plan --annotate writes the marked copy, which plans
// to the same findings.
func TestAnnotateCommand(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	edits := copyEdits(t, dir, "mistakes.xlsx")
	out := filepath.Join(dir, "checked.xlsx")
	r := runIn(t, "plan", edits, "--env", envPath, "--format", "json", "--annotate", out)
	expectCode(t, r, 1, "wrote annotated workbook")
	again := runIn(t, "validate", out, "--env", envPath, "--format", "json")
	expectCode(t, again, 1)
	var p, v struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(again.stdout), &v); err != nil {
		t.Fatal(err)
	}
	if len(p.Findings) == 0 || len(p.Findings) != len(v.Findings) {
		t.Errorf("%d findings, %d in the annotated copy", len(p.Findings), len(v.Findings))
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments, _ := f.GetComments("Users")
	if len(comments) != 3 {
		t.Errorf("Users has %d comments, want 3: %+v", len(comments), comments)
	}
}
