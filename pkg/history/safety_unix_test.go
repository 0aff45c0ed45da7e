//go:build unix

package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A history folder, journal or lock that is a symbolic link, or that other
// users may write to, is refused with its path named; the link's target
// is never written and the environment is untouched.
func TestHistoryRefusesLinksAndSharedFolders(t *testing.T) {
	s0, s1 := state(0, 5), state(1, 5)
	tests := []struct {
		name    string
		plant   func(t *testing.T, hist, target string)
		wantErr string // with the path it names: "HIST" stands for the folder
	}{
		{"journal is a link", func(t *testing.T, hist, target string) {
			mkdir(t, hist)
			symlink(t, target, filepath.Join(hist, journalName))
		}, "HIST/journal.jsonl is a symbolic link"},
		{"lock is a link", func(t *testing.T, hist, target string) {
			mkdir(t, hist)
			symlink(t, target, filepath.Join(hist, lockName))
		}, "HIST/lock is a symbolic link"},
		{"folder is a link", func(t *testing.T, hist, target string) {
			other := filepath.Join(filepath.Dir(target), "elsewhere")
			mkdir(t, other)
			symlink(t, other, hist)
		}, "the history folder HIST is a symbolic link"},
		{"folder writable by others", func(t *testing.T, hist, target string) {
			mkdir(t, hist)
			if err := os.Chmod(hist, 0o777); err != nil {
				t.Fatal(err)
			}
		}, "the history folder HIST is writable by other users (mode 0777)"},
		{"journal writable by others", func(t *testing.T, hist, target string) {
			mkdir(t, hist)
			p := filepath.Join(hist, journalName)
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, 0o666); err != nil {
				t.Fatal(err)
			}
		}, "HIST/journal.jsonl is writable by other users (mode 0666)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			envPath := writeEnv(t, dir, s0)
			before := readFile(t, envPath)
			target := filepath.Join(dir, "victim.txt")
			if err := os.WriteFile(target, []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			hist := Dir(envPath)
			tt.plant(t, hist, target)
			want := strings.ReplaceAll(tt.wantErr, "HIST", hist)

			_, err := ApplyFile(envPath, planFor(t, s0, s1), nil, Options{})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("apply: error %v\nwant one containing %q", err, want)
			}
			assertFile(t, envPath, before)
			assertFile(t, target, []byte("precious\n"))
			if tt.name != "lock is a link" { // History takes no lock
				if _, err := History(envPath); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("history: error %v\nwant one containing %q", err, want)
				}
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
