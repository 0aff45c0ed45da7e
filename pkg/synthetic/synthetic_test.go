package synthetic

import (
	"bytes"
	"testing"

	"secmgr/pkg/artifacts"
)

func TestGenerateIsValidAndDeterministic(t *testing.T) {
	a, err := artifacts.Marshal(Generate(Options{Users: 500}))
	if err != nil {
		t.Fatal(err)
	}
	env, err := artifacts.Decode(a)
	if err != nil {
		t.Fatalf("generated environment does not load: %v", err)
	}
	for _, tab := range artifacts.AllTabs() {
		if tab.Len(env) == 0 {
			t.Errorf("tab %s is empty", tab.Name)
		}
	}
	b, _ := artifacts.Marshal(Generate(Options{Users: 500}))
	if !bytes.Equal(a, b) {
		t.Error("same options gave different environments")
	}
}

func TestMemberships(t *testing.T) {
	defaults, _ := artifacts.Marshal(Generate(Options{Users: 300}))
	tests := []struct {
		name     string
		min, max int // options
		lo, hi   int // expected bounds per user
	}{
		{"default", 0, 0, 5, 10},
		{"explicit default", 5, 10, 5, 10},
		{"fewer", 4, 8, 4, 8},
		{"exactly two", 2, 2, 2, 2},
		{"max below min", 3, 1, 3, 3},
		{"none", 0, 1, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Users: 300, MembershipsMin: tc.min, MembershipsMax: tc.max}
			env := Generate(o)
			again, _ := artifacts.Marshal(Generate(o))
			if b, _ := artifacts.Marshal(env); !bytes.Equal(b, again) {
				t.Fatal("same options gave different environments")
			} else if tc.lo == 5 && tc.hi == 10 && !bytes.Equal(b, defaults) {
				t.Fatal("5–10 differs from the default options")
			}
			per := map[string]int{}
			for _, m := range env.UsersInGroups {
				if m.ParentGroup != artifacts.Administrators {
					per[m.User]++
				}
			}
			total := 0
			for _, u := range env.Users {
				n := per[u.User]
				total += n
				// A repeated draw is dropped, so fewer than lo can happen.
				if n > tc.hi {
					t.Errorf("%s has %d memberships, want at most %d", u.User, n, tc.hi)
				}
			}
			if mean := float64(total) / float64(len(env.Users)); mean < float64(tc.lo)*0.9 || mean > float64(tc.hi) {
				t.Errorf("mean memberships per user %.2f, want within %d–%d", mean, tc.lo, tc.hi)
			}
		})
	}
}
