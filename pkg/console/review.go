package console

import (
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/review"
)

// planReview plans a reviewed access review (AccessReview.HHMMSS.xlsx,
// written by `secmgr review`) as `secmgr plan` does: its Remove decisions
// become membership removals. ok is false when the workbook is not one;
// the error is for a file that is not a readable workbook at all.
func planReview(path, name string, env *artifacts.Environment) (p *plans.Plan, ok bool, err error) {
	ok, err = review.IsReviewWorkbook(path)
	if err != nil || !ok {
		return nil, false, err
	}
	p, err = review.PlanWith(path, env, review.Options{Source: name})
	return p, true, err
}
