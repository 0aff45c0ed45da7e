package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// BenchmarkReconcile100k runs 'secmgr reconcile' as a user would: an
// Entra ID export of 100,000 accounts against a synthetic environment of
// 100,000 users (about 750,000 memberships), with 20 wildcard group
// rules, about 2,000 leavers, 1,000 movers, 10,000 membership additions
// and 1,000 joiners — read, reconciled, the change workbook written and
// planned. It reports the wall time and the peak resident memory of the
// process (GNU time when installed, else the kernel's account of the
// child).
func BenchmarkReconcile100k(b *testing.B) {
	const users = 100_000
	dir := b.TempDir()
	if keep := os.Getenv("SECMGR_BENCH_DIR"); keep != "" {
		dir = keep // keep the inputs, to profile by hand
	}
	env := synthetic.Generate(synthetic.Options{Users: users})
	if err := artifacts.Save(filepath.Join(dir, "env.json"), env); err != nil {
		b.Fatal(err)
	}
	writeBenchExport(b, filepath.Join(dir, "entra.csv"), env)
	var rules strings.Builder
	rules.WriteString(`{"provider": "AzureAD", "description": "jobTitle", "groups": [`)
	for k := range 20 {
		if k > 0 {
			rules.WriteString(", ")
		}
		fmt.Fprintf(&rules, `{"idp": "DEPT-%02d*", "group": %q}`, k, env.Groups[k+1].Group)
	}
	rules.WriteString(`]}`)
	if err := os.WriteFile(filepath.Join(dir, "rules.json"), []byte(rules.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	args := []string{"reconcile", "--env", "env.json", "--idp", "entra.csv", "--rules", "rules.json",
		"--out", "changes.xlsx", "--force", "--format", "json", "--quiet"}
	var peak int64
	var cpu time.Duration
	var doc reconcileDoc
	for b.Loop() {
		took, used, rss, stdout := runMeasured(b, dir, args...)
		peak, cpu = max(peak, rss), max(cpu, used)
		if err := json.Unmarshal(stdout, &doc); err != nil {
			b.Fatal(err)
		}
		b.Logf("%v, %v of CPU, peak %s", took.Round(time.Millisecond), used.Round(10*time.Millisecond), mib(rss))
	}
	s := doc.Reconcile.Summary
	b.Logf("%d accounts: %d leavers, %d movers, %d joiners, %d untouched; %d changes planned",
		doc.IdP.Accounts, s.Leavers, s.Movers, s.Joiners, s.Untouched, len(doc.Plan.Changes))
	if !doc.Plan.Applicable || s.Leavers < 1000 || s.Movers < 1000 || s.Joiners != 1000 {
		b.Errorf("unexpected result: applicable %v, %+v", doc.Plan.Applicable, s)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	// On a shared machine the wall time says more about the neighbours
	// than about secmgr; the CPU time (user + system) does not.
	b.ReportMetric(cpu.Seconds(), "cpu-s")
}

// writeBenchExport writes the Entra ID export of env's users: every
// 50th account disabled, every 97th missing, every 100th with a new
// e-mail, every 10th in a department a group rule maps, and 1,000 new
// accounts in mapped departments.
func writeBenchExport(b *testing.B, path string, env *artifacts.Environment) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("\uFEFFuserPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled\r\n")
	for i, u := range env.Users {
		if u.ExternalUserName == "" || i%97 == 0 {
			continue
		}
		enabled, mail, dept := u.IsEnabled && i%50 != 0, u.Email, ""
		if i%100 == 1 {
			mail = "moved." + mail
		}
		if i%10 == 0 {
			dept = fmt.Sprintf("DEPT-%02d Finance", (i/10)%20)
		}
		fmt.Fprintf(w, "%s,%s,User,%s,Synthetic,%08d-0000-4000-8000-000000000000,Member,Synthetic user,%s,%s\r\n",
			u.ExternalUserName, u.User, mail, i, dept, map[bool]string{true: "True", false: "False"}[enabled])
	}
	for i := range 1000 {
		fmt.Fprintf(w, "joiner%05d@synthetic.example.com,Joiner %05d,Joiner,joiner%05d@synthetic.example.com,New,%08d-0000-4000-8000-000000000001,Member,Analyst,DEPT-%02d Finance,True\r\n",
			i, i, i, i, i%20)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// runMeasured runs the binary in dir and returns its wall time, CPU time
// (user + system, the child's and its own children's), peak resident
// memory and standard output; exit 0 or 2 is success.
func runMeasured(b *testing.B, dir string, args ...string) (time.Duration, time.Duration, int64, []byte) {
	b.Helper()
	cmd := exec.Command(binary, args...)
	rssFile := ""
	if tool := gnuTime(); tool != "" {
		rssFile = filepath.Join(b.TempDir(), "rss")
		cmd = exec.Command(tool, append([]string{"-f", "%M", "-o", rssFile, binary}, args...)...)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECMGR_ENV=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitChanges) {
		b.Fatalf("secmgr %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var rss int64
	if rssFile != "" {
		data, _ := os.ReadFile(rssFile)
		if fields := strings.Fields(string(data)); len(fields) > 0 {
			kb, _ := strconv.ParseInt(fields[len(fields)-1], 10, 64)
			rss = kb << 10
		}
	} else {
		rss, _ = peakRSS(cmd.ProcessState)
	}
	return took, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), rss, stdout.Bytes()
}
