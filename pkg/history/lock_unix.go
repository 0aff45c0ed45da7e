//go:build unix

package history

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is an exclusive flock on an open file. The kernel releases it
// when the file is closed, which happens when the process dies.
type fileLock struct{ f *os.File }

// pollInterval is how often a waiting apply tries the lock again.
const pollInterval = 25 * time.Millisecond

// acquireLock locks path exclusively, creating it (0600) if needed. With
// wait > 0 it polls until the lock is free or wait has passed; then, or
// at once when wait is 0, it fails with ErrLocked.
func acquireLock(path string, wait time.Duration) (*fileLock, error) {
	f, err := openPrivate(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("cannot open %s: %w", path, describe(pe.Err))
		}
		return nil, err // names the path already
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &fileLock{f}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			f.Close()
			return nil, ErrLocked
		}
		time.Sleep(min(left, pollInterval))
	}
}

func (l *fileLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// oNoFollow makes an open fail on a symbolic link.
const oNoFollow = syscall.O_NOFOLLOW

func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// canWrite reports whether this process may create files in dir.
func canWrite(dir string) bool {
	const wOK = 2
	return syscall.Access(dir, wOK) == nil
}
