package artifacts

import (
	"strings"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"Doc*", "Documentation LegalA", true},
		{"doc*", "Documentation LegalA", true},
		{"Doc*", "The Documentation", false},
		{"*LegalA", "Documentation LegalA", true},
		{"*legala", "Documentation LegalA", true},
		{"*Legal", "Documentation LegalA", false},
		{"Doc*LegalA", "Documentation LegalA", true},
		{"Doc*LegalA", "Documentation LegalAB", false},
		{"*Doc*Legal*", "The Documentation LegalA team", true},
		{"*Doc*Legal*", "Legal Documentation", false},
		{"Houston_?iew", "Houston_View", true},
		{"Houston_?iew", "Houston_iew", false},
		{"?", "é", true},
		{"??", "é", false},
		{"*", "", true},
		{"*", "anything at all", true},
		{"Everyone", "everyone", true},
		{"Everyone", "Everyone2", false},
		{"a*a*a*a*a*b", strings.Repeat("a", 200), false},
		{"*.Import", "Houston.Import", true},
		{"[abc]", "[abc]", true}, // no character classes: brackets are literal
	}
	for _, c := range cases {
		p, err := CompilePattern(c.pattern)
		if err != nil {
			t.Fatalf("CompilePattern(%q): %v", c.pattern, err)
		}
		if got := p.Match(c.name); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
	if _, err := CompilePattern(""); err == nil {
		t.Error("an empty pattern is refused")
	}
}

func TestFilterOrsPatterns(t *testing.T) {
	f, err := CompileFilter([]string{"Houston*", "*LegalA"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"Houston_View": true, "Documentation LegalA": true, "Augusta_View": false} {
		if f.Match(name) != want {
			t.Errorf("Match(%q) = %v", name, !want)
		}
	}
	if !(Filter(nil)).Match("x") || (Filter(nil)).Active() {
		t.Error("an empty filter matches everything and is not active")
	}
}

func TestCheckName(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"Documentation LegalA", true},
		{"Houston.Import", true},
		{"Émile Zoë", true},
		{strings.Repeat("x", 100), true},
		{strings.Repeat("é", 100), true},
		{strings.Repeat("x", 101), false},
		{"", false},
		{"   ", false},
		{" Leading", false},
		{"Trailing ", false},
		{"Wild*", false},
		{"Wild?", false},
		{"Tab\tInside", false},
		{"Line\nBreak", false},
		{"\x00", false},
		{"bad\xffutf8", false},
	}
	for _, c := range cases {
		if got := CheckName(c.name) == ""; got != c.ok {
			t.Errorf("CheckName(%q) = %q, want ok=%v", c.name, CheckName(c.name), c.ok)
		}
	}
}

func FuzzPatternMatch(f *testing.F) {
	f.Add("Doc*LegalA", "Documentation LegalA")
	f.Add("*?*", "x")
	f.Add("a*b?c", "aXXbYc")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		got := p.Match(name)
		// A pattern without wildcards matches exactly its folded self.
		if !strings.ContainsAny(pattern, "*?") && got != (Fold(pattern) == Fold(name)) {
			t.Fatalf("literal %q vs %q: %v", pattern, name, got)
		}
		// "*" + pattern + "*" matches whatever pattern matches.
		if got {
			wide, _ := CompilePattern("*" + pattern + "*")
			if !wide.Match(name) {
				t.Fatalf("%q matches %q but *%s* does not", pattern, name, pattern)
			}
		}
	})
}

func FuzzCheckName(f *testing.F) {
	f.Add("Documentation LegalA")
	f.Add(" x")
	f.Fuzz(func(t *testing.T, name string) {
		if CheckName(name) == "" && (strings.ContainsAny(name, "*?") || strings.TrimSpace(name) != name || name == "") {
			t.Fatalf("CheckName accepted %q", name)
		}
	})
}
