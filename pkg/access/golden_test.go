package access

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
)

// TestGolfStreamGolden explains a few users and groups of the sample:
// nested groups, an exclusion group that keeps one user out, a disabled
// administrator, a native administrator, an unused group.
func TestGolfStreamGolden(t *testing.T) {
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	ix := New(env)
	cases := []struct {
		kind, name string
	}{
		{"user", "Jessica Documentation"},
		{"user", "Mark Sullivan"},
		{"user", "Robert Kline"},
		{"user", "OneStream Admin"},
		{"user", "Acme Integration Service"},
		{"group", "Documentation AllOrgs"},
		{"group", "Houston Mod Except Contractors"},
		{"group", "Administrators"},
		{"group", "Montreal 2019 Reorg"},
	}
	for _, c := range cases {
		t.Run(c.kind+" "+c.name, func(t *testing.T) {
			var v interface {
				WriteText(w io.Writer) error
			}
			if c.kind == "user" {
				ua, err := ix.User(c.name)
				if err != nil {
					t.Fatal(err)
				}
				v = ua
			} else {
				ga, err := ix.Group(c.name)
				if err != nil {
					t.Fatal(err)
				}
				v = ga
			}
			base := c.kind + "-" + strings.ReplaceAll(strings.ToLower(c.name), " ", "-")
			var text, js bytes.Buffer
			if err := v.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, v); err != nil {
				t.Fatal(err)
			}
			testtools.Golden(t, filepath.Join("testdata", base+".txt"), text.Bytes())
			testtools.Golden(t, filepath.Join("testdata", base+".json"), js.Bytes())
		})
	}
}
