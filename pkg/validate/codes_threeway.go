package validate

// Codes of three-way planning (a workbook made from an earlier state of
// the environment).
const (
	// CodeConflict: the person changed a value that was also changed
	// since the workbook was made, to something else.
	CodeConflict = "conflict"
	// CodeStaleExport: the workbook was made from a state that is not in
	// the environment's history, so it cannot be planned three-way.
	CodeStaleExport = "stale-export"
)
