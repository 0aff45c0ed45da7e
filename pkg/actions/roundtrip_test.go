package actions

import (
	"path/filepath"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
)

// TestApplyThenReplanIsEmpty: after applying a workbook, planning the same
// workbook again changes nothing (import.md: imports are idempotent).
func TestApplyThenReplanIsEmpty(t *testing.T) {
	for _, ex := range goldenExamples() {
		t.Run(ex.name, func(t *testing.T) {
			env, err := golfstream.Environment()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(editsDir, ex.name+".xlsx")
			p := plan(t, env, path, PlanOptions{Cascade: ex.cascade})
			if !p.Applicable {
				return
			}
			after, err := Apply(env, p, nil)
			if err != nil {
				t.Fatalf("apply: %v\n%s", err, render(p))
			}
			again := plan(t, after, path, PlanOptions{Cascade: ex.cascade})
			if len(again.Changes) != 0 || !again.Applicable {
				t.Fatalf("replanning after apply is not empty:\n%s", render(again))
			}
			// And the undo plan restores the sample byte for byte.
			undo := &Plan{Format: PlanFormat}
			undo.Changes, _ = Diff(env, after, DiffOptions{Prune: true})
			undo.Summarize()
			restored, err := Apply(after, undo, nil)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			a, _ := artifacts.Marshal(env)
			b, _ := artifacts.Marshal(restored)
			if string(a) != string(b) {
				t.Fatal("undo did not restore the environment")
			}
		})
	}
}

// TestExportPlanApplyRoundTrip: a synthetic environment exported and
// planned unchanged gives nothing to do.
func TestUnchangedExportOfSamplePlansNothing(t *testing.T) {
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, env, exportAll(t, env), PlanOptions{})
	if len(p.Changes) != 0 || len(p.Findings) != 0 {
		t.Fatalf("unchanged export of the sample planned:\n%s", render(p))
	}
}
