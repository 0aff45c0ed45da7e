// Package actions computes and applies changes to security: the check
// stage and the planner (workbook rows → checks → plan, two-way or, for a
// stale export, three-way), the difference of two environments (Diff),
// undo plans (Undo), and Apply, which carries a plan out on an
// environment in memory and holds the result to the environment's
// invariants.
//
// The check stage takes rows whatever their source: a workbook file
// (PlanWorkbook), a full export read as a record (Snapshot: the same
// checks with a snapshot's rules, applied to an environment of built-ins
// only), or rows another layout holds (PlanRows: an access review's
// decisions, each finding at the review's own cell). The rules over many
// rows — cycles, processing orders — are the model's own
// (artifacts.GroupCycles, artifacts.OrderClashes), which Load and Apply
// hold an environment to as well.
//
// The plan itself is plain data in pkg/plans; storing a plan, locking,
// journaling and undo files are pkg/history's business.
//
//	p, err := actions.PlanWorkbook("edits.xlsx", env, actions.PlanOptions{})
//	plans.RenderText(os.Stdout, p, false)
//	after, err := actions.Apply(env, p, secrets)
//
//	env, findings, err := actions.Snapshot("SecurityExtract.101500.xlsx", actions.SnapshotOptions{Name: "Production"})
package actions
