// Package oserr says, for a person, why the operating system refused to
// read or write a file. Callers name the file themselves; Reason gives
// the why without the path, so that no message repeats it.
package oserr

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Reason words err: "no such file or folder", "permission denied", "no
// space left on the disk", "is a folder", or the system's own text with
// the path and operation left out.
func Reason(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on the disk"
	case errors.Is(err, syscall.EISDIR):
		return "is a folder"
	}
	return err.Error()
}
