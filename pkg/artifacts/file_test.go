package artifacts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"truncated", string(good[:len(good)/2]), "not a valid environment file"},
		{"no format", `{"name": "x"}`, `no "format" field`},
		{"future format", `{"format": "secmgr.environment/v2", "name": "x"}`, "secmgr.environment/v2"},
		{"foreign format", `{"format": "something else"}`, "not a secmgr environment file"},
		{"unknown top-level field", `{"format": "secmgr.environment/v1", "name": "x", "Owners": []}`, `unknown field "Owners"`},
		{"unknown row field", `{"format": "secmgr.environment/v1", "Users": [{"User": "a", "UserType": "View", "IsEnabled": true, "NumGridRows": 10, "Shoe": 4}]}`, `unknown field "Shoe"`},
		{"wrong type", `{"format": "secmgr.environment/v1", "Users": [{"User": "a", "IsEnabled": "yes"}]}`, "IsEnabled"},
		{"duplicate key", `{"format": "secmgr.environment/v1", "Groups": [{"Group": "a"}, {"Group": "A"}]}`, "same key"},
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
