package main

import (
	"archive/zip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
)

// readAllText returns a file's bytes, and for a zip (a workbook) every
// part inflated, so a value hidden in compressed XML is found too.
func readAllText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		return string(b)
	}
	var all strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		io.Copy(&all, rc)
		rc.Close()
	}
	return all.String()
}

// TestSecretsNeverShown runs every command over an environment holding
// password values and checks that no output, log line, plan, journal, undo
// plan or annotated workbook contains them, and that every file holding
// security is readable by its owner only.
func TestSecretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"ENC(S3CR3T-one-value)", "ENC(S3CR3T-two-value)", "ENC(S3CR3T-three-value)"}
	for i := range secrets {
		env.Users[i].Password = secrets[i]
	}
	envPath := filepath.Join(dir, "gs.json")
	if err := artifacts.Save(envPath, env); err != nil {
		t.Fatal(err)
	}
	newSecret, otherSecret := "ENC(S3CR3T-new-value)", "ENC(S3CR3T-other-value)"
	all := append(secrets, newSecret, otherSecret, "S3CR3T")
	var outputs []string
	run := func(args ...string) result {
		r := secmgr(t, dir, nil, append(args, "--log-level", "debug")...)
		if r.code != 0 && r.code != 2 {
			t.Fatalf("secmgr %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		outputs = append(outputs, "secmgr "+strings.Join(args, " ")+"\n"+r.stdout+r.stderr)
		return r
	}

	run("init", "--sample", filepath.Join(dir, "init.json"))
	// An export without --include-password-hashes carries no password.
	plain := strings.TrimSpace(run("export", "--env", envPath, "--out-dir", dir).stdout)
	for _, s := range all {
		if strings.Contains(readAllText(t, filepath.Join(dir, filepath.Base(plain))), s) {
			t.Errorf("an export without --include-password-hashes holds %q", s)
		}
	}
	// With it, the workbook may (it is the point), and it is owner-only.
	sub := filepath.Join(dir, "with")
	os.Mkdir(sub, 0o700)
	withPath := strings.TrimSpace(run("export", "--env", envPath, "--out-dir", sub, "--include-password-hashes").stdout)
	run("snapshot", withPath, "--out", filepath.Join(dir, "snap.json"))

	// An edit that changes a password, planned every way.
	edit := filepath.Join(dir, "edit.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Users")
	f.SetSheetRow("Users", "A1", &[]any{"User", "Password", "UserType", "IsEnabled"})
	f.SetSheetRow("Users", "A2", &[]any{env.Users[0].User, newSecret, env.Users[0].UserType, env.Users[0].IsEnabled})
	f.SetSheetRow("Users", "A3", &[]any{"Nobody Known", "ENC(S3CR3T-two-value)", "View", true, "x"})
	if err := f.SaveAs(edit); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run("validate", edit, "--env", envPath, "--format", "json")
	run("validate", edit, "--env", envPath, "--annotate", filepath.Join(dir, "validated.xlsx"))
	run("plan", edit, "--env", envPath)
	run("plan", edit, "--env", envPath, "--log-format", "json")
	run("plan", edit, "--env", envPath, "--format", "json", "--out", filepath.Join(dir, "p.json"), "--annotate", filepath.Join(dir, "annotated.xlsx"))
	run("apply", filepath.Join(dir, "p.json"), "--env", envPath, "--yes")

	// A workbook applied directly, then undone: the undo plan restores the
	// password from the backup without holding it.
	edit2 := filepath.Join(dir, "edit2.xlsx")
	f = excelize.NewFile()
	f.SetSheetName("Sheet1", "Users")
	f.SetSheetRow("Users", "A1", &[]any{"User", "Password"})
	f.SetSheetRow("Users", "A2", &[]any{env.Users[1].User, otherSecret})
	if err := f.SaveAs(edit2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	applied := run("apply", edit2, "--env", envPath, "--yes")
	if pw := passwordOf(t, envPath, env.Users[1].User); pw != otherSecret {
		t.Errorf("apply of a workbook did not set the password")
	}
	_, undo, _ := strings.Cut(applied.stdout, "Undo plan: ")
	undo, _, _ = strings.Cut(undo, "\n")
	run("apply", undo, "--env", envPath, "--yes")
	if pw := passwordOf(t, envPath, env.Users[1].User); pw != secrets[1] {
		t.Errorf("the undo plan did not restore the password")
	}
	run("explain", "--user", env.Users[0].User, "--env", envPath, "--format", "json")
	run("explain", "--user", env.Users[1].User, "--env", envPath)
	for _, format := range []string{"text", "json", "sarif"} {
		run("audit", "--env", envPath, "--format", format, "--fail-on", "none")
	}
	run("diff", "--from", filepath.Join(dir, "snap.json"), "--to", envPath, "--format", "json")
	run("diff", "--from", filepath.Join(dir, "snap.json"), "--to", envPath, "--out", filepath.Join(dir, "changes-plain.xlsx"))
	run("diff", "--from", filepath.Join(dir, "snap.json"), "--to", envPath, "--include-password-hashes", "--out", filepath.Join(dir, "changes.xlsx"))
	run("review", "--env", envPath, "--out-dir", dir)

	for _, out := range outputs {
		for _, s := range all {
			if strings.Contains(out, s) {
				t.Errorf("output shows a password value %q:\n%s", s, out)
			}
		}
	}
	// Files that may not hold a value: plans, the journal, undo plans,
	// the annotated copy, reviews. Files that hold security: owner-only.
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// The history folder holds backups: owner-only too.
			if info, _ := d.Info(); strings.HasSuffix(path, ".history") && info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v; want owner-only", d.Name(), info.Mode().Perm())
			}
			return nil
		}
		name := d.Name()
		mayHold := strings.HasPrefix(name, "backup-") || name == "gs.json" || name == "snap.json" || name == "changes.xlsx" ||
			strings.HasPrefix(path, sub) || name == "edit.xlsx" || name == "edit2.xlsx"
		if !mayHold {
			text := readAllText(t, path)
			for _, s := range all {
				if strings.Contains(text, s) {
					t.Errorf("%s holds a password value %q", name, s)
				}
			}
		}
		if name == "edit.xlsx" || name == "edit2.xlsx" {
			return nil // written by the test itself
		}
		info, _ := d.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; files holding security are owner-only", name, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The apply of the saved plan did set the new password.
	if passwordOf(t, envPath, env.Users[0].User) != newSecret {
		t.Error("the password change was not applied")
	}
}

// passwordOf is the password value of user in the environment file.
func passwordOf(t *testing.T, envPath, user string) string {
	t.Helper()
	env, err := artifacts.Load(envPath)
	if err != nil {
		t.Fatal(err)
	}
	i, ok := artifacts.TabUsers.Tab().Find(env, user)
	if !ok {
		t.Fatalf("no user %s in %s", user, envPath)
	}
	return env.Users[i].Password
}
