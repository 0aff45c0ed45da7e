package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A write that fails names the file once, with the reason, and never the
// temporary file it went through.
func TestWriteFailureNamesTheFileOnce(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wbDir := filepath.Join(dir, "wb")
	os.Mkdir(wbDir, 0o700)
	workbook := strings.TrimSpace(lastLine(ok(t, dir, nil, "export", "--env", envPath, "--out-dir", wbDir).stdout))
	// A folder that is not empty cannot be replaced by a file.
	for _, name := range []string{"a.xlsx", "a.json"} {
		if err := os.MkdirAll(filepath.Join(dir, name, "inside"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"plan", workbook, "--env", envPath, "--annotate", "a.xlsx"},
		{"snapshot", workbook, "--out", "a.json", "--force"},
		{"init", "a.json", "--force"},
	} {
		r := secmgr(t, dir, nil, args...)
		target := "a.xlsx"
		if args[0] != "plan" {
			target = "a.json"
		}
		if r.code != 1 || strings.Count(r.stderr, target) != 1 || !strings.Contains(r.stderr, "cannot write "+target+": ") || strings.Contains(r.stderr, ".tmp-") {
			t.Errorf("secmgr %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}
