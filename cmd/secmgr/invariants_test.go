package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

// An environment file that breaks the environment's invariants (a
// dangling reference, a group-nesting cycle, two entries of an exclusion
// group with one ProcessingOrder, a user as plain member of an exclusion
// group) is refused by every command that loads it, naming the file and
// the artifact.
func TestBrokenEnvironmentRefusedEverywhere(t *testing.T) {
	dir := t.TempDir()
	good := sampleEnv(t, dir)
	base := mustLoad(t, good)
	wbDir := filepath.Join(dir, "wb")
	os.Mkdir(wbDir, 0o700)
	r := ok(t, dir, nil, "export", "--env", good, "--out-dir", wbDir)
	workbook := strings.TrimSpace(lastLine(r.stdout))
	if _, err := os.Stat(workbook); err != nil {
		t.Fatalf("export printed %q: %v", r.stdout, err)
	}

	g1, g2 := base.Groups[3].Group, base.Groups[4].Group
	entry := base.UsersInExGroups[0]
	other := ""
	for _, u := range base.Users {
		if _, taken := artifacts.TabUsersInExGroups.Tab().Find(base, u.User, entry.ExGroup); !taken {
			other = u.User
			break
		}
	}
	cases := []struct {
		name   string
		break_ func(env *artifacts.Environment)
		want   string
	}{
		{"dangling reference", func(env *artifacts.Environment) {
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: env.Users[0].User, ParentGroup: "Ghost Group"})
		}, fmt.Sprintf("UsersInGroups '%s / Ghost Group' ParentGroup names the group 'Ghost Group', which does not exist", base.Users[0].User)},
		{"cycle", func(env *artifacts.Environment) {
			env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: g1, ParentGroup: g2}, artifacts.GroupInGroup{Group: g2, ParentGroup: g1})
		}, "makes a cycle"},
		{"duplicate processing order", func(env *artifacts.Environment) {
			env.UsersInExGroups = append(env.UsersInExGroups, artifacts.UserInExGroup{User: other, ExGroup: entry.ExGroup, ProcessingOrder: entry.ProcessingOrder})
		}, fmt.Sprintf("ProcessingOrder %d is used twice in exclusion group '%s'", entry.ProcessingOrder, entry.ExGroup)},
		{"user in an exclusion group", func(env *artifacts.Environment) {
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: other, ParentGroup: entry.ExGroup})
		}, fmt.Sprintf("'%s' is an exclusion group; a user enters one through UsersInExGroups", entry.ExGroup)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := mustLoad(t, good)
			tc.break_(env)
			bad := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := artifacts.Save(bad, env); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			os.Mkdir(out, 0o700)
			for _, args := range [][]string{
				{"audit", "--env", bad},
				{"export", "--env", bad, "--out-dir", out},
				{"explain", "--user", base.Users[0].User, "--env", bad},
				{"plan", workbook, "--env", bad},
				{"validate", workbook, "--env", bad},
				{"apply", workbook, "--env", bad, "--yes"},
				{"review", "--env", bad, "--out-dir", out},
				{"diff", "--from", bad, "--to", good},
			} {
				r := fails(t, dir, nil, args, "environment file "+bad, tc.want)
				if !strings.Contains(r.stderr, "line ") {
					t.Errorf("%s: the message gives no line:\n%s", args[0], r.stderr)
				}
			}
			if ents, _ := os.ReadDir(out); len(ents) > 0 {
				t.Errorf("files written from a broken environment: %v", ents)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// A hand-edited plan file is checked like a planned one: a change the
// planner would refuse is refused by apply, naming the change, exit 1,
// and the environment is untouched.
func TestApplyRefusesInvalidPlanFile(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	env := mustLoad(t, envPath)
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(envPath)
	user, group := env.Users[0], env.Groups[3].Group
	cases := []struct {
		name   string
		change map[string]any
		want   string
	}{
		{"group in itself", map[string]any{"op": "add", "tab": "GroupsInGroups", "key": []string{group, group}},
			fmt.Sprintf("the group '%s' is a member of itself", group)},
		{"unknown user type", map[string]any{"op": "edit", "tab": "Users", "key": []string{user.User},
			"fields": map[string]any{"UserType": map[string]string{"old": user.UserType, "new": "Bogus"}}},
			fmt.Sprintf("change 1 (edit Users '%s'): UserType 'Bogus' is not allowed", user.User)},
		{"long description", map[string]any{"op": "edit", "tab": "Groups", "key": []string{group},
			"fields": map[string]any{"Description": map[string]string{"old": env.Groups[3].Description, "new": strings.Repeat("d", 40_005)}}},
			"Description is 40005 characters long; a cell holds at most 32767"},
		{"control character", map[string]any{"op": "edit", "tab": "Users", "key": []string{user.User},
			"fields": map[string]any{"Text1": map[string]string{"old": user.Text1, "new": "a\u0007b"}}},
			"contains the control character U+0007"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := map[string]any{
				"format":      "secmgr.plan/v1",
				"environment": map[string]string{"name": env.Name, "fingerprint": fp},
				"source":      "hand-edited",
				"applicable":  true,
				"changes":     []any{tc.change},
			}
			data, _ := json.Marshal(plan)
			path := filepath.Join(dir, "plan.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			fails(t, dir, nil, []string{"apply", path, "--env", envPath, "--yes"}, tc.want, "nothing was applied")
			if now, _ := os.ReadFile(envPath); string(now) != string(before) {
				t.Fatal("the environment changed")
			}
		})
	}
}

// snapshot never writes an environment file that Load would refuse: a
// workbook whose UsersInGroups puts a user straight into an exclusion
// group (saved by openpyxl) is refused, naming the membership, and no
// file is written.
func TestSnapshotRefusesBrokenInvariants(t *testing.T) {
	python := testtools.Python(t)
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	env := mustLoad(t, envPath)
	user, ex := env.Users[0].User, env.ExGroup[0].ExGroup
	wb := strings.TrimSpace(lastLine(ok(t, dir, nil, "export", "--env", envPath, "--out-dir", dir).stdout))
	const script = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["UsersInGroups"]
ws.append([sys.argv[2], sys.argv[3]])
wb.save(sys.argv[1])
`
	if out, err := exec.Command(python, "-c", script, wb, user, ex).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "snap.json")
	r := secmgr(t, dir, nil, "snapshot", wb, "--out", out)
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, fmt.Sprintf("'%s' is an exclusion group", ex)) {
		t.Errorf("snapshot: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("snapshot wrote the file")
	}
}
