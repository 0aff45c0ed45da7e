//go:build !unix

package history

import (
	"errors"
	"time"
)

type fileLock struct{}

// acquireLock is not implemented off Unix: without a lock that dies with
// its process, applying would risk lost updates.
func acquireLock(path string, wait time.Duration) (*fileLock, error) {
	return nil, errors.New("applying needs file locks, which this build of secmgr does not support on this system")
}

func (l *fileLock) release() {}

// oNoFollow is not available; openPrivate still refuses a link it finds.
const oNoFollow = 0

func isNoSpace(err error) bool { return false }

func canWrite(dir string) bool { return true }
