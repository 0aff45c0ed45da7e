package history

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The history folder holds the record of every apply and the backups of
// the environment: it must be the user's own. A symbolic link in it could
// send a journal line or the lock to any file, and a folder others may
// write to lets them plant one. So the folder and its files are refused
// when they are links or writable by other users, and files are opened
// without following a link (O_NOFOLLOW).

// unsafeMode holds the permission bits that let users other than the
// owner change a file or folder.
const unsafeMode = 0o022

// checkHistoryDir refuses a history folder that is a symbolic link, not a
// folder, or writable by others. It returns fs.ErrNotExist (wrapped) when
// there is none.
func checkHistoryDir(hist string) error {
	st, err := os.Lstat(hist)
	if err != nil {
		return err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("the history folder %s is a symbolic link; secmgr keeps history only in a real folder (remove the link)", hist)
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a folder", hist)
	case st.Mode().Perm()&unsafeMode != 0:
		return fmt.Errorf("the history folder %s is writable by other users (mode %04o); make it private with: chmod 700 %s", hist, st.Mode().Perm(), hist)
	}
	return nil
}

// openPrivate opens a file of the history folder without following a
// symbolic link, and refuses one that is not a regular file or that
// others may write to.
func openPrivate(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|oNoFollow, perm)
	if err != nil {
		if isSymlinkErr(path, err) {
			return nil, fmt.Errorf("%s is a symbolic link; secmgr does not follow links in the history folder (remove it)", path)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case !st.Mode().IsRegular():
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	case st.Mode().Perm()&unsafeMode != 0:
		f.Close()
		return nil, fmt.Errorf("%s is writable by other users (mode %04o); make it private with: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	return f, nil
}

// isSymlinkErr reports whether opening path with O_NOFOLLOW failed
// because it is a symbolic link (ELOOP on Linux, EMLINK or EFTYPE on
// some BSDs): checked with Lstat, whatever the errno.
func isSymlinkErr(path string, err error) bool {
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	st, lerr := os.Lstat(path)
	return lerr == nil && st.Mode()&fs.ModeSymlink != 0
}
