package main

import (
	"os"

	"golang.org/x/term"
)

// isTTY reports whether f is a terminal. golang.org/x/term asks the
// operating system for terminal attributes, so a character device that is
// not a terminal (/dev/null) is not one, on every system.
func isTTY(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// terminalWidth returns the width in columns of the terminal f, or 0 when
// it cannot be told (then $COLUMNS or 80 is used).
func terminalWidth(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}
