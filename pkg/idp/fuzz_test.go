package idp

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzRead reads data as one file and holds Read to its contract: an
// error names the file, and accounts have unique, non-empty keys.
func fuzzRead(t *testing.T, name string, data []byte, opt Options) {
	p := write(t, t.TempDir(), name, string(data))
	opt.Limits = Limits{MaxFileBytes: 1 << 20, MaxAccounts: 1000, MaxLineBytes: 4096, MaxDepth: 32}
	d, err := Read([]string{p}, opt)
	if err != nil {
		var ie *Error
		if !errors.As(err, &ie) || ie.File != p || !strings.HasPrefix(err.Error(), p) {
			t.Fatalf("error %q does not name %s", err, filepath.Base(p))
		}
		return
	}
	seen := map[string]bool{}
	for _, a := range d.Accounts {
		k := strings.ToLower(a.Key)
		if k == "" || seen[k] {
			t.Fatalf("account %+v: empty or repeated key", a)
		}
		seen[k] = true
	}
}

func FuzzEntraCSV(f *testing.F) {
	f.Add([]byte(entraPlain))
	f.Add([]byte(entraBracketed))
	f.Add([]byte("userPrincipalName,accountEnabled\n\"a\nb\",True\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "users.csv", data, Options{}) })
}

func FuzzSCIM(f *testing.F) {
	f.Add([]byte(scimUsers))
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"meta":{"resourceType":"Group"},"id":"g","displayName":"G","members":[{"value":"u"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, "users.json", data, Options{}) })
}

func FuzzGenericCSV(f *testing.F) {
	f.Add([]byte("Login,Name,Status,Teams\na@x,A,active,FIN|IT\n"))
	f.Add([]byte("Login,Name\n\xff,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, "hr.csv", data, Options{CSV: &CSVColumns{UserName: "Login", DisplayName: "Name", Enabled: "Status", Groups: "Teams", GroupSeparator: "|"}})
	})
}
