// Package testtools holds what tests of several packages share: golden
// files compared, or rewritten with -update (Golden), the peak heap a
// benchmark reports (PeakHeap), and the outside programs that
// interoperability tests run: a Python with openpyxl, and LibreOffice. A test that needs one skips with a message when it is
// missing — except under CI (CI=true) for openpyxl, which .ci/run
// installs, so that a broken install cannot pass silently.
package testtools

import (
	"os"
	"os/exec"
	"testing"
)

// Python returns a python3 that can import openpyxl. The system Python
// comes second: Debian's python3-openpyxl is installed for it, and a
// python3 earlier on PATH (pyenv, a virtualenv) may not see it.
func Python(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import openpyxl").Run() == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("python3 with openpyxl is not available; .ci/run should have installed python3-openpyxl")
	}
	t.Skip("skipped: python3 with openpyxl is not available (apt-get install python3-openpyxl); .ci/run installs it")
	return ""
}

// Soffice returns LibreOffice's soffice, or skips the test.
func Soffice(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"soffice", "libreoffice"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("skipped: LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui)")
	return ""
}
