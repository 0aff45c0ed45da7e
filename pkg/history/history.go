// Package history applies a plan to an environment file safely and keeps
// the record of every apply.
//
// Beside an environment file X.json, ApplyFile keeps the folder X.history/
// (mode 0700) holding
//
//	lock                                the lock every apply holds
//	backup-20261122T215800.123456789Z.json       X.json before that apply
//	undo-20261122T215800.123456789Z.plan.json    the plan that restores it
//	journal.jsonl                       one JSON line per apply
//
// Every file there, and X.json itself, is created readable by its owner
// only. The names carry the UTC time of the apply with nanoseconds at a
// fixed width, so they sort in apply order; two applies never share a
// name.
//
// # Locking
//
// An apply holds an exclusive OS lock (flock) on X.history/lock from
// before it reads X.json until it is done. The kernel drops the lock when
// the process ends however it ends, so a killed apply never leaves a lock
// behind, and the lock file itself is never removed (removing it would
// let two processes lock two different files). The plan's fingerprint is
// checked under the lock: of two applies of plans made against the same
// state, one applies and the other is refused as stale — no update is
// lost.
//
// # Crash safety
//
// ApplyFile computes everything in memory first (the new environment, the
// undo plan, and a check that the undo plan restores the old environment
// exactly), then writes in this order; what a crash at each step leaves:
//
//  1. the backup (atomically: temporary file, fsync, rename). A crash
//     leaves X.json as it was, at most with a stray hidden temporary file
//     or an unused backup in X.history/.
//  2. the undo plan (atomically). A crash leaves X.json as it was and an
//     unused backup and undo plan; the undo plan names the state the
//     apply would have produced, so applying it is refused as stale.
//  3. a "pending" journal line naming the apply (one write, fsynced). A
//     crash leaves X.json as it was and the pending line, which the next
//     apply marks abandoned. If it cannot be written, nothing is applied.
//  4. X.json (atomically, as artifacts.Save does). A crash before the rename
//     leaves the old X.json (and a hidden temporary file beside it); after
//     it, the new one. X.json is always whole: old or new, never a mix.
//  5. the journal line of the done apply. A crash before it leaves the
//     pending line: History shows the apply when X.json is its result, and
//     the next apply completes the line.
//
// So the history shows every apply that happened, with its undo plan.
// Nothing left behind blocks the next apply: temporary files have
// unique names (the next apply removes those in X.history/), and the lock
// died with the process. When a step before 4 fails (a read-only folder,
// a full disk) the files and the journal line already written are
// removed and X.json is untouched. When step 5 fails the apply has
// happened; Result.Warnings says the journal could not be completed.
//
// # Safety of the folder
//
// The history folder and its files are refused when they are symbolic
// links or writable by other users; files in it are opened without
// following links.
package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// Options tune ApplyFile. The zero value fails at once on a lock, uses the
// system clock and the operating-system user.
type Options struct {
	// Wait is how long to wait for another apply's lock; 0 fails at once.
	Wait time.Duration
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// User is the operating-system user recorded in the journal; default
	// the current user.
	User string
}

// Result says what ApplyFile did. For an empty plan only Before and After
// (equal) are set: nothing was written.
type Result struct {
	Before, After string // fingerprints of the environment before and after
	Backup, Undo  string // paths of the backup and the undo plan
	Counts        plans.Summary
	Journal       string // path of the journal
	// Warnings are problems met after the environment was replaced (the
	// journal could not be written): the apply has happened.
	Warnings []string
}

// Applied reports whether ApplyFile changed the environment file.
func (r *Result) Applied() bool { return r != nil && r.Backup != "" }

// Errors ApplyFile wraps, for errors.Is.
var (
	// ErrLocked: another apply holds the lock.
	ErrLocked = errors.New("the environment is locked")
	// ErrNotApplicable: the plan has errors.
	ErrNotApplicable = errors.New("the plan is not applicable")
)

// Stamp is the layout of the time in backup and undo file names: UTC,
// fixed width, nanoseconds, so names sort in time order.
const Stamp = "20060102T150405.000000000Z"

const (
	lockName    = "lock"
	journalName = "journal.jsonl"
)

// Dir returns the history folder of an environment file: X.history for
// X.json (for a name without .json, the name and .history).
func Dir(envPath string) string {
	base := envPath
	if ext := filepath.Ext(base); strings.EqualFold(ext, ".json") {
		base = strings.TrimSuffix(base, ext)
	}
	return base + ".history"
}

// BackupName and UndoName are the file names, inside the history folder,
// of the backup and undo plan of the apply made at t.
func BackupName(t time.Time) string { return "backup-" + t.UTC().Format(Stamp) + ".json" }
func UndoName(t time.Time) string   { return "undo-" + t.UTC().Format(Stamp) + ".plan.json" }

// Hooks for tests that simulate a full disk at each step.
var (
	writeAtomic = artifacts.WriteFileAtomic
	saveEnv     = artifacts.WriteFileAtomic // the environment's canonical bytes
	openJournal = func(path string) (*os.File, error) {
		return openPrivate(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	}
)

// ApplyFile applies p to the environment file at envPath: under an
// exclusive lock it checks p's fingerprint against the file (stale: an
// error, nothing written), applies p in memory, writes the backup and the
// undo plan into the history folder, replaces the file atomically and
// appends a line to the journal. See the package documentation for the
// order of writes and what a crash leaves. secrets supplies password
// values (see actions.SecretsFor); it may be nil for a plan that sets none.
func ApplyFile(envPath string, p *plans.Plan, secrets actions.SecretSource, opt Options) (*Result, error) {
	if p == nil {
		return nil, errors.New("no plan to apply")
	}
	if p.Format != plans.PlanFormat {
		return nil, fmt.Errorf("%w: it has format %q, not %q", ErrNotApplicable, p.Format, plans.PlanFormat)
	}
	if n := p.Findings.Errors(); !p.Applicable || n > 0 {
		return nil, fmt.Errorf("%w: it has %d error(s); fix them and plan again — nothing was applied", ErrNotApplicable, n)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if secrets == nil {
		secrets = actions.NoSecrets{}
	}
	if p.Empty() {
		// Nothing will be written, so no lock and no history folder; a
		// stale empty plan is still refused, since the workbook it came
		// from may no longer match.
		_, fp, err := load(envPath)
		if err != nil {
			return nil, err
		}
		if err := checkFresh(envPath, p, fp); err != nil {
			return nil, err
		}
		return &Result{Before: fp, After: fp}, nil
	}

	// A symbolic link is followed: the history, the lock and the file
	// replaced are those of the file it points to, so two paths to one
	// file share one lock.
	target := envPath
	if real, err := filepath.EvalSymlinks(envPath); err == nil {
		target = real
	}
	hist := Dir(target)
	if err := makeDir(hist, envPath); err != nil {
		return nil, err
	}
	lock, err := acquireLock(filepath.Join(hist, lockName), opt.Wait)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("another secmgr apply is running on %s: %w", envPath, ErrLocked)
		}
		return nil, fmt.Errorf("cannot lock %s: %w — nothing was applied", envPath, err)
	}
	defer lock.release()
	removeStrayTemps(hist, target)

	before, err := artifacts.Load(envPath)
	if err != nil {
		return nil, err
	}
	// The canonical bytes are the backup, and their hash the fingerprint.
	backupBytes, err := artifacts.Marshal(before)
	if err != nil {
		return nil, fmt.Errorf("environment file %s: %w", envPath, err)
	}
	beforeFP := artifacts.Digest(backupBytes)
	// Settle what a killed apply left in the journal before anything else.
	if err := recoverJournal(filepath.Join(hist, journalName), beforeFP); err != nil {
		return nil, fmt.Errorf("cannot apply the plan to %s: %w — nothing was applied", envPath, err)
	}
	if err := checkFresh(envPath, p, beforeFP); err != nil {
		return nil, err
	}

	after, err := actions.Apply(before, p, secrets) // before is not changed
	if err != nil {
		return nil, fmt.Errorf("cannot apply the plan to %s: %w — nothing was applied", envPath, err)
	}
	afterBytes, err := artifacts.Marshal(after)
	if err != nil {
		return nil, fmt.Errorf("cannot apply the plan to %s: %w — nothing was applied", envPath, err)
	}
	afterFP := artifacts.Digest(afterBytes)
	t, err := freeStamp(hist, opt.Now())
	if err != nil {
		return nil, err
	}
	undo, err := undoPlan(before, after, p, afterFP, beforeFP, BackupName(t))
	if err != nil {
		return nil, fmt.Errorf("cannot apply the plan to %s: %w — nothing was applied", envPath, err)
	}
	planBytes, err := plans.MarshalPlan(p)
	if err != nil {
		return nil, err
	}
	undoBytes, err := plans.MarshalPlan(undo)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Before:  beforeFP,
		After:   afterFP,
		Backup:  filepath.Join(hist, BackupName(t)),
		Undo:    filepath.Join(hist, UndoName(t)),
		Counts:  plans.Tally(p.Changes, p.Findings),
		Journal: filepath.Join(hist, journalName),
	}

	// 1 and 2: backup and undo plan. On failure remove what was written:
	// X.json is untouched.
	written := []string{}
	undoWrites := func() {
		for _, f := range written {
			os.Remove(f)
		}
	}
	if err := writeAtomic(res.Backup, writeBytes(backupBytes)); err != nil {
		return nil, fmt.Errorf("cannot keep a backup of %s: %w — nothing was applied", envPath, writeProblem(res.Backup, err))
	}
	written = append(written, res.Backup)
	if err := writeAtomic(res.Undo, writeBytes(undoBytes)); err != nil {
		undoWrites()
		return nil, fmt.Errorf("cannot write the undo plan of %s: %w — nothing was applied", envPath, writeProblem(res.Undo, err))
	}
	written = append(written, res.Undo)

	// 3: a pending journal line, so that the history shows this apply
	// even if the process dies right after the rename. If it cannot be
	// written, nothing is applied.
	entry := JournalEntry{
		Time:   t,
		User:   currentUser(opt.User),
		Plan:   artifacts.Digest(planBytes),
		Source: p.Source,
		Before: beforeFP,
		After:  afterFP,
		Backup: filepath.Base(res.Backup),
		Undo:   filepath.Base(res.Undo),
		Add:    res.Counts.Add, Edit: res.Counts.Edit, Rename: res.Counts.Rename, Remove: res.Counts.Remove,
		Review: p.Review,
		State:  statePending,
	}
	size, err := appendJournal(res.Journal, &entry)
	if err != nil {
		undoWrites()
		return nil, fmt.Errorf("cannot write the journal %s: %w — nothing was applied", res.Journal, err)
	}

	// 4: the environment.
	if err := saveEnv(target, writeBytes(afterBytes)); err != nil {
		undoWrites()
		if !dropLine(res.Journal, size) {
			entry.State = stateAbandoned
			appendJournal(res.Journal, &entry) // else the next apply marks it
		}
		return nil, fmt.Errorf("cannot replace %s: %w — nothing was applied", envPath, writeProblem(target, err))
	}

	// 5: the journal line of the done apply. A failure here is a warning:
	// the apply has happened, and the pending line shows it.
	entry.State = ""
	if _, err := appendJournal(res.Journal, &entry); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s was changed, but its journal %s could not be completed: %v; the next apply completes it", envPath, res.Journal, err))
	}
	return res, nil
}

// load reads the environment file and its fingerprint.
func load(envPath string) (*artifacts.Environment, string, error) {
	env, err := artifacts.Load(envPath)
	if err != nil {
		return nil, "", err
	}
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return nil, "", fmt.Errorf("environment file %s: %w", envPath, err)
	}
	return env, fp, nil
}

func checkFresh(envPath string, p *plans.Plan, fp string) error {
	if p.Environment.Fingerprint == fp {
		return nil
	}
	return fmt.Errorf("%w: it was made against another state of %s (plan %s, file now %s); plan again — nothing was applied",
		actions.ErrStale, envPath, short(p.Environment.Fingerprint), short(fp))
}

// short abbreviates a fingerprint for messages.
func short(fp string) string {
	if len(fp) > len("sha256:")+12 {
		return fp[:len("sha256:")+12] + "…"
	}
	if fp == "" {
		return "(none)"
	}
	return fp
}

// undoPlan returns the plan that takes after back to before, checked in
// memory: applied to after, it must give before's exact bytes. Its
// passwords are read from the backup, named relative to the undo plan's
// own folder (both live in the history folder). The renames of the applied
// plan p are undone as renames back.
func undoPlan(before, after *artifacts.Environment, p *plans.Plan, afterFP, backupFP, backupName string) (*plans.Plan, error) {
	changes, missing := actions.Undo(before, after, p)
	if len(missing) > 0 {
		return nil, fmt.Errorf("no undo plan can restore the current state (%d artifact(s) could not be put back)", len(missing))
	}
	undo := &plans.Plan{
		Format:      plans.PlanFormat,
		Environment: plans.EnvironmentRef{Name: after.Name, Fingerprint: afterFP},
		Source:      backupName,
		Secrets:     &plans.SourceRef{Path: backupName, Fingerprint: backupFP},
		Changes:     changes,
	}
	undo.Summarize()
	restored, err := actions.Apply(after, undo, actions.EnvironmentSecrets(before, undo))
	if err != nil {
		return nil, fmt.Errorf("the undo plan does not apply: %w", err)
	}
	fp, err := artifacts.Fingerprint(restored)
	if err != nil {
		return nil, err
	}
	if fp != backupFP {
		return nil, errors.New("the undo plan would not restore the current state exactly")
	}
	return undo, nil
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// writeProblem says why writing path failed, without repeating the path
// our message names already: a folder we may not write to, or the cause
// WriteFileAtomic wrapped.
func writeProblem(path string, err error) error {
	dir := filepath.Dir(path)
	if !canWrite(dir) {
		return fmt.Errorf("the folder %s is not writable (permission denied, or a read-only disk)", dir)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return describe(pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return describe(le.Err)
	}
	if isNoSpace(err) {
		return describe(err)
	}
	return err
}

func describe(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied (is the folder read-only?)")
	case isNoSpace(err):
		return errors.New("no space left on the disk")
	}
	return err
}

// makeDir creates the history folder, owner-only.
func makeDir(hist, envPath string) error {
	err := checkHistoryDir(hist)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cannot keep the history of %s in %s: %v", envPath, hist, describe(pe.Err))
		}
		return fmt.Errorf("cannot keep the history of %s: %w — nothing was applied", envPath, err)
	}
	if _, err := os.Stat(envPath); err != nil {
		// Report a missing environment before failing to make its history.
		_, err := artifacts.Load(envPath)
		return err
	}
	if err := os.Mkdir(hist, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot create the history folder %s for %s: %v — nothing was applied", hist, envPath, describe(err))
	}
	syncDir(filepath.Dir(hist))
	// Another process may have made it first: hold it to the same rules.
	if err := checkHistoryDir(hist); err != nil {
		return fmt.Errorf("cannot keep the history of %s: %w — nothing was applied", envPath, err)
	}
	return nil
}

// staleTempAge is how old a temporary file beside the environment must be
// before an apply removes it: other commands (init, snapshot) write the
// environment without the lock, and one of them may be writing now.
const staleTempAge = time.Hour

// removeStrayTemps deletes the temporary files killed applies left: all of
// them in the history folder, where only applies write and we hold the
// lock, and those of the environment file once they are old.
func removeStrayTemps(hist, envPath string) {
	isTemp := func(name, base string) bool {
		return strings.HasPrefix(name, "."+base+".tmp-")
	}
	if ents, err := os.ReadDir(hist); err == nil {
		for _, e := range ents {
			if n := e.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") && e.Type().IsRegular() {
				os.Remove(filepath.Join(hist, n))
			}
		}
	}
	dir, base := filepath.Split(envPath)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".tmp-*"))
	for _, m := range matches {
		st, err := os.Lstat(m)
		if err == nil && st.Mode().IsRegular() && isTemp(filepath.Base(m), base) && time.Since(st.ModTime()) > staleTempAge {
			os.Remove(m)
		}
	}
}

// globEscape quotes the pattern characters of a file name.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// freeStamp returns the time to name this apply's files: now, moved past
// the newest existing backup or undo plan (so names sort in apply order
// even if the clock went back) and past any name already taken.
func freeStamp(hist string, now time.Time) (time.Time, error) {
	t := now.UTC()
	ents, err := os.ReadDir(hist)
	if err != nil {
		return t, fmt.Errorf("cannot read the history folder %s: %v", hist, describe(err))
	}
	for _, e := range ents {
		if last, ok := parseStamp(e.Name()); ok && !t.After(last) {
			t = last.Add(time.Nanosecond)
		}
	}
	for {
		_, err1 := os.Lstat(filepath.Join(hist, BackupName(t)))
		_, err2 := os.Lstat(filepath.Join(hist, UndoName(t)))
		if errors.Is(err1, fs.ErrNotExist) && errors.Is(err2, fs.ErrNotExist) {
			return t, nil
		}
		t = t.Add(time.Nanosecond)
	}
}

// parseStamp reads the time from a backup or undo file name.
func parseStamp(name string) (time.Time, bool) {
	var s string
	switch {
	case strings.HasPrefix(name, "backup-") && strings.HasSuffix(name, ".json"):
		s = strings.TrimSuffix(strings.TrimPrefix(name, "backup-"), ".json")
	case strings.HasPrefix(name, "undo-") && strings.HasSuffix(name, ".plan.json"):
		s = strings.TrimSuffix(strings.TrimPrefix(name, "undo-"), ".plan.json")
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(Stamp, s)
	return t, err == nil
}

func currentUser(name string) string {
	if name != "" {
		return name
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
