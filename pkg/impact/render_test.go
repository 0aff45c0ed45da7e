package impact

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// samplePlans are plans of the GolfStream sample rendered in every format:
// the example workbook a person edits, and a plan long enough to fold.
func samplePlans(t *testing.T) map[string]*plans.Plan {
	env := sample(t)
	realistic, err := actions.PlanWorkbook(filepath.Join("..", "..", "examples", "golfstream", "edits", "realistic.xlsx"), env, actions.PlanOptions{Source: "realistic.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	var many []plans.Change
	for _, u := range env.Users {
		many = append(many, add("UsersInGroups", u.User, "Budget Preparers"), add("UsersInGroups", u.User, "Houston_Mod"))
	}
	long := planOf(many...)
	long.Source, long.Environment = "long.xlsx", realistic.Environment
	// Drop the rows the sample already has.
	long.Changes = long.Changes[:0]
	for _, c := range many {
		if !hasRow(env.UsersInGroups, c.Key[0], c.Key[1]) {
			long.Changes = append(long.Changes, c)
		}
	}
	long.Summarize()
	plans := map[string]*plans.Plan{"realistic": realistic, "long": long}
	for _, p := range plans {
		if err := Attach(env, p); err != nil {
			t.Fatal(err)
		}
	}
	return plans
}

func hasRow(rows []artifacts.UserInGroup, user, group string) bool {
	for _, r := range rows {
		if strings.EqualFold(r.User, user) && strings.EqualFold(r.ParentGroup, group) {
			return true
		}
	}
	return false
}

// checkMarkdown checks the structure GitHub needs to render the comment:
// fences that close, <details> blocks that close, blank lines around
// blocks, and no HTML but the details tags.
func checkMarkdown(t *testing.T, md string) {
	t.Helper()
	lines := strings.Split(md, "\n")
	fence, details := "", 0
	for i, l := range lines {
		switch {
		case fence != "":
			if l == fence {
				fence = ""
			}
		case strings.HasPrefix(l, "```"):
			fence = strings.TrimRight(l, "abcdefghijklmnopqrstuvwxyz")
			if i > 0 && lines[i-1] != "" {
				t.Errorf("line %d: a fence needs a blank line before it", i+1)
			}
		case strings.HasPrefix(l, "<details>"):
			details++
			if !strings.HasSuffix(l, "</summary>") {
				t.Errorf("line %d: details without a one-line summary: %q", i+1, l)
			}
		case l == "</details>":
			details--
		case strings.Contains(l, "<"):
			t.Errorf("line %d: raw HTML outside a code block: %q", i+1, l)
		}
	}
	if fence != "" {
		t.Error("a code fence is not closed")
	}
	if details != 0 {
		t.Errorf("%d <details> blocks not closed", details)
	}
}

// TestTextSummarisesPast50: a long impact shows 50 lines and counts the rest.
func TestTextSummarisesPast50(t *testing.T) {
	p := samplePlans(t)["long"]
	if len(p.Impact) <= plans.MaxImpactLines {
		t.Fatalf("only %d impact lines: the test needs more", len(p.Impact))
	}
	var b bytes.Buffer
	if err := plans.RenderText(&b, p, false); err != nil {
		t.Fatal(err)
	}
	_, impact, _ := strings.Cut(b.String(), "Impact on effective access")
	lines := strings.Split(strings.TrimSpace(impact), "\n")
	if len(lines) != 1+plans.MaxImpactLines+1 {
		t.Fatalf("%d impact lines shown, want a heading, %d lines and a count", len(lines), plans.MaxImpactLines)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "more") || !strings.Contains(last, "in all") {
		t.Errorf("last line %q does not count the rest", last)
	}
}

// TestRenderGolden: the text, JSON and Markdown renderings of sample plans
// with their impact.
func TestRenderGolden(t *testing.T) {
	for name, p := range samplePlans(t) {
		t.Run(name, func(t *testing.T) {
			var txt, md bytes.Buffer
			if err := plans.RenderText(&txt, p, false); err != nil {
				t.Fatal(err)
			}
			js, err := plans.MarshalPlan(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := plans.RenderMarkdown(&md, p); err != nil {
				t.Fatal(err)
			}
			testtools.Golden(t, filepath.Join("testdata", name+".plan.txt"), txt.Bytes())
			testtools.Golden(t, filepath.Join("testdata", name+".plan.json"), js)
			testtools.Golden(t, filepath.Join("testdata", name+".plan.md"), md.Bytes())
			checkMarkdown(t, md.String())

			// The saved plan reads back with its impact.
			back, err := plans.UnmarshalPlan(js)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(p.Impact, back.Impact); d != "" {
				t.Errorf("impact does not survive saving:\n%s", d)
			}
		})
	}
}
