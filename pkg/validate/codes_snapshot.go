package validate

// CodeMissingColumn: a tab of a full export (secmgr snapshot) lacks one of
// its columns. Imports allow absent columns ("leave as is"); a snapshot
// records every field, so it needs them all.
const CodeMissingColumn = "missing-column"
