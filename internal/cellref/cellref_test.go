package cellref

import (
	"math"
	"testing"
)

func TestAppendColumn(t *testing.T) {
	for _, tc := range []struct {
		col  int
		want string
	}{{-1, ""}, {0, ""}, {1, "A"}, {26, "Z"}, {27, "AA"}, {52, "AZ"}, {702, "ZZ"}, {703, "AAA"}, {16384, "XFD"}} {
		if got := string(AppendColumn([]byte("x"), tc.col)); got != "x"+tc.want {
			t.Errorf("AppendColumn(x, %d) = %q, want %q", tc.col, got, "x"+tc.want)
		}
	}
	if got := AppendColumn(nil, math.MaxInt); len(got) == 0 || len(got) > 16 {
		t.Errorf("AppendColumn(nil, MaxInt) = %q", got)
	}
}
