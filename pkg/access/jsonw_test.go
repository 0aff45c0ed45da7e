package access

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
)

// TestWriteJSONMatchesMarshal checks that the hand-written documents say
// exactly what encoding/json says for the same values.
func TestWriteJSONMatchesMarshal(t *testing.T) {
	ix := newEnv().users("Ann \"Q\"", "Bob <b>").groups("G&H", "P").exGroups("X").
		in("Ann \"Q\"", "G&H").in("Bob <b>", "X").nest("G&H", "P").groupEntry("X", "G&H", 0, true).
		role("ManageData", "P").
		with(func(env *artifacts.Environment) {
			env.Entity = append(env.Entity, artifacts.Entity{Entity: "Houston", ReadGroup: "P", ReadGroup2: "Nobody", ReadWriteGroup: "X", ReadWriteGroup2: "Nobody"})
			env.CubeDataCellAccess = append(env.CubeDataCellAccess, artifacts.SliceRule{Cube: "C", Type: "Data Cell Access Security", AccessGroup: "G&H"})
		}).index()
	var values []any
	for _, u := range []string{"Ann \"Q\"", "Bob <b>"} {
		ua, _ := ix.User(u)
		values = append(values, ua)
	}
	for _, g := range ix.GroupNames() {
		ga, _ := ix.Group(g)
		values = append(values, ga)
	}
	for _, v := range values {
		var b bytes.Buffer
		if err := WriteJSON(&b, v); err != nil {
			t.Fatal(err)
		}
		std, _ := json.Marshal(v)
		var got, want any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, b.String())
		}
		json.Unmarshal(std, &want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("WriteJSON differs from json.Marshal (-marshal +write):\n%s", diff)
		}
	}
}
