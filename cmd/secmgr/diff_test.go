package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

// TestDiffSelf: an environment compared with itself exits 0, prints no
// change, and its change workbook has every tab and no rows.
func TestDiffSelf(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	r := ok(t, dir, nil, "diff", "--from", "g.json", "--to", "g.json", "--prune", "--out", "same.xlsx")
	if want := "To make g.json match g.json: 0 to add, 0 to edit, 0 to remove; 0 warnings.\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	path := filepath.Join(dir, "same.xlsx")
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("same.xlsx: %v; want mode 0600", err)
	}
	names, rows := sheets(t, path)
	if len(names) != int(artifacts.NumTabs) {
		t.Errorf("%d sheets, want %d", len(names), artifacts.NumTabs)
	}
	for name, n := range rows {
		if n > 0 {
			t.Errorf("sheet %s has %d rows", name, n)
		}
	}
	// An existing workbook is not replaced without --force.
	fails(t, dir, nil, []string{"diff", "--from", "g.json", "--to", "g.json", "--out", "same.xlsx"}, "same.xlsx", "already exists", "--force")
	ok(t, dir, nil, "diff", "--from", "g.json", "--to", "g.json", "--out", "same.xlsx", "--force", "--areas", "users")
	if names, _ := sheets(t, path); strings.Join(names, ",") != "Users,UsersInGroups" {
		t.Errorf("--areas users wrote the sheets %v", names)
	}
}

// TestDiffWorkedExample is the README's example: development moves on by
// an edited workbook, diff shows how production differs, the change
// workbook applied to production leaves nothing to do.
func TestDiffWorkedExample(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "prod.json", "--name", "Production")
	ok(t, dir, nil, "init", "--sample", "dev.json", "--name", "Development")
	edits := copyEdits(t, dir, "realistic.xlsx")
	ok(t, dir, nil, "apply", edits, "--env", "dev.json", "--yes")

	r := secmgr(t, dir, nil, "diff", "--from", "dev.json", "--to", "prod.json")
	if r.code != 2 {
		t.Fatalf("diff: exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"+ Users Natalie Doc: ", // a renamed user is an addition …
		"+ Groups Documentation Legal B: Description Legal entity B accountants",
		"~ Entity Carlsbad: ReadGroup2 Documentation LegalB → Documentation Legal B; ReadWriteGroup2 Nobody → Documentation Legal B",
		"+ UsersInGroups Pat Morgan / Houston_View",
		"To make prod.json match dev.json: 9 to add, 2 to edit, 0 to remove; 0 warnings.",
	} {
		if !strings.Contains(r.stdout, want+"\n") && !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "- ") {
		t.Errorf("diff without --prune removes:\n%s", r.stdout)
	}

	args := []string{"diff", "--from", "dev.json", "--to", "prod.json", "--map", "Documentation Legal B=Documentation LegalB", "--prune"}
	r = secmgr(t, dir, nil, append(args, "--out", "changes.xlsx")...)
	if r.code != 2 {
		t.Fatalf("diff --out: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"~ Entity Carlsbad: ReadWriteGroup2 Nobody → Documentation LegalB\n",
		"- Users Natalie Documentation\n", // … and with --prune the old name a removal
		"- Users Kevin Walsh\n",
		"To make prod.json match dev.json: 7 to add, 2 to edit, 3 to remove; 0 warnings.\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff --map --prune lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Documentation Legal B") {
		t.Errorf("--map did not rename the group:\n%s", r.stdout)
	}
	plan := secmgr(t, dir, nil, "plan", "changes.xlsx", "--env", "prod.json")
	if plan.code != 2 || !strings.Contains(plan.stdout, "Plan: 7 to add, 2 to edit, 0 to rename, 3 to remove; 0 errors, 0 warnings.") {
		t.Fatalf("plan of the change workbook: exit %d\n%s%s", plan.code, plan.stdout, plan.stderr)
	}
	ok(t, dir, nil, "apply", "changes.xlsx", "--env", "prod.json", "--yes")
	r = ok(t, dir, nil, args...)
	if !strings.Contains(r.stdout, "0 to add, 0 to edit, 0 to remove") {
		t.Errorf("diff after apply:\n%s", r.stdout)
	}

	// JSON: plan-shaped, with what was compared.
	r = ok(t, dir, nil, append(args, "--format", "json", "--areas", "users,groups")...)
	var doc struct {
		Format   string            `json:"format"`
		From     map[string]string `json:"from"`
		Areas    []string          `json:"areas"`
		Map      []string          `json:"map"`
		Changes  []any             `json:"changes"`
		Findings []any             `json:"findings"`
		Summary  map[string]int    `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--format json: %v\n%s", err, r.stdout)
	}
	if doc.Format != "secmgr.diff/v1" || doc.From["name"] != "Development" || !strings.HasPrefix(doc.From["fingerprint"], "sha256:") ||
		strings.Join(doc.Areas, ",") != "users,groups" || len(doc.Map) != 1 || doc.Changes == nil || doc.Findings == nil || doc.Summary["add"] != 0 {
		t.Errorf("--format json printed:\n%s", r.stdout)
	}
}

// TestDiffFindingsAndPasswords: what a workbook cannot carry is a
// warning and exit 0 once everything else is carried; passwords are
// compared, carried only when asked, and never printed.
func TestDiffFindingsAndPasswords(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "prod.json")
	dev, err := artifacts.Load(filepath.Join(dir, "prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	dev.Entity = append(dev.Entity, artifacts.Entity{Entity: "Lisbon", ReadGroup: "Europe", ReadGroup2: "Nobody", ReadWriteGroup: "Nobody", ReadWriteGroup2: "Nobody"})
	for i := range dev.Users {
		if dev.Users[i].User == "GS Training" {
			dev.Users[i].Password = "ENC-very-secret-value"
		}
	}
	if err := artifacts.Save(filepath.Join(dir, "dev.json"), dev); err != nil {
		t.Fatal(err)
	}
	r := ok(t, dir, nil, "diff", "--from", "dev.json", "--to", "prod.json", "--prune", "--log-level", "debug")
	for _, want := range []string{
		"Entity: warning: entity 'Lisbon' exists only in the source; create it in OneStream first",
		"[only-in-source]",
		"Users: warning: the passwords of 1 user ('GS Training') differ",
		"0 to add, 0 to edit, 0 to remove; 2 warnings.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, format := range []string{"text", "json"} {
		r = secmgr(t, dir, nil, "diff", "--from", "dev.json", "--to", "prod.json", "--include-password-hashes", "--format", format, "--out", format+".xlsx", "--log-level", "debug")
		if r.code != 2 || !strings.Contains(r.stdout, "Password") {
			t.Errorf("--include-password-hashes --format %s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "very-secret") {
			t.Errorf("a password value was printed:\n%s%s", r.stdout, r.stderr)
		}
	}
	ok(t, dir, nil, "apply", "text.xlsx", "--env", "prod.json", "--yes")
	env, err := artifacts.Load(filepath.Join(dir, "prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := artifacts.TabUsers.Tab().Find(env, "GS Training"); env.Users[i].Password != "ENC-very-secret-value" {
		t.Error("the password was not carried")
	}
	ok(t, dir, nil, "diff", "--from", "dev.json", "--to", "prod.json", "--include-password-hashes")
}

func TestDiffBadInput(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "g.json")
	os.WriteFile(filepath.Join(dir, "corrupt.json"), []byte(`{"format": "secmgr.environment/v1", "Users": [`), 0o600)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"diff", "--to", "g.json"}, []string{"--from SRC"}},
		{[]string{"diff", "--from", "g.json"}, []string{"--to DST"}},
		{[]string{"diff"}, []string{"--from SRC and --to DST"}},
		{[]string{"diff", "--from", "missing.json", "--to", "g.json"}, []string{"--from", "missing.json", "does not exist"}},
		{[]string{"diff", "--from", "g.json", "--to", "corrupt.json"}, []string{"corrupt.json"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--map", "Finance"}, []string{"--map", "FROM=TO"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--map", "A**=B"}, []string{"--map", "one *"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--map", "Houston_*=Houston"}, []string{"'Houston_Mod' and 'Houston_View' would both be 'Houston'"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--areas", "users,bogus"}, []string{"--areas", "bogus"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--format", "xml"}, []string{"xml"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--out", "no/such/dir/c.xlsx"}, []string{"no/such/dir", "does not exist"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "extra"}, []string{"too many arguments"}},
		{[]string{"diff", "--from", "g.json", "--to", "g.json", "--out", "g.json", "--force"}, []string{"--out g.json", ".xlsx"}},
	} {
		r := fails(t, dir, nil, tc.args, tc.want...)
		if r.stdout != "" {
			t.Errorf("secmgr %s printed %q", strings.Join(tc.args, " "), r.stdout)
		}
	}
}

func TestDiffHelp(t *testing.T) {
	r := ok(t, t.TempDir(), nil, "diff", "--help")
	for _, want := range []string{"Example:", "secmgr diff --from", "cannot be told from a removal and an", "--map", "DEV_*=PRD_*", "Exit code: 0 nothing to change, 2 there are changes, 1 error."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff --help lacks %q:\n%s", want, r.stdout)
		}
	}
}
