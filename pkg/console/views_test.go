package console

import (
	"regexp"
	"strings"
	"testing"
)

// TestPlanPageShowsImpactAboveApply: the plan page lists who gains and
// loses what, with the path, before the Apply button.
func TestPlanPageShowsImpactAboveApply(t *testing.T) {
	tc := newConsole(t, Options{})
	code, body := tc.upload(realistic, "csrf", tc.csrf())
	if code != 200 {
		t.Fatalf("plan page: %d\n%s", code, body)
	}
	for _, want := range []string{
		`<section id="impact"><h2>Impact on effective access</h2>`,
		"Impact on effective access: 3 users, 8 changes",
		`<tr class="gains" title="&#43; Pat Morgan gains North America via Houston_View → Houston Team"><td>Pat Morgan</td><td class="change">gains</td><td>North America</td><td class="via">Houston_View → Houston Team → North America</td></tr>`,
		`<tr class="loses" title="- Jessica Documentation loses Documentation LegalA"><td>Jessica Documentation</td><td class="change">loses</td><td>Documentation LegalA</td><td class="via"><span class="hint">direct</span></td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the plan page does not show %q", want)
		}
	}
	impact, apply := strings.Index(body, `id="impact"`), strings.Index(body, "Apply these changes")
	if impact < 0 || apply < 0 || impact > apply {
		t.Errorf("the impact (at %d) is not above the Apply button (at %d)", impact, apply)
	}
}

// TestExplainPage: a user's page has the membership tree (each group
// under the group that puts the user in it), the exclusion decisions with
// the deciding entry, roles and rights as tables; a group's page its
// entries, members with paths and uses. No text dump.
func TestExplainPage(t *testing.T) {
	tc := newConsole(t, Options{})
	_, body, _ := tc.get("/explain?user=Mark+Sullivan")
	squash := regexp.MustCompile(`>\s+<`)
	page := squash.ReplaceAllString(body, "><")
	for _, want := range []string{
		// Houston_Mod → Houston_View → Houston Team → North America, nested.
		`<li>Houston_Mod<ul><li>Houston_View<ul><li>Houston Team<ul><li>North America`,
		`<tr class="out"><td>Houston Mod Except Contractors</td><td>kept out</td><td>UsersInExGroups Mark Sullivan / Houston Mod Except Contractors</td><td class="n">1</td><td>deny</td></tr>`,
		`<table class="wide" id="rights">`,
		`<td>Houston</td><td>write</td><td>Houston_Mod</td><td>ReadWriteGroup</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the explain page of a user does not show %q", want)
		}
	}
	if strings.Contains(body, "<pre") {
		t.Error("the explain page is still a text dump")
	}
	_, body, _ = tc.get("/explain?group=Houston+Mod+Except+Contractors")
	page = squash.ReplaceAllString(body, "><")
	for _, want := range []string{
		"<h2>Exclusion group Houston Mod Except Contractors</h2>",
		`<tr><td>GroupsInExGroups Houston_Mod / Houston Mod Except Contractors</td><td class="n">0</td><td>allow</td></tr>`,
		`<td>Emily Nguyen</td><td class="via">Emily Nguyen → Houston_Mod → Houston Mod Except Contractors</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the explain page of an exclusion group does not show %q", want)
		}
	}
	if strings.Contains(page, "<td>Mark Sullivan</td>") {
		t.Error("the exclusion group lists the user it keeps out")
	}
}
