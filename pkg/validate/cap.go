package validate

import "fmt"

// MaxListed is the default bound (Omitted.Max) on the findings of each
// severity that one reading of a workbook lists. Past it they are counted, not kept: a hostile workbook of
// millions of bad rows then costs the memory of a few thousand findings,
// and a person reading them fixes the first ones and reads the workbook
// again anyway. Errors and warnings are bounded separately, so that ten
// thousand harmless warnings never hide the one error that blocks a plan.
const MaxListed = 10_000

// CodeNotListed is the code of the finding that counts those left out.
const CodeNotListed = "findings-not-listed"

// Omitted counts the findings AddCapped left out of one list.
type Omitted struct {
	// Max is how many findings of each severity are listed; 0 means
	// MaxListed.
	Max              int
	Errors, Warnings int
	listedErrors     int
	listedWarnings   int
	at               int // 1 + the index of the finding that counts them
}

// AddCapped appends f to fs while fs lists fewer than o.Max findings of
// f's severity. After that f is counted in o, and one last finding
// (CodeNotListed, an error as soon as an error was left out, so a plan
// stays not applicable) says how many were. fs must not be reordered
// while o is in use.
func AddCapped(fs Findings, f Finding, o *Omitted) Findings {
	listed := &o.listedWarnings
	if f.Severity == Error {
		listed = &o.listedErrors
	}
	limit := o.Max
	if limit <= 0 {
		limit = MaxListed
	}
	if *listed < limit {
		*listed++
		return append(fs, f)
	}
	if o.at == 0 {
		fs = append(fs, Finding{Code: CodeNotListed})
		o.at = len(fs)
	}
	if f.Severity == Error {
		o.Errors++
	} else {
		o.Warnings++
	}
	c := &fs[o.at-1]
	c.Severity = Warning
	if o.Errors > 0 {
		c.Severity = Error
	}
	c.Message = fmt.Sprintf("%d more error(s) and %d more warning(s) are not listed (secmgr lists the first %d of each); fix those listed and check the workbook again",
		o.Errors, o.Warnings, limit)
	return fs
}
