package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v3"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// binary is secmgr built once for all tests, run as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "secmgr-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "secmgr")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	// -buildvcs=auto as a plain `go build` in a checkout does, whatever
	// GOFLAGS says, so that --version can be checked against the revision.
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building secmgr:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// secmgr runs the binary in dir with args; env adds environment
// variables (SECMGR_ENV is cleared unless given).
func secmgr(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECMGR_ENV=")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running secmgr %s: %v", strings.Join(args, " "), err)
	}
	for _, bad := range []string{"panic", "goroutine", ".go:"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("secmgr %s printed %q:\n%s%s", strings.Join(args, " "), bad, r.stdout, r.stderr)
		}
	}
	return r
}

// ok runs secmgr and fails the test unless it exits 0.
func ok(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := secmgr(t, dir, env, args...)
	if r.code != 0 {
		t.Fatalf("secmgr %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs secmgr and checks it exits 1 and ends standard error with a
// "secmgr: " message; standard error mentions every one of want.
func fails(t *testing.T, dir string, env []string, args []string, want ...string) result {
	t.Helper()
	r := secmgr(t, dir, env, args...)
	if r.code != 1 {
		t.Errorf("secmgr %s: exit %d, want 1\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "secmgr: ") {
		t.Errorf("secmgr %s: stderr does not end with a 'secmgr: ' message:\n%s", strings.Join(args, " "), r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("secmgr %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// sheets returns the sheet names of a workbook and the data rows per sheet.
func sheets(t *testing.T, path string) ([]string, map[string]int) {
	t.Helper()
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var names []string
	rows := map[string]int{}
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
		if err := wb.Read(s, func(*workbook.Row) error { rows[s.Name]++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return names, rows
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "empty.json")
	path := filepath.Join(dir, "empty.json")
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("empty.json: %v, mode %v; want 0600", err, st.Mode())
	}
	env, err := artifacts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := artifacts.Marshal(artifacts.New("empty"))
	if got, _ := artifacts.Marshal(env); !bytes.Equal(got, want) {
		t.Errorf("init wrote\n%s\nwant\n%s", got, want)
	}

	// An existing file is refused, and kept.
	fails(t, dir, nil, []string{"init", "--sample", "empty.json"}, "empty.json", "already exists", "--force")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Error("a refused init changed the file")
	}
	// --force replaces it; flags may follow the argument.
	ok(t, dir, nil, "init", "empty.json", "--sample", "--force")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, golfstream.EnvironmentJSON) {
		t.Error("init --sample did not write the GolfStream sample")
	}

	// --name, and FILE from --env.
	ok(t, dir, nil, "--env", "named.json", "init", "--name", "Production")
	env, err = artifacts.Load(filepath.Join(dir, "named.json"))
	if err != nil || env.Name != "Production" {
		t.Errorf("init --name: %v, name %q", err, env.Name)
	}

	fails(t, dir, nil, []string{"init"}, "missing argument", "init --help")
	fails(t, dir, nil, []string{"init", "no/such/folder/x.json"}, "no/such/folder/x.json", "does not exist")
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)

	// The same export with the flags in either place, and with SECMGR_ENV.
	for i, args := range [][]string{
		{"export", "--env", "g.json", "--out-dir", "out"},
		{"--env", "g.json", "export", "--out-dir", "out"},
		{"--out-dir", "out"}, // with SECMGR_ENV
	} {
		var env []string
		if i == 2 {
			env = []string{"SECMGR_ENV=g.json"}
			args = append([]string{"export"}, args...)
		}
		args = append(args, "--force")
		r := ok(t, dir, env, args...)
		path := strings.TrimSpace(r.stdout)
		if !strings.HasPrefix(path, filepath.Join("out", "SecurityExtract.")) || !strings.HasSuffix(path, ".xlsx") {
			t.Fatalf("%v: stdout %q is not the path of the export", args, r.stdout)
		}
		names, _ := sheets(t, filepath.Join(dir, path))
		if len(names) != int(artifacts.NumTabs) {
			t.Errorf("%v: %d sheets, want %d", args, len(names), artifacts.NumTabs)
		}
	}

	// --areas and filters.
	r := ok(t, dir, nil, "export", "--env", "g.json", "--out-dir", "out", "--force", "--areas", "users,exgroups", "--user", "jessica*", "--user", "*Documentation")
	names, rows := sheets(t, filepath.Join(dir, strings.TrimSpace(r.stdout)))
	if want := []string{"Users", "UsersInGroups", "ExGroup", "UsersInExGroups", "GroupsInExGroups"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("--areas users,exgroups wrote %v, want %v", names, want)
	}
	if rows["Users"] == 0 || rows["Users"] >= 37 {
		t.Errorf("--user filters gave %d users", rows["Users"])
	}

	// A filter that matches nothing: header rows only, and a warning.
	r = ok(t, dir, nil, "export", "--env", "g.json", "--out-dir", "out", "--force", "--group", "no-such-group*")
	if !strings.Contains(r.stderr, "nothing matched --group no-such-group*") {
		t.Errorf("no warning for a filter that matched nothing:\n%s", r.stderr)
	}
	_, rows = sheets(t, filepath.Join(dir, strings.TrimSpace(r.stdout)))
	if rows["Groups"] != 0 || rows["Workflow"] != 0 || rows["Users"] != 37 {
		t.Errorf("rows after a filter that matched nothing: %v", rows)
	}

	// --quiet: nothing on standard error; --log-format json: JSON lines.
	if r := ok(t, dir, nil, "--quiet", "export", "--env", "g.json", "--out-dir", "out", "--force"); r.stderr != "" {
		t.Errorf("--quiet printed %q", r.stderr)
	}
	r = ok(t, dir, nil, "export", "--env", "g.json", "--out-dir", "out", "--force", "--log-format", "json", "--user", "nobody*")
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil || v["msg"] == nil {
			t.Errorf("--log-format json printed %q", line)
		}
	}

	fails(t, dir, nil, []string{"export", "--env", "g.json", "--areas", "users,bogus"}, "--areas", "bogus")
	fails(t, dir, nil, []string{"export", "--env", "g.json", "--out-dir", "missing"}, "missing", "does not exist")
	fails(t, dir, nil, []string{"export", "--env", "g.json", "extra"}, "too many arguments")
	fails(t, dir, nil, []string{"export", "--env", "g.json", "--frobnicate"}, "frobnicate", "export --help")
}

func TestExportPasswords(t *testing.T) {
	dir := t.TempDir()
	env := artifacts.New("pw")
	env.Users = []artifacts.User{{User: "Ann", UserType: "Interactive", IsEnabled: true, NumGridRows: 30, Password: "ENC-very-secret-value"}}
	if err := artifacts.Save(filepath.Join(dir, "pw.json"), env); err != nil {
		t.Fatal(err)
	}
	for _, include := range []bool{false, true} {
		args := []string{"export", "--env", "pw.json", "--force", "--log-level", "debug", "--areas", "users"}
		if include {
			args = append(args, "--include-password-hashes")
		}
		r := ok(t, dir, nil, args...)
		if strings.Contains(r.stdout+r.stderr, "very-secret") {
			t.Errorf("a password value was printed:\n%s%s", r.stdout, r.stderr)
		}
		wb, err := workbook.Open(filepath.Join(dir, strings.TrimSpace(r.stdout)), workbook.Options{})
		if err != nil {
			t.Fatal(err)
		}
		users := wb.Sheet(artifacts.TabUsers)
		var got string
		wb.Read(users, func(row *workbook.Row) error { got = row.Values[users.Tab.Column("Password")]; return nil })
		wb.Close()
		if want := map[bool]string{false: "", true: "ENC-very-secret-value"}[include]; got != want {
			t.Errorf("--include-password-hashes=%v: Password %q, want %q", include, got, want)
		}
	}
}

// TestExportNameTaken checks that an export never overwrites a file of the
// same name unless --force is given. The names of the next seconds are
// taken beforehand, so the export meets one whenever it starts.
func TestExportNameTaken(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	utc := []string{"TZ=UTC"}
	now := time.Now().UTC()
	var taken []string
	for s := range 10 {
		p := filepath.Join(dir, "SecurityExtract."+now.Add(time.Duration(s)*time.Second).Format("150405")+".xlsx")
		os.WriteFile(p, []byte("keep me"), 0o600)
		taken = append(taken, p)
	}
	r := fails(t, dir, utc, []string{"export", "--env", "g.json"}, "SecurityExtract.", "already exists", "--force")
	if r.stdout != "" {
		t.Errorf("a refused export printed %q", r.stdout)
	}
	for _, p := range taken {
		if data, _ := os.ReadFile(p); string(data) != "keep me" {
			t.Fatalf("a refused export changed %s", p)
		}
	}
	r = ok(t, dir, utc, "export", "--env", "g.json", "--force")
	path := filepath.Join(dir, strings.TrimSpace(r.stdout))
	if names, _ := sheets(t, path); len(names) != int(artifacts.NumTabs) {
		t.Errorf("--force export has %d sheets", len(names))
	}
}

// TestExportLocalTime checks that the file name uses the local time, TZ
// included.
func TestExportLocalTime(t *testing.T) {
	const zone = "Asia/Kolkata" // +05:30: differs from UTC in hours and minutes
	// secmgr reads TZ from the system's zone database only (Go's own copy
	// is not consulted for TZ): without tzdata it would use UTC.
	if _, err := os.Stat(filepath.Join("/usr/share/zoneinfo", zone)); err != nil {
		t.Skipf("skipped: no system time zone database (install tzdata): %v", err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ok(t, dir, nil, "init", "g.json")
	before := time.Now().In(loc).Truncate(time.Second)
	r := ok(t, dir, []string{"TZ=" + zone}, "export", "--env", "g.json")
	after := time.Now().In(loc)
	name := strings.TrimSpace(r.stdout)
	okName := false
	for ts := before; !ts.After(after); ts = ts.Add(time.Second) {
		if name == "SecurityExtract."+ts.Format("150405")+".xlsx" {
			okName = true
		}
	}
	if !okName {
		t.Errorf("export at %s..%s %s is named %s", before.Format("15:04:05"), after.Format("15:04:05"), zone, name)
	}
}

func TestSnapshot(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	r := ok(t, dir, nil, "export", "--env", "g.json", "--include-password-hashes")
	xlsx := strings.TrimSpace(r.stdout)

	// Both flag orders; the environment comes back byte for byte.
	ok(t, dir, nil, "snapshot", xlsx, "--out", "back.json", "--name", "GolfStream")
	ok(t, dir, nil, "snapshot", "--name", "GolfStream", "--out", "back2.json", xlsx)
	for _, f := range []string{"back.json", "back2.json"} {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Equal(got, golfstream.EnvironmentJSON) {
			t.Errorf("%s differs from the environment exported", f)
		}
		if st, _ := os.Stat(filepath.Join(dir, f)); st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	// The name defaults to the file's base name.
	ok(t, dir, nil, "snapshot", xlsx, "--out", "prod.json")
	if env, err := artifacts.Load(filepath.Join(dir, "prod.json")); err != nil || env.Name != "prod" {
		t.Errorf("default name: %v %q", err, env.Name)
	}
	// Areas: the others stay empty.
	ok(t, dir, nil, "snapshot", xlsx, "--out", "some.json", "--areas", "users,groups")
	if env, err := artifacts.Load(filepath.Join(dir, "some.json")); err != nil || len(env.Users) != 37 || len(env.Workflow) != 0 {
		t.Errorf("--areas users,groups: %v", err)
	}

	fails(t, dir, nil, []string{"snapshot", xlsx, "--out", "back.json"}, "back.json", "already exists", "--force")
	ok(t, dir, nil, "snapshot", xlsx, "--out", "back.json", "--force")
	fails(t, dir, nil, []string{"snapshot", xlsx}, "--out")
	fails(t, dir, nil, []string{"snapshot", "--out", "x.json"}, "missing argument")
}

func TestSnapshotFindings(t *testing.T) {
	dir := t.TempDir()
	// A full workbook with one bad value: Users!C2 (UserType).
	env, _ := golfstream.Environment()
	path := filepath.Join(dir, "bad.xlsx")
	w, err := workbook.Create(path, workbook.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, tab := range artifacts.AllTabs() {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		for i := range tab.Len(env) {
			cells = tab.Cells(env, i, cells)
			if tab.ID == artifacts.TabUsers && i == 0 {
				cells[tab.Column("UserType")] = "Boss"
			}
			if err := w.WriteRow(cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := fails(t, dir, nil, []string{"snapshot", "bad.xlsx", "--out", "bad.json"}, "bad.xlsx", "bad.json was not written")
	if !strings.Contains(r.stderr, "Users!C2: error: ") || !strings.Contains(r.stderr, "[invalid-value]") {
		t.Errorf("finding not printed as Users!C2: error: … [code]:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); err == nil {
		t.Error("snapshot with errors wrote its output")
	}
}

// TestBadInput checks that every kind of bad input file exits 1 with a
// message naming the file, never a panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("corrupt.json", `{"format": "secmgr.environment/v1", "name": "x", "Users": [`)
	write("future.json", `{"format": "secmgr.environment/v2", "name": "x"}`+"\n")
	write("unknown.json", `{"format": "secmgr.environment/v1", "name": "x", "Users": [{"User": "a", "UserType": "View", "IsEnabled": true, "NumGridRows": 30, "Shoe": 9}]}`)
	write("empty.json", "")
	write("notjson.json", "User,Group\nann,sales\n")
	write("text.xlsx", "this is not a workbook\n")
	write("zip.xlsx", "PK\x03\x04 truncated")
	os.Mkdir(filepath.Join(dir, "folder.xlsx"), 0o755)
	os.Mkdir(filepath.Join(dir, "folder.json"), 0o755)

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"export"}, []string{"no environment file: give --env FILE or set SECMGR_ENV"}},
		{[]string{"export", "--env", "missing.json"}, []string{"missing.json", "does not exist", "secmgr init"}},
		{[]string{"export", "--env", "corrupt.json"}, []string{"corrupt.json", "corrupt"}},
		{[]string{"export", "--env", "future.json"}, []string{"future.json", "secmgr.environment/v2"}},
		{[]string{"export", "--env", "unknown.json"}, []string{"unknown.json", "Shoe"}},
		{[]string{"export", "--env", "empty.json"}, []string{"empty.json", "empty"}},
		{[]string{"export", "--env", "notjson.json"}, []string{"notjson.json"}},
		{[]string{"export", "--env", "folder.json"}, []string{"folder.json", "folder"}},
		{[]string{"snapshot", "text.xlsx", "--out", "o.json"}, []string{"text.xlsx"}},
		{[]string{"snapshot", "zip.xlsx", "--out", "o.json"}, []string{"zip.xlsx"}},
		{[]string{"snapshot", "missing.xlsx", "--out", "o.json"}, []string{"missing.xlsx"}},
		{[]string{"snapshot", "folder.xlsx", "--out", "o.json"}, []string{"folder.xlsx"}},
		{[]string{"--log-level", "loud", "export"}, []string{"--log-level", "loud"}},
		{[]string{"--log-format", "xml", "export"}, []string{"--log-format", "xml"}},
		{[]string{"frobnicate"}, []string{"unknown command", "frobnicate"}},
	} {
		r := fails(t, dir, nil, tc.args, tc.want...)
		if strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("secmgr %s: the message is more than one paragraph:\n%s", strings.Join(tc.args, " "), r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("secmgr %s: printed %q on standard output", strings.Join(tc.args, " "), r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "o.json")); err == nil {
		t.Error("a failed snapshot wrote o.json")
	}
}

func TestHelp(t *testing.T) {
	dir := t.TempDir()
	r := ok(t, dir, nil, "--help")
	for _, name := range []string{"init", "export", "snapshot"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("--help does not list %s", name)
		}
		h := ok(t, dir, nil, name, "--help")
		if !strings.Contains(h.stdout, "Example:") || !strings.Contains(h.stdout, "secmgr "+name) {
			t.Errorf("secmgr %s --help has no worked example:\n%s", name, h.stdout)
		}
	}
	if r := ok(t, dir, nil, "help", "export"); !strings.Contains(r.stdout, "secmgr export -") {
		t.Errorf("secmgr help export printed:\n%s", r.stdout)
	}
	if r := ok(t, dir, nil, "--version"); !strings.HasPrefix(r.stdout, "secmgr version ") {
		t.Errorf("--version printed %q", r.stdout)
	}
}

// TestVersionNamesRevision checks that a binary built from a git checkout
// reports the revision it was built from, not "devel".
func TestVersionNamesRevision(t *testing.T) {
	out, err := exec.Command("git", "rev-parse", "--path-format=absolute", "HEAD", "--git-dir", "--git-common-dir").Output()
	if err != nil {
		t.Skipf("skipped: not built from a git checkout: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 || f[1] != f[2] {
		// The go command stamps no revision in a linked worktree.
		t.Skip("skipped: built in a linked git worktree")
	}
	rev := f[0][:12]
	r := ok(t, t.TempDir(), nil, "--version")
	if !strings.Contains(r.stdout, rev) {
		t.Errorf("--version printed %q, want the revision %s", r.stdout, rev)
	}
}

// TestPanicIsOneLine checks that a panic in a command becomes a one-line
// internal error with exit code 1.
func TestPanicIsOneLine(t *testing.T) {
	saved := commands
	defer func() { commands = saved }()
	commands = append(commands[:len(commands):len(commands)], func(*app) *cli.Command {
		return &cli.Command{Name: "boom", Action: func(context.Context, *cli.Command) error {
			var m map[string]int
			m["x"] = 1 // a nil map write: a runtime panic
			return nil
		}}
	})
	var stdout, stderr bytes.Buffer
	code := run([]string{"secmgr", "boom"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "secmgr: internal error: ") || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "goroutine") {
		t.Errorf("panic printed %q", msg)
	}
}
