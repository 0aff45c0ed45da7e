package history

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFindState: a state an apply replaced is found by its fingerprint
// with the applies made since, each with the state it left; the latest
// time the environment was in a state counts; a state never recorded, or
// whose backup is gone, is not found.
func TestFindState(t *testing.T) {
	dir := t.TempDir()
	s0, s1, s2 := state(0, 20), state(1, 20), state(2, 20)
	envPath := writeEnv(t, dir, s0)
	clock := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Minute); return clock }
	// s0 → s1 → s2 → s1 (an undo of the second apply).
	if _, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyFile(envPath, planFor(t, s1, s2), nil, Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyFile(envPath, planFor(t, s2, s1), nil, Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	journal, err := History(envPath)
	if err != nil || len(journal) != 3 {
		t.Fatalf("journal: %v, %v", journal, err)
	}

	for _, tc := range []struct {
		name    string
		fp      string
		applies int
	}{
		{"the first state", fingerprint(t, s0), 3},
		{"a state met twice: its latest time", fingerprint(t, s1), 2},
		{"the state the second apply left", fingerprint(t, s2), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := FindState(envPath, tc.fp)
			if err != nil || st == nil {
				t.Fatalf("FindState: %v, %v", st, err)
			}
			if got := fingerprint(t, st.Env); got != tc.fp {
				t.Fatalf("found %s", got)
			}
			if len(st.Applies) != tc.applies {
				t.Fatalf("%d applies since, want %d", len(st.Applies), tc.applies)
			}
			// Each apply's state after is the next one's state before;
			// the last one's is the file itself.
			for i, a := range st.Applies {
				j := len(journal) - len(st.Applies) + i
				if !a.Time.Equal(journal[j].Time) {
					t.Errorf("apply %d at %v, journal says %v", i, a.Time, journal[j].Time)
				}
				after, err := a.After()
				if err != nil {
					t.Fatal(err)
				}
				if got := fingerprint(t, after); got != journal[j].After {
					t.Errorf("apply %d left %s, journal says %s", i, got, journal[j].After)
				}
			}
		})
	}

	if st, err := FindState(envPath, fingerprint(t, state(7, 20))); err != nil || st != nil {
		t.Errorf("a state never recorded: %v, %v", st, err)
	}
	// A backup that is gone (or changed) is not trusted.
	if err := os.Remove(filepath.Join(Dir(envPath), journal[0].Backup)); err != nil {
		t.Fatal(err)
	}
	if st, err := FindState(envPath, fingerprint(t, s0)); err != nil || st != nil {
		t.Errorf("a state whose backup is gone: %v, %v", st, err)
	}
	// An environment never applied to has no history.
	fresh := writeEnv(t, t.TempDir(), s0)
	if st, err := FindState(fresh, fingerprint(t, s1)); err != nil || st != nil {
		t.Errorf("no history: %v, %v", st, err)
	}
}
