package workbook

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
)

// TestWriteIsDeterministic: the same rows give the same bytes, a second
// later too (a plan records its source workbook's SHA-256).
func TestWriteIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) []byte {
		p := filepath.Join(dir, name)
		w, err := Create(p, WriteOptions{Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range []*artifacts.Tab{artifacts.TabUsers.Tab(), artifacts.TabGroups.Tab()} {
			w.StartTab(tab)
			row := make([]string, len(tab.Columns))
			row[0] = "a"
			w.WriteRow(row)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		return b
	}
	a := write("a.xlsx")
	time.Sleep(1100 * time.Millisecond)
	if !bytes.Equal(a, write("b.xlsx")) {
		t.Fatal("the same workbook written twice differs")
	}
}
