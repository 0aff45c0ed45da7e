package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/history"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// The apply tests run secmgr in-process, so they can stand in for a
// terminal.
func init() {
	for _, c := range commands {
		if c(&app{}).Name == "apply" {
			return
		}
	}
	commands = append(commands, applyCommand)
}

// runIn runs secmgr in-process with args.
func runIn(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"secmgr"}, args...), &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func expectCode(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
}

// sampleEnv writes the GolfStream sample as dir/gs.json.
func sampleEnv(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "gs.json")
	if err := os.WriteFile(path, golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyEdits copies an edits workbook of the sample into dir.
func copyEdits(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "golfstream", "edits", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// undoLine returns the arguments of the "To undo:" line apply printed.
func undoLine(t *testing.T, stdout string) []string {
	t.Helper()
	for _, l := range strings.Split(stdout, "\n") {
		if rest, ok := strings.CutPrefix(l, "To undo:   secmgr "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no 'To undo:' line in\n%s", stdout)
	return nil
}

func assertBytes(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not as expected", path)
	}
}

func TestApplyWorkbook(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "realistic.xlsx")

	// No terminal, no --yes: refused, nothing written.
	r := runIn(t, "apply", wb, "--env", envPath)
	expectCode(t, r, 1, "refusing to apply a workbook without confirmation: pass --yes")
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
	if _, err := os.Stat(history.Dir(envPath)); !os.IsNotExist(err) {
		t.Error("a refused apply created the history folder")
	}
	if !strings.Contains(r.stdout, "Plan: ") {
		t.Errorf("the plan was not printed:\n%s", r.stdout)
	}

	// --yes applies, and says where the backup and undo plan went.
	r = runIn(t, "apply", wb, "--env", envPath, "--yes")
	expectCode(t, r, 0, "Applied ", "Backup:    "+filepath.Join(dir, "gs.history", "backup-"), "Undo plan: ", "To undo:   secmgr apply ")
	changed, err := os.ReadFile(envPath)
	if err != nil || bytes.Equal(changed, golfstream.EnvironmentJSON) {
		t.Fatalf("the environment did not change (%v)", err)
	}
	// The printed undo command restores the sample byte for byte.
	r = runIn(t, undoLine(t, r.stdout)...)
	expectCode(t, r, 0, "Applied ")
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
	if entries, err := history.History(envPath); err != nil || len(entries) != 2 {
		t.Errorf("journal: %d entries, %v", len(entries), err)
	}
}

func TestApplySavedPlan(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "realistic.xlsx")
	planPath := filepath.Join(dir, "p.json")
	if r := runIn(t, "plan", wb, "--env", envPath, "--out", planPath); r.code != 2 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	// A saved plan is the approval: no --yes, no question, even on a
	// terminal.
	defer func(in io.Reader, i func(io.Writer) bool) { confirmIn, interactive = in, i }(confirmIn, interactive)
	interactive = func(io.Writer) bool { return true }
	confirmIn = strings.NewReader("n\n")
	r := runIn(t, "--env", envPath, "apply", planPath)
	expectCode(t, r, 0, "Applied ")
	if strings.Contains(r.stdout, "[y/N]") {
		t.Errorf("applying a saved plan asked:\n%s", r.stdout)
	}
	// The same plan again: stale.
	r = runIn(t, "apply", planPath, "--env", envPath, "--yes")
	expectCode(t, r, 1, "another state of "+envPath, "nothing was applied")

	// An empty plan: nothing to apply, nothing written.
	env, _ := artifacts.Load(envPath)
	fp, _ := artifacts.Fingerprint(env)
	empty := &plans.Plan{Format: plans.PlanFormat, Environment: plans.EnvironmentRef{Name: env.Name, Fingerprint: fp}, Source: "x.xlsx"}
	empty.Summarize()
	b, _ := plans.MarshalPlan(empty)
	os.WriteFile(filepath.Join(dir, "empty.json"), b, 0o600)
	before, _ := history.History(envPath)
	r = runIn(t, "apply", filepath.Join(dir, "empty.json"), "--env", envPath)
	expectCode(t, r, 0, "Nothing to apply")
	if after, _ := history.History(envPath); len(after) != len(before) {
		t.Error("an empty plan was journaled")
	}

	// Not a plan.
	os.WriteFile(filepath.Join(dir, "junk.json"), []byte(`{"format":"something"}`), 0o600)
	r = runIn(t, "apply", filepath.Join(dir, "junk.json"), "--env", envPath, "--yes")
	expectCode(t, r, 1, "junk.json")
	r = runIn(t, "apply", filepath.Join(dir, "missing.json"), "--env", envPath, "--yes")
	expectCode(t, r, 1, "missing.json does not exist")
}

func TestApplyInvalidWorkbook(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "mistakes.xlsx")
	r := runIn(t, "apply", wb, "--env", envPath, "--yes")
	expectCode(t, r, 1, ": error: ", "nothing was applied")
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
	if _, err := os.Stat(history.Dir(envPath)); !os.IsNotExist(err) {
		t.Error("an invalid workbook created the history folder")
	}
}

func TestApplyConfirmation(t *testing.T) {
	defer func(in io.Reader, i func(io.Writer) bool) { confirmIn, interactive = in, i }(confirmIn, interactive)
	interactive = func(io.Writer) bool { return true }
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "realistic.xlsx")
	for _, answer := range []string{"n\n", "\n", "", "yes please\n"} {
		confirmIn = strings.NewReader(answer)
		r := runIn(t, "apply", wb, "--env", envPath)
		expectCode(t, r, 1, "Apply these ", " changes to "+envPath+"? [y/N] ", "not confirmed; nothing was applied")
		assertBytes(t, envPath, golfstream.EnvironmentJSON)
	}
	confirmIn = strings.NewReader("Y\n")
	r := runIn(t, "apply", wb, "--env", envPath)
	expectCode(t, r, 0, "Applied ")
}

// TestApplyPasswords sets a native user's password from a workbook: the
// value never appears in any output, the journal or the undo plan, and a
// plan whose workbook changed is refused.
func TestApplyPasswords(t *testing.T) {
	const secret = "Sup3r-Secret!value"
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	env, err := artifacts.Load(envPath)
	if err != nil {
		t.Fatal(err)
	}
	users := artifacts.TabUsers.Tab()
	wbPath := filepath.Join(dir, "pw.xlsx")
	writePasswordWorkbook := func(value string) {
		w, err := workbook.Create(wbPath, workbook.WriteOptions{Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		w.StartTab(users)
		row := users.Cells(env, 0, nil)
		row[users.Column("Password")] = value
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	writePasswordWorkbook(secret)
	planPath := filepath.Join(dir, "p.json")
	r := runIn(t, "plan", wbPath, "--env", envPath, "--out", planPath)
	if r.code != 2 {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The workbook changed after planning: refused.
	writePasswordWorkbook(secret + "2")
	r = runIn(t, "apply", planPath, "--env", envPath, "--yes")
	expectCode(t, r, 1, "passwords cannot be read", "pw.xlsx has changed")
	assertBytes(t, envPath, golfstream.EnvironmentJSON)

	writePasswordWorkbook(secret)
	r = runIn(t, "apply", planPath, "--env", envPath, "--yes")
	expectCode(t, r, 0, "Applied 1 change to ")
	after, _ := artifacts.Load(envPath)
	if i, ok := users.Find(after, env.Users[0].User); !ok || after.Users[i].Password != secret {
		t.Fatal("the password was not set")
	}
	undo := undoLine(t, r.stdout)
	leaks := r.stdout + r.stderr
	for _, f := range []string{filepath.Join(history.Dir(envPath), "journal.jsonl"), undo[1], planPath} {
		b, _ := os.ReadFile(f)
		leaks += string(b)
	}
	r = runIn(t, undo...)
	expectCode(t, r, 0, "Applied 1 change to ")
	leaks += r.stdout + r.stderr
	if strings.Contains(leaks, secret) {
		t.Error("a password value appears in output, the journal or a plan")
	}
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
}

func TestApplyHelp(t *testing.T) {
	r := runIn(t, "apply", "--help")
	expectCode(t, r, 0, "Example:", "secmgr apply p.json", "--yes", "--wait", "--cascade", "undo-")
}
