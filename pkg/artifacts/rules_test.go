package artifacts

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroupCycles(t *testing.T) {
	e := func(g, p string) GroupEdge { return GroupEdge{g, p} }
	tests := []struct {
		name  string
		kept  []GroupEdge
		added []GroupEdge
		want  []string // "index: path"
	}{
		{"none", []GroupEdge{e("A", "B")}, []GroupEdge{e("B", "C")}, nil},
		{"closing a kept chain", []GroupEdge{e("A", "B"), e("B", "C")}, []GroupEdge{e("c", "a")}, []string{"0: A → B → C → A"}},
		{"the later of two additions closes it", nil, []GroupEdge{e("A", "B"), e("B", "A")}, []string{"1: A → B → A"}},
		{"a group in itself", nil, []GroupEdge{e("A", "a")}, []string{"0: A → A"}},
		{"a left-out addition closes nothing more", []GroupEdge{e("A", "B")}, []GroupEdge{e("B", "A"), e("C", "B"), e("B", "C")}, []string{"0: A → B → A", "2: C → B → C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range GroupCycles(tt.kept, tt.added) {
				got = append(got, strings.Join([]string{string(rune('0' + c.Added)), strings.Join(c.Path, " → ")}, ": "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrderClashes(t *testing.T) {
	entries := []OrderEntry{
		{ExGroup: "NoHouston", Member: "Jim", Order: 1, Ref: 0},
		{ExGroup: "nohouston", Member: "Everyone", IsGroup: true, Order: 1, Changed: true, Ref: 1},
		{ExGroup: "NoHouston", Member: "Ann", Order: 2, Ref: 2},
		{ExGroup: "Other", Member: "Ann", Order: 1, Ref: 3},
		{ExGroup: "Kept", Member: "A", Order: 5, Ref: 4},
		{ExGroup: "Kept", Member: "B", Order: 5, Ref: 5}, // a clash the change did not make
	}
	var got [][]int
	for _, clash := range OrderClashes(entries) {
		var refs []int
		for _, e := range clash {
			refs = append(refs, e.Ref)
		}
		got = append(got, refs)
	}
	if diff := cmp.Diff([][]int{{0, 1}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
