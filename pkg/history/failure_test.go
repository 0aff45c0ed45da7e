package history

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

func validateError() validate.Finding {
	return validate.Finding{Severity: validate.Error, Code: "test-error", Tab: "Users", Row: 2, Cell: "Users!A2", Message: "broken"}
}

// TestReadOnlyFolder: a folder the apply cannot write leaves the
// environment untouched, with an error that says why.
func TestReadOnlyFolder(t *testing.T) {
	s0, s1 := state(0, 5), state(1, 5)
	if os.Geteuid() == 0 {
		t.Log("running as root, which ignores permissions: simulating with a history path that is a file")
	}
	t.Run("no history folder yet", func(t *testing.T) {
		dir := t.TempDir()
		envPath := writeEnv(t, dir, s0)
		before := readFile(t, envPath)
		if os.Geteuid() == 0 {
			if err := os.WriteFile(Dir(envPath), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		} else {
			os.Chmod(dir, 0o500)
			defer os.Chmod(dir, 0o700)
		}
		_, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
		if err == nil || !strings.Contains(err.Error(), "prod.history") || !strings.Contains(err.Error(), envPath) {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
		assertFile(t, envPath, before)
	})
	if os.Geteuid() == 0 {
		return
	}
	t.Run("history folder exists", func(t *testing.T) {
		dir := t.TempDir()
		envPath := writeEnv(t, dir, s0)
		res, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		before := readFile(t, envPath)
		files := historyFiles(t, envPath)
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		_, err = ApplyFile(envPath, planFor(t, s1, s0), nil, Options{})
		if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "nothing was applied") {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
		assertFile(t, envPath, before)
		if got := historyFiles(t, envPath); len(got) != len(files) {
			t.Errorf("history now holds %v, was %v", got, files)
		}
		_ = res
	})
	t.Run("history folder read-only", func(t *testing.T) {
		dir := t.TempDir()
		envPath := writeEnv(t, dir, s0)
		os.Mkdir(Dir(envPath), 0o500)
		defer os.Chmod(Dir(envPath), 0o700)
		before := readFile(t, envPath)
		_, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
		assertFile(t, envPath, before)
	})
}

// TestDiskFull fails each write in turn with ENOSPC: before the
// environment is replaced, it is untouched and nothing is left in the
// history; a journal that cannot be completed is a warning after a done
// apply, which the history still shows.
func TestDiskFull(t *testing.T) {
	s0, s1 := state(0, 5), state(1, 5)
	enospc := &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}
	tests := []struct {
		name    string
		fail    string // which write fails: backup, undo, env, journal
		applied bool
	}{
		{"backup", "backup", false},
		{"undo plan", "undo", false},
		{"environment", "env", false},
		{"journal", "journal", false},
		{"journal completion", "completion", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			envPath := writeEnv(t, dir, s0)
			before := readFile(t, envPath)
			defer func(w, s func(string, func(io.Writer) error) error, j func(string) (*os.File, error)) {
				writeAtomic, saveEnv, openJournal = w, s, j
			}(writeAtomic, saveEnv, openJournal)
			realWrite := writeAtomic
			writeAtomic = func(path string, fn func(io.Writer) error) error {
				if strings.Contains(filepath.Base(path), tt.fail+"-") {
					return enospc
				}
				return realWrite(path, fn)
			}
			if tt.fail == "env" {
				saveEnv = func(string, func(io.Writer) error) error { return enospc }
			}
			if tt.fail == "journal" {
				openJournal = func(string) (*os.File, error) { return nil, enospc }
			}
			if tt.fail == "completion" {
				// The pending line is written; the done line is not.
				opens, real := 0, openJournal
				openJournal = func(path string) (*os.File, error) {
					if opens++; opens > 1 {
						return nil, enospc
					}
					return real(path)
				}
			}
			res, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
			if tt.applied {
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "no space left") {
					t.Errorf("warnings %q", res.Warnings)
				}
				assertFile(t, envPath, canonical(t, s1))
				// The history shows the apply all the same.
				if entries, err := History(envPath); err != nil || len(entries) != 1 || entries[0].After != res.After {
					t.Errorf("history %+v, %v", entries, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "no space left on the disk") || !strings.Contains(err.Error(), "nothing was applied") {
				t.Fatalf("err = %v", err)
			}
			t.Log(err)
			assertFile(t, envPath, before)
			if files := historyFiles(t, envPath); len(files) > 0 {
				t.Errorf("history holds %v", files)
			}
		})
	}
}

// TestConcurrentApplies: two applies of plans made against the same
// state at once — one applies, the other is refused (stale or locked);
// never both, and the file is one of the two results.
func TestConcurrentApplies(t *testing.T) {
	s0, s1, s2 := state(0, 200), state(1, 200), state(2, 200)
	p1, p2 := planFor(t, s0, s1), planFor(t, s0, s2)
	for _, wait := range []time.Duration{0, 10 * time.Second} {
		stale, locked := 0, 0
		for round := 0; round < 10; round++ {
			dir := t.TempDir()
			envPath := writeEnv(t, dir, s0)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, p := range []*plans.Plan{p1, p2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = ApplyFile(envPath, p, nil, Options{Wait: wait})
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
					assertFile(t, envPath, canonical(t, []*artifacts.Environment{s1, s2}[i]))
				case errors.Is(err, actions.ErrStale):
					stale++
				case errors.Is(err, ErrLocked) && wait == 0:
					locked++
					if !strings.Contains(err.Error(), "another secmgr apply is running on "+envPath) {
						t.Errorf("message %q", err)
					}
				default:
					t.Fatalf("wait %v: unexpected error %v", wait, err)
				}
			}
			if ok != 1 {
				t.Fatalf("wait %v: %d applies succeeded (%v)", wait, ok, errs)
			}
			if entries, _ := History(envPath); len(entries) != 1 {
				t.Errorf("journal has %d lines", len(entries))
			}
		}
		t.Logf("wait %v: the loser was refused as stale %d times, as locked %d times", wait, stale, locked)
	}
}

// TestLockWait holds the lock as another apply would: with Wait 0 an
// apply fails at once, with Wait it fails after the wait, and two
// waiting applies of plans against the same state end with one applied
// and the other refused as stale.
func TestLockWait(t *testing.T) {
	s0, s1, s2 := state(0, 20), state(1, 20), state(2, 20)
	dir := t.TempDir()
	envPath := writeEnv(t, dir, s0)
	os.Mkdir(Dir(envPath), 0o700)
	held, err := acquireLock(filepath.Join(Dir(envPath), lockName), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
	if !errors.Is(err, ErrLocked) || err.Error() != "another secmgr apply is running on "+envPath+": the environment is locked" {
		t.Fatalf("err = %v", err)
	}
	start := time.Now()
	_, err = ApplyFile(envPath, planFor(t, s0, s1), nil, Options{Wait: 200 * time.Millisecond})
	if waited := time.Since(start); !errors.Is(err, ErrLocked) || waited < 200*time.Millisecond || waited > 2*time.Second {
		t.Fatalf("err = %v after %v", err, waited)
	}

	errs := make(chan error, 2)
	for _, p := range []*plans.Plan{planFor(t, s0, s1), planFor(t, s0, s2)} {
		go func() {
			_, err := ApplyFile(envPath, p, nil, Options{Wait: 10 * time.Second})
			errs <- err
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if len(errs) != 0 {
		t.Fatal("an apply did not wait for the lock")
	}
	held.release()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) || !(errors.Is(e1, actions.ErrStale) || errors.Is(e2, actions.ErrStale)) {
		t.Fatalf("errors %v and %v: want one nil, one stale", e1, e2)
	}
	// The lock is free again.
	if l, err := acquireLock(filepath.Join(Dir(envPath), lockName), 0); err != nil {
		t.Fatalf("lock not released: %v", err)
	} else {
		l.release()
	}
}

// TestStrayTempsRemoved: an apply removes the temporary files killed
// applies left in the history folder, and beside the environment those
// older than an hour (a younger one may belong to a command writing now).
func TestStrayTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	s0, s1 := state(0, 3), state(1, 3)
	envPath := writeEnv(t, dir, s0)
	os.Mkdir(Dir(envPath), 0o700)
	old := time.Now().Add(-2 * time.Hour)
	files := map[string]bool{ // path → kept
		filepath.Join(Dir(envPath), ".backup-20260101T000000.000000000Z.json.tmp-123"): false,
		filepath.Join(dir, ".prod.json.tmp-old"):                                       false,
		filepath.Join(dir, ".prod.json.tmp-new"):                                       true,
		filepath.Join(dir, ".other.json.tmp-old"):                                      true,
	}
	for f := range files {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(f, "-new") {
			os.Chtimes(f, old, old)
		}
	}
	if _, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{}); err != nil {
		t.Fatal(err)
	}
	for f, kept := range files {
		if _, err := os.Stat(f); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", f, err == nil, kept)
		}
	}
}
