package textfmt

import (
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 1073741824: "1,073,741,824"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n         int
		one, many string
		want      string
	}{{1, "rule", "", "1 rule"}, {0, "rule", "", "0 rules"}, {2, "entity", "entities", "2 entities"}} {
		if got := Plural(tc.n, tc.one, tc.many); got != tc.want {
			t.Errorf("Plural(%d, %q, %q) = %q, want %q", tc.n, tc.one, tc.many, got, tc.want)
		}
	}
}

func TestFirst(t *testing.T) {
	quote := func(s string) string { return "'" + s + "'" }
	for _, tt := range []struct {
		items []string
		most  int
		want  string
	}{
		{nil, 3, ""},
		{[]string{"a", "b", "c"}, 3, "'a', 'b', 'c'"},
		{[]string{"a", "b", "c", "d", "e"}, 3, "'a', 'b', 'c', and 2 more"},
	} {
		if got := strings.Join(First(tt.items, tt.most, quote), ", "); got != tt.want {
			t.Errorf("First(%v, %d) = %q, want %q", tt.items, tt.most, got, tt.want)
		}
	}
}
