// Package idp reads the user exports of identity providers — the
// Microsoft Entra ID "Download users" CSV, a SCIM 2.0 ListResponse
// (RFC 7643 / 7644) of Users, optionally with Groups and paged over
// several files, and a generic CSV whose columns the caller names — into
// one list of accounts. The format is recognised by content, never by the
// file name.
//
// Reading is bounded: every file has a size limit, every CSV line a
// length limit, every JSON document a nesting limit, and all files
// together a limit on accounts, so that a hostile file is refused in
// bounded time and memory. Every problem is an error naming the file and
// the line.
//
//	dir, err := idp.Read([]string{"users.csv"}, idp.Options{})
//	for _, a := range dir.Accounts { fmt.Println(a.Key, a.Enabled) }
package idp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"secmgr/internal/limits"
	"secmgr/internal/oserr"
	"strings"
	"unicode/utf8"
)

// Format is a kind of identity-provider export.
type Format string

// The formats Read recognises.
const (
	FormatEntra Format = "entra-csv" // Microsoft Entra ID "Download users"
	FormatSCIM  Format = "scim"      // SCIM 2.0 ListResponse
	FormatCSV   Format = "csv"       // a CSV with the columns Options.CSV names
)

// Describe names the format for people.
func (f Format) Describe() string {
	switch f {
	case FormatEntra:
		return "Microsoft Entra ID users CSV"
	case FormatSCIM:
		return "SCIM 2.0 ListResponse"
	case FormatCSV:
		return "CSV"
	}
	return string(f)
}

// Account is one user account of the identity provider.
type Account struct {
	// Key is the value of the matched attribute (Options.Match): what
	// OneStream holds as ExternalUserName.
	Key string
	// UserName is userPrincipalName (Entra) or userName (SCIM).
	UserName    string
	DisplayName string
	Email       string
	// Description is the value of Options.Description's attribute.
	Description string
	Enabled     bool
	// Guest is an account of another organisation (Entra userType Guest,
	// SCIM userType Guest).
	Guest bool
	// Groups are the provider's groups of the account: SCIM groups
	// (display names), the Entra department, or the generic CSV's groups
	// column.
	Groups []string
	// File and Line say where the account was read.
	File string
	Line int
}

// Where is "file:line" for messages.
func (a *Account) Where() string { return fmt.Sprintf("%s:%d", a.File, a.Line) }

// Directory is what Read found: the accounts of every file, in file order.
type Directory struct {
	Format   Format
	Files    []string
	Accounts []Account
}

// Limits bound what reading may cost. Zero fields take the defaults.
type Limits struct {
	MaxFileBytes int64 // each file; default 512 MiB
	MaxAccounts  int   // all files together; default 2,000,000
	MaxLineBytes int   // one CSV line; default 1 MiB
	MaxDepth     int   // JSON nesting; default 64
}

// Defaults of Limits.
const (
	DefaultMaxFileBytes = 512 << 20
	DefaultMaxAccounts  = 2_000_000
	DefaultMaxLineBytes = 1 << 20
	DefaultMaxDepth     = 64
)

// defaultLimits are the limits a zero field takes.
var defaultLimits = Limits{MaxFileBytes: DefaultMaxFileBytes, MaxAccounts: DefaultMaxAccounts, MaxLineBytes: DefaultMaxLineBytes, MaxDepth: DefaultMaxDepth}

func (l Limits) withDefaults() Limits { return limits.Fill(l, defaultLimits) }

// CSVColumns names the columns of a generic CSV. UserName is required;
// the others are optional. Without Enabled every account is enabled (an
// export of active users only); GroupSeparator splits the Groups cell
// (default ";").
type CSVColumns struct {
	UserName       string `json:"userName"`
	DisplayName    string `json:"displayName,omitempty"`
	Email          string `json:"email,omitempty"`
	Enabled        string `json:"enabled,omitempty"`
	Groups         string `json:"groups,omitempty"`
	GroupSeparator string `json:"groupSeparator,omitempty"`
	UserType       string `json:"userType,omitempty"`
}

// Options say how to read.
type Options struct {
	Limits
	// Match is the attribute whose value becomes Account.Key: a column
	// of the CSV, or a SCIM attribute (userName, externalId, id,
	// displayName, emails). Default userPrincipalName (Entra), userName
	// (SCIM), the UserName column (generic CSV).
	Match string
	// Description is the attribute that becomes Account.Description;
	// default displayName.
	Description string
	// CSV names the columns of a generic CSV; nil recognises only the
	// Entra and SCIM formats.
	CSV *CSVColumns
}

// Error is a problem with an input file, at a line when Line > 0.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func errorf(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Read reads the files, which must all be of one format (the pages of a
// SCIM ListResponse, or several CSVs), and returns their accounts. Two
// accounts with the same Key (ignoring case) are an error naming both.
func Read(paths []string, opt Options) (*Directory, error) {
	if len(paths) == 0 {
		return nil, errors.New("no identity-provider file given")
	}
	opt.Limits = opt.Limits.withDefaults()
	r := &reader{opt: opt}
	dir := &Directory{Files: paths}
	for _, path := range paths {
		f, err := r.readFile(path)
		if err != nil {
			return nil, err
		}
		if dir.Format != "" && f != dir.Format {
			return nil, errorf(path, 0, "is a %s but %s is a %s; give files of one export", f.Describe(), paths[0], dir.Format.Describe())
		}
		dir.Format = f
	}
	if dir.Format == FormatSCIM {
		for _, attr := range []string{opt.Match, opt.Description} {
			if err := checkSCIMAttribute(attr); err != nil {
				return nil, &Error{File: paths[0], Msg: err.Error()}
			}
		}
		if err := r.scim.finish(); err != nil {
			return nil, err
		}
		r.accounts = r.scim.accounts(r)
	}
	if err := r.checkKeys(); err != nil {
		return nil, err
	}
	dir.Accounts = r.accounts
	return dir, nil
}

type reader struct {
	opt      Options
	accounts []Account
	scim     scimPages
}

// readFile reads one file and reports its format.
func (r *reader) readFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &Error{File: path, Msg: oserr.Reason(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", &Error{File: path, Msg: oserr.Reason(err)}
	}
	if st.IsDir() {
		return "", &Error{File: path, Msg: "is a folder, not an identity-provider export"}
	}
	if st.Mode().IsRegular() && st.Size() > r.opt.MaxFileBytes {
		return "", r.tooLarge(path)
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", &Error{File: path, Msg: oserr.Reason(err)}
	}
	head = head[:n]
	// Not Seek: the export may come through a pipe (--idp /dev/stdin).
	body := io.Reader(&limitedReader{r: io.MultiReader(bytes.NewReader(head), f), left: r.opt.MaxFileBytes, file: path, limits: r.opt.Limits})
	switch sniff(head) {
	case "json":
		return FormatSCIM, r.readSCIM(path, body)
	case "csv":
		return r.readCSV(path, body)
	case "zip":
		return "", errorf(path, 0, "is a zip file (an .xlsx workbook?), not an identity-provider export; %s", expected(r.opt))
	case "utf16":
		return "", errorf(path, 1, "is UTF-16 text; save it as UTF-8 (Entra ID and SCIM exports are UTF-8)")
	case "empty":
		return "", errorf(path, 0, "is empty; %s", expected(r.opt))
	}
	return "", errorf(path, 1, "is not text; %s", expected(r.opt))
}

func (r *reader) tooLarge(path string) *Error {
	return errorf(path, 0, "is larger than %d MiB, the limit on an identity-provider file", r.opt.MaxFileBytes>>20)
}

// expected says what Read accepts, for the message of a file it does not.
func expected(opt Options) string {
	s := "expected a Microsoft Entra ID users CSV (with userPrincipalName and accountEnabled columns) or a SCIM 2.0 ListResponse (JSON)"
	if opt.CSV != nil {
		s += fmt.Sprintf(", or a CSV with the columns the rules name (%s …)", opt.CSV.UserName)
	}
	return s
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// sniff tells the kind of a file from its first bytes.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "zip"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "utf16"
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return "empty"
	}
	if t[0] == '{' || t[0] == '[' {
		return "json"
	}
	// Text: no NUL and a first line of valid UTF-8 (a rune cut at the end
	// of head is fine). Later lines are checked where they are read.
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary"
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size <= 1 {
			if len(head) < utf8.UTFMax && !utf8.FullRune(head) {
				break
			}
			return "binary"
		}
		head = head[size:]
	}
	return "csv"
}

// add records an account, enforcing the account limit.
func (r *reader) add(a Account) error {
	if len(r.accounts) >= r.opt.MaxAccounts {
		return errorf(a.File, a.Line, "more than %d accounts, the limit on an identity-provider export", r.opt.MaxAccounts)
	}
	r.accounts = append(r.accounts, a)
	return nil
}

// checkKeys refuses an account without a key and two accounts of one key.
func (r *reader) checkKeys() error {
	seen := make(map[string]int, len(r.accounts))
	for i := range r.accounts {
		a := &r.accounts[i]
		if a.Key == "" {
			return errorf(a.File, a.Line, "the account has no %s; every account needs the attribute matched to ExternalUserName", r.matchName())
		}
		k := strings.ToLower(a.Key)
		if j, dup := seen[k]; dup {
			b := &r.accounts[j]
			return errorf(a.File, a.Line, "%s '%s' is also the account at %s; an identity must appear once", r.matchName(), a.Key, b.Where())
		}
		seen[k] = i
	}
	return nil
}

func (r *reader) matchName() string {
	if r.opt.Match != "" {
		return r.opt.Match
	}
	return "user name"
}

// limitedReader refuses to read past left bytes.
type limitedReader struct {
	r      io.Reader
	left   int64
	file   string
	limits Limits
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errorf(l.file, 0, "is larger than %d MiB, the limit on an identity-provider file", l.limits.MaxFileBytes>>20)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
