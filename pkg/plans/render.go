package plans

import (
	"bufio"
	"fmt"
	"io"
	"secmgr/internal/textfmt"
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
// change (+ add, ~ edit with old → new, > rename, - remove), a summary
// line, then the impact on effective access, one line per consequence
// (the first MaxImpactLines, then a count of the rest). Secret values
// never appear: they are masked in the plan itself. color adds ANSI
// colours to the change and impact lines.
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
	if p.Impact != nil {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, ImpactHeading(p.Impact))
		for i, c := range p.Impact {
			if i == MaxImpactLines {
				fmt.Fprintln(bw, impactRest(p.Impact))
				break
			}
			line := ImpactLine(c)
			if color {
				sym := OpAdd
				if c.Change == ChangeLoses {
					sym = OpRemove
				}
				line = sym.color() + line + colorReset
			}
			fmt.Fprintln(bw, line)
		}
	}
	return bw.Flush()
}

// MaxImpactLines is how many impact lines a text plan shows before it
// counts the rest.
const MaxImpactLines = 50

// ImpactHeading introduces the impact lines: "Impact on effective access:
// 3 users, 12 changes:" or "…: none." when the plan changes no one's.
func ImpactHeading(cs []Consequence) string {
	if len(cs) == 0 {
		return "Impact on effective access: none."
	}
	return fmt.Sprintf("Impact on effective access: %s, %s:", textfmt.Plural(impactUsers(cs), "user", ""), textfmt.Plural(len(cs), "change", ""))
}

func impactUsers(cs []Consequence) int {
	n := 0
	for i, c := range cs {
		if i == 0 || c.User != cs[i-1].User {
			n++
		}
	}
	return n
}

// impactRest is the line that stands for the impact lines not shown.
func impactRest(cs []Consequence) string {
	rest := cs[MaxImpactLines:]
	return fmt.Sprintf("… and %d more for %s (%d in all); the JSON plan (--format json) lists every one.",
		len(rest), textfmt.Plural(impactUsers(rest), "user", ""), len(cs))
}

// ImpactLine renders one consequence: "+ elena.garcia gains Finance_View
// via Finance_Mod", "- robert.kline stops being an administrator",
// "+ laura.chen gains role ManageData via Finance_Mod → Finance_Admins".
// For a group (and Administrators) the path is shown up to the group
// before it; for a role, up to the group that holds it.
func ImpactLine(c Consequence) string {
	var b strings.Builder
	if c.Change == ChangeLoses {
		b.WriteString("- ")
	} else {
		b.WriteString("+ ")
	}
	b.WriteString(c.User)
	via := c.Via
	switch {
	case c.Administrator:
		if c.Change == ChangeLoses {
			b.WriteString(" stops being an administrator")
		} else {
			b.WriteString(" becomes an administrator")
		}
		via = parentPath(via)
	case c.Role != "":
		b.WriteString(" " + c.Change + " role " + c.Role)
	default:
		b.WriteString(" " + c.Change + " " + c.Group)
		via = parentPath(via)
	}
	if via != "" {
		b.WriteString(" via ")
		b.WriteString(via)
	}
	return b.String()
}

// parentPath drops the last group of a path: "A → B → C" → "A → B".
func parentPath(via string) string {
	if i := strings.LastIndex(via, " → "); i >= 0 {
		return via[:i]
	}
	return ""
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

// SummaryLine is the line after a rendered plan's changes.
func SummaryLine(p *Plan) string {
	s := p.Summary
	verdict := "Plan"
	if !p.Applicable {
		verdict = "Not applicable"
	}
	return fmt.Sprintf("%s: %d to add, %d to edit, %d to rename, %d to remove; %s, %s.",
		verdict, s.Add, s.Edit, s.Rename, s.Remove, textfmt.Plural(s.Errors, "error", ""), textfmt.Plural(s.Warnings, "warning", ""))
}

// Markdown limits: sections longer than MarkdownOpenLines show that many
// lines and fold the rest into a collapsed <details> block, which holds at
// most markdownFoldedLines so that the comment stays within what code
// hosts accept (GitHub takes 65,536 characters).
const (
	MarkdownOpenLines   = 50
	markdownFoldedLines = 400
)

// RenderMarkdown writes the plan and its impact as a pull-request comment:
// a heading with the summary, then findings, changes and the impact on
// effective access, each a fenced block ("diff" for changes and impact, so
// additions and losses show in colour). Past MarkdownOpenLines lines a
// section continues in a collapsed <details> block.
func RenderMarkdown(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	name := p.Environment.Name
	if name == "" {
		name = "environment"
	}
	fmt.Fprintf(bw, "### secmgr plan for %s\n\n", mdText(name))
	fmt.Fprintf(bw, "**%s**\n\n", mdText(SummaryLine(p)))
	fmt.Fprintf(bw, "Source %s, planned against %s.\n", mdCode(p.Source), mdCode(p.Environment.Fingerprint))

	if len(p.Findings) > 0 {
		lines := make([]string, len(p.Findings))
		for i, f := range p.Findings {
			lines[i] = f.String()
		}
		mdSection(bw, fmt.Sprintf("Findings (%d)", len(lines)), "text", lines, "findings")
	}
	if len(p.Changes) > 0 {
		lines := make([]string, len(p.Changes))
		for i, c := range p.Changes {
			lines[i] = ChangeLine(c)
		}
		mdSection(bw, fmt.Sprintf("Changes (%d)", len(lines)), "diff", lines, "changes")
	} else {
		fmt.Fprint(bw, "\nNo changes.\n")
	}
	if p.Impact != nil {
		heading := strings.TrimSuffix(strings.TrimSuffix(ImpactHeading(p.Impact), ":"), ".")
		if len(p.Impact) == 0 {
			fmt.Fprintf(bw, "\n%s.\n", heading)
		} else {
			lines := make([]string, len(p.Impact))
			for i, c := range p.Impact {
				lines[i] = ImpactLine(c)
			}
			mdSection(bw, heading, "diff", lines, "changes in access")
		}
	}
	return bw.Flush()
}

// mdSection writes a heading and lines in a fenced block, folding what
// passes MarkdownOpenLines into a collapsed <details> block.
func mdSection(w io.Writer, heading, lang string, lines []string, what string) {
	fmt.Fprintf(w, "\n#### %s\n\n", mdText(heading))
	open := lines
	if len(open) > MarkdownOpenLines {
		open = lines[:MarkdownOpenLines]
	}
	mdFence(w, lang, open)
	rest := lines[len(open):]
	if len(rest) == 0 {
		return
	}
	fmt.Fprintf(w, "\n<details><summary>%d more %s</summary>\n\n", len(rest), what)
	shown := rest
	if len(shown) > markdownFoldedLines {
		shown = rest[:markdownFoldedLines]
	}
	mdFence(w, lang, shown)
	if n := len(rest) - len(shown); n > 0 {
		fmt.Fprintf(w, "\n… and %d more, not shown here: the JSON plan lists every one.\n", n)
	}
	fmt.Fprint(w, "\n</details>\n")
}

// mdFence writes lines in a fenced code block whose fence is longer than
// any run of backticks in them, so no name can close it early.
func mdFence(w io.Writer, lang string, lines []string) {
	longest := 0
	for _, l := range lines {
		run := 0
		for _, r := range l {
			if r == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	fmt.Fprintf(w, "%s%s\n", fence, lang)
	for _, l := range lines {
		// A line break inside a value would start a new diff line.
		fmt.Fprintln(w, strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎").Replace(l))
	}
	fmt.Fprintln(w, fence)
}

// mdText escapes text for Markdown prose: no markup, no HTML.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '#', '|', '~', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode writes s as inline code, with a fence longer than its backticks.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	n := 0
	for run, i := 0, 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			n = max(n, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", n+1)
	if n > 0 || s == "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
