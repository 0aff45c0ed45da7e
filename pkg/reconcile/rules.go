package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"secmgr/internal/oserr"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/idp"
)

// Rules say how the provider's accounts map onto OneStream users. Every
// field is optional; the zero Rules reconcile leavers, e-mail addresses
// and descriptions of the most common provider's users.
type Rules struct {
	// Provider is the ExternalAuthProviderName of the provider's users;
	// default the most common non-empty one in the environment.
	Provider string `json:"provider,omitempty"`
	// Match is the provider's attribute that OneStream holds as
	// ExternalUserName (compared ignoring case); default
	// userPrincipalName (Entra ID), userName (SCIM), csv.userName.
	Match string `json:"match,omitempty"`
	// Description is the provider's attribute that Description follows;
	// default displayName. "none" leaves Description alone.
	Description string `json:"description,omitempty"`
	// Groups map the provider's groups onto OneStream groups. IdP is a
	// wildcard pattern (* any run of characters, ? one, ignoring case);
	// every rule that matches one of an account's groups applies.
	Groups []GroupRule `json:"groups,omitempty"`
	// Joiners are the values of the users reconcile adds.
	Joiners Joiners `json:"joiners"`
	// CSV names the columns of a generic CSV export.
	CSV *idp.CSVColumns `json:"csv,omitempty"`

	patterns []*artifacts.Pattern
}

// GroupRule maps the provider's groups matching IdP onto Group.
type GroupRule struct {
	IdP   string `json:"idp"`
	Group string `json:"group"`
}

// Joiners are the values a new user gets.
type Joiners struct {
	UserType    string `json:"userType,omitempty"`    // default Interactive
	Culture     string `json:"culture,omitempty"`     // default en-US
	NumGridRows int    `json:"numGridRows,omitempty"` // default 30
	// UserName is the attribute the user name is made from:
	// displayName (the default) or userPrincipalName.
	UserName string `json:"userName,omitempty"`
}

// Default values of joiners.
const (
	DefaultUserType = "Interactive"
	DefaultCulture  = "en-US"
)

// maxRulesBytes bounds a rules file: real ones are a few KiB.
const maxRulesBytes = 1 << 20

// LoadRules reads a rules file strictly: one JSON object, no field it
// does not know, every value checked. Errors name the file and line.
func LoadRules(path string) (*Rules, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rules file %s: %s", path, oserr.Reason(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRulesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("rules file %s: %s", path, oserr.Reason(err))
	}
	if len(data) > maxRulesBytes {
		return nil, fmt.Errorf("rules file %s: larger than 1 MiB; a rules file is a few lines of JSON", path)
	}
	r, err := ParseRules(data)
	if err != nil {
		return nil, fmt.Errorf("rules file %s%s", path, err)
	}
	return r, nil
}

// ParseRules decodes and checks rules; the error starts ":LINE: " where
// it has a line.
func ParseRules(data []byte) (*Rules, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return nil, jsonProblem(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf(":%d: more after the rules object; a rules file holds one JSON object", lineAt(data, dec.InputOffset()))
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf(": %v", err)
	}
	return &r, nil
}

func jsonProblem(data []byte, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf(":%d: not valid JSON: %v", lineAt(data, se.Offset), se)
	case errors.As(err, &te):
		return fmt.Errorf(":%d: %s is a JSON %s; it must be a %s", lineAt(data, te.Offset), te.Field, te.Value, te.Type)
	case errors.Is(err, io.EOF):
		return fmt.Errorf(": empty; a rules file is a JSON object such as {\"provider\": \"AzureAD\"}")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf(":%d: not valid JSON: the document ends early", lineAt(data, int64(len(data))))
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Errorf(":%d: unknown field %s; the fields are provider, match, description, groups, joiners and csv", lineAt(data, dec.InputOffset()), f)
	}
	return fmt.Errorf(":%d: %s", lineAt(data, dec.InputOffset()), msg)
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// check checks what can be checked without the environment, and
// fills in the defaults.
func (r *Rules) check() error {
	r.Provider = strings.TrimSpace(r.Provider)
	j := &r.Joiners
	if j.UserType == "" {
		j.UserType = DefaultUserType
	} else if i := slices.IndexFunc(artifacts.UserTypes, func(t string) bool { return strings.EqualFold(t, strings.TrimSpace(j.UserType)) }); i >= 0 {
		j.UserType = artifacts.UserTypes[i]
	} else {
		return fmt.Errorf("joiners.userType '%s' is not a user type (%s)", j.UserType, strings.Join(artifacts.UserTypes, ", "))
	}
	if j.Culture == "" {
		j.Culture = DefaultCulture
	}
	if j.NumGridRows == 0 {
		j.NumGridRows = artifacts.DefaultNumGridRows
	} else if !slices.Contains(artifacts.NumGridRowsValues, fmt.Sprint(j.NumGridRows)) {
		return fmt.Errorf("joiners.numGridRows %d is not allowed (%s)", j.NumGridRows, strings.Join(artifacts.NumGridRowsValues, ", "))
	}
	switch strings.ToLower(j.UserName) {
	case "", "displayname":
		j.UserName = "displayName"
	case "userprincipalname", "username":
		j.UserName = "userPrincipalName"
	default:
		return fmt.Errorf("joiners.userName '%s': use displayName or userPrincipalName", j.UserName)
	}
	r.patterns = nil
	for i, g := range r.Groups {
		if strings.TrimSpace(g.IdP) == "" || strings.TrimSpace(g.Group) == "" {
			return fmt.Errorf("groups[%d]: write {\"idp\": \"FIN-*\", \"group\": \"Finance_View\"}: both are needed", i)
		}
		p, err := artifacts.CompilePattern(strings.TrimSpace(g.IdP))
		if err != nil {
			return fmt.Errorf("groups[%d]: %v", i, err)
		}
		r.patterns = append(r.patterns, p)
	}
	if r.CSV != nil && strings.TrimSpace(r.CSV.UserName) == "" {
		return fmt.Errorf("csv.userName is needed: the column that holds each account's user name")
	}
	return nil
}

// DefaultRules are the rules without a rules file.
func DefaultRules() *Rules {
	r := &Rules{}
	_ = r.check() // the zero rules are valid
	return r
}

// ReadOptions are the idp.Options the rules ask for.
func (r *Rules) ReadOptions() idp.Options {
	o := idp.Options{Match: r.Match, CSV: r.CSV}
	if d := r.Description; d != "" && !strings.EqualFold(d, "none") {
		o.Description = d
	}
	return o
}

// checkGroups refuses a mapping to a group the environment lacks (or to
// an exclusion group, Everyone or Nobody) and returns each rule's group
// as the environment spells it.
func (r *Rules) checkGroups(env *artifacts.Environment) ([]string, error) {
	groups, ex := artifacts.TabGroups.Tab(), artifacts.TabExGroup.Tab()
	out := make([]string, len(r.Groups))
	for i, g := range r.Groups {
		name := strings.TrimSpace(g.Group)
		switch {
		case artifacts.Fold(name) == artifacts.Fold(artifacts.Everyone) || artifacts.Fold(name) == artifacts.Fold(artifacts.Nobody):
			return nil, fmt.Errorf("groups[%d] maps '%s' to %s, which no one is made a member of; name an ordinary group", i, g.IdP, name)
		}
		if j, ok := groups.Find(env, name); ok {
			out[i] = env.Groups[j].Group
			continue
		}
		if _, ok := ex.Find(env, name); ok {
			return nil, fmt.Errorf("groups[%d] maps '%s' to '%s', an exclusion group; map to a group (users enter an exclusion group through its entries)", i, g.IdP, name)
		}
		if name == artifacts.Administrators || artifacts.Fold(name) == artifacts.Fold(artifacts.Administrators) {
			out[i] = artifacts.Administrators
			continue
		}
		return nil, fmt.Errorf("groups[%d] maps '%s' to the group '%s', which does not exist in %s", i, g.IdP, name, env.Name)
	}
	return out, nil
}
