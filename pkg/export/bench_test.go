package export

import (
	"fmt"
	"runtime"
	"testing"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// largeEnv is a synthetic environment of a big application: users users,
// each a member of perUser of groups groups, and one entity per group.
func largeEnv(users, groups, perUser int) *artifacts.Environment {
	env := artifacts.New("Large")
	for g := range groups {
		env.Groups = append(env.Groups, artifacts.Group{Group: fmt.Sprintf("Group %05d", g), Description: "a synthetic group"})
		env.Entity = append(env.Entity, artifacts.Entity{Entity: fmt.Sprintf("Entity %05d", g),
			ReadGroup: fmt.Sprintf("Group %05d", g), ReadGroup2: "Nobody", ReadWriteGroup: "Administrators", ReadWriteGroup2: "Nobody"})
	}
	for u := range users {
		name := fmt.Sprintf("User %06d", u)
		env.Users = append(env.Users, artifacts.User{User: name, Description: "a synthetic user", UserType: "Interactive",
			IsEnabled: true, ExternalAuthProviderName: "AzureAD", ExternalUserName: name + "@example.com",
			Email: fmt.Sprintf("user%06d@example.com", u), Culture: "en-US", NumGridRows: 30})
		for k := range perUser {
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: name, ParentGroup: fmt.Sprintf("Group %05d", (u*7+k*13)%groups)})
		}
	}
	env.Normalize()
	return env
}

// BenchmarkWriteWorkbookLarge exports 20,000 users in 200,000 group
// memberships and reports the peak heap in use during the export, on top
// of the environment itself:
//
//	go test ./pkg/export -run '^$' -bench Large -benchtime 1x
func BenchmarkWriteWorkbookLarge(b *testing.B) {
	env := largeEnv(20_000, 2_000, 10)
	dir := b.TempDir()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := testtools.PeakHeap()
	rows := 0
	for b.Loop() {
		res, err := WriteWorkbook(env, Selection{}, dir, exportTime, Options{Replace: true})
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, n := range res.Rows {
			rows += n
		}
	}
	peak := stop()
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "env-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "export-peak-heap-MiB")
}

// BenchmarkExportAndSnapshot exports synthetic environments of about 10k,
// 100k and 1M rows and snapshots the workbook back: rows/s should stay
// roughly flat across sizes (near-linear).
//
//	go test ./pkg/export -run '^$' -bench ExportAndSnapshot -benchtime 1x
func BenchmarkExportAndSnapshot(b *testing.B) {
	for _, users := range []int{1200, 12000, 120000} {
		env := synthetic.Generate(synthetic.Options{Users: users})
		rows := env.Rows()
		dir := b.TempDir()
		var path string
		b.Run(fmt.Sprintf("export/rows=%d", rows), func(b *testing.B) {
			for b.Loop() {
				res, err := WriteWorkbook(env, Selection{IncludePasswords: true}, dir, exportTime, Options{Replace: true})
				if err != nil {
					b.Fatal(err)
				}
				path = res.Path
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(fmt.Sprintf("snapshot/rows=%d", rows), func(b *testing.B) {
			for b.Loop() {
				back, findings, err := actions.Snapshot(path, actions.SnapshotOptions{Name: env.Name})
				if err != nil || findings.Errors() > 0 || back == nil {
					b.Fatalf("snapshot: %v %v", err, findings)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
