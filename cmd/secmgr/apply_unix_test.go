//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/history"
)

// TestApplyLocked holds the lock as a running apply would.
func TestApplyLocked(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "realistic.xlsx")
	os.Mkdir(history.Dir(envPath), 0o700)
	f, err := os.OpenFile(filepath.Join(history.Dir(envPath), "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, "apply", wb, "--env", envPath, "--yes", "--wait", "100ms")
	expectCode(t, r, 1, "another secmgr apply is running on "+envPath)
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
	r = runIn(t, "apply", wb, "--env", envPath, "--yes", "--wait", "-1s")
	expectCode(t, r, 1, "--wait")
}
