package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSCCAndShortestPath(t *testing.T) {
	// 0 → 1 → 2 → 0 is a cycle; 3 → 0 and 4 alone are not in it.
	adj := [][]int{{1}, {2}, {0}, {0}, nil}
	comp := SCC(adj)
	if comp[0] != comp[1] || comp[1] != comp[2] {
		t.Errorf("0, 1, 2 are one component: %v", comp)
	}
	if comp[3] == comp[0] || comp[4] == comp[0] || comp[3] == comp[4] {
		t.Errorf("3 and 4 are components of their own: %v", comp)
	}
	if got := ShortestPath(adj, 1, 0, comp); !cmp.Equal(got, []int{1, 2, 0}) {
		t.Errorf("path 1 → 0 = %v", got)
	}
	// A deep chain does not overflow the stack.
	deep := make([][]int, 200_000)
	for i := range len(deep) - 1 {
		deep[i] = []int{i + 1}
	}
	deep[len(deep)-1] = []int{0}
	if c := SCC(deep); c[0] != c[len(c)-1] {
		t.Error("a 200,000-long cycle is one component")
	}
}
