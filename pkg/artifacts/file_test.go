package artifacts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sampleEnv() *Environment {
	env := New("Test")
	env.Users = []User{{User: "b user", UserType: "View", IsEnabled: true, NumGridRows: 10, Password: "ENC(x)"}, {User: "A user", UserType: "Interactive", NumGridRows: 30}}
	env.Groups = append(env.Groups, Group{Group: "Zeta"}, Group{Group: "alpha", Description: "=SUM(A1) stays text"})
	env.UsersInGroups = []UserInGroup{{User: "b user", ParentGroup: "Zeta"}, {User: "A user", ParentGroup: "alpha"}}
	env.CubeDataCellAccess = []SliceRule{{Cube: "C", Type: "Data Cell Access Security", ProcessingOrder: 10, AccessGroup: "alpha"}, {Cube: "C", Type: "Data Cell Access Security", ProcessingOrder: 2, AccessGroup: "Zeta"}}
	return env
}

func TestCanonicalBytes(t *testing.T) {
	a, err := Marshal(sampleEnv())
	if err != nil {
		t.Fatal(err)
	}
	// Same security in another order gives the same bytes.
	env := sampleEnv()
	env.Users[0], env.Users[1] = env.Users[1], env.Users[0]
	env.Groups[0], env.Groups[4] = env.Groups[4], env.Groups[0]
	b, _ := Marshal(env)
	if !bytes.Equal(a, b) {
		t.Fatal("the same security in another order gave other bytes")
	}
	s := string(a)
	for _, want := range []string{"{\n  \"format\": \"secmgr.environment/v1\",\n  \"name\": \"Test\",\n  \"Users\": [\n    {\n      \"User\": \"A user\"", "\"ProcessingOrder\": 2", "=SUM(A1) stays text"} {
		if !strings.Contains(s, want) {
			t.Errorf("canonical form lacks %q", want)
		}
	}
	if strings.Index(s, "\"ProcessingOrder\": 2") > strings.Index(s, "\"ProcessingOrder\": 10") {
		t.Error("whole-number keys sort numerically")
	}
	if !strings.HasSuffix(s, "}\n") {
		t.Error("no final newline")
	}
	env2, err := Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Marshal(env2)
	if !bytes.Equal(a, c) {
		t.Fatal("Decode then Marshal changed the bytes")
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, _ := Marshal(sampleEnv())
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "is empty"},
		{"not json", "hello", "not a valid environment file"},
		{"truncated", string(good[:len(good)/2]), "truncated"},
		{"no format", `{"name": "x"}`, `no "format" field`},
		{"future format", `{"format": "secmgr.environment/v2", "name": "x"}`, "secmgr.environment/v2"},
		{"foreign format", `{"format": "something else"}`, "not a secmgr environment file"},
		{"unknown top-level field", `{"format": "secmgr.environment/v1", "name": "x", "Owners": []}`, `unknown field "Owners"`},
		{"unknown row field", `{"format": "secmgr.environment/v1", "Users": [{"User": "a", "UserType": "View", "IsEnabled": true, "NumGridRows": 10, "Shoe": 4}]}`, `unknown field "Shoe"`},
		{"wrong type", `{"format": "secmgr.environment/v1", "Users": [{"User": "a", "IsEnabled": "yes"}]}`, "IsEnabled"},
		{"duplicate key", `{"format": "secmgr.environment/v1", "Groups": [{"Group": "a"}, {"Group": "A"}]}`, "Groups has two rows 'A'"},
		{"bad name", `{"format": "secmgr.environment/v1", "Groups": [{"Group": "a*"}]}`, "wildcard"},
		{"unknown role", `{"format": "secmgr.environment/v1", "AppRoles": [{"AppRole": "Boss", "GroupName": "Administrators"}]}`, "not one of the known values"},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestSaveIsAtomicAndOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "env.json")
	if err := Save(path, sampleEnv()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	env, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Users) != 2 {
		t.Fatal("users lost")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "does not exist"},
		{dir, "is a folder"},
	} {
		_, err := Load(c.path)
		if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%s) = %v", c.path, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Marshal(sampleEnv())
	f.Add(good)
	f.Add([]byte(`{"format": "secmgr.environment/v1", "Groups": [{"Group": "a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Decode(data)
		if err != nil {
			return
		}
		// What loads must write back and load again to the same bytes.
		a, err := Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		env2, err := Decode(a)
		if err != nil {
			t.Fatalf("canonical bytes do not load: %v", err)
		}
		b, _ := Marshal(env2)
		if !bytes.Equal(a, b) {
			t.Fatal("not canonical")
		}
	})
}

// TestEncoderMatchesEncodingJSON holds the hand-written row encoder to what
// encoding/json writes, on awkward strings.
func TestEncoderMatchesEncodingJSON(t *testing.T) {
	env := sampleEnv()
	env.Groups = append(env.Groups, Group{Group: "odd \"quoted\" \\ name", Description: "tab\there\nline\r\x01\x1f <html> & \u2028\u2029 é \xff end"})
	env.Users[0].Text1 = "\u00e9\u4e16\U0001F600"
	env.Normalize() // the encoder writes a normalized environment as it is
	got, err := Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.WriteString("{\n  \"format\": \"secmgr.environment/v1\",\n  \"name\": \"Test\"")
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	v := reflect.ValueOf(env).Elem()
	for _, tab := range tabs {
		rows := v.Field(tab.field)
		fmt.Fprintf(&want, ",\n  %q: [", tab.Name)
		for i := 0; i < rows.Len(); i++ {
			if i > 0 {
				want.WriteByte(',')
			}
			want.WriteString("\n    ")
			var one bytes.Buffer
			e := json.NewEncoder(&one)
			e.SetEscapeHTML(false)
			e.SetIndent("    ", "  ")
			e.Encode(rows.Index(i).Interface())
			want.Write(bytes.TrimRight(one.Bytes(), "\n"))
		}
		if rows.Len() > 0 {
			want.WriteString("\n  ")
		}
		want.WriteByte(']')
	}
	want.WriteString("\n}\n")
	_ = enc
	if !bytes.Equal(want.Bytes(), got) {
		t.Fatalf("encoder differs from encoding/json:\n%s", cmp.Diff(want.String(), string(got)))
	}
}
