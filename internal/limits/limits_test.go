package limits

import "testing"

func TestOrDefault(t *testing.T) {
	for _, tc := range []struct{ v, want int }{{0, 7}, {-1, 7}, {1, 1}, {9, 9}} {
		if got := OrDefault(tc.v, 7); got != tc.want {
			t.Errorf("OrDefault(%d, 7) = %d, want %d", tc.v, got, tc.want)
		}
	}
	if got := OrDefault(int64(-5), 1<<30); got != 1<<30 {
		t.Errorf("OrDefault(int64(-5), 1<<30) = %d", got)
	}
}
