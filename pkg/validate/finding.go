// Package validate defines secmgr's findings — the problems found in a
// workbook or an environment, each with a severity, a stable code, and the
// tab, row, column and cell where a person can fix it — and the checks of
// single values against the domains of the tab table.
//
// Checks that need the whole workbook and the environment (references,
// duplicates, cycles) are made by the planner in package actions, which
// reports them as findings of this package.
package validate

import (
	"fmt"
	"slices"
	"strings"
)

// Severity of a finding.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one problem, located at a cell where there is one. Row is the
// spreadsheet row number (1 is the header row); Column is the header as
// the user wrote it.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Tab      string   `json:"tab,omitempty"`
	Row      int      `json:"row,omitempty"`
	Column   string   `json:"column,omitempty"`
	Cell     string   `json:"cell,omitempty"`
	Message  string   `json:"message"`
}

// String formats the finding for a terminal: "Users!C7: error: message".
// Control characters are escaped: a message may quote a hostile cell.
func (f Finding) String() string {
	return EscapeControls(f.text())
}

func (f Finding) text() string {
	where := f.Cell
	if where == "" {
		where = f.Tab
		if where != "" && f.Row > 0 {
			where = fmt.Sprintf("%s row %d", f.Tab, f.Row)
		}
	}
	if where == "" {
		return fmt.Sprintf("%s: %s [%s]", f.Severity, f.Message, f.Code)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", where, f.Severity, f.Message, f.Code)
}

// Findings is a list of findings with helpers for counting and ordering.
type Findings []Finding

// Add appends a finding.
func (fs *Findings) Add(f Finding) { *fs = append(*fs, f) }

// Errors counts the findings of severity Error.
func (fs Findings) Errors() int { return fs.count(Error) }

// Warnings counts the findings of severity Warning.
func (fs Findings) Warnings() int { return fs.count(Warning) }

func (fs Findings) count(s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders findings by tab order (as given by tabOrder, unknown tabs
// last), row, column cell, code, so output never depends on map order.
func (fs Findings) Sort(tabOrder func(tab string) int) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := tabOrder(a.Tab) - tabOrder(b.Tab); c != 0 {
			return c
		}
		if c := a.Row - b.Row; c != 0 {
			return c
		}
		if c := len(a.Cell) - len(b.Cell); c != 0 { // B before AA
			return c
		}
		if c := strings.Compare(a.Cell, b.Cell); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
}

// Finding codes. They are stable: scripts and annotated workbooks use them.
const (
	CodeUnreadable       = "unreadable-workbook"
	CodeUnknownTab       = "unknown-tab"
	CodeDuplicateTab     = "duplicate-tab"
	CodeMissingTab       = "missing-tab"
	CodeUnknownColumn    = "unknown-column"
	CodeDuplicateColumn  = "duplicate-column"
	CodeMissingKeyColumn = "missing-key-column"
	CodeNoHeader         = "no-header"
	CodeMergedCells      = "merged-cells"
	CodeFormulaInKey     = "formula-in-key"
	CodeWhitespace       = "whitespace-trimmed"
	CodeActionOnlyRow    = "action-without-row"
	CodeRequired         = "required-value"
	CodeDomain           = "invalid-value"
	CodeUnknownCulture   = "unknown-culture"
	CodeInvalidName      = "invalid-name"
	CodeMemberFilter     = "member-filter-prefix"
	CodeUnknownUser      = "unknown-user"
	CodeUnknownGroup     = "unknown-group"
	CodeUnknownExGroup   = "unknown-exclusion-group"
	CodeNotExisting      = "artifact-does-not-exist"
	CodeDuplicateRow     = "duplicate-row"
	CodeConflictingRow   = "conflicting-rows"
	CodeCycle            = "group-cycle"
	CodeSelfMember       = "group-in-itself"
	CodeProcessingOrder  = "processing-order-taken"
	CodeActionType       = "invalid-action"
	CodeBuiltin          = "builtin-group"
	CodeAlreadyAbsent    = "already-absent"
	CodeAlreadyRenamed   = "already-renamed"
	CodeRenameTarget     = "rename-target-taken"
	CodeRenameMissing    = "rename-source-missing"
	CodeNameReused       = "name-reused"
	CodeGroupInUse       = "group-in-use"
	CodeRemovedWithOwner = "removed-with-owner"
	CodeTypeChange       = "type-change"
	CodeLimit            = "limit-exceeded"
)
