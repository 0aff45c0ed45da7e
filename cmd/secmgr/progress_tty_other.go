//go:build !linux

package main

import "os"

// terminalWidth returns the width in columns of the terminal f, or 0 when
// it cannot be told (then $COLUMNS or 80 is used).
func terminalWidth(*os.File) int { return 0 }
