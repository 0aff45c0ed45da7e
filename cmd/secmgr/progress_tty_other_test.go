//go:build !linux

package main

import (
	"os"
	"testing"
)

func openTerminal(t *testing.T) *os.File {
	t.Skip("skipped: the pseudo-terminal test runs on Linux")
	return nil
}

func openPTY(t *testing.T) (master, tty *os.File) {
	t.Skip("skipped: the pseudo-terminal test runs on Linux")
	return nil, nil
}
