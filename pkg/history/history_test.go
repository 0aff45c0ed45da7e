package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

var fixedNow = time.Date(2026, 11, 22, 21, 58, 0, 123456789, time.UTC)

func fixedClock() time.Time { return fixedNow }

func TestApplyFileHappyPath(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 20), state(1, 20)
	envPath := writeEnv(t, dir, s0)
	p := planFor(t, s0, s1)
	if p.Empty() {
		t.Fatal("test plan is empty")
	}

	res, err := ApplyFile(envPath, p, nil, Options{Now: fixedClock, User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied() || len(res.Warnings) > 0 {
		t.Fatalf("result %+v", res)
	}
	assertFile(t, envPath, canonical(t, s1))
	if res.Before != fingerprint(t, s0) || res.After != fingerprint(t, s1) {
		t.Errorf("fingerprints %s → %s", res.Before, res.After)
	}
	hist := filepath.Join(dir, "prod.history")
	wantBackup := filepath.Join(hist, "backup-20261122T215800.123456789Z.json")
	wantUndo := filepath.Join(hist, "undo-20261122T215800.123456789Z.plan.json")
	if res.Backup != wantBackup || res.Undo != wantUndo || res.Journal != filepath.Join(hist, "journal.jsonl") {
		t.Errorf("paths %q %q %q", res.Backup, res.Undo, res.Journal)
	}
	assertFile(t, res.Backup, canonical(t, s0))

	// Modes: the folder 0700, every file in it and the environment 0600.
	modes := map[string]os.FileMode{hist: 0o700 | os.ModeDir, envPath: 0o600, res.Backup: 0o600, res.Undo: 0o600,
		res.Journal: 0o600, filepath.Join(hist, "lock"): 0o600}
	for path, want := range modes {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode(), want)
		}
	}
	if got := historyFiles(t, envPath); len(got) != 3 {
		t.Errorf("history holds %v", got)
	}

	// The journal: the pending line written before the environment was
	// replaced, then the line of the done apply.
	lines := bytes.SplitAfter(readFile(t, res.Journal), []byte{'\n'})
	if len(lines) != 3 || len(lines[2]) != 0 || !bytes.Contains(lines[0], []byte(`"state":"pending"`)) {
		t.Fatalf("journal is not a pending line and a done line: %q", lines)
	}
	raw := lines[1]
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"add", "after", "backup", "before", "edit", "plan", "remove", "rename", "source", "time", "undo", "user"}; !slices.Equal(keys, want) {
		t.Errorf("journal keys %v, want %v", keys, want)
	}
	planBytes, _ := plans.MarshalPlan(p)
	want := JournalEntry{Time: fixedNow, User: "alice", Plan: artifacts.Digest(planBytes), Source: "test.xlsx",
		Before: res.Before, After: res.After, Backup: filepath.Base(wantBackup), Undo: filepath.Base(wantUndo),
		Add: p.Summary.Add, Edit: p.Summary.Edit, Rename: p.Summary.Rename, Remove: p.Summary.Remove}
	if fields["time"] != "2026-11-22T21:58:00.123456789Z" {
		t.Errorf("time %v", fields["time"])
	}
	entries, err := History(envPath)
	if err != nil || len(entries) != 1 {
		t.Fatalf("History: %v, %v", entries, err)
	}
	if !entries[0].Time.Equal(want.Time) {
		t.Errorf("time %v", entries[0].Time)
	}
	entries[0].Time = want.Time
	if !reflect.DeepEqual(entries[0], want) {
		t.Errorf("journal entry\n got %+v\nwant %+v", entries[0], want)
	}
	if res.Counts.Add+res.Counts.Edit+res.Counts.Rename+res.Counts.Remove != len(p.Changes) {
		t.Errorf("counts %+v for %d changes", res.Counts, len(p.Changes))
	}

	// The undo plan is against the new state and restores the old one
	// byte for byte.
	undo := loadPlan(t, res.Undo)
	if undo.Environment.Fingerprint != res.After || !undo.Applicable {
		t.Fatalf("undo plan against %s, applicable %v", undo.Environment.Fingerprint, undo.Applicable)
	}
	if undo.Secrets == nil || undo.Secrets.Path != filepath.Base(wantBackup) || undo.Secrets.Fingerprint != res.Before {
		t.Errorf("undo secrets %+v", undo.Secrets)
	}
	res2 := applyUndo(t, envPath, res, Options{Now: fixedClock, User: "alice"})
	assertFile(t, envPath, canonical(t, s0))
	if res2.Before != res.After || res2.After != res.Before {
		t.Errorf("undo fingerprints %s → %s", res2.Before, res2.After)
	}
	// The undo of the undo goes forward again.
	applyUndo(t, envPath, res2, Options{})
	assertFile(t, envPath, canonical(t, s1))
	if entries, err := History(envPath); err != nil || len(entries) != 3 {
		t.Fatalf("History after 3 applies: %d entries, %v", len(entries), err)
	}
}

func TestNamesSortInApplyOrder(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 3), state(1, 3)
	envPath := writeEnv(t, dir, s0)
	clock := []time.Time{fixedNow, fixedNow, fixedNow.Add(-time.Hour), fixedNow.Add(time.Second)}
	var backups []string
	for i, now := range clock {
		from, to := s0, s1
		if i%2 == 1 {
			from, to = s1, s0
		}
		res, err := ApplyFile(envPath, planFor(t, from, to), nil, Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
		backups = append(backups, filepath.Base(res.Backup))
		if strings.TrimPrefix(filepath.Base(res.Backup), "backup-") != strings.TrimPrefix(strings.Replace(filepath.Base(res.Undo), ".plan.json", ".json", 1), "undo-") {
			t.Errorf("backup %s and undo %s have different times", res.Backup, res.Undo)
		}
	}
	want := []string{
		"backup-20261122T215800.123456789Z.json",
		"backup-20261122T215800.123456790Z.json", // same second: bumped by 1ns
		"backup-20261122T215800.123456791Z.json", // clock went back: still after the last
		"backup-20261122T215801.123456789Z.json",
	}
	if !slices.Equal(backups, want) {
		t.Errorf("backups\n got %q\nwant %q", backups, want)
	}
	entries, err := History(envPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if e.Backup != want[i] {
			t.Errorf("journal line %d names %s", i+1, e.Backup)
		}
	}
}

func TestRefused(t *testing.T) {
	s0, s1, s2 := state(0, 5), state(1, 5), state(2, 5)
	tests := []struct {
		name    string
		file    *artifacts.Environment
		plan    func(t *testing.T) *plans.Plan
		wantErr error
		wantMsg string
	}{
		{"stale", s1, func(t *testing.T) *plans.Plan { return planFor(t, s0, s2) }, actions.ErrStale, "another state of"},
		{"stale empty plan", s1, func(t *testing.T) *plans.Plan { return planFor(t, s0, s0) }, actions.ErrStale, "plan again"},
		{"not applicable", s0, func(t *testing.T) *plans.Plan {
			p := planFor(t, s0, s1)
			p.Findings.Add(validateError())
			p.Summarize()
			return p
		}, ErrNotApplicable, "1 error(s)"},
		{"applicable false", s0, func(t *testing.T) *plans.Plan {
			p := planFor(t, s0, s1)
			p.Applicable = false
			return p
		}, ErrNotApplicable, "nothing was applied"},
		{"other format", s0, func(t *testing.T) *plans.Plan {
			p := planFor(t, s0, s1)
			p.Format = "secmgr.plan/v0"
			return p
		}, ErrNotApplicable, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			envPath := writeEnv(t, dir, tt.file)
			before := readFile(t, envPath)
			_, err := ApplyFile(envPath, tt.plan(t), nil, Options{})
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
			assertFile(t, envPath, before)
			if files := historyFiles(t, envPath); len(files) > 0 {
				t.Errorf("history holds %v", files)
			}
			if entries, _ := History(envPath); len(entries) > 0 {
				t.Errorf("journal has %d lines", len(entries))
			}
		})
	}
}

func TestEmptyPlanWritesNothing(t *testing.T) {
	dir := t.TempDir()
	s0 := state(0, 5)
	envPath := writeEnv(t, dir, s0)
	res, err := ApplyFile(envPath, planFor(t, s0, s0), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied() || res.Before != res.After || res.Before != fingerprint(t, s0) {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(Dir(envPath)); !os.IsNotExist(err) {
		t.Errorf("history folder created: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("folder holds %d entries", len(ents))
	}
}

func TestMissingEnvironment(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 2), state(1, 2)
	_, err := ApplyFile(filepath.Join(dir, "nope.json"), planFor(t, s0, s1), nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "nope.json") || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.history")); !os.IsNotExist(err) {
		t.Errorf("history folder created for a missing environment")
	}
}

func TestDirName(t *testing.T) {
	for in, want := range map[string]string{
		"prod.json":         "prod.history",
		"/a/b/Prod.JSON":    "/a/b/Prod.history",
		"env":               "env.history",
		"x.y.json":          "x.y.history",
		"dir.json/env.json": "dir.json/env.history",
	} {
		if got := Dir(in); got != want {
			t.Errorf("Dir(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJournalTornLine: a last line a crash cut short is skipped, and the
// next apply starts its line on a line of its own; other bad lines are
// errors naming the line.
func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 3), state(1, 3)
	envPath := writeEnv(t, dir, s0)
	if _, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{}); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(Dir(envPath), "journal.jsonl")
	f, _ := os.OpenFile(journal, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"time":"2026-11-22T21:58:00Z","user":"al`)
	f.Close()
	if entries, err := History(envPath); err != nil || len(entries) != 1 {
		t.Fatalf("torn last line: %d entries, %v", len(entries), err)
	}
	if _, err := ApplyFile(envPath, planFor(t, s1, s0), nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if entries, err := History(envPath); err != nil || len(entries) != 2 {
		t.Fatalf("after the next apply: %d entries, %v", len(entries), err)
	}
	data := readFile(t, journal)
	os.WriteFile(journal, append([]byte("not json\n"), data...), 0o600)
	if _, err := History(envPath); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}

// TestSymlinkedEnvironment: applying through a symbolic link replaces the
// file it points to, keeps the link, and keeps the history (and the lock)
// beside the file, so both paths share them.
func TestSymlinkedEnvironment(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 3), state(1, 3)
	envPath := writeEnv(t, dir, s0)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("prod.json", link); err != nil {
		t.Skip(err)
	}
	res, err := ApplyFile(link, planFor(t, s0, s1), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	assertFile(t, envPath, canonical(t, s1))
	if filepath.Dir(res.Backup) != Dir(envPath) {
		t.Errorf("backup in %s", filepath.Dir(res.Backup))
	}
	if _, err := os.Stat(Dir(link)); !os.IsNotExist(err) {
		t.Error("a history folder was made beside the link")
	}
	if e, err := History(link); err != nil || len(e) != 1 {
		t.Errorf("History(link): %d, %v", len(e), err)
	}
}
