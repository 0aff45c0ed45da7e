package review

import (
	"fmt"
	"time"

	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// EvidenceSheet is the tab of a review-evidence workbook.
const EvidenceSheet = "ReviewEvidence"

// EvidenceColumns are its headers, in order.
var EvidenceColumns = []string{"Applied", "AppliedBy", "Environment", "Source", "Reviewer", "User", "Group", "Decision", "Comment", "Outcome"}

// EvidenceFileName names an evidence workbook written at now.
func EvidenceFileName(now time.Time) string {
	return "ReviewEvidence." + now.Format("150405") + ".xlsx"
}

// Evidence is one applied review: the decisions of a reviewed access
// review, as the journal of the apply that carried them out keeps them.
type Evidence struct {
	Applied   time.Time // when the apply happened
	AppliedBy string    // the operating-system user who applied it
	Source    string    // the reviewed workbook
	Decisions []plans.ReviewDecision
}

// WriteEvidence writes the record of review decisions an auditor asks for
// (OS-BP-PS-AA-003 and -004): one row per decision of every applied
// review, Keep too, with the date and who applied it, the reviewer, the
// decision, the comment and its outcome ("removed", "kept", "already
// absent"). The file is written like a review: atomically, owner-only,
// never over an existing file unless opt.Replace. Text cells stay text.
func WriteEvidence(envName, path string, reviews []Evidence, opt WriteOptions) error {
	n := 0
	for _, r := range reviews {
		n += len(r.Decisions)
	}
	if n > maxRows {
		return fmt.Errorf("the journal holds %d review decisions, more than the %d rows a sheet can hold; narrow it with --since", n, maxRows)
	}
	w, err := workbook.Create(path, workbook.WriteOptions{Replace: opt.Replace})
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op after Close
	if err := w.StartLayout(plainLayout(EvidenceSheet, EvidenceColumns, []float64{22, 14, 16, 30, 20, 26, 28, 10, 40, 16})); err != nil {
		return err
	}
	for _, r := range reviews {
		applied := r.Applied.UTC().Format("2006-01-02 15:04:05Z")
		for _, d := range r.Decisions {
			// Every value a text cell: a comment starting with "=" never
			// becomes a formula in the auditor's copy.
			if err := w.WriteRow([]string{applied, r.AppliedBy, envName, r.Source,
				d.Reviewer, d.User, d.Group, d.Decision, d.Comment, d.Outcome}); err != nil {
				return err
			}
		}
	}
	return w.Close()
}
