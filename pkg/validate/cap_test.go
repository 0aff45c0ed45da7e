package validate

import (
	"strings"
	"testing"
)

func TestAddCapped(t *testing.T) {
	var fs Findings
	var o Omitted
	for i := range MaxListed + 5 {
		sev := Warning
		if i == MaxListed+3 {
			sev = Error
		}
		fs = AddCapped(fs, Finding{Severity: sev, Code: "x", Message: "m"}, &o)
	}
	// Past the warnings' bound an error is still listed.
	if len(fs) != MaxListed+2 || fs.Errors() != 1 || o.Warnings != 4 || o.Errors != 0 {
		t.Fatalf("%d findings, omitted %+v", len(fs), o)
	}
	for range MaxListed + 1 {
		fs = AddCapped(fs, Finding{Severity: Error, Code: "x", Message: "m"}, &o)
	}
	if len(fs) != 2*MaxListed+1 || o.Errors != 2 || o.Warnings != 4 {
		t.Fatalf("%d findings, omitted %+v", len(fs), o)
	}
	last := fs[o.at-1]
	if last.Code != CodeNotListed || last.Severity != Error || !strings.HasPrefix(last.Message, "2 more error(s) and 4 more warning(s) are not listed") {
		t.Errorf("last finding %+v", last)
	}
	if fs.Errors() != MaxListed+1 {
		t.Errorf("an omitted error must keep the list failing")
	}
}

func TestAddCappedMax(t *testing.T) {
	var fs Findings
	o := Omitted{Max: 3}
	for range 10 {
		fs = AddCapped(fs, Finding{Severity: Error, Code: "x", Message: "m"}, &o)
	}
	if len(fs) != 4 || o.Errors != 7 || !strings.Contains(fs[3].Message, "7 more error(s) and 0 more warning(s) are not listed (secmgr lists the first 3 of each)") {
		t.Errorf("%d findings, omitted %+v, last %q", len(fs), o, fs[len(fs)-1].Message)
	}
}
