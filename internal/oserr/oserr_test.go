package oserr

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReason(t *testing.T) {
	dir := t.TempDir()
	_, missing := os.Open(filepath.Join(dir, "nope.xlsx"))
	_, folder := os.ReadFile(dir)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{missing, "no such file or folder"},
		{folder, "is a folder"},
		{&os.PathError{Op: "open", Path: "/x", Err: os.ErrPermission}, "permission denied"},
		{errors.New("odd"), "odd"},
	} {
		if got := Reason(tc.err); got != tc.want || strings.Contains(got, dir) {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
