package workbook

import (
	"fmt"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

// reportUnknownTabs reports the tabs that are not security tabs. Beside
// security tabs they are a person's own notes: a warning each. With no
// security tab at all the person most likely picked the wrong file, and
// "valid, nothing to change" would tell them all is well: an error.
func (w *Workbook) reportUnknownTabs(unknown []string, anySecurityTab bool) {
	if anySecurityTab {
		for _, name := range unknown {
			msg := fmt.Sprintf("tab '%s' is not a security tab; it is ignored", validate.Shown(name))
			if near := nearTab(name); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			w.add(validate.Finding{Severity: validate.Warning, Code: validate.CodeUnknownTab, Tab: name, Message: msg})
		}
		return
	}
	found := "it has no tabs"
	if len(unknown) > 0 {
		var guesses []string
		shown := textfmt.First(unknown, 12, func(name string) string { return "'" + validate.Shown(name) + "'" })
		for _, name := range unknown {
			if near := nearTab(name); near != "" && len(guesses) < 12 {
				guesses = append(guesses, fmt.Sprintf("did you mean %s for '%s'?", near, validate.Shown(name)))
			}
		}
		found = "its tabs are " + strings.Join(shown, ", ")
		if len(guesses) > 0 {
			found += " (" + strings.Join(guesses, " ") + ")"
		}
	}
	names := make([]string, artifacts.NumTabs)
	for i, t := range artifacts.AllTabs() {
		names[i] = t.Name
	}
	w.add(validate.Finding{Severity: validate.Error, Code: validate.CodeNoSecurityTab,
		Message: fmt.Sprintf("the workbook has no security tab: %s; a security workbook has the tabs %s (an export of secmgr or BDA Security Manager, or an access review)",
			found, strings.Join(names, ", "))})
}

// nearTab returns the security tab that name most likely means: a near
// miss of a tab name ("Userss", "Group s"), or a name that holds one as a
// word ("User List", "Sheet Users"; the longest such tab wins).
func nearTab(name string) string {
	var names []string
	for _, t := range artifacts.AllTabs() {
		names = append(names, t.Name)
		names = append(names, t.Aliases...)
	}
	if near := validate.NearMiss(name, names); near != "" {
		t, _ := artifacts.LookupTab(near)
		return t.Name
	}
	best := ""
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '_' || r == '-' || r == '.' }) {
		if t, ok := artifacts.LookupTab(word); ok && len(t.Name) > len(best) {
			best = t.Name
		}
	}
	return best
}
