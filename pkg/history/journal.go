package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"secmgr/pkg/actions"
	"time"
)

// JournalEntry is one line of X.history/journal.jsonl: one apply. It
// never holds a password value.
type JournalEntry struct {
	Time   time.Time `json:"time"`   // UTC, RFC 3339 with nanoseconds
	User   string    `json:"user"`   // the operating-system user
	Plan   string    `json:"plan"`   // "sha256:…" of the plan's canonical bytes
	Source string    `json:"source"` // the plan's source (workbook or backup)
	Before string    `json:"before"` // fingerprint of the environment before
	After  string    `json:"after"`  // and after
	Backup string    `json:"backup"` // file names in the history folder
	Undo   string    `json:"undo"`
	Add    int       `json:"add"`
	Edit   int       `json:"edit"`
	Rename int       `json:"rename"`
	Remove int       `json:"remove"`
	// Review is the plan's review block: the decisions of a reviewed
	// access review, kept as the evidence of the review.
	Review []actions.ReviewDecision `json:"review,omitempty"`
}

// appendJournal appends e as one line, fsynced. If a crash tore the last
// line, the new one starts on a line of its own.
func appendJournal(path string, e *JournalEntry) error {
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	f, err := openJournal(path)
	if err != nil {
		return describeErr(err)
	}
	fresh := false
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	} else {
		fresh = err == nil
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return describeErr(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return describeErr(err)
	}
	if err := f.Close(); err != nil {
		return describeErr(err)
	}
	if fresh {
		syncDir(filepath.Dir(path))
	}
	return nil
}

func describeErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return describe(pe.Err)
	}
	return describe(err)
}

// History reads the journal of the environment file at envPath (or of
// the file it links to), oldest apply first. An environment never applied to has an empty history. A
// last line torn by a crash is skipped; any other bad line is an error
// naming its line number.
func History(envPath string) ([]JournalEntry, error) {
	if real, err := filepath.EvalSymlinks(envPath); err == nil {
		envPath = real
	}
	path := filepath.Join(Dir(envPath), journalName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal %s: %v", path, describeErr(err))
	}
	var out []JournalEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e JournalEntry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			// A torn line is one a crash cut short: the last line with
			// no newline, or a line the next apply's newline ended.
			if torn := !bytes.HasSuffix(data, []byte{'\n'}) && isLastLine(data, n); torn || isTruncatedJSON(err) {
				continue
			}
			return out, fmt.Errorf("journal %s, line %d: %v", path, n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("journal %s: %v", path, err)
	}
	return out, nil
}

func isLastLine(data []byte, n int) bool {
	return bytes.Count(data, []byte{'\n'}) == n-1
}

func isTruncatedJSON(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }
