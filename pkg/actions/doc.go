// Package actions computes and applies changes to security: the check
// stage and the planner (workbook rows → checks → plan, two-way or, for a
// stale export, three-way), the difference of two environments (Diff),
// undo plans (Undo), and Apply, which carries a plan out on an
// environment in memory and holds the result to the environment's
// invariants.
//
// The plan itself is plain data in pkg/plans; storing a plan, locking,
// journaling and undo files are pkg/history's business.
//
//	p, err := actions.PlanWorkbook("edits.xlsx", env, actions.PlanOptions{})
//	plans.RenderText(os.Stdout, p, false)
//	after, err := actions.Apply(env, p, secrets)
package actions
