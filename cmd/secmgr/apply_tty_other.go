//go:build !linux

package main

import "os"

// isTTY reports whether f is a terminal (here: a character device).
func isTTY(f *os.File) bool { return isTerminal(f) }
