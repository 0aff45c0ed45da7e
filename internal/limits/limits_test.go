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

func TestFill(t *testing.T) {
	type lim struct {
		Bytes  int64
		Rows   int
		Name   string
		hidden int
	}
	def := lim{Bytes: 1 << 30, Rows: 100, Name: "default", hidden: 5}
	got := Fill(lim{Bytes: -1, Rows: 7, hidden: 0}, def)
	want := lim{Bytes: 1 << 30, Rows: 7, Name: "", hidden: 0}
	if got != want {
		t.Errorf("Fill = %+v, want %+v", got, want)
	}
	if got := Fill(lim{}, def); got.Bytes != def.Bytes || got.Rows != def.Rows {
		t.Errorf("Fill(zero) = %+v", got)
	}
}
