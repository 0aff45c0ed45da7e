package history

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

const secretValue = "s3cret-Value!"

// writeUsersWorkbook writes a workbook whose Users tab holds rows, one
// value per Users column, and returns its path.
func writeUsersWorkbook(t *testing.T, path string, rows ...[]string) string {
	t.Helper()
	w, err := workbook.Create(path, workbook.WriteOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.StartTab(artifacts.TabUsers.Tab()); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// userRow is a Users row with the given name and password.
func userRow(name, password string) []string {
	t := artifacts.TabUsers.Tab()
	row := make([]string, len(t.Columns))
	row[t.Column("User")] = name
	row[t.Column("UserType")] = "Interactive"
	row[t.Column("IsEnabled")] = "True"
	row[t.Column("Password")] = password
	return row
}

// passwordPlan sets user0000's password from Users!G2 and renames
// user0001 to "Renamed User", setting its password from Users!G3.
func passwordPlan(t *testing.T, env *artifacts.Environment, wbPath string) *plans.Plan {
	t.Helper()
	sum, err := artifacts.FileDigest(wbPath)
	if err != nil {
		t.Fatal(err)
	}
	pw := func(from string) plans.Fields {
		return plans.Fields{{Column: "Password", Old: plans.MaskedValue, New: plans.MaskedValue, Secret: true, From: from}}
	}
	p := &plans.Plan{
		Format:      plans.PlanFormat,
		Environment: plans.EnvironmentRef{Name: env.Name, Fingerprint: fingerprint(t, env)},
		Source:      filepath.Base(wbPath),
		Secrets:     &plans.SourceRef{Path: wbPath, Fingerprint: sum},
		Changes: []plans.Change{
			{Op: plans.OpRename, Tab: "Users", Key: []string{"user0001"}, NewKey: []string{"Renamed User"}, Cells: []string{"Users!O3"}},
			{Op: plans.OpEdit, Tab: "Users", Key: []string{"user0000"}, Fields: pw("Users!G2"), Cells: []string{"Users!G2"}},
			{Op: plans.OpEdit, Tab: "Users", Key: []string{"Renamed User"}, Fields: pw("Users!G3"), Cells: []string{"Users!G3"}},
		},
	}
	p.Summarize()
	return p
}

func TestPasswordsFromWorkbook(t *testing.T) {
	dir := t.TempDir()
	s0 := state(0, 5)
	envPath := writeEnv(t, dir, s0)
	wbPath := writeUsersWorkbook(t, filepath.Join(dir, "edits.xlsx"),
		userRow("user0000", secretValue), userRow("Renamed User", secretValue+"2"))
	p := passwordPlan(t, s0, wbPath)
	if !p.HasSecrets() {
		t.Fatal("plan has no secrets")
	}
	planBytes, _ := plans.MarshalPlan(p)
	if bytes.Contains(planBytes, []byte(secretValue)) {
		t.Fatal("the plan holds the password")
	}

	src, err := actions.SecretsFor(p, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := ApplyFile(envPath, p, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := artifacts.Load(envPath)
	if err != nil {
		t.Fatal(err)
	}
	users := artifacts.TabUsers.Tab()
	for name, want := range map[string]string{"user0000": secretValue, "Renamed User": secretValue + "2", "user0002": "pw-2"} {
		i, ok := users.Find(after, name)
		if !ok || after.Users[i].Password != want {
			t.Errorf("%s: password not set as planned (found %v)", name, ok)
		}
	}
	if _, ok := users.Find(after, "user0001"); ok {
		t.Error("user0001 was not renamed")
	}

	// No password value in the journal, the undo plan or the result; the
	// backup is the environment and may hold the old ones.
	for _, f := range []string{res.Journal, res.Undo} {
		data := readFile(t, f)
		for _, v := range []string{secretValue, "pw-0", "pw-1"} {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s holds a password value", f)
			}
		}
	}
	if strings.Contains(strings.Join(res.Warnings, " "), secretValue) {
		t.Error("warnings hold the password")
	}

	// The undo plan reads the old passwords from the backup and restores
	// the environment byte for byte.
	applyUndo(t, envPath, res, Options{})
	assertFile(t, envPath, canonical(t, s0))
}

func TestSecretsForRefuses(t *testing.T) {
	s0 := state(0, 5)
	tests := []struct {
		name    string
		change  func(t *testing.T, dir, wbPath string, p *plans.Plan) string // returns planDir
		wantMsg []string
	}{
		{"workbook changed", func(t *testing.T, dir, wbPath string, p *plans.Plan) string {
			writeUsersWorkbook(t, wbPath, userRow("user0000", "other"), userRow("Renamed User", "x"))
			return ""
		}, []string{"passwords cannot be read", "edits.xlsx has changed"}},
		{"workbook missing", func(t *testing.T, dir, wbPath string, p *plans.Plan) string {
			os.Remove(wbPath)
			return ""
		}, []string{"passwords cannot be read", "edits.xlsx does not exist"}},
		{"no source recorded", func(t *testing.T, dir, wbPath string, p *plans.Plan) string {
			p.Secrets = nil
			return ""
		}, []string{"does not say where"}},
		{"relative path resolved in the plan's folder", func(t *testing.T, dir, wbPath string, p *plans.Plan) string {
			p.Secrets.Path = "edits.xlsx"
			return dir
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			wbPath := writeUsersWorkbook(t, filepath.Join(dir, "edits.xlsx"),
				userRow("user0000", secretValue), userRow("Renamed User", secretValue))
			p := passwordPlan(t, s0, wbPath)
			planDir := tt.change(t, dir, wbPath, p)
			_, err := actions.SecretsFor(p, planDir)
			if tt.wantMsg == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q lacks %q", err, m)
				}
			}
			if strings.Contains(err.Error(), secretValue) {
				t.Error("the error holds the password")
			}
		})
	}
}

// TestUndoWithChangedBackup: an undo plan whose backup was altered cannot
// have its passwords read, and the environment is untouched.
func TestUndoWithChangedBackup(t *testing.T) {
	dir := t.TempDir()
	s0 := state(0, 5)
	envPath := writeEnv(t, dir, s0)
	wbPath := writeUsersWorkbook(t, filepath.Join(dir, "edits.xlsx"),
		userRow("user0000", secretValue), userRow("Renamed User", secretValue))
	p := passwordPlan(t, s0, wbPath)
	src, err := actions.SecretsFor(p, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := ApplyFile(envPath, p, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(res.Backup, append(readFile(t, res.Backup), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	undo := loadPlan(t, res.Undo)
	_, err = actions.SecretsFor(undo, filepath.Dir(res.Undo))
	if err == nil || !strings.Contains(err.Error(), "has changed") || !strings.Contains(err.Error(), "backup-") {
		t.Fatalf("err = %v", err)
	}
}
