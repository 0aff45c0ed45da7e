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
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
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
	Review []plans.ReviewDecision `json:"review,omitempty"`
	// State is empty for a done apply. An apply writes its line first as
	// "pending", before it replaces the environment, and again without
	// State once it has; a crash between leaves the pending line, which
	// the next apply completes (when the environment is the apply's
	// result) or marks "abandoned". History shows done applies only.
	State string `json:"state,omitempty"`
}

// Journal line states.
const (
	statePending   = "pending"
	stateAbandoned = "abandoned"
)

// appendJournal appends e as one line, fsynced. If a crash tore the last
// line, the new one starts on a line of its own. It returns the journal's
// size before the line, for dropLine.
func appendJournal(path string, e *JournalEntry) (int64, error) {
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	line = append(line, '\n')
	f, err := openJournal(path)
	if err != nil {
		return 0, describeErr(err)
	}
	fresh := false
	var size int64
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		size = st.Size()
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	} else {
		fresh = err == nil
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return size, describeErr(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return size, describeErr(err)
	}
	if err := f.Close(); err != nil {
		return size, describeErr(err)
	}
	if fresh {
		syncDir(filepath.Dir(path))
	}
	return size, nil
}

// dropLine takes back the line appendJournal wrote after size: the apply
// it announced did not happen. It reports whether it could.
func dropLine(path string, size int64) bool {
	f, err := openJournal(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if size == 0 {
		return f.Truncate(0) == nil && f.Sync() == nil && os.Remove(path) == nil
	}
	return f.Truncate(size) == nil && f.Sync() == nil
}

// readJournal reads every line of the journal at path, in order, with
// their states. A missing journal is empty. A last line torn by a crash
// is skipped; any other bad line is an error naming its line number.
func readJournal(path string) ([]JournalEntry, error) {
	f, err := openPrivate(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("journal %s: %v", path, describe(pe.Err))
		}
		return nil, err
	}
	data, err := io.ReadAll(f)
	f.Close()
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

// resolve folds the journal's lines into done applies, oldest first: a
// pending line is replaced by its completion or dropped when abandoned.
// A pending line left unresolved (a crash right after the rename, and no
// apply since) counts as done when current, the environment's
// fingerprint now, is its result; pass "" to leave it out.
func resolve(lines []JournalEntry, current string) (done []JournalEntry, pending []JournalEntry) {
	open := map[string]int{} // undo name → index in done of a pending line
	for _, e := range lines {
		switch e.State {
		case statePending:
			open[e.Undo] = len(done)
			done = append(done, e)
		case stateAbandoned:
			if i, ok := open[e.Undo]; ok {
				done[i].State = stateAbandoned
				delete(open, e.Undo)
			}
		default:
			if i, ok := open[e.Undo]; ok {
				done[i] = e
				delete(open, e.Undo)
				continue
			}
			done = append(done, e)
		}
	}
	out := done[:0]
	for _, e := range done {
		switch {
		case e.State == "":
			out = append(out, e)
		case e.State == statePending:
			pending = append(pending, e)
			if current != "" && e.After == current {
				e.State = ""
				out = append(out, e)
			}
		}
	}
	return out, pending
}

// recoverJournal settles the pending lines a killed apply left, under
// the lock, given the environment's fingerprint now: the last one is
// completed when the environment is its result; the others are marked
// abandoned.
func recoverJournal(path, current string) error {
	lines, err := readJournal(path)
	if err != nil {
		return err
	}
	_, pending := resolve(lines, "")
	for i, e := range pending {
		if i == len(pending)-1 && e.After == current {
			e.State = ""
		} else {
			e.State = stateAbandoned
		}
		if _, err := appendJournal(path, &e); err != nil {
			return err
		}
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
// the file it links to): every apply that happened, oldest first. An
// environment never applied to has an empty history. A last line torn by
// a crash is skipped; any other bad line is an error naming its line
// number. A history folder or journal that is a symbolic link or
// writable by others is refused.
func History(envPath string) ([]JournalEntry, error) {
	if real, err := filepath.EvalSymlinks(envPath); err == nil {
		envPath = real
	}
	hist := Dir(envPath)
	if err := checkHistoryDir(hist); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	lines, err := readJournal(filepath.Join(hist, journalName))
	if err != nil {
		return nil, err
	}
	current := ""
	for _, e := range lines {
		if e.State == statePending {
			// Only a crash right after the rename leaves one: the file's
			// bytes, canonical as an apply writes them, say whether it
			// happened.
			current, _ = artifacts.FileDigest(envPath)
			break
		}
	}
	out, _ := resolve(lines, current)
	return out, nil
}

func isLastLine(data []byte, n int) bool {
	return bytes.Count(data, []byte{'\n'}) == n-1
}

func isTruncatedJSON(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }
