package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/audit"
)

// How the console keeps its memory and disk bounded:
//
//   - The environment is loaded once and shared by every request; it is
//     loaded again only when its file changes (another file, size or
//     modification time), and one load at a time. Its fingerprint, access
//     index and audit are computed once per load.
//   - Requests that read the environment or a workbook run at most
//     Options.Workers at a time; up to Options.Queue more wait, for
//     Options.QueueWait at most. Any other is answered at once with 503
//     and Retry-After, its body read and thrown away, never stored. An
//     admitted upload is received before it waits for a worker, so that a
//     slow client holds none.
//   - Uploads waiting for Apply are evicted, files and all, after
//     Options.PlanTTL and beyond Options.MaxPending; Close removes the
//     rest, and an upload that ends after Close is removed then.

// loaded is one load of the environment file; it is never changed, so
// requests share it.
type loaded struct {
	env *artifacts.Environment

	fpOnce sync.Once
	fp     string

	ixOnce sync.Once
	ix     *access.Index

	auditOnce sync.Once
	audit     *audit.Report
}

// fingerprint is artifacts.Fingerprint of the environment.
func (l *loaded) fingerprint() string {
	l.fpOnce.Do(func() { l.fp, _ = artifacts.Fingerprint(l.env) })
	return l.fp
}

// index is the environment's access index (safe for concurrent use).
func (l *loaded) index() *access.Index {
	l.ixOnce.Do(func() { l.ix = access.New(l.env) })
	return l.ix
}

// report is the environment's audit.
func (l *loaded) report() *audit.Report {
	l.auditOnce.Do(func() { l.audit = audit.Run(l.env, l.index()) })
	return l.audit
}

// envCache holds the last load of the environment file and the file's
// identity when it was loaded.
type envCache struct {
	path string

	mu    sync.Mutex // held while loading, so that concurrent requests load once
	st    os.FileInfo
	last  *loaded
	loads int // how many times the file was loaded

	nameMu   sync.Mutex
	lastName string // the environment's name, for page headers
}

// sameFile reports whether a and b describe the same, unchanged file: an
// apply replaces the file by rename (another file), an edit in place
// changes its modification time or size.
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// get returns the environment, loading it again only when the file
// changed since the last load.
func (c *envCache) get() (*loaded, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := os.Stat(c.path)
	if err == nil && c.last != nil && sameFile(st, c.st) {
		return c.last, nil
	}
	// Drop the old copy first, so that two are never held at once.
	c.last, c.st = nil, nil
	c.loads++
	env, err := artifacts.Load(c.path)
	if err != nil {
		return nil, err
	}
	// Stat was taken before the load: if the file changed in between, the
	// next request sees another identity and loads again.
	c.last, c.st = &loaded{env: env}, st
	c.nameMu.Lock()
	c.lastName = env.Name
	c.nameMu.Unlock()
	return c.last, nil
}

// name is the name of the environment last loaded, without loading it.
func (c *envCache) name() string {
	c.nameMu.Lock()
	defer c.nameMu.Unlock()
	return c.lastName
}

// gate admits at most workers requests at once and queue more waiting.
type gate struct {
	admitted chan struct{} // working or waiting: cap workers+queue
	working  chan struct{} // cap workers
	wait     time.Duration
}

func newGate(workers, queue int, wait time.Duration) *gate {
	return &gate{admitted: make(chan struct{}, workers+queue), working: make(chan struct{}, workers), wait: wait}
}

var errBusy = errors.New("busy")

// admit takes a place among the requests working or waiting; it fails at
// once when there is none.
func (g *gate) admit() (leave func(), err error) {
	select {
	case g.admitted <- struct{}{}:
		return func() { <-g.admitted }, nil
	default:
		return nil, errBusy
	}
}

// work waits for a worker (the request must be admitted); it fails after
// the wait, or when the request is cancelled.
func (g *gate) work(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.working <- struct{}{}:
		return func() { <-g.working }, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// enter admits a request and waits for a worker.
func (g *gate) enter(ctx context.Context) (release func(), err error) {
	leave, err := g.admit()
	if err != nil {
		return nil, err
	}
	done, err := g.work(ctx)
	if err != nil {
		leave()
		return nil, err
	}
	return func() { done(); leave() }, nil
}

// retryAfter is the Retry-After of a busy answer, in seconds.
const retryAfter = 5

// heavy runs h once a worker is free, or answers 503 with Retry-After.
func (s *Server) heavy(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		release, err := s.gate.enter(r.Context())
		if err != nil {
			s.busy(w, r)
			return
		}
		defer release()
		h(w, r)
	}
}

// admitted runs h, an upload, once admitted, or answers 503 with
// Retry-After. The upload is received without a worker (so a slow client
// holds none) and h takes one to plan it (see receive).
func (s *Server) admitted(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		leave, err := s.gate.admit()
		if err != nil {
			s.busy(w, r)
			return
		}
		defer leave()
		h(w, r)
	}
}

func (s *Server) busyMessage() string {
	return fmt.Sprintf("the console is busy with %d other requests; try again in %d seconds", cap(s.gate.admitted), retryAfter)
}

// busy answers a request the console has no room for. Its body is read
// and thrown away first (up to the upload limit), so that the client,
// still sending, gets the answer rather than a reset connection.
func (s *Server) busy(w http.ResponseWriter, r *http.Request) {
	io.CopyN(io.Discard, r.Body, s.opt.MaxUpload+1)
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	w.Header().Set("Connection", "close")
	msg := s.busyMessage()
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		jsonError(w, http.StatusServiceUnavailable, errors.New(msg))
	case r.URL.Path == "/import":
		s.render(w, r, http.StatusServiceUnavailable, "import", "Import", nil, msg)
	default:
		s.render(w, r, http.StatusServiceUnavailable, "error", "Busy", nil, msg)
	}
}
