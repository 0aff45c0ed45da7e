package synthetic

import (
	"bytes"
	"testing"

	"secmgr/pkg/artifacts"
)

func TestGenerateIsValidAndDeterministic(t *testing.T) {
	a, err := artifacts.Marshal(Generate(Options{Users: 500}))
	if err != nil {
		t.Fatal(err)
	}
	env, err := artifacts.Decode(a)
	if err != nil {
		t.Fatalf("generated environment does not load: %v", err)
	}
	for _, tab := range artifacts.Tabs {
		if tab.Len(env) == 0 {
			t.Errorf("tab %s is empty", tab.Name)
		}
	}
	b, _ := artifacts.Marshal(Generate(Options{Users: 500}))
	if !bytes.Equal(a, b) {
		t.Error("same options gave different environments")
	}
}
