package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
)

// The explain and audit tests run secmgr in-process; register the
// commands here until main.go lists them.
func init() {
	have := map[string]bool{}
	for _, c := range commands {
		have[c(&app{}).Name] = true
	}
	if !have["explain"] {
		commands = append(commands, explainCommand)
	}
	if !have["audit"] {
		commands = append(commands, auditCommand)
	}
}

// runReview runs secmgr in-process with the GolfStream sample as --env.
func runReview(t *testing.T, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "golfstream.json")
	if err := os.WriteFile(path, golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"secmgr", "--env", path}, args...), &stdout, &stderr)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestExplainCommand(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{args: []string{"explain", "--user", "jessica documentation"}, code: 0,
			stdout: []string{"User Jessica Documentation: enabled", "Jessica Documentation → Documentation LegalA → Documentation AllOrgs", "Entity Houston"}},
		{args: []string{"explain", "--group", "Documentation AllOrgs", "--format", "json"}, code: 0,
			stdout: []string{`"group": "Documentation AllOrgs"`, `"directMembers"`}},
		{args: []string{"explain", "--group", "Montreal 2019 Reorg"}, code: 0,
			stdout: []string{"used nowhere and holds no one"}},
		{args: []string{"explain", "--user", "Jesica Documentation"}, code: 1,
			stderr: []string{`there is no user named "Jesica Documentation"`, `did you mean "Jessica Documentation"?`, "golfstream.json"}},
		{args: []string{"explain", "--user", "Administrators"}, code: 1,
			stderr: []string{"is a group", "use --group"}},
		{args: []string{"explain"}, code: 1, stderr: []string{"needs --user NAME or --group NAME"}},
		{args: []string{"explain", "--user", "A", "--group", "B"}, code: 1, stderr: []string{"not both"}},
		{args: []string{"explain", "--user", "Kevin Walsh", "--format", "xml"}, code: 1, stderr: []string{"--format"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runReview(t, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

func TestExplainJSON(t *testing.T) {
	r := runReview(t, "explain", "--user", "Mark Sullivan", "--format", "json")
	var doc struct {
		User            string `json:"user"`
		ExclusionGroups []struct {
			Name      string `json:"name"`
			In        bool   `json:"in"`
			DecidedBy struct {
				Tab string `json:"tab"`
			} `json:"decidedBy"`
		} `json:"exclusionGroups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if doc.User != "Mark Sullivan" || len(doc.ExclusionGroups) != 1 || doc.ExclusionGroups[0].In || doc.ExclusionGroups[0].DecidedBy.Tab != "UsersInExGroups" {
		t.Errorf("unexpected document: %+v", doc)
	}
}

func TestAuditCommand(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"audit"}, 2, "OS-BP-PS-AM-001", "at or above --fail-on high"},
		{[]string{"audit", "--fail-on", "none"}, 0, "HIGH", ""},
		{[]string{"audit", "--format", "json", "--fail-on", "none"}, 0, `"rule": "SM-006"`, ""},
		{[]string{"audit", "--format", "sarif", "--fail-on", "info"}, 2, `"version": "2.1.0"`, ""},
		{[]string{"audit", "--fail-on", "critical"}, 1, "", "--fail-on"},
		{[]string{"audit", "--format", "xml"}, 1, "", "--format"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runReview(t, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
		})
	}
}

func TestExplainAuditHelp(t *testing.T) {
	for _, c := range []string{"explain", "audit"} {
		r := runReview(t, c, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Example:") || !strings.Contains(r.stdout, "secmgr --env golfstream.json "+c) {
			t.Errorf("secmgr %s --help: exit %d, no worked example:\n%s%s", c, r.code, r.stdout, r.stderr)
		}
	}
}

// TestAuditSARIFPointsIntoTheFile runs the binary as a pipeline does, from
// the folder that holds the environment: every result names the file by
// its relative path and the line of the artifact's entry.
func TestAuditSARIFPointsIntoTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "golfstream.json"), golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	r := secmgr(t, dir, nil, "audit", "--env", "golfstream.json", "--format", "sarif", "--fail-on", "none")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(golfstream.EnvironmentJSON), "\n")
	n := 0
	for _, res := range log.Runs[0].Results {
		for _, l := range res.Locations {
			if p := l.PhysicalLocation; p != nil {
				n++
				if p.ArtifactLocation.URI != "golfstream.json" || strings.TrimSpace(lines[p.Region.StartLine-1]) != "{" {
					t.Errorf("physical location %s:%d", p.ArtifactLocation.URI, p.Region.StartLine)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no result has a physical location")
	}
}
