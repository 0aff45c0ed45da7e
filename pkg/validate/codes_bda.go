package validate

// Codes of BDA Security Manager's vocabulary (workbooks meant for BDA).
const (
	// CodeBDAExtension: with --bda, a use of one of secmgr's extensions,
	// which BDA Security Manager does not read.
	CodeBDAExtension = "bda-extension"
	// CodeNotBDA: a change a workbook secmgr wrote for import carries with
	// an extension, because the guide has no way to say it.
	CodeNotBDA = "not-bda"
)
