package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"strings"
)

// WriteText writes the report for people: a summary line, then the
// findings grouped by severity, high first, then the rules not checked.
// Long artifact lists are cut short; JSON and SARIF carry them all.
func (r *Report) WriteText(w io.Writer) error {
	const most = 10
	bw := bufio.NewWriter(w)
	s := r.Summary
	fmt.Fprintf(bw, "Audit of %s: %d high, %d medium, %d low, %d info (%d rules checked, %d not checked)\n",
		name(r.Environment), s.High, s.Medium, s.Low, s.Info, s.RulesChecked, s.RulesNotChecked)
	if len(r.Findings) == 0 {
		fmt.Fprintf(bw, "\nNo findings.\n")
	}
	for sev := High; sev >= Info; sev-- {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(bw, "\n%s\n", strings.ToUpper(sev.String()))
				first = false
			}
			fmt.Fprintf(bw, "\n  %s  %s\n", f.Rule, f.Title)
			fmt.Fprintf(bw, "    %s\n", f.Message)
			if len(f.Artifacts) > 0 {
				arts := textfmt.First(f.Artifacts, most, ArtifactRef.String)
				fmt.Fprintf(bw, "    artifacts: %s\n", strings.Join(arts, "; "))
			}
			fmt.Fprintf(bw, "    what to do: %s\n", f.Remedy)
		}
	}
	if len(r.NotChecked) > 0 {
		fmt.Fprintf(bw, "\nNOT CHECKED\n")
		for _, n := range r.NotChecked {
			fmt.Fprintf(bw, "\n  %s  %s\n    %s\n", n.Rule, n.Title, n.Reason)
		}
	}
	return bw.Flush()
}

func name(env string) string {
	if env == "" {
		return "the environment"
	}
	return env
}

// WriteJSON writes the report as one JSON document:
// {"environment", "findings": [{"rule", "severity", "title", "message",
// "artifacts": [{"tab", "key"}], "remedy"}], "notChecked": [{"rule",
// "title", "reason"}], "summary": {…}}.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// SARIF 2.1.0, as much of it as a report needs.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
		Properties  map[string]any    `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string        `json:"level"`
		Message sarifText     `json:"message"`
		Rule    *sarifRuleRef `json:"associatedRule,omitempty"`
	}
	sarifRuleRef struct {
		ID string `json:"id"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]any    `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
		EndLine   int `json:"endLine"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// sarifLevel maps a severity to a SARIF level: error for high, warning
// for medium, note below.
func sarifLevel(s Severity) string {
	switch s {
	case High:
		return "error"
	case Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the score code-scanning tools rank results by.
var securitySeverity = map[Severity]string{High: "8.0", Medium: "5.0", Low: "3.0", Info: "1.0"}

// SARIFSource says where the audited environment file is, so that SARIF
// results point into it: URI is the file as the reader of the log should
// find it (a path relative to the repository root, for code scanning),
// and Lines where each artifact's entry stands in it.
type SARIFSource struct {
	URI   string
	Lines *artifacts.EntryLines
}

// WriteSARIF writes the report as a SARIF 2.1.0 log: the rule catalogue
// in tool.driver.rules, one result per finding with a location per
// artifact — logical (tab and key) and, when src is given, physical (the
// environment file and the lines of the artifact's entry) — a partial
// fingerprint that keeps a finding's identity across runs, and the rules
// not checked as notifications.
func (r *Report) WriteSARIF(w io.Writer, src *SARIFSource) error {
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "secmgr", Rules: []sarifRule{}}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"environment": r.Environment},
	}
	index := map[string]int{}
	for i, rule := range catalogue {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   rule.ID,
			Name:                 ruleName(rule.Title),
			ShortDescription:     sarifText{rule.Title},
			FullDescription:      sarifText{rule.Detail},
			Help:                 sarifText{rule.Remedy},
			DefaultConfiguration: sarifConfig{sarifLevel(rule.Severity)},
			Properties:           map[string]any{"tags": []string{"security"}, "security-severity": securitySeverity[rule.Severity], "severity": rule.Severity.String()},
		})
	}
	for _, n := range r.NotChecked {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, sarifNotification{
			Level:   "note",
			Message: sarifText{fmt.Sprintf("%s (%s) not checked: %s", n.Rule, n.Title, n.Reason)},
			Rule:    &sarifRuleRef{ID: n.Rule},
		})
	}
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarifText{f.Message + " " + f.Remedy},
			Locations:           []sarifLocation{},
			PartialFingerprints: map[string]string{"secmgrFinding/v1": fingerprint(f)},
			Properties:          map[string]any{"severity": f.Severity.String(), "security-severity": securitySeverity[f.Severity]},
		}
		for _, a := range f.Artifacts {
			// The name is the artifact's key; the fully qualified name
			// puts its tab in front, the way a path names a file.
			name, fq := a.Tab, a.Tab
			if len(a.Key) > 0 {
				name = strings.Join(a.Key, " / ")
				fq += "/" + strings.Join(a.Key, "/")
			}
			loc := sarifLocation{LogicalLocations: []sarifLogicalLocation{{Name: name, FullyQualifiedName: fq, Kind: "object"}}}
			if src != nil {
				if lr, ok := src.Lines.Lookup(a.Tab, a.Key); ok {
					loc.PhysicalLocation = &sarifPhysicalLocation{sarifArtifactLocation{src.URI}, sarifRegion{lr.Start, lr.End}}
				}
			}
			res.Locations = append(res.Locations, loc)
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

// ruleName turns a title into the PascalCase identifier SARIF's rule name
// suggests: "a group holds no one" → "AGroupHoldsNoOne".
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// fingerprint identifies a finding across runs by its rule and artifacts,
// so that code-scanning tools track it rather than report it anew.
func fingerprint(f Finding) string {
	h := sha256.New()
	h.Write([]byte(f.Rule))
	for _, a := range f.Artifacts {
		h.Write([]byte{0})
		h.Write([]byte(strings.ToLower(a.Tab + "\x00" + strings.Join(a.Key, "\x00"))))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
