package history

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// The kill test re-executes the test binary in a helper mode that applies
// plans to one environment file in a loop, alternating between two
// states, until it is killed.
const helperEnv = "SECMGR_HISTORY_TEST_HELPER"

// killUsers sizes the environment of the kill test so one apply takes a
// few milliseconds, spreading the kills over every step.
const killUsers = 500

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		applyLoop(path)
		return
	}
	os.Exit(m.Run())
}

// applyLoop applies, forever, the plan from the file's current state to
// the other one.
func applyLoop(envPath string) {
	var tb fatalTB
	s := [2]*artifacts.Environment{state(0, killUsers), state(1, killUsers)}
	plans := [2]*plans.Plan{planFor(&tb, s[0], s[1]), planFor(&tb, s[1], s[0])}
	fp0 := fingerprint(&tb, s[0])
	fmt.Println("ready") // the parent kills at random moments from now on
	for {
		env, err := artifacts.Load(envPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		i := 1
		if fingerprint(&tb, env) == fp0 {
			i = 0
		}
		if _, err := ApplyFile(envPath, plans[i], nil, Options{Wait: time.Second}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
	}
}

// TestKilledApply kills an applying process at random moments. After
// each kill the environment file loads and is one of the two states, and
// the next apply proceeds at once: no lock is left behind and no
// leftover file is in the way.
func TestKilledApply(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a subprocess 30 times")
	}
	dir := t.TempDir()
	s0, s1 := state(0, killUsers), state(1, killUsers)
	b0, b1 := canonical(t, s0), canonical(t, s1)
	envPath := writeEnv(t, dir, s0)
	p01, p10 := planFor(t, s0, s1), planFor(t, s1, s0)

	start := time.Now()
	res, err := ApplyFile(envPath, p01, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	killWindow := max(50*time.Millisecond, 3*took)
	t.Logf("one apply of %d changes to %d rows takes %v; killing within %v", len(p01.Changes), s0.Rows(), took, killWindow)
	applyUndo(t, envPath, res, Options{})

	const kills = 30
	var inState [2]int
	strayEnvTemps := map[string]bool{}
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+envPath)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the helper is applying, then kill it within a few
		// applies' time.
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper did not start: %v %s", err, stderr.String())
		}
		time.Sleep(time.Duration(rand.Int64N(int64(killWindow))))
		cmd.Process.Kill()
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("helper failed: %s", stderr.String())
		}

		// The environment is whole: one of the two states.
		data := readFile(t, envPath)
		var next = p01
		switch {
		case string(data) == string(b0):
			inState[0]++
		case string(data) == string(b1):
			inState[1]++
			next = p10
		default:
			t.Fatalf("kill %d: the environment is neither state (%d bytes)", k, len(data))
		}
		if _, err := artifacts.Load(envPath); err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		// The journal reads (a torn last line is skipped), and shows every
		// apply that happened: each starts from the state the one before
		// it left, and the last one left the file as it is.
		entries, err := History(envPath)
		if err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		checkChain(t, fmt.Sprintf("kill %d", k), entries, digestOf(data))
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".prod.json.tmp-") {
				strayEnvTemps[e.Name()] = true
			}
		}
		// The next apply is not blocked: Wait 0 fails on a held lock.
		if _, err := ApplyFile(envPath, next, nil, Options{}); err != nil {
			t.Fatalf("kill %d: the next apply failed: %v", k, err)
		}
		for _, n := range historyFiles(t, envPath) {
			if strings.HasPrefix(n, ".") {
				t.Errorf("kill %d: %s left in the history folder after an apply", k, n)
			}
		}
	}

	// Every journal line names a backup and an undo plan that exist, in
	// order; backups without a journal line are applies killed before
	// they replaced the environment.
	entries, err := History(envPath)
	if err != nil {
		t.Fatal(err)
	}
	checkChain(t, "at the end", entries, digestOf(readFile(t, envPath)))
	backups := withPrefix(historyFiles(t, envPath), "backup-")
	last := ""
	for _, e := range entries {
		for _, f := range []string{e.Backup, e.Undo} {
			if _, err := os.Stat(filepath.Join(Dir(envPath), f)); err != nil {
				t.Errorf("journal names %s: %v", f, err)
			}
		}
		if e.Backup <= last {
			t.Errorf("journal out of order: %s after %s", e.Backup, last)
		}
		last = e.Backup
	}
	t.Logf("%d kills: file in state 0 %d times, state 1 %d times; %d applies journaled, %d backups without a journal line, %d stray temporary files beside the environment",
		kills, inState[0], inState[1], len(entries), len(backups)-len(entries), len(strayEnvTemps))
}

// checkChain fails unless the history is one unbroken chain of applies
// ending in the state current.
func checkChain(t *testing.T, when string, entries []JournalEntry, current string) {
	t.Helper()
	if len(entries) == 0 {
		t.Fatalf("%s: the history is empty", when)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Before != entries[i-1].After {
			t.Fatalf("%s: an apply is missing from the history between %s and %s", when, entries[i-1].Undo, entries[i].Undo)
		}
	}
	if last := entries[len(entries)-1]; last.After != current {
		t.Fatalf("%s: the last apply in the history (%s) did not leave the file as it is", when, last.Undo)
	}
}

func digestOf(b []byte) string { return artifacts.Digest(b) }

// fatalTB lets the helper process use the test helpers.
type fatalTB struct{ testing.TB }

func (fatalTB) Helper() {}
func (fatalTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(5)
}
func (fatalTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(5)
}
