//go:build unix

package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secmgr/examples/golfstream"
)

// These tests run the real binary; pkg/history tests the same failures
// of ApplyFile itself, more thoroughly (every write failing with ENOSPC,
// kills of an apply loop).

// appliedBytes is the environment file after applying the plan saved
// from workbook (an edit of the sample) alone.
func appliedBytes(t *testing.T, workbook string, flags ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	sampleEnv(t, dir)
	wb := copyEdits(t, dir, workbook)
	ok(t, dir, nil, append([]string{"apply", wb, "--env", "gs.json", "--yes"}, flags...)...)
	b, err := os.ReadFile(filepath.Join(dir, "gs.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestApplyKilled kills secmgr apply with SIGKILL at random moments: the
// environment is always whole, as it was or as applied, and the next
// apply is not held up by what the killed one left.
func TestApplyKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills secmgr 20 times")
	}
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	copyEdits(t, dir, "realistic.xlsx")
	old, applied := golfstream.EnvironmentJSON, appliedBytes(t, "realistic.xlsx")
	secmgr(t, dir, nil, "plan", "realistic.xlsx", "--env", "gs.json", "--out", "p.json")

	start := time.Now()
	ok(t, dir, nil, "apply", "p.json", "--env", "gs.json", "--yes")
	window := 2 * time.Since(start)
	t.Logf("one apply takes %v; killing within %v", window/2, window)

	var whole [2]int
	for k := range 20 {
		os.WriteFile(envPath, old, 0o600)
		cmd := exec.Command(binary, "apply", "p.json", "--env", "gs.json", "--yes")
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(window))))
		cmd.Process.Kill()
		cmd.Wait()

		got, err := os.ReadFile(envPath)
		switch {
		case err != nil:
			t.Fatalf("kill %d: %v", k, err)
		case bytes.Equal(got, old):
			whole[0]++
			// Not blocked: the plan applies at once (no --wait).
			r := secmgr(t, dir, nil, "apply", "p.json", "--env", "gs.json", "--yes")
			if r.code != 0 {
				t.Fatalf("kill %d: the next apply failed:\n%s%s", k, r.stdout, r.stderr)
			}
		case bytes.Equal(got, applied):
			whole[1]++
			// The plan is stale now; refused as such, not as locked.
			fails(t, dir, nil, []string{"apply", "p.json", "--env", "gs.json", "--yes"}, "made against another state")
		default:
			t.Fatalf("kill %d: gs.json is neither as it was nor as applied (%d bytes)", k, len(got))
		}
	}
	t.Logf("after 20 kills: as it was %d times, as applied %d times", whole[0], whole[1])
}

// TestConcurrentApplyProcesses starts two applies of plans made against
// the same state at once: one applies, the other is refused (locked, or
// stale after waiting), and the file is the winner's result.
func TestConcurrentApplyProcesses(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	copyEdits(t, dir, "realistic.xlsx")
	copyEdits(t, dir, "remove-group.xlsx")
	results := [][]byte{appliedBytes(t, "realistic.xlsx"), appliedBytes(t, "remove-group.xlsx", "--cascade")}
	secmgr(t, dir, nil, "plan", "realistic.xlsx", "--env", "gs.json", "--out", "p0.json")
	secmgr(t, dir, nil, "plan", "remove-group.xlsx", "--env", "gs.json", "--out", "p1.json", "--cascade")

	refused := map[string]int{}
	for round := range 6 {
		wait := []string{"0s", "10s"}[round%2]
		os.WriteFile(envPath, golfstream.EnvironmentJSON, 0o600)
		var cmds [2]*exec.Cmd
		var outs [2]bytes.Buffer
		for i := range cmds {
			cmds[i] = exec.Command(binary, "apply", "p"+string(rune('0'+i))+".json", "--env", "gs.json", "--yes", "--wait", wait)
			cmds[i].Dir = dir
			cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		}
		for _, c := range cmds {
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		winner := -1
		for i, c := range cmds {
			err := c.Wait()
			switch msg := outs[i].String(); {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: both applies succeeded", round)
				}
				winner = i
			case strings.Contains(msg, "another secmgr apply is running"):
				refused["locked"]++
			case strings.Contains(msg, "made against another state"):
				refused["stale"]++
			default:
				t.Fatalf("round %d: apply %d failed unexpectedly: %v\n%s", round, i, err, msg)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: neither apply succeeded:\n%s\n%s", round, outs[0].String(), outs[1].String())
		}
		assertBytes(t, envPath, results[winner])
	}
	t.Logf("the loser was refused: %v", refused)
}

// TestApplyReadOnlyFolder: an apply that cannot write its history exits
// 1 saying why, and the environment is untouched. Root ignores
// permissions, so as root the history folder's name is taken by a file.
func TestApplyReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	copyEdits(t, dir, "realistic.xlsx")
	if os.Geteuid() == 0 {
		os.WriteFile(filepath.Join(dir, "gs.history"), nil, 0o600)
	} else {
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
	}
	r := fails(t, dir, nil, []string{"apply", "realistic.xlsx", "--env", "gs.json", "--yes"}, "gs.json", "gs.history")
	t.Log(strings.TrimSpace(r.stderr))
	assertBytes(t, envPath, golfstream.EnvironmentJSON)
}
