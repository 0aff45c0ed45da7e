//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"secmgr/pkg/review"
)

// 'review --force' replaces a symbolic link planted at the name it writes
// rather than writing through it: the link's target keeps its bytes, and
// the review is a new file readable by its owner only.
func TestReviewForceDoesNotFollowLinks(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Plant a link at every name the review may take in the next minute.
	now := time.Now()
	for s := 0; s < 60; s++ {
		if err := os.Symlink(victim, filepath.Join(out, review.FileName(now.Add(time.Duration(s)*time.Second)))); err != nil {
			t.Fatal(err)
		}
	}
	r := ok(t, dir, nil, "review", "--env", envPath, "--out-dir", out, "--force")
	path := strings.TrimSpace(r.stdout)
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want a regular file 0600", path, st.Mode())
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
		t.Errorf("the link's target was written: %d bytes", len(data))
	}
	if st, _ := os.Stat(victim); st.Mode().Perm() != 0o644 {
		t.Errorf("the link's target changed mode: %v", st.Mode())
	}
}
