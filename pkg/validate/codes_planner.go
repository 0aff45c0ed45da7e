package validate

// Codes of the planner's findings about what a person most likely meant.
const (
	// CodeRemovedByRow: a relationship row lists a membership that a
	// Remove with a member (a Users, Groups or ExGroup row) removes in the
	// same workbook; the Remove decides, the row is no change.
	CodeRemovedByRow = "removed-by-row"
	// CodeLooksMoved: a new slice rule equals an existing rule of its cube
	// and type that the workbook no longer lists at its old order: most
	// likely a move written as a new row, which adds a second copy.
	CodeLooksMoved = "looks-moved"
	// CodeSameIdentity: a new user has the external identity or e-mail
	// address of an existing user: most likely an overtyped name meant as
	// a rename.
	CodeSameIdentity = "same-identity"
)
