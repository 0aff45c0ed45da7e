// Package graph has the graph algorithms secmgr's planners share: strongly
// connected components (to find group-nesting cycles) and shortest paths
// (to show them).
package graph

import "slices"

// SCC returns the strongly connected component of every node (iterative
// Tarjan, so deep group trees cannot overflow the stack).
func SCC(adj [][]int) []int {
	n := len(adj)
	index, low, comp := make([]int, n), make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i], comp[i] = -1, -1
	}
	var stack []int
	next, nComp := 0, 0
	type frame struct{ v, i int }
	for root := 0; root < n; root++ {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(adj[f.v]) {
				w := adj[f.v][f.i]
				f.i++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = nComp
					if w == v {
						break
					}
				}
				nComp++
			}
		}
	}
	return comp
}

// ShortestPath finds a shortest path from a to b (both included), by
// breadth-first search; with comp, only inside a's component. It returns
// nil when b cannot be reached.
func ShortestPath(adj [][]int, a, b int, comp []int) []int {
	prev := map[int]int{a: -1}
	queue := []int{a}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == b {
			break
		}
		for _, w := range adj[v] {
			if _, seen := prev[w]; !seen && (comp == nil || comp[w] == comp[a]) {
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	if _, ok := prev[b]; !ok {
		return nil
	}
	var path []int
	for v := b; v != -1; v = prev[v] {
		path = append(path, v)
	}
	slices.Reverse(path)
	return path
}
