package idp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func write(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// brief is what a test compares of an account.
type brief struct {
	Key, Display, Email, Description string
	Enabled, Guest                   bool
	Groups                           []string
	Line                             int
}

func briefs(d *Directory) []brief {
	var out []brief
	for _, a := range d.Accounts {
		out = append(out, brief{a.Key, a.DisplayName, a.Email, a.Description, a.Enabled, a.Guest, a.Groups, a.Line})
	}
	return out
}

const entraPlain = "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled\r\n" +
	"anna.weber@x.example,Anna Weber,Weber,anna.weber@x.example,Anna,1,Member,Analyst,FIN-Frankfurt,True\r\n" +
	"bob@x.example,\"Bob, Jr.\",B,,Bob,2,Member,,,FALSE\r\n" +
	"guest_y.example#EXT#@x.onmicrosoft.com,Guest Person,P,g@y.example,G,3,Guest,,,Yes\r\n"

const entraBracketed = "\uFEFFDisplay name [displayName],Account enabled [accountEnabled],User name [userPrincipalName] Required,Department [department],Mail [mail],User type [userType]\n" +
	"Anna Weber,true,anna.weber@x.example,FIN-Frankfurt,anna.weber@x.example,Member\n" +
	"\"Bob, Jr.\",No,bob@x.example,,,Member\n" +
	"Guest Person,1,guest_y.example#EXT#@x.onmicrosoft.com,,g@y.example,Guest\n"

const scimUsers = `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  "totalResults": 3,
  "startIndex": 1,
  "itemsPerPage": 3,
  "Resources": [
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "anna.weber@x.example",
     "displayName": "Anna Weber", "active": true,
     "emails": [{"value": "old@x.example", "type": "home"}, {"value": "anna.weber@x.example", "type": "work", "primary": true}],
     "groups": [{"value": "g1", "display": "FIN-Frankfurt"}]},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u2", "userName": "bob@x.example",
     "name": {"givenName": "Bob", "familyName": "Jr."}, "active": "False"},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u3", "userName": "guest_y.example#EXT#@x.onmicrosoft.com",
     "displayName": "Guest Person", "userType": "Guest", "emails": [{"value": "g@y.example"}]}
  ]
}`

func TestReadFormats(t *testing.T) {
	dir := t.TempDir()
	want := []brief{
		{"anna.weber@x.example", "Anna Weber", "anna.weber@x.example", "Anna Weber", true, false, []string{"FIN-Frankfurt"}, 2},
		{"bob@x.example", "Bob, Jr.", "", "Bob, Jr.", false, false, nil, 3},
		{"guest_y.example#EXT#@x.onmicrosoft.com", "Guest Person", "g@y.example", "Guest Person", true, true, nil, 4},
	}
	scimWant := []brief{
		{"anna.weber@x.example", "Anna Weber", "anna.weber@x.example", "Anna Weber", true, false, []string{"FIN-Frankfurt"}, 7},
		{"bob@x.example", "Bob Jr.", "", "Bob Jr.", false, false, nil, 11},
		{"guest_y.example#EXT#@x.onmicrosoft.com", "Guest Person", "g@y.example", "Guest Person", true, true, nil, 13},
	}
	for _, tc := range []struct {
		name, content string
		format        Format
		want          []brief
	}{
		{"entra-plain.csv", entraPlain, FormatEntra, want},
		{"entra-bracketed.csv", entraBracketed, FormatEntra, want},
		{"users.json", scimUsers, FormatSCIM, scimWant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Read([]string{write(t, dir, tc.name, tc.content)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != tc.format {
				t.Errorf("format %s, want %s", d.Format, tc.format)
			}
			if diff := cmp.Diff(tc.want, briefs(d)); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSCIMGroupsAndPages(t *testing.T) {
	dir := t.TempDir()
	page1 := `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 4, "startIndex": 1, "itemsPerPage": 2,
 "Resources": [
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "a@x.example", "displayName": "A", "active": true},
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "FIN-Houston",
   "members": [{"value": "u1"}, {"value": "u2"}, {"value": "nobody"}]}
 ]}`
	page2 := `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 4, "startIndex": 3, "itemsPerPage": 2,
 "Resources": [
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u2", "userName": "b@x.example", "displayName": "B", "active": false,
   "groups": [{"value": "g2"}]},
  {"meta": {"resourceType": "Group"}, "id": "g2", "displayName": "IT-Ops", "members": []}
 ]}`
	p1, p2 := write(t, dir, "p1.json", page1), write(t, dir, "p2.json", page2)
	d, err := Read([]string{p1, p2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, a := range d.Accounts {
		got[a.Key] = a.Groups
	}
	want := map[string][]string{"a@x.example": {"FIN-Houston"}, "b@x.example": {"IT-Ops", "FIN-Houston"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	// One page alone is not the whole ListResponse.
	if _, err := Read([]string{p1}, Options{}); err == nil || !strings.Contains(err.Error(), "a page is missing") {
		t.Errorf("one page of two: %v", err)
	}
	if _, err := Read([]string{p1, p1}, Options{}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a page twice: %v", err)
	}
}

func TestGenericCSV(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "hr.csv", "Login;Full Name;Status;Teams\n"+
		"a@x.example;A;active;FIN-Houston| IT\n"+
		"b@x.example;B;inactive;\n")
	cols := &CSVColumns{UserName: "login", DisplayName: "Full Name", Enabled: "Status", Groups: "Teams", GroupSeparator: "|"}
	_, err := Read([]string{p}, Options{CSV: cols})
	if err == nil {
		t.Fatal("a semicolon-separated file read as one column: want an error")
	}
	p = write(t, dir, "hr2.csv", "Login,Full Name,Status,Teams\n"+
		"a@x.example,A,active,FIN-Houston| IT\n"+
		"b@x.example,B,inactive,\n")
	d, err := Read([]string{p}, Options{CSV: cols})
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{"a@x.example", "A", "", "A", true, false, []string{"FIN-Houston", "IT"}, 2},
		{"b@x.example", "B", "", "B", false, false, nil, 3},
	}
	if d.Format != FormatCSV {
		t.Errorf("format %s", d.Format)
	}
	if diff := cmp.Diff(want, briefs(d)); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	_, err = Read([]string{p}, Options{CSV: &CSVColumns{UserName: "Login", Email: "Mail"}})
	if err == nil || !strings.Contains(err.Error(), "hr2.csv:1: no column 'Mail'") {
		t.Errorf("missing named column: %v", err)
	}
}

// TestBadInput holds every refusal to a message naming the file and line.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	deep := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "]}"
	for _, tc := range []struct {
		name, content, want string
		opt                 Options
	}{
		{"none.csv", "name,age\nx,1\n", "none.csv:1: not a recognised identity-provider export", Options{}},
		{"noenabled.csv", "userPrincipalName,displayName\na@x,A\n", "noenabled.csv:1: no accountEnabled column", Options{}},
		{"dup.csv", "userPrincipalName,accountEnabled\na@x.example,True\nb@x.example,True\nA@X.example,False\n", "dup.csv:4: user name 'A@X.example' is also the account at " + filepath.Join(dir, "dup.csv") + ":2", Options{}},
		{"badbool.csv", "userPrincipalName,accountEnabled\na@x.example,maybe\n", "badbool.csv:2: accountEnabled 'maybe' is not true or false", Options{}},
		{"short.csv", "userPrincipalName,accountEnabled\na@x.example\n", "short.csv:2: not a valid CSV line", Options{}},
		{"utf8.csv", "userPrincipalName,accountEnabled\n\"a\xffb\",True\n", "utf8.csv:2: the userPrincipalName field is not valid UTF-8", Options{}},
		{"utf8head.csv", "\xff\xfe\x00", "utf8head.csv:1: is UTF-16", Options{}},
		{"binary.bin", "\x00\x01\x02", "binary.bin:1: is not text", Options{}},
		{"empty.csv", "", "empty.csv: is empty", Options{}},
		{"zip.xlsx", "PK\x03\x04rest", "zip.xlsx: is a zip file", Options{}},
		{"nokey.csv", "userPrincipalName,accountEnabled\n,True\n", "nokey.csv:2: the account has no user name", Options{}},
		{"long.csv", "userPrincipalName,accountEnabled\n" + strings.Repeat("a", 3000) + ",True\n", "long.csv:2: the line is longer than 1 KiB", Options{Limits: Limits{MaxLineBytes: 1024}}},
		{"big.csv", "userPrincipalName,accountEnabled\n" + strings.Repeat("a@x,True\n", 200), "big.csv: is larger than", Options{Limits: Limits{MaxFileBytes: 1024}}},
		{"rows.csv", "userPrincipalName,accountEnabled\na,True\nb,True\nc,True\n", "rows.csv:4: more than 2 accounts", Options{Limits: Limits{MaxAccounts: 2}}},
		{"invalid.json", "{\n\"schemas\": [\n}", "invalid.json:3: not valid JSON", Options{}},
		{"deep.json", deep, "deep.json:1: nested more than 64 levels deep", Options{}},
		{"number.json", "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\n\"Resources\": [\n{\"userName\": \"a\"},\n{\"userName\": 42}]}", "number.json:4: userName is a number where SCIM has a string", Options{}},
		{"notlist.json", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"}`, "notlist.json:1: is JSON but not a SCIM ListResponse", Options{}},
		{"badutf8.json", "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\n\"Resources\": [{\"userName\": \"a\xff\"}]}", "badutf8.json:2: not valid UTF-8", Options{}},
		{"active.json", "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\n\"Resources\": [{\"userName\": \"a\", \"active\": 3}]}", "active.json:2:", Options{}},
		{"dupscim.json", "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\n\"Resources\": [{\"userName\": \"a\"},\n{\"userName\": \"A\"}]}", "dupscim.json:3: user name 'A' is also the account at", Options{}},
		{"match.csv", "userPrincipalName,accountEnabled\na,True\n", "match.csv:1: no column 'employeeId'", Options{Match: "employeeId"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, tc.name, tc.content)
			start := time.Now()
			_, err := Read([]string{p}, tc.opt)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var ie *Error
			if !errors.As(err, &ie) || ie.File != p {
				t.Errorf("error %v does not name the file", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestMixedFormats(t *testing.T) {
	dir := t.TempDir()
	_, err := Read([]string{write(t, dir, "a.csv", entraPlain), write(t, dir, "b.json", scimUsers)}, Options{})
	if err == nil || !strings.Contains(err.Error(), "give files of one export") {
		t.Errorf("mixed formats: %v", err)
	}
}

func TestMatchAndDescription(t *testing.T) {
	dir := t.TempDir()
	d, err := Read([]string{write(t, dir, "e.csv", entraPlain)}, Options{Match: "mail", Description: "jobTitle"})
	if err == nil {
		t.Fatalf("bob has no mail: want an error, got %v", briefs(d))
	}
	d, err = Read([]string{write(t, dir, "e2.csv", entraPlain)}, Options{Match: "objectId", Description: "Job Title [jobTitle]"})
	if err == nil {
		t.Fatal("a bracketed attribute in the rules is not a column name: want an error")
	}
	d, err = Read([]string{write(t, dir, "e3.csv", entraPlain)}, Options{Match: "objectId", Description: "jobTitle"})
	if err != nil {
		t.Fatal(err)
	}
	if a := d.Accounts[0]; a.Key != "1" || a.Description != "Analyst" {
		t.Errorf("account %+v", a)
	}
	d, err = Read([]string{write(t, dir, "s.json", scimUsers)}, Options{Match: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Accounts[2].Key != "u3" {
		t.Errorf("scim id: %+v", d.Accounts[2])
	}
	if _, err := Read([]string{write(t, dir, "s2.json", scimUsers)}, Options{Match: "employeeNumber"}); err == nil || !strings.Contains(err.Error(), "s2.json: the rules name 'employeeNumber', which is not a SCIM User attribute") {
		t.Errorf("unknown SCIM attribute: %v", err)
	}
}
