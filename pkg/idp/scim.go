package idp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"secmgr/internal/jsonx"
	"secmgr/internal/oserr"
	"strings"
	"unicode/utf8"
)

// SCIM URNs (RFC 7643 section 8.7, RFC 7644 section 3.4.2).
const (
	scimListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// scimPages collects the resources of every page of a ListResponse.
type scimPages struct {
	pages  []scimPage
	users  []scimResource
	groups []scimResource
}

type scimPage struct {
	file         string
	total, start *int
	count        int
}

// scimResource is a User or a Group. SCIM attribute names are
// case-insensitive, as encoding/json matches them.
type scimResource struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	ExternalID  string      `json:"externalId"`
	UserName    string      `json:"userName"`
	DisplayName string      `json:"displayName"`
	Title       string      `json:"title"`
	UserType    string      `json:"userType"`
	Active      *flexBool   `json:"active"`
	Name        *scimName   `json:"name"`
	Emails      []scimValue `json:"emails"`
	Groups      []scimValue `json:"groups"`
	Members     []scimValue `json:"members"`
	Meta        *struct {
		ResourceType string `json:"resourceType"`
	} `json:"meta"`

	file string
	line int
}

type scimName struct {
	Formatted  string `json:"formatted"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// scimValue is an element of a multi-valued attribute.
type scimValue struct {
	Value   string    `json:"value"`
	Display string    `json:"display"`
	Type    string    `json:"type"`
	Primary *flexBool `json:"primary"`
}

// flexBool is a SCIM boolean; some providers write it as a string
// ("True").
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch s := string(data); {
	case s == "true" || s == "false":
		*b = s == "true"
		return nil
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(data, &v); err == nil {
			if on, ok := parseEnabled(v); ok {
				*b = flexBool(on)
				return nil
			}
		}
	}
	return fmt.Errorf("%s is not true or false", strings.ToValidUTF8(truncate(string(data), 40), "?"))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (res *scimResource) is(schema, resourceType string) bool {
	for _, s := range res.Schemas {
		if strings.EqualFold(s, schema) {
			return true
		}
	}
	return res.Meta != nil && strings.EqualFold(res.Meta.ResourceType, resourceType)
}

// readSCIM reads one page of a ListResponse.
func (r *reader) readSCIM(path string, body io.Reader) error {
	data, err := io.ReadAll(body)
	if err != nil {
		var le *Error
		if errors.As(err, &le) {
			return le
		}
		return errorf(path, 0, "%s", oserr.Reason(err))
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := checkJSONShape(path, data, r.opt.MaxDepth); err != nil {
		return err
	}
	page := scimPage{file: path}
	lines := &lineCounter{data: data}
	dec := json.NewDecoder(bytes.NewReader(data))
	jsonErr := func(err error, base int64) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			// The decoder's offset is where its value began; a whole-document
			// check finds the very byte.
			var raw json.RawMessage
			if err := json.Unmarshal(data, &raw); errors.As(err, &se) {
				return errorf(path, lineAt(data, se.Offset), "not valid JSON: %s", se.Error())
			}
			return errorf(path, lineAt(data, se.Offset), "not valid JSON: %s", se.Error())
		case errors.As(err, &te):
			field := te.Field
			if i := strings.LastIndexByte(field, '.'); i >= 0 && strings.HasPrefix(field, "Resources") {
				field = field[i+1:]
			}
			what := "a " + te.Value
			if te.Value == "number" || strings.HasPrefix(te.Value, "number ") {
				what = "a number"
			}
			return errorf(path, lineAt(data, base+te.Offset), "%s is %s where SCIM has %s", orValue(field), what, describeType(te.Type.String()))
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return errorf(path, lineAt(data, int64(len(data))), "not valid JSON: the document ends early")
		}
		return errorf(path, lineAt(data, dec.InputOffset()), "not valid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(err, 0)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errorf(path, 1, "is JSON but not a SCIM ListResponse (an object with \"schemas\": [\"%s\"] and \"Resources\")", scimListResponse)
	}
	var schemas []string
	sawResources := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonErr(err, 0)
		}
		key, _ := tok.(string)
		switch strings.ToLower(key) {
		case "schemas":
			base := dec.InputOffset()
			if err := dec.Decode(&schemas); err != nil {
				return jsonErr(err, base)
			}
		case "totalresults", "startindex":
			base := dec.InputOffset()
			var n int
			if err := dec.Decode(&n); err != nil {
				return jsonErr(err, base)
			}
			if strings.EqualFold(key, "totalResults") {
				page.total = &n
			} else {
				page.start = &n
			}
		case "resources":
			sawResources = true
			tok, err := dec.Token()
			if err != nil {
				return jsonErr(err, 0)
			}
			if tok == nil {
				continue // "Resources": null
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return errorf(path, lineAt(data, dec.InputOffset()), "Resources is not a list")
			}
			for dec.More() {
				base := jsonx.SkipSpace(data, dec.InputOffset())
				var res scimResource
				if err := dec.Decode(&res); err != nil {
					return jsonErr(err, base)
				}
				res.file, res.line = path, lines.at(base)
				if err := r.scim.addResource(r, &res); err != nil {
					return err
				}
				page.count++
			}
			if _, err := dec.Token(); err != nil {
				return jsonErr(err, 0)
			}
		default:
			base := dec.InputOffset()
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return jsonErr(err, base)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return jsonErr(err, 0)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(path, lineAt(data, dec.InputOffset()), "not valid JSON: more after the end of the document")
	}
	listed := false
	for _, s := range schemas {
		listed = listed || strings.EqualFold(s, scimListResponse)
	}
	if !listed || !sawResources {
		return errorf(path, 1, "is JSON but not a SCIM ListResponse (an object with \"schemas\": [\"%s\"] and \"Resources\")", scimListResponse)
	}
	r.scim.pages = append(r.scim.pages, page)
	return nil
}

func orValue(field string) string {
	if field == "" {
		return "a value"
	}
	return field
}

func describeType(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "int":
		return "a whole number"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.Contains(t, "flexBool"):
		return "true or false"
	}
	return "an object"
}

func (p *scimPages) addResource(r *reader, res *scimResource) error {
	switch {
	case res.is(scimGroup, "Group"):
		p.groups = append(p.groups, *res)
		return nil
	case res.is(scimUser, "User"), res.UserName != "":
		if len(p.users) >= r.opt.MaxAccounts {
			return errorf(res.file, res.line, "more than %d accounts, the limit on an identity-provider export", r.opt.MaxAccounts)
		}
		p.users = append(p.users, *res)
		return nil
	}
	return errorf(res.file, res.line, "the resource is neither a SCIM User nor a Group (its schemas: %s)", strings.ToValidUTF8(strings.Join(res.Schemas, ", "), "?"))
}

// finish checks that the pages make one whole ListResponse: no page twice,
// and together every resource totalResults announces.
func (p *scimPages) finish() error {
	starts := map[int]string{}
	sum := 0
	var total *int
	var totalFile string
	for _, pg := range p.pages {
		sum += pg.count
		if pg.start != nil {
			if prev, dup := starts[*pg.start]; dup {
				return errorf(pg.file, 0, "starts at index %d like %s; a page is given twice", *pg.start, prev)
			}
			starts[*pg.start] = pg.file
		}
		if pg.total == nil {
			continue
		}
		if total != nil && *total != *pg.total {
			return errorf(pg.file, 0, "announces %d results but %s announces %d; give the pages of one ListResponse", *pg.total, totalFile, *total)
		}
		total, totalFile = pg.total, pg.file
	}
	if total != nil && sum != *total {
		what := "a page is missing: give every page with --idp"
		if sum > *total {
			what = "a page is given twice or belongs to another export"
		}
		return errorf(totalFile, 0, "the ListResponse announces %d results (totalResults) but the %d file(s) hold %d; %s", *total, len(p.pages), sum, what)
	}
	return nil
}

// accounts turns the users into accounts, resolving group memberships:
// a user's groups by display name (or by the id of a Group resource),
// and the members of Group resources by user id.
func (p *scimPages) accounts(r *reader) []Account {
	groupName := map[string]string{}
	for _, g := range p.groups {
		if g.ID != "" {
			groupName[g.ID] = g.DisplayName
		}
	}
	byID := map[string]int{}
	out := make([]Account, len(p.users))
	seenGroup := make([]map[string]bool, len(p.users))
	addGroup := func(i int, name string) {
		if name == "" {
			return
		}
		if seenGroup[i] == nil {
			seenGroup[i] = map[string]bool{}
		}
		k := strings.ToLower(name)
		if !seenGroup[i][k] {
			seenGroup[i][k] = true
			out[i].Groups = append(out[i].Groups, name)
		}
	}
	for i := range p.users {
		u := &p.users[i]
		if u.ID != "" {
			byID[u.ID] = i
		}
		display := u.DisplayName
		if display == "" && u.Name != nil {
			display = u.Name.Formatted
			if display == "" {
				display = strings.TrimSpace(u.Name.GivenName + " " + u.Name.FamilyName)
			}
		}
		a := Account{UserName: u.UserName, DisplayName: display, Email: primaryEmail(u.Emails),
			Enabled: u.Active == nil || bool(*u.Active), Guest: strings.EqualFold(u.UserType, "Guest"), File: u.file, Line: u.line}
		a.Key = scimAttr(u, &a, r.opt.Match, "userName")
		a.Description = scimAttr(u, &a, r.opt.Description, "displayName")
		out[i] = a
		for _, g := range u.Groups {
			name := g.Display
			if name == "" {
				name = groupName[g.Value]
			}
			addGroup(i, name)
		}
	}
	for _, g := range p.groups {
		for _, m := range g.Members {
			if strings.EqualFold(m.Type, "Group") {
				continue
			}
			if i, ok := byID[m.Value]; ok {
				addGroup(i, g.DisplayName)
			}
		}
	}
	return out
}

// scimAttributes are the User attributes Options.Match and
// Options.Description may name for a SCIM export.
var scimAttributes = []string{"userName", "externalId", "id", "displayName", "emails", "title"}

func scimAttr(u *scimResource, a *Account, name, def string) string {
	if name == "" {
		name = def
	}
	switch strings.ToLower(name) {
	case "username", "userprincipalname":
		return u.UserName
	case "externalid":
		return u.ExternalID
	case "id", "objectid":
		return u.ID
	case "displayname":
		return a.DisplayName
	case "emails", "email", "mail":
		return a.Email
	case "title", "jobtitle":
		return u.Title
	}
	return ""
}

// checkSCIMAttribute reports an attribute Options may not name for SCIM.
func checkSCIMAttribute(name string) error {
	if name == "" {
		return nil
	}
	switch strings.ToLower(name) {
	case "username", "userprincipalname", "externalid", "id", "objectid", "displayname", "emails", "email", "mail", "title", "jobtitle":
		return nil
	}
	return fmt.Errorf("the rules name '%s', which is not a SCIM User attribute secmgr reads (%s)", name, strings.Join(scimAttributes, ", "))
}

func primaryEmail(emails []scimValue) string {
	for _, e := range emails {
		if e.Primary != nil && bool(*e.Primary) {
			return e.Value
		}
	}
	for _, e := range emails {
		if strings.EqualFold(e.Type, "work") {
			return e.Value
		}
	}
	if len(emails) > 0 {
		return emails[0].Value
	}
	return ""
}

// checkJSONShape refuses invalid UTF-8 and nesting deeper than max, at
// their line, in one pass that holds nothing.
func checkJSONShape(path string, data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return errorf(path, lineAt(data, int64(i)), "not valid UTF-8 text; SCIM documents are UTF-8")
			}
			i += size - 1
			continue
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return errorf(path, lineAt(data, int64(i)), "nested more than %d levels deep, the limit on a SCIM document", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// lineAt is the line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// lineCounter finds the lines of increasing offsets in linear time.
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func (c *lineCounter) at(off int64) int {
	if off < c.off || c.line == 0 {
		c.off, c.line = 0, 1
	}
	if off > int64(len(c.data)) {
		off = int64(len(c.data))
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}
