package audit

import (
	"slices"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

func TestIdP(t *testing.T) {
	e := env(func(e *artifacts.Environment) {
		users(e, "Ann", "Bob", "Cid", "Dee")
		groups(e, "Metadata Admins")
		setRole(e, "ManageMetadata", "Metadata Admins")
		in(e, "Bob", "Metadata Admins")
		user(e, "Dee").IsEnabled = false
	})
	accounts := &IdPAccounts{Source: "users.csv", Provider: "AzureAD", Leavers: []IdPLeaver{
		{User: "Ann", Reason: "missing from the identity provider"},
		{User: "Bob", Account: "bob@x.example", Reason: "disabled in the identity provider"},
		{User: "Dee", Reason: "missing from the identity provider"}, // already disabled: no finding
	}}
	fs := findingsOf(RunWith(e, nil, Options{IdP: accounts}), "SM-013")
	var got []string
	for _, f := range fs {
		if f.Severity != High || f.Remedy == "" || len(f.Artifacts) != 1 || f.Artifacts[0].Tab != "Users" {
			t.Errorf("finding %+v", f)
		}
		got = append(got, f.Artifacts[0].Key[0])
	}
	if !slices.Equal(got, []string{"Ann", "Bob"}) {
		t.Fatalf("SM-013 for %v, want Ann and Bob", got)
	}
	if !strings.Contains(fs[1].Message, "disabled in the identity provider (bob@x.example) in users.csv; it is still in Metadata Admins, which holds roles") {
		t.Errorf("message %q", fs[1].Message)
	}
	// Without the provider's export SM-013 is not checked, and says why.
	rep := Run(e, nil)
	if len(findingsOf(rep, "SM-013")) > 0 || !slices.ContainsFunc(rep.NotChecked, func(n NotChecked) bool { return n.Rule == "SM-013" && strings.Contains(n.Reason, "--idp") }) {
		t.Errorf("without --idp: %+v", rep.NotChecked)
	}
}
