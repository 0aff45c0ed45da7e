package idp

import (
	"encoding/csv"
	"errors"
	"io"
	"secmgr/internal/oserr"
	"strings"
	"unicode/utf8"
)

// readCSV reads an Entra ID users CSV or a generic CSV, told apart by the
// header.
func (r *reader) readCSV(path string, body io.Reader) (Format, error) {
	lines := &lineLimiter{r: body, max: r.opt.MaxLineBytes, line: 1}
	cr := csv.NewReader(lines)
	cr.ReuseRecord = true
	fail := func(err error) error {
		if lines.err != nil {
			return lines.err
		}
		var le *Error
		if errors.As(err, &le) {
			return le
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			msg := pe.Err.Error()
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				msg = "the line has a different number of fields than the header"
			}
			return errorf(path, pe.Line, "not a valid CSV line: %s", msg)
		}
		return errorf(path, lines.line, "%s", oserr.Reason(err))
	}
	lines.file = path
	header, err := cr.Read()
	if err == io.EOF {
		return "", errorf(path, 0, "is empty; %s", expected(r.opt))
	}
	if err != nil {
		return "", fail(err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	for _, h := range header {
		if !utf8.ValidString(h) {
			return "", errorf(path, 1, "the header is not valid UTF-8 text; %s", expected(r.opt))
		}
	}
	cols := map[string]int{}
	for i, h := range header {
		k := strings.ToLower(attrName(h))
		if _, dup := cols[k]; !dup && k != "" {
			cols[k] = i
		}
	}
	col := func(name string) int {
		if i, ok := cols[strings.ToLower(name)]; ok {
			return i
		}
		return -1
	}
	format := FormatEntra
	var m csvMapping
	switch {
	case r.opt.CSV != nil && col(r.opt.CSV.UserName) >= 0:
		format = FormatCSV
		c := r.opt.CSV
		named := []struct {
			what, name string
			dst        *int
		}{
			{"userName", c.UserName, &m.userName}, {"displayName", c.DisplayName, &m.displayName}, {"email", c.Email, &m.email},
			{"enabled", c.Enabled, &m.enabled}, {"groups", c.Groups, &m.groups}, {"userType", c.UserType, &m.userType},
		}
		for _, n := range named {
			*n.dst = -1
			if n.name == "" {
				continue
			}
			if *n.dst = col(n.name); *n.dst < 0 {
				return "", errorf(path, 1, "no column '%s', which the rules name as csv.%s; the header has %s", n.name, n.what, listHeader(header))
			}
		}
		m.sep = c.GroupSeparator
		if m.sep == "" {
			m.sep = ";"
		}
		m.match, m.description = m.userName, m.displayName
	case col("userPrincipalName") >= 0:
		m = csvMapping{userName: col("userPrincipalName"), displayName: col("displayName"), email: col("mail"),
			enabled: col("accountEnabled"), groups: col("department"), userType: col("userType"), match: col("userPrincipalName"), description: col("displayName")}
		if m.enabled < 0 {
			return "", errorf(path, 1, "no accountEnabled column: a Microsoft Entra ID users CSV needs userPrincipalName and accountEnabled")
		}
	case r.opt.CSV != nil:
		return "", errorf(path, 1, "no column '%s', which the rules name as csv.userName, and no userPrincipalName column; the header has %s", r.opt.CSV.UserName, listHeader(header))
	default:
		return "", errorf(path, 1, "not a recognised identity-provider export: %s; the header has %s", expected(r.opt), listHeader(header))
	}
	if r.opt.Match != "" {
		if m.match = col(r.opt.Match); m.match < 0 {
			return "", errorf(path, 1, "no column '%s', the attribute the rules match to ExternalUserName; the header has %s", r.opt.Match, listHeader(header))
		}
	}
	if r.opt.Description != "" {
		if m.description = col(r.opt.Description); m.description < 0 {
			return "", errorf(path, 1, "no column '%s', the attribute the rules take the Description from; the header has %s", r.opt.Description, listHeader(header))
		}
	}
	cell := func(rec []string, i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fail(err)
		}
		line, _ := cr.FieldPos(0)
		for i, v := range rec {
			if !utf8.ValidString(v) {
				l, _ := cr.FieldPos(i)
				return "", errorf(path, l, "the %s field is not valid UTF-8 text", attrName(header[i]))
			}
		}
		a := Account{Key: cell(rec, m.match), UserName: cell(rec, m.userName), DisplayName: cell(rec, m.displayName),
			Email: cell(rec, m.email), Description: cell(rec, m.description), Enabled: true, File: path, Line: line}
		if m.enabled >= 0 {
			v := cell(rec, m.enabled)
			enabled, ok := parseEnabled(v)
			if !ok {
				l, _ := cr.FieldPos(m.enabled)
				return "", errorf(path, l, "%s '%s' is not true or false (True, False, Yes, No, 1, 0, Active, Inactive …)", attrName(header[m.enabled]), v)
			}
			a.Enabled = enabled
		}
		a.Guest = strings.EqualFold(cell(rec, m.userType), "Guest") || (format == FormatEntra && m.userType < 0 && strings.Contains(strings.ToUpper(a.UserName), "#EXT#"))
		if g := cell(rec, m.groups); g != "" {
			if format == FormatEntra {
				a.Groups = []string{g}
			} else {
				for _, s := range strings.Split(g, m.sep) {
					if s = strings.TrimSpace(s); s != "" {
						a.Groups = append(a.Groups, s)
					}
				}
			}
		}
		if err := r.add(a); err != nil {
			return "", err
		}
	}
	return format, nil
}

// csvMapping holds the column index of each attribute, -1 when absent.
type csvMapping struct {
	userName, displayName, email, enabled, groups, userType int
	match, description                                      int
	sep                                                     string
}

// attrName is the attribute a header names: "accountEnabled" as written,
// or the bracketed name of "Display name [displayName]" (Entra's bulk
// templates; a trailing "Required" is ignored).
func attrName(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.LastIndexByte(h, '['); i >= 0 {
		if j := strings.IndexByte(h[i:], ']'); j > 1 {
			return strings.TrimSpace(h[i+1 : i+j])
		}
	}
	return h
}

func listHeader(h []string) string {
	const most = 12
	shown := h
	if len(shown) > most {
		shown = shown[:most]
	}
	var b strings.Builder
	for i, s := range shown {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(s) > 60 {
			s = s[:60] + "…"
		}
		b.WriteString("'" + strings.ToValidUTF8(s, "?") + "'")
	}
	if len(h) > most {
		b.WriteString(", …")
	}
	if len(h) == 0 {
		return "no columns"
	}
	return b.String()
}

// parseEnabled reads the ways exports write a boolean.
func parseEnabled(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "enabled", "active":
		return true, true
	case "false", "no", "n", "0", "disabled", "inactive", "suspended", "terminated", "deprovisioned":
		return false, true
	}
	return false, false
}

// lineLimiter fails once a line passes max bytes, so that a file of one
// enormous line is refused without holding it; it counts lines for the
// message.
type lineLimiter struct {
	r    io.Reader
	max  int
	run  int // bytes since the last newline
	line int
	file string
	err  *Error
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.run = 0
			l.line++
			continue
		}
		l.run++
		if l.run > l.max {
			l.err = errorf(l.file, l.line, "the line is longer than %d KiB, the limit on one line of an identity-provider CSV", l.max>>10)
			return 0, l.err
		}
	}
	if err != nil {
		var le *Error
		if errors.As(err, &le) {
			l.err = le
		}
	}
	return n, err
}
