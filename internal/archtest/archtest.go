// Package archtest holds the package structure of secmgr, as
// docs/architecture.md draws it, against the code: its test reads every
// package's imports and fails when one imports against the direction data
// flows (source → rows → checks → plan → apply → store).
package archtest
