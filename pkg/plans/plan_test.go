package plans

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/validate"
)

func TestOpSymbols(t *testing.T) {
	for op, want := range map[Op]string{OpAdd: "+", OpEdit: "~", OpRename: ">", OpRemove: "-"} {
		if got := op.Symbol(); got != want {
			t.Errorf("%s.Symbol() = %q, want %q", op, got, want)
		}
	}
}

// TestCodecRoundTrip: a plan written by MarshalPlan reads back the same,
// fields in column order included; another format or an unknown field
// is refused.
func TestCodecRoundTrip(t *testing.T) {
	p := &Plan{Format: PlanFormat, Environment: EnvironmentRef{Name: "T", Fingerprint: "sha256:00"}, Source: "x.xlsx",
		Changes: []Change{
			{Op: OpAdd, Tab: "Users", Key: []string{"ann"}, Fields: Fields{{Column: "UserType", New: "View"}, {Column: "Password", Old: "", New: MaskedValue, Secret: true, From: "Users!G2"}}, Cells: []string{"Users!A2"}},
			{Op: OpRename, Tab: "Groups", Key: []string{"A"}, NewKey: []string{"B"}},
			{Op: OpRemove, Tab: "UsersInGroups", Key: []string{"ann", "B"}},
		},
		Findings: validate.Findings{{Severity: validate.Warning, Code: "x", Message: "m"}},
	}
	p.Summarize()
	if want := (Summary{Add: 1, Rename: 1, Remove: 1, Warnings: 1}); p.Summary != want || !p.Applicable {
		t.Fatalf("summary %+v, applicable %v", p.Summary, p.Applicable)
	}
	data, err := MarshalPlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(string(data), `"UserType"`), strings.Index(string(data), `"Password"`); i < 0 || j < i {
		t.Errorf("fields out of column order:\n%s", data)
	}
	back, err := UnmarshalPlan(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !back.HasSecrets() {
		t.Error("the password change does not count as a secret")
	}
	for _, bad := range []string{
		strings.Replace(string(data), PlanFormat, "secmgr.plan/v9", 1),
		strings.Replace(string(data), `"source"`, `"sauce"`, 1),
		strings.Replace(string(data), `"tab": "Users"`, `"tab": "Nope"`, 1),
	} {
		if _, err := UnmarshalPlan([]byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}
