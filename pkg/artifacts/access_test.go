package artifacts

import (
	"strings"
	"testing"
)

func TestCompareFoldAgreesWithFold(t *testing.T) {
	names := []string{"", "a", "A", "ab", "aB", "Ab", "b", "Documentation LegalA", "documentation legala", "Documentation LegalB", "Émile", "émile", "Zoë", "zoe", "a b", "a-b", "A_B", "[x]", "Z"}
	sign := func(n int) int {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	for _, a := range names {
		for _, b := range names {
			want := sign(strings.Compare(Fold(a), Fold(b)))
			if got := sign(CompareFold(a, b)); got != want {
				t.Errorf("CompareFold(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}
