package testtools

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files (and the committed fixtures made from code) instead of comparing with them")

// Update reports whether the tests run with -update: golden files, and
// committed fixtures that tests make from code, are rewritten rather than
// compared with.
func Update() bool { return *update }

// Golden compares got with the golden file at path, or with -update
// writes got there (making its folder). A difference fails the test with
// a line diff.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs (-want +got; go test -update rewrites it after a deliberate change):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
