package migrate

import (
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

func TestMapName(t *testing.T) {
	tests := []struct {
		rules []string
		in    string
		want  string
	}{
		{nil, "Finance Dev", "Finance Dev"},
		{[]string{"Finance Dev=Finance"}, "Finance Dev", "Finance"},
		{[]string{"Finance Dev=Finance"}, "finance dev", "Finance"},
		{[]string{"Finance Dev=Finance"}, "Finance Dev2", "Finance Dev2"},
		{[]string{"DEV_*=PRD_*"}, "DEV_Close", "PRD_Close"},
		{[]string{"DEV_*=PRD_*"}, "dev_close", "PRD_close"}, // the * keeps its casing
		{[]string{"DEV_*=PRD_*"}, "DEV_", "PRD_"},
		{[]string{"DEV_*=PRD_*"}, "XDEV_Close", "XDEV_Close"},
		{[]string{"*_Dev=*"}, "Houston_View_Dev", "Houston_View"},
		{[]string{"Team * (dev)=Team *"}, "Team Houston (dev)", "Team Houston"},
		{[]string{"DEV_*=Everything"}, "DEV_Close", "Everything"},
		{[]string{" DEV_* = PRD_* "}, "DEV_Close", "PRD_Close"},
		// In order; the first that matches wins.
		{[]string{"DEV_Close=Close", "DEV_*=PRD_*"}, "DEV_Close", "Close"},
		{[]string{"DEV_*=PRD_*", "DEV_Close=Close"}, "DEV_Close", "PRD_Close"},
		// Built-in groups are never mapped.
		{[]string{"*=PRD_*"}, "Everyone", "Everyone"},
		{[]string{"Administrators=Admins"}, "administrators", "administrators"},
		{[]string{"*=PRD_*"}, "Houston Team", "PRD_Houston Team"},
		// Names whose casing changes their length do not match by accident.
		{[]string{"É*=E*"}, "éclair", "Eclair"},
	}
	for _, tc := range tests {
		m, err := ParseMap(tc.rules)
		if err != nil {
			t.Fatalf("%q: %v", tc.rules, err)
		}
		if got := m.Name(tc.in); got != tc.want {
			t.Errorf("%q maps %q to %q, want %q", tc.rules, tc.in, got, tc.want)
		}
	}
	var none *Map
	if none.Name("x") != "x" || !none.Empty() {
		t.Error("a nil Map is not the identity")
	}
}

func TestParseMapRefuses(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{"Finance", "write FROM=TO"},
		{"=Finance", "write FROM=TO"},
		{"Finance=", "write FROM=TO"},
		{"DEV_**=PRD_*", "at most one *"},
		{"DEV_*=PRD_**", "at most one *"},
		{"DEV_?=PRD_?", "? is not a wildcard"},
		{"Finance=PRD_*", "TO has a * but FROM has none"},
		{"Finance\x01=X", "not a valid group name"},
	} {
		_, err := ParseMap([]string{"A=B", tc.rule})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--map") {
			t.Errorf("%q: error %v, want one saying %q", tc.rule, err, tc.want)
		}
	}
}

// TestMapMustKeepNamesApart: a mapping that makes two of the source's
// names one, or a name that is not valid, is refused.
func TestMapMustKeepNamesApart(t *testing.T) {
	src := sample(t)
	for _, tc := range []struct {
		rules []string
		want  string
	}{
		{[]string{"Houston_*=Houston"}, "'Houston_Mod' and 'Houston_View' would both be 'Houston'"},
		{[]string{"Europe=North America"}, "'Europe' and 'North America' would both be 'North America'"},
		{[]string{"Houston Team=Everyone"}, "would both be 'Everyone'"},
		{[]string{"Houston Mod Except Contractors=Houston_Mod"}, "would both be 'Houston_Mod'"}, // an exclusion group onto a group
		{[]string{"Europe=Europe*"}, ""}, // * in TO without one in FROM: refused by ParseMap
		{[]string{"*=*" + strings.Repeat("x", artifacts.MaxNameLength-5)}, "is not a valid name"},
	} {
		m, err := ParseMap(tc.rules)
		if err != nil {
			if tc.want != "" {
				t.Errorf("%q: %v", tc.rules, err)
			}
			continue
		}
		_, err = Compare(src, src, Options{Map: m})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one saying %q", tc.rules, err, tc.want)
		}
	}
}
