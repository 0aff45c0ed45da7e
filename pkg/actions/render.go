package actions

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ANSI colours for plan lines.
const (
	colorReset  = "\x1b[0m"
	colorGreen  = "\x1b[32m"
	colorYellow = "\x1b[33m"
	colorCyan   = "\x1b[36m"
	colorRed    = "\x1b[31m"
)

func (o Op) color() string {
	switch o {
	case OpAdd:
		return colorGreen
	case OpEdit:
		return colorYellow
	case OpRename:
		return colorCyan
	case OpRemove:
		return colorRed
	}
	return ""
}

// RenderText writes the plan for people: its findings, one line per
// change (+ add, ~ edit with old → new, > rename, - remove), then a
// summary line. Secret values never appear: they are masked in the plan
// itself. color adds ANSI colours to the change lines.
func RenderText(w io.Writer, p *Plan, color bool) error {
	bw := bufio.NewWriter(w)
	if p.Base != nil {
		fmt.Fprintln(bw, p.Base.Header())
	}
	for _, f := range p.Findings {
		fmt.Fprintln(bw, f.String())
	}
	if len(p.Findings) > 0 {
		fmt.Fprintln(bw)
	}
	for _, c := range p.Changes {
		line := ChangeLine(c)
		if color {
			line = c.Op.color() + line + colorReset
		}
		fmt.Fprintln(bw, line)
	}
	fmt.Fprintln(bw, SummaryLine(p))
	return bw.Flush()
}

// ChangeLine renders one change: "~ Entity Houston: ReadGroup Houston_View → Nobody".
func ChangeLine(c Change) string {
	var b strings.Builder
	b.WriteString(c.Op.Symbol())
	b.WriteByte(' ')
	b.WriteString(c.Tab)
	b.WriteByte(' ')
	b.WriteString(strings.Join(c.Key, " / "))
	if c.Op == OpRename {
		b.WriteString(" → ")
		b.WriteString(strings.Join(c.NewKey, " / "))
	}
	for i, f := range c.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Column)
		b.WriteByte(' ')
		switch {
		case f.Secret && c.Op == OpAdd:
			b.WriteString("set")
		case f.Secret && f.New == "":
			b.WriteString("cleared")
		case f.Secret:
			b.WriteString("changed")
		case c.Op == OpAdd:
			b.WriteString(quote(f.New))
		default:
			b.WriteString(quote(f.Old))
			b.WriteString(" → ")
			b.WriteString(quote(f.New))
		}
	}
	if c.Note != "" {
		b.WriteString("  (")
		b.WriteString(c.Note)
		b.WriteByte(')')
	}
	return b.String()
}

// quote shows empty values and values with surrounding or special
// characters unambiguously; plain names stay bare.
func quote(s string) string {
	if s == "" {
		return `""`
	}
	if strings.ContainsAny(s, "\"→;\n\r\t") || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// SummaryLine is the last line of a rendered plan.
func SummaryLine(p *Plan) string {
	s := p.Summary
	verdict := "Plan"
	if !p.Applicable {
		verdict = "Not applicable"
	}
	return fmt.Sprintf("%s: %d to add, %d to edit, %d to rename, %d to remove; %s, %s.",
		verdict, s.Add, s.Edit, s.Rename, s.Remove, plural(s.Errors, "error"), plural(s.Warnings, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
