package validate

// Codes of cells and headers that cannot be read as the person meant.
const (
	// CodeUncalculated: a formula cell without a cached value (written by a
	// program that does not calculate, such as openpyxl).
	CodeUncalculated = "formula-not-calculated"
	// CodeErrorCell: a cell holding an error value such as #N/A.
	CodeErrorCell = "error-value"
	// CodeMisspeltColumn: a header that is a near miss of a column the tab
	// lacks; the person's edits in that column would otherwise be dropped.
	CodeMisspeltColumn = "misspelt-column"
	// CodeNoSecurityTab: a workbook with no security tab at all.
	CodeNoSecurityTab = "no-security-tab"
)
