package validate

import (
	"strings"
	"testing"
)

func TestShown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Houston_View", "Houston_View"},
		{"Bell\aRing", `Bell\x07Ring`},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"next\u0085line", `next\u0085line`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"Zürich – 東京", "Zürich – 東京"},
		{strings.Repeat("x", 80), strings.Repeat("x", 80)},
		{strings.Repeat("é", 32767), strings.Repeat("é", 60) + "…"},
	} {
		if got := Shown(tc.in); got != tc.want {
			t.Errorf("Shown(%.20q) = %.80q, want %.80q", tc.in, got, tc.want)
		}
	}
	f := Finding{Severity: Error, Code: "x", Cell: "Groups!A2", Message: "Group 'a\x1b]0;t\a' is bad"}
	if got, want := f.String(), `Groups!A2: error: Group 'a\x1b]0;t\x07' is bad [x]`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
