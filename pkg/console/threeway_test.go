package console

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadStaleExportPlansThreeWay: an export edited while another
// change was applied through the console plans only the person's edit:
// the upload goes through the same three-way planning as 'secmgr plan'.
func TestUploadStaleExportPlansThreeWay(t *testing.T) {
	tc := newConsole(t, Options{})
	_, b, _ := tc.get("/api/export?areas=users")
	old := filepath.Join(t.TempDir(), "old.xlsx")
	if err := os.WriteFile(old, []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	since := filepath.Join(t.TempDir(), "since.xlsx")
	if err := os.WriteFile(since, []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	setCell(t, since, "Users", "Anna Weber", "ActionType", "Remove")
	setCell(t, since, "Users", "Anna Weber", "ActionValue", "Frankfurt_View")
	_, page := tc.upload(since, "csrf", tc.csrf())
	if code, _, _ := tc.postForm("/apply", applyFields(t, page)); code != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", code, page)
	}

	setCell(t, old, "Users", "Brian Foster", "Description", "Plant Accountant II")
	code, page := tc.upload(old, "csrf", tc.csrf())
	for _, want := range []string{
		"planned three-way against the state of ",
		"(1 apply since)",
		`<span class="op-edit">~ Users Brian Foster: Description Carlsbad Plant Accountant → Plant Accountant II</span>`,
		"Plan: 0 to add, 1 to edit, 0 to rename, 0 to remove; 0 errors, 0 warnings.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan page does not show %q", want)
		}
	}
	if code != 200 || strings.Contains(page, "Frankfurt_View") {
		t.Fatalf("plan page: %d\n%s", code, page)
	}
}
