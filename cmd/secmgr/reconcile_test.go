package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
)

// idpSample is the folder of the sample identity-provider exports.
var idpSample = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "golfstream", "idp"))
	if err != nil {
		panic(err)
	}
	return p
}()

// idpPerson is one account of the sample Entra ID export, the source of
// every format the tests write.
type idpPerson map[string]string

// samplePeople reads the sample Entra ID CSV.
func samplePeople(t *testing.T) (header []string, people []idpPerson) {
	t.Helper()
	f, err := os.Open(filepath.Join(idpSample, "entra-users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	for _, rec := range recs[1:] {
		p := idpPerson{}
		for i, h := range header {
			p[h] = rec[i]
		}
		people = append(people, p)
	}
	return header, people
}

// entraCSV writes the people as Entra ID writes them: a BOM, CRLF and
// plain headers; or the bracketed headers of its bulk templates with LF
// and no BOM, in another column order.
func entraCSV(header []string, people []idpPerson, bracketed bool) string {
	cols := slices.Clone(header)
	names := map[string]string{"userPrincipalName": "User name [userPrincipalName] Required", "displayName": "Name [displayName] Required",
		"mail": "Email [mail]", "jobTitle": "Job title [jobTitle]", "department": "Department [department]",
		"accountEnabled": "Block sign in… no: Account enabled [accountEnabled]", "userType": "User type [userType]"}
	if bracketed {
		slices.Reverse(cols)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = !bracketed
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c
		if n, ok := names[c]; ok && bracketed {
			row[i] = n
		}
	}
	w.Write(row)
	for _, p := range people {
		for i, c := range cols {
			row[i] = p[c]
			if c == "accountEnabled" && bracketed {
				row[i] = map[string]string{"True": "TRUE", "False": "No"}[p[c]]
			}
		}
		w.Write(row)
	}
	w.Flush()
	if bracketed {
		return b.String()
	}
	return "\uFEFF" + b.String()
}

// scimUser is a SCIM User resource of a person; with groups, its groups
// attribute lists its department as a group.
func scimUser(p idpPerson, groups bool) map[string]any {
	u := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": p["objectId"], "userName": p["userPrincipalName"],
		"displayName": p["displayName"], "title": p["jobTitle"], "userType": p["userType"], "active": p["accountEnabled"] == "True",
		"emails": []map[string]any{{"value": "private@example.org", "type": "home"}, {"value": p["mail"], "type": "work", "primary": true}},
		"meta":   map[string]any{"resourceType": "User"},
	}
	if groups && p["department"] != "" {
		u["groups"] = []map[string]any{{"value": "g-" + p["department"], "display": p["department"]}}
	}
	return u
}

// scimPages writes the people as a ListResponse split into pages: Users
// carrying their groups, or Users and Group resources with members.
func scimPages(people []idpPerson, withGroups bool, pages int) []string {
	var res []any
	members := map[string][]map[string]string{}
	var order []string
	for _, p := range people {
		res = append(res, scimUser(p, !withGroups))
		if d := p["department"]; d != "" && withGroups {
			if _, ok := members[d]; !ok {
				order = append(order, d)
			}
			members[d] = append(members[d], map[string]string{"value": p["objectId"], "display": p["displayName"]})
		}
	}
	for _, d := range order {
		res = append(res, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "id": "g-" + d,
			"displayName": d, "members": members[d]})
	}
	var out []string
	per := (len(res) + pages - 1) / pages
	for i := 0; i < len(res); i += per {
		doc := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": len(res), "startIndex": i + 1, "itemsPerPage": per, "Resources": res[i:min(i+per, len(res))]}
		b, _ := json.MarshalIndent(doc, "", "  ")
		out = append(out, string(b))
	}
	return out
}

// genericCSV writes the people as an HR system might: its own column
// names, a status word and groups separated by "|".
func genericCSV(people []idpPerson) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"Employee", "Login", "Work email", "Position", "Status", "Teams", "Kind"})
	for _, p := range people {
		status := map[string]string{"True": "active", "False": "terminated"}[p["accountEnabled"]]
		w.Write([]string{p["displayName"], p["userPrincipalName"], p["mail"], p["jobTitle"], status, p["department"] + "|All Staff", p["userType"]})
	}
	w.Flush()
	return b.String()
}

const genericRules = `{
  "provider": "AzureAD",
  "description": "Position",
  "groups": [
    {"idp": "FIN-Houston*", "group": "Houston_Mod"},
    {"idp": "FIN-Frankfurt*", "group": "Frankfurt_View"},
    {"idp": "FIN-Birmingham*", "group": "Birmingham_Mod"}
  ],
  "joiners": {"userType": "View", "numGridRows": 50},
  "csv": {"userName": "Login", "displayName": "Employee", "email": "Work email", "enabled": "Status",
          "groups": "Teams", "groupSeparator": "|", "userType": "Kind"}
}
`

// reconcileDoc is what the tests read of reconcile --format json.
type reconcileDoc struct {
	IdP struct {
		Format   string `json:"format"`
		Accounts int    `json:"accounts"`
	} `json:"idp"`
	Reconcile struct {
		Provider string `json:"provider"`
		Summary  struct {
			Leavers, Movers, Joiners, Untouched, Native, OtherProviders, InLine, Guests, OnlyInProvider int
		} `json:"summary"`
		Leavers, Movers, Joiners []struct {
			User    string   `json:"user"`
			Reason  string   `json:"reason"`
			Changes []string `json:"changes"`
		}
	} `json:"reconcile"`
	Plan struct {
		Applicable bool `json:"applicable"`
		Changes    []struct {
			Op  string   `json:"op"`
			Tab string   `json:"tab"`
			Key []string `json:"key"`
		} `json:"changes"`
	} `json:"plan"`
}

func names[T any](list []T, name func(T) string) []string {
	var out []string
	for _, v := range list {
		out = append(out, name(v))
	}
	return out
}

// TestReconcileFormats reconciles the GolfStream sample with the same
// accounts in every format the readers accept, through the binary: the
// same leavers, mover, joiners and untouched users each time; the change
// workbook applies; reconciling again changes nothing; and an account
// two users match is an error naming both.
func TestReconcileFormats(t *testing.T) {
	header, people := samplePeople(t)
	rules := filepath.Join(idpSample, "rules.json")
	for _, tc := range []struct {
		name   string
		files  []string // contents
		ext    string
		rules  string // contents; default the sample's rules.json
		format string
	}{
		{"entra plain headers, BOM, CRLF", []string{entraCSV(header, people, false)}, ".csv", "", "entra-csv"},
		{"entra bracketed headers, other order", []string{entraCSV(header, people, true)}, ".csv", "", "entra-csv"},
		{"scim users only", scimPages(people, false, 1), ".json", "", "scim"},
		{"scim users and groups", scimPages(people, true, 1), ".json", "", "scim"},
		{"scim paged over two files", scimPages(people, true, 2), ".json", "", "scim"},
		{"generic csv", []string{genericCSV(people)}, ".csv", genericRules, "csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := sampleEnv(t, dir)
			var idpArgs []string
			for i, content := range tc.files {
				name := fmt.Sprintf("export%d%s", i+1, tc.ext)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				idpArgs = append(idpArgs, "--idp", name)
			}
			rulesArg := rules
			if tc.rules != "" {
				rulesArg = filepath.Join(dir, "rules.json")
				os.WriteFile(rulesArg, []byte(tc.rules), 0o600)
			}
			args := append([]string{"reconcile", "--env", env, "--rules", rulesArg, "--out", "changes.xlsx", "--format", "json"}, idpArgs...)
			r := secmgr(t, dir, nil, args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			var doc reconcileDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			rc := doc.Reconcile
			user := func(p struct {
				User    string   `json:"user"`
				Reason  string   `json:"reason"`
				Changes []string `json:"changes"`
			}) string {
				return p.User + ": " + strings.Join(p.Changes, "; ")
			}
			want := map[string][]string{
				"leavers": {"Ashley Romero: IsEnabled True → False", "Steven Park: IsEnabled True → False"},
				"movers":  {"Oliver Bennett: Email oliver.bennett@golfstream.example.com → oliver.bennett@de.golfstream.example.com; Description Birmingham Management Accountant → Frankfurt Management Accountant; + Frankfurt_View"},
				"joiners": {"Jonas Keller: added (Interactive); + Frankfurt_View", "Maria Santos: added (Interactive); + Houston_Mod"},
			}
			if tc.format == "csv" {
				want["joiners"] = []string{"Jonas Keller: added (View); + Frankfurt_View", "Maria Santos: added (View); + Houston_Mod"}
			}
			got := map[string][]string{"leavers": names(rc.Leavers, user), "movers": names(rc.Movers, user), "joiners": names(rc.Joiners, user)}
			for k := range want {
				if !slices.Equal(got[k], want[k]) {
					t.Errorf("%s:\n got %q\nwant %q", k, got[k], want[k])
				}
			}
			s := rc.Summary
			if doc.IdP.Format != tc.format || doc.IdP.Accounts != 33 || rc.Provider != "AzureAD" ||
				s.Native != 2 || s.OtherProviders != 3 || s.InLine != 29 || s.Untouched != 34 || s.Guests != 1 || s.OnlyInProvider != 1 {
				t.Errorf("format %s, %d accounts, provider %s, summary %+v", doc.IdP.Format, doc.IdP.Accounts, doc.IdP.Format, s)
			}
			if !doc.Plan.Applicable || len(doc.Plan.Changes) != 8 {
				t.Errorf("plan: applicable %v, %d changes: %+v", doc.Plan.Applicable, len(doc.Plan.Changes), doc.Plan.Changes)
			}
			// Native users and other providers' users are never in the plan.
			for _, c := range doc.Plan.Changes {
				if k := c.Key[0]; k == "GS Training" || k == "OneStream Admin" || k == "Greg Olsen" || k == "Mark Sullivan" {
					t.Errorf("the plan touches %s: %+v", k, c)
				}
			}

			ok(t, dir, nil, "apply", "changes.xlsx", "--env", env, "--yes")
			again := secmgr(t, dir, nil, append([]string{"reconcile", "--env", env, "--rules", rulesArg}, idpArgs...)...)
			if again.code != 0 || !strings.Contains(again.stdout, "0 leavers, 0 movers, 0 joiners; 39 untouched") ||
				!strings.Contains(again.stdout, "Plan: 0 to add, 0 to edit, 0 to rename, 0 to remove") {
				t.Errorf("reconcile after apply: exit %d\n%s%s", again.code, again.stdout, again.stderr)
			}

			// An account that two users match.
			e, err := artifacts.Load(env)
			if err != nil {
				t.Fatal(err)
			}
			e.Users = append(e.Users, artifacts.User{User: "Steve Park", UserType: "View", NumGridRows: 30,
				ExternalAuthProviderName: "azuread", ExternalUserName: "Steven.Park@GolfStream.example.com"})
			if err := artifacts.Save(env, e); err != nil {
				t.Fatal(err)
			}
			amb := secmgr(t, dir, nil, append([]string{"reconcile", "--env", env, "--rules", rulesArg, "--out", "again.xlsx"}, idpArgs...)...)
			if amb.code != 1 || !strings.Contains(amb.stderr, "matches two OneStream users, 'Steve Park' and 'Steven Park'") &&
				!strings.Contains(amb.stderr, "matches two OneStream users, 'Steven Park' and 'Steve Park'") {
				t.Errorf("ambiguous account: exit %d\n%s%s", amb.code, amb.stdout, amb.stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "again.xlsx")); err == nil {
				t.Error("a workbook was written despite the error")
			}
		})
	}
}

// TestReconcileText checks the text output on the sample: counts, who
// and why, then the ordinary plan.
func TestReconcileText(t *testing.T) {
	dir := t.TempDir()
	env := sampleEnv(t, dir)
	r := secmgr(t, dir, []string{"NO_COLOR=1"}, "reconcile", "--env", env, "--idp", filepath.Join(idpSample, "entra-users.csv"),
		"--rules", filepath.Join(idpSample, "rules.json"))
	expectCode(t, r, 2,
		"(Microsoft Entra ID users CSV, 33 accounts, provider AzureAD):",
		"2 leavers, 1 mover, 2 joiners; 34 untouched (2 native, 3 of other providers, 29 in line)",
		"not added: 1 guest account, 1 account only in the provider",
		"leaver Steven Park: disabled in the identity provider: IsEnabled True → False",
		"leaver Ashley Romero: missing from the identity provider: IsEnabled True → False",
		"~ Users Steven Park: IsEnabled True → False",
		"+ UsersInGroups Maria Santos / Houston_Mod",
		"Plan: 5 to add, 3 to edit, 0 to rename, 0 to remove; 0 errors, 0 warnings.")
}

// TestReconcilePrune removes users missing from the provider and
// memberships of mapped groups it no longer gives; a membership removal
// is a Users row with ActionType Remove and the group in ActionValue.
func TestReconcilePrune(t *testing.T) {
	dir := t.TempDir()
	env := sampleEnv(t, dir)
	args := []string{"reconcile", "--env", env, "--idp", filepath.Join(idpSample, "scim-users.json"), "--rules", filepath.Join(idpSample, "rules.json"), "--prune"}
	r := secmgr(t, dir, []string{"NO_COLOR=1"}, append(args, "--out", "prune.xlsx")...)
	expectCode(t, r, 2, "4 leavers, 1 mover, 2 joiners",
		"leaver Heather Lawson: missing from the identity provider: removed",
		"- UsersInGroups Oliver Bennett / Birmingham_Mod", "- Users Ashley Romero", "- Users Heather Lawson", "- Users Robert Kline",
		"Plan: 5 to add, 2 to edit, 0 to rename, 4 to remove")
	f, err := excelize.OpenFile(filepath.Join(dir, "prune.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Users")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	found := false
	for _, row := range rows[1:] {
		row = append(row, make([]string, len(rows[0]))...)
		if row[0] == "Oliver Bennett" {
			found = row[col("ActionType")] == "Remove" && row[col("ActionValue")] == "Birmingham_Mod" &&
				row[col("Email")] == "oliver.bennett@de.golfstream.example.com"
		}
	}
	if !found {
		t.Errorf("no Users row for Oliver Bennett with Remove / Birmingham_Mod and the new e-mail: %q", rows)
	}
	ok(t, dir, nil, "apply", "prune.xlsx", "--env", env, "--yes")
	expectCode(t, secmgr(t, dir, nil, args...), 0, "0 to add, 0 to edit, 0 to rename, 0 to remove")
}

// TestAuditIdP: audit --idp reports SM-013, high, for each enabled
// leaver in text, JSON and SARIF.
func TestAuditIdP(t *testing.T) {
	dir := t.TempDir()
	env := sampleEnv(t, dir)
	base := []string{"audit", "--env", env, "--idp", filepath.Join(idpSample, "entra-users.csv"), "--fail-on", "none"}
	text := secmgr(t, dir, nil, base...)
	expectCode(t, text, 0, "SM-013  an enabled user's identity-provider account is missing or disabled",
		"'Steven Park' is enabled, but its AzureAD account is disabled in the identity provider (steven.park@golfstream.example.com)",
		"it is still in Dashboard Designers, Metadata Admins, which hold roles",
		"'Ashley Romero' is enabled, but its AzureAD account is missing from the identity provider")
	if n := strings.Count(text.stdout, "SM-013  "); n != 2 {
		t.Errorf("%d SM-013 findings in text, want 2:\n%s", n, text.stdout)
	}
	var rep struct {
		Findings []struct {
			Rule      string `json:"rule"`
			Severity  string `json:"severity"`
			Artifacts []struct {
				Key []string `json:"key"`
			} `json:"artifacts"`
		} `json:"findings"`
	}
	js := ok(t, dir, nil, append(base, "--format", "json")...)
	if err := json.Unmarshal([]byte(js.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Rule == "SM-013" {
			got = append(got, f.Severity+" "+f.Artifacts[0].Key[0])
		}
	}
	if !slices.Equal(got, []string{"high Ashley Romero", "high Steven Park"}) {
		t.Errorf("SM-013 in JSON: %v", got)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	sr := ok(t, dir, nil, append(base, "--format", "sarif")...)
	if err := json.Unmarshal([]byte(sr.stdout), &sarif); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, res := range sarif.Runs[0].Results {
		if res.RuleID == "SM-013" {
			n++
			if res.Level != "error" {
				t.Errorf("SARIF level %s, want error", res.Level)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d SM-013 results in SARIF, want 2", n)
	}
	// Without --idp it is not checked, and the report says why.
	expectCode(t, ok(t, dir, nil, "audit", "--env", env, "--fail-on", "none"), 0, "SM-013", "audit --idp FILE")
}

// TestReconcileHostile: hostile or wrong identity-provider files exit 1
// with the file named, promptly and in bounded memory, and write nothing.
func TestReconcileHostile(t *testing.T) {
	dir := t.TempDir()
	env := sampleEnv(t, dir)
	write := func(name, content string) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	scimHead := `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],` + "\n" + `"Resources": [` + "\n"
	for _, tc := range []struct {
		file  string
		make  func(t *testing.T, path string)
		rules string
		want  []string
	}{
		{"line.csv", func(t *testing.T, path string) {
			// A sparse file: one line of a gibibyte after the header.
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("userPrincipalName,accountEnabled\n")
			if err := f.Truncate(1 << 30); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}, "", []string{"is larger than 512 MiB"}},
		{"longline.csv", write("", "userPrincipalName,accountEnabled\n"+strings.Repeat("x", 8<<20)+",True\n"), "", []string{"longline.csv:2: the line is longer than 1024 KiB"}},
		{"utf8.csv", write("", "userPrincipalName,accountEnabled\r\nann@x.example,True\r\n\"b\xffb@x.example\",True\r\n"), "", []string{"utf8.csv:3: the userPrincipalName field is not valid UTF-8"}},
		{"deep.json", write("", scimHead+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"]}"), "", []string{"deep.json:3: nested more than 64 levels deep"}},
		{"number.json", write("", scimHead+`{"userName": "ann@x.example", "active": true},`+"\n"+`{"userName": 1234, "active": true}]}`), "", []string{"number.json:4: userName is a number where SCIM has a string"}},
		{"invalid.json", write("", scimHead+`{"userName": "ann@x.example",`+"\n"+`"active": tru}]}`), "", []string{"invalid.json:4: not valid JSON"}},
		{"other.csv", write("", "Name,Salary\nAnn,1\n"), "", []string{"other.csv:1: not a recognised identity-provider export"}},
		{"noenabled.csv", write("", "userPrincipalName,displayName\nann@x.example,Ann\n"), "", []string{"noenabled.csv:1: no accountEnabled column"}},
		{"dup.csv", write("", "userPrincipalName,accountEnabled\nann@x.example,True\nANN@x.example,False\n"), "", []string{"dup.csv:3: user name 'ANN@x.example' is also the account at dup.csv:2"}},
		{"hr.csv", write("", "Login,Name\nann@x.example,Ann\n"), `{"csv": {"userName": "Login", "enabled": "Active"}}`, []string{"hr.csv:1: no column 'Active', which the rules name as csv.enabled"}},
		{"control.csv", write("", "userPrincipalName,accountEnabled\nann@x.example,\"\x1b[31mred\"\n"), "", []string{"control.csv:2: accountEnabled"}},
		{"bad-rules.csv", write("", "userPrincipalName,accountEnabled\nann@x.example,True\n"), `{"provider": "AzureAD", "groupz": []}`, []string{"rules.json:1: unknown field \"groupz\""}},
		{"no-group.csv", write("", "userPrincipalName,accountEnabled\nann@x.example,True\n"), `{"groups": [{"idp": "FIN-*", "group": "Finance_View"}]}`, []string{"maps 'FIN-*' to the group 'Finance_View', which does not exist"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tc.make(t, filepath.Join(dir, tc.file))
			args := []string{"reconcile", "--env", env, "--idp", tc.file, "--out", "out.xlsx"}
			named := tc.file
			if tc.rules != "" {
				os.WriteFile(filepath.Join(dir, "rules.json"), []byte(tc.rules), 0o600)
				args = append(args, "--rules", "rules.json")
				if strings.HasPrefix(tc.file, "bad-rules") {
					named = "rules.json"
				}
			}
			r := runHostile(t, dir, args...)
			if strings.HasPrefix(tc.file, "no-group") {
				named = "Finance_View"
			}
			checkHostile(t, r, args, named, tc.want)
			if _, err := os.Stat(filepath.Join(dir, "out.xlsx")); err == nil {
				t.Error("a workbook was written")
			}
			t.Logf("%v, peak %s", r.took, mib(r.rss))
		})
	}
}

// TestReconcileStreamedLine: a gibibyte line arriving through a pipe,
// where no file size can be checked first, is refused at the line limit
// after reading about a mebibyte.
func TestReconcileStreamedLine(t *testing.T) {
	if testing.Short() {
		t.Skip("streams a gibibyte; skipped with -short")
	}
	dir := t.TempDir()
	env := sampleEnv(t, dir)
	cmd := exec.Command(binary, "reconcile", "--env", env, "--idp", "/dev/stdin")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECMGR_ENV=")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	written := int64(0)
	go func() {
		defer stdin.Close()
		io.WriteString(stdin, "userPrincipalName,accountEnabled\n")
		chunk := bytes.Repeat([]byte("a"), 1<<16)
		for written < 1<<30 {
			n, err := stdin.Write(chunk)
			written += int64(n)
			if err != nil {
				return // secmgr stopped reading
			}
		}
	}()
	err = cmd.Wait()
	ee, isExit := err.(*exec.ExitError)
	if !isExit || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "secmgr: /dev/stdin:2: the line is longer than 1024 KiB") {
		t.Fatalf("exit %v\n%s", err, stderr.String())
	}
	// The kernel's account of a child counts the test process's memory at
	// the fork too: an upper bound, and a loose one.
	if rss, ok := peakRSS(cmd.ProcessState); ok && rss > hostileMaxRSS {
		t.Errorf("peak %s", mib(rss))
	}
}

// TestReconcileREADME keeps the run shown in examples/golfstream/README.md
// true: its output is what reconcile prints.
func TestReconcileREADME(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "golfstream", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(data), "## Reconciling with the identity provider")
	_, after, found := strings.Cut(section, "```text\n")
	block, _, _ := strings.Cut(after, "```")
	if !found {
		t.Fatal("no text block in the README's reconcile section")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "examples", "golfstream", "idp"), 0o700)
	for _, f := range []string{"entra-users.csv", "rules.json"} {
		copyFile(t, filepath.Join(idpSample, f), filepath.Join(dir, "examples", "golfstream", "idp", f))
	}
	copyFile(t, sampleEnv(t, dir), filepath.Join(dir, "golfstream.json"))
	r := secmgr(t, dir, []string{"NO_COLOR=1"}, "reconcile", "--env", "golfstream.json", "--idp", "examples/golfstream/idp/entra-users.csv",
		"--rules", "examples/golfstream/idp/rules.json", "--out", "changes.xlsx")
	if r.code != exitChanges || r.stdout != block {
		t.Errorf("reconcile exits %d and prints\n%s\nnot the README's\n%s", r.code, r.stdout, block)
	}
}

func TestReconcileHelp(t *testing.T) {
	r := ok(t, t.TempDir(), nil, "reconcile", "--help")
	for _, want := range []string{"Example:", "secmgr reconcile --env golfstream.json --idp examples/golfstream/idp/entra-users.csv",
		"leavers", "movers", "joiners", "--prune", "\"groups\": [{\"idp\": \"FIN-Houston*\", \"group\": \"Houston_View\"}]",
		"Exit code: 0 nothing to change, 2 there are changes, 1 error."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("reconcile --help lacks %q:\n%s", want, r.stdout)
		}
	}
	r = secmgr(t, t.TempDir(), nil, "reconcile", "--env", "x.json")
	if r.code != 1 || !strings.Contains(r.stderr, "reconcile needs --idp FILE") {
		t.Errorf("without --idp: %d %s", r.code, r.stderr)
	}
	r = ok(t, t.TempDir(), nil, "audit", "--help")
	if !strings.Contains(r.stdout, "--idp") || !strings.Contains(r.stdout, "SM-013") {
		t.Errorf("audit --help does not mention --idp and SM-013:\n%s", r.stdout)
	}
}
