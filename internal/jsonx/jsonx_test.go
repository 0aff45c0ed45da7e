package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\b\f", "\x00\x01\x1f\x7f",
		"R&D <team>", "Zoë Ça", "line\u2028sep\u2029", "bad \xff utf8 \xc3", "emoji 🏌"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := string(AppendString(nil, s)) + "\n"; got != want.String() {
			t.Errorf("%q: got %s want %s", s, got, want.String())
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("R&D <team> \"q\" \x01 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := string(AppendString(nil, s)) + "\n"; got != want.String() {
			t.Fatalf("%q: got %s want %s", s, got, want.String())
		}
	})
}
