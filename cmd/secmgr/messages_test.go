package main

import (
	"fmt"
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

// --max-findings bounds the findings listed per severity; the last one
// says how many were not listed, and the plan stays refused.
func TestMaxFindings(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	var rows strings.Builder
	rows.WriteString(inlineRow(1, "User", "ParentGroup"))
	const n = 50
	for i := 2; i <= n+1; i++ {
		rows.WriteString(inlineRow(i, fmt.Sprintf("Nobody %d", i), "Nobody"))
	}
	writeZip(t, filepath.Join(dir, "many.xlsx"), minimalParts("UsersInGroups", rows.String()))
	for _, tc := range []struct {
		max    string
		listed int
	}{{"5", 5}, {"", n}} {
		args := []string{"plan", "many.xlsx", "--env", envPath}
		if tc.max != "" {
			args = append([]string{"--max-findings", tc.max}, args...)
		}
		r := secmgr(t, dir, nil, args...)
		if r.code != 1 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if got := strings.Count(r.stdout, "does not exist"); got != tc.listed {
			t.Errorf("%v: %d findings of unknown users listed, want %d\n%s", args, got, tc.listed, r.stdout)
		}
		notListed := fmt.Sprintf("%d more error(s) and 0 more warning(s) are not listed (secmgr lists the first %s of each)", n-tc.listed, tc.max)
		if tc.max != "" && !strings.Contains(r.stdout, notListed) {
			t.Errorf("%v: no %q\n%s", args, notListed, r.stdout)
		}
		if tc.max == "" && strings.Contains(r.stdout, "not listed") {
			t.Errorf("%v: findings left out under the default bound\n%s", args, r.stdout)
		}
	}
	fails(t, dir, nil, []string{"--max-findings", "0", "plan", "many.xlsx", "--env", envPath}, "must be positive")
}
