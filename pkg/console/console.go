// Package console is secmgr's code-free web console, served by
// `secmgr serve`: the four functional areas of BDA Security Manager —
// artifact selection, wildcard filters, export, import — plus the plan
// review, history and undo, explain and audit that only secmgr has, in a
// browser, and a JSON API that mirrors the command line for automation.
//
// Everything goes through the same packages as the command line:
// export.WriteWorkbook and export.Rows, actions.PlanWorkbook (or review.Plan for a
// reviewed access review), actions.SecretsFor and history.ApplyFile with
// its lock, stale check, backup, journal and undo plan, access and audit.
// There is no second implementation of planning or applying here.
//
//	srv, err := console.New(console.Options{EnvPath: "prod.json"})
//	if err != nil { … }
//	defer srv.Close()
//	http.ListenAndServe("127.0.0.1:8437", srv.Handler())
//
// # Routes
//
//	GET  /                  overview: environment, rows per tab, audit summary, last applies
//	GET  /export            areas, wildcard filters, a live count of matching rows
//	GET  /export/download   the workbook, as SecurityExtract.HHMMSS.xlsx
//	GET  /import            the upload form
//	POST /import            upload a workbook: its findings and its plan
//	GET  /import/annotated  the uploaded workbook with each finding marked on its cell
//	POST /apply             apply the plan shown (by id; its fingerprint travels with the form)
//	GET  /history           the journal, an Undo… per apply
//	GET  /undo              an undo plan, shown before it is applied
//	POST /undo              apply it
//	GET  /explain           a user's effective access or a group's members and uses
//	GET  /audit             findings by severity with rule IDs and what to do
//	GET  /api/export        ?areas=…&user=…&group=…&artifact=…: the workbook
//	GET  /api/count         the same query: {"rows": N}
//	POST /api/plan          multipart field "workbook": the plan JSON (secmgr plan --format json)
//	POST /api/apply         a plan JSON as /api/plan or /api/undo returned it
//	GET  /api/history       the journal as a JSON array
//	GET  /api/undo          ?file=undo-….plan.json: that undo plan
//	GET  /api/explain       ?user=… or ?group=…: secmgr explain --format json
//	GET  /api/audit         secmgr audit --format json
//
// API status codes follow the command line's exit codes: 200 no changes
// or applied, 422 a plan with errors, 409 stale (or locked), 400 a bad
// request, 413 an upload over the limit; 503 with Retry-After when the
// console is busy.
//
// # Security
//
// See security.go: the access token, the Host and Origin checks, CSRF
// tokens, the API header, upload bounds. No page or response holds a
// password value: plans are masked, and passwords are read at apply time
// from the uploaded workbook (kept in a private folder until its plan is
// applied or evicted) or, for an undo, from the backup.
//
// # Bounds
//
// See bounds.go: the environment is loaded once and reloaded only when
// its file changes; requests that read the environment or a workbook
// run a few at a time (Options.Workers), a few more wait
// (Options.Queue), and the rest are answered 503 at once; uploads
// waiting for Apply are evicted after Options.PlanTTL and beyond
// Options.MaxPending, with their files.
package console

import (
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

//go:embed templates/*.html static/*
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"line":    plans.ChangeLine,
	"symbol":  func(o plans.Op) string { return o.Symbol() },
	"lower":   strings.ToLower,
	"has":     slices.Contains[[]string],
	"summary": plans.SummaryLine,
	"where": func(f validate.Finding) string {
		switch {
		case f.Cell != "":
			return f.Cell
		case f.Tab != "" && f.Row > 0:
			return fmt.Sprintf("%s row %d", f.Tab, f.Row)
		}
		return f.Tab
	},
	"navs": func() [][3]string {
		return [][3]string{{"overview", "/", "Overview"}, {"export", "/export", "Export"}, {"import", "/import", "Import"}, {"reconcile", "/reconcile", "Reconcile"},
			{"history", "/history", "History"}, {"explain", "/explain", "Explain"}, {"audit", "/audit", "Audit"}}
	},
}).ParseFS(assets, "templates/*.html"))

// Options configure a console.
type Options struct {
	EnvPath   string           // the environment file
	Token     string           // when set, every request must carry it
	Hosts     []string         // Host names (or host:port) answered besides localhost and loopback addresses
	MaxUpload int64            // largest request body accepted; default 64 MiB
	PlanTTL   time.Duration    // how long an unapplied plan and its upload are kept; default 1 hour
	Now       func() time.Time // clock for export names and plan expiry; default time.Now

	MaxPending int           // plans (with their uploads) kept for Apply; the oldest goes first; default 8
	Workers    int           // requests doing heavy work at once; default the number of CPUs
	Queue      int           // requests waiting for a worker; beyond it 503; default 4 × Workers
	QueueWait  time.Duration // longest wait for a worker before 503; default 20 s
}

// Server serves the console for one environment file.
type Server struct {
	opt     Options
	uploads string // private folder (0700) of uploaded workbooks
	secret  []byte // signs CSRF tokens; new for every server
	gate    *gate  // bounds the heavy requests
	env     envCache

	mu     sync.Mutex
	plans  map[string]*pending
	closed bool

	stop      chan struct{} // ends the sweeper
	closeOnce sync.Once
}

// pending is a plan shown on the Import page, waiting for Apply.
type pending struct {
	plan    *plans.Plan
	upload  string // the uploaded workbook (passwords are read from it at apply)
	name    string // the name it was uploaded under
	created time.Time
	digest  string // of the plan's JSON, to know it when the API applies it

	annotateMu sync.Mutex // one annotation at a time
	annotated  string     // the annotated copy, once made (under Server.mu); removed with the upload
}

// New returns a console for opt.EnvPath. Close removes its uploads.
func New(opt Options) (*Server, error) {
	if opt.EnvPath == "" {
		return nil, errors.New("no environment file: give --env FILE or set SECMGR_ENV")
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = 64 << 20
	}
	if opt.PlanTTL <= 0 {
		opt.PlanTTL = time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxPending <= 0 {
		opt.MaxPending = 8
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Queue <= 0 {
		opt.Queue = 4 * opt.Workers
	}
	if opt.QueueWait <= 0 {
		opt.QueueWait = 20 * time.Second
	}
	s := &Server{opt: opt, plans: map[string]*pending{}, stop: make(chan struct{}), gate: newGate(opt.Workers, opt.Queue, opt.QueueWait)}
	s.env.path = opt.EnvPath
	if _, err := s.env.get(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "secmgr-console-")
	if err != nil {
		return nil, fmt.Errorf("cannot make a folder for uploads: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot make the upload folder %s private: %w", dir, err)
	}
	s.uploads = dir
	s.secret = make([]byte, 32)
	rand.Read(s.secret)
	go s.sweeper()
	return s, nil
}

// Close removes the uploaded workbooks and everything else the console
// wrote; an upload still being received is removed when it ends. The
// server must not be used afterwards.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		s.mu.Lock()
		s.closed = true
		for k := range s.plans {
			s.dropLocked(k)
		}
		s.mu.Unlock()
		err = os.RemoveAll(s.uploads)
	})
	return err
}

// sweeper drops expired plans and their uploads, so that an upload is not
// kept long after PlanTTL even when no one uses the console.
func (s *Server) sweeper() {
	tick := time.NewTicker(min(time.Minute, max(s.opt.PlanTTL/4, time.Second)))
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.mu.Lock()
			s.sweepLocked()
			s.mu.Unlock()
		}
	}
}

func (s *Server) sweepLocked() {
	now := s.opt.Now()
	for k, q := range s.plans {
		if now.Sub(q.created) > s.opt.PlanTTL {
			s.dropLocked(k)
		}
	}
}

// Handler returns the console's routes behind its security checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(assets))
	mux.HandleFunc("GET /import", s.importPage)
	mux.HandleFunc("POST /import", s.admitted(s.importUpload))
	mux.HandleFunc("POST /api/plan", s.admitted(s.apiPlan))
	mux.HandleFunc("POST /reconcile", s.admitted(s.reconcileForm)) // reconcile.go
	mux.HandleFunc("POST /api/reconcile", s.admitted(s.apiReconcile))
	// The rest reads the environment or a workbook: a few at a time.
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /{$}":                s.overview,
		"GET /export":             s.exportPage,
		"GET /export/download":    s.exportDownload,
		"GET /import/annotated":   s.annotated,
		"POST /apply":             s.applyForm,
		"GET /history":            s.historyPage,
		"GET /undo":               s.undoPage,
		"POST /undo":              s.undoApply,
		"GET /explain":            s.explainPage,
		"GET /audit":              s.auditPage,
		"GET /api/export":         s.exportDownload,
		"GET /api/count":          s.apiCount,
		"POST /api/apply":         s.apiApply,
		"GET /api/history":        s.apiHistory,
		"GET /api/undo":           s.apiUndo,
		"GET /api/explain":        s.apiExplain,
		"GET /api/audit":          s.apiAudit,
		"GET /reconcile":          s.reconcilePage,
		"GET /reconcile/workbook": s.reconcileWorkbook,
	} {
		mux.HandleFunc(pattern, s.heavy(h))
	}
	return s.secure(mux)
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// keep stores a plan for Apply under a new id, dropping expired plans
// (and the oldest beyond MaxPending) with their uploads. After Close it
// keeps nothing and removes the upload.
func (s *Server) keep(p *pending) string {
	id := randomID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		os.Remove(p.upload)
		return id
	}
	s.sweepLocked()
	for len(s.plans) >= s.opt.MaxPending {
		oldest := ""
		for k, q := range s.plans {
			if oldest == "" || q.created.Before(s.plans[oldest].created) {
				oldest = k
			}
		}
		s.dropLocked(oldest)
	}
	s.plans[id] = p
	return id
}

func (s *Server) dropLocked(id string) {
	if q, ok := s.plans[id]; ok {
		os.Remove(q.upload)
		if q.annotated != "" {
			os.Remove(q.annotated)
			q.annotated = ""
		}
		delete(s.plans, id)
	}
}

// pendingPlan returns the plan kept under id, unless it expired.
func (s *Server) pendingPlan(id string) (*pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[id]
	if ok && s.opt.Now().Sub(p.created) > s.opt.PlanTTL {
		s.dropLocked(id)
		return nil, false
	}
	return p, ok
}

// forget drops the plan kept under id, or those with the digest.
func (s *Server) forget(id, digest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, q := range s.plans {
		if k == id || (digest != "" && q.digest == digest) {
			s.dropLocked(k)
		}
	}
}

// planDigest identifies a plan by its JSON, as /api/plan sends it.
func planDigest(p *plans.Plan) string {
	b, err := plans.MarshalPlan(p)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// page is what every template gets.
type page struct {
	Title, Nav string
	CSRF       string
	Env        string
	Error      string
	Data       any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, errMsg string) {
	p := page{Title: title, Nav: name, CSRF: s.csrfToken(w, r), Error: errMsg, Data: data, Env: s.env.name()}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name+".html", p); err != nil {
		fmt.Fprintf(w, "<p>cannot show the page: %s</p>", template.HTMLEscapeString(err.Error()))
	}
}

// hideUploads replaces the private upload paths in a message by the names
// the files were uploaded under.
func (s *Server) hideUploads(msg, path, name string) string {
	if path != "" {
		msg = strings.ReplaceAll(msg, path, name)
	}
	return strings.ReplaceAll(msg, s.uploads+string(filepath.Separator), "")
}
