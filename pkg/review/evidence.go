package review

import (
	"fmt"
	"io"
	"path/filepath"
	"secmgr/pkg/plans"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
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
	return writeReserved(path, opt.Replace, func(w io.Writer) error {
		return writeEvidence(w, envName, reviews, filepath.Dir(path))
	})
}

func writeEvidence(w io.Writer, envName string, reviews []Evidence, tmpDir string) error {
	n := 0
	for _, r := range reviews {
		n += len(r.Decisions)
	}
	if n > maxRows {
		return fmt.Errorf("the journal holds %d review decisions, more than the %d rows a sheet can hold; narrow it with --since", n, maxRows)
	}
	f := newFile(tmpDir)
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), EvidenceSheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF", Family: "Calibri", Size: 11},
		Alignment: &excelize.Alignment{Vertical: "center"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillPlain}},
	})
	if err != nil {
		return err
	}
	sw, err := startTable(f, EvidenceSheet, EvidenceColumns, []float64{22, 14, 16, 30, 20, 26, 28, 10, 40, 16}, head)
	if err != nil {
		return err
	}
	cells := make([]any, len(EvidenceColumns))
	row := 1
	for _, r := range reviews {
		for _, d := range r.Decisions {
			row++
			// Every value a text cell: a comment starting with "=" must
			// never become a formula in the auditor's copy.
			for i, v := range [...]string{r.Applied.UTC().Format("2006-01-02 15:04:05Z"), r.AppliedBy, envName, r.Source,
				d.Reviewer, d.User, d.Group, d.Decision, d.Comment, d.Outcome} {
				cells[i] = excelize.Cell{Value: v}
				if v == "" {
					cells[i] = nil
				}
			}
			if err := sw.SetRow("A"+strconv.Itoa(row), cells); err != nil {
				return err
			}
		}
	}
	if err := f.AutoFilter(EvidenceSheet, "A1:"+columnName(len(EvidenceColumns))+strconv.Itoa(max(row, 2)), nil); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
