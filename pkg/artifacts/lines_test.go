package artifacts

import (
	"bytes"
	"strings"
	"testing"
)

func TestIndexEntryLines(t *testing.T) {
	env := &Environment{Name: "T"}
	env.Users = []User{{User: "Ann", UserType: "Interactive", IsEnabled: true, NumGridRows: 30}, {User: "Bob", UserType: "View", NumGridRows: 30}}
	env.Groups = []Group{{Group: "Staff"}}
	env.UsersInGroups = []UserInGroup{{User: "Bob", ParentGroup: "Staff"}}
	var b bytes.Buffer
	if err := Encode(&b, env); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	l, err := IndexEntryLines(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tab  string
		key  []string
		want string // text of the entry's first line inside the braces
	}{
		{"Users", []string{"bob"}, `"User": "Bob"`},
		{"Groups", []string{"Staff"}, `"Group": "Staff"`},
		{"Groups", []string{"Administrators"}, `"Group": "Administrators"`},
		{"UsersInGroups", []string{"Bob", "staff"}, `"User": "Bob"`},
	} {
		r, ok := l.Lookup(tc.tab, tc.key)
		if !ok {
			t.Errorf("%s %v not found", tc.tab, tc.key)
			continue
		}
		if strings.TrimSpace(lines[r.Start-1]) != "{" || !strings.HasPrefix(strings.TrimSpace(lines[r.End-1]), "}") {
			t.Errorf("%s %v: lines %d-%d are %q … %q", tc.tab, tc.key, r.Start, r.End, lines[r.Start-1], lines[r.End-1])
		}
		if !strings.Contains(lines[r.Start], tc.want) {
			t.Errorf("%s %v: line %d is %q, want %s", tc.tab, tc.key, r.Start+1, lines[r.Start], tc.want)
		}
	}
	if _, ok := l.Lookup("Users", []string{"Nobody Here"}); ok {
		t.Error("found a user that is not there")
	}
}
