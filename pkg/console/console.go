// Package console is secmgr's code-free web console, served by
// `secmgr serve`: the four functional areas of BDA Security Manager —
// artifact selection, wildcard filters, export, import — plus the plan
// review, history and undo, explain and audit that only secmgr has, in a
// browser. Everything goes through the same packages as the command line:
// export.Write, actions.PlanWorkbook (or review.Plan), history.ApplyFile
// with its lock, stale check, backup, journal and undo plan.
//
//	srv, err := console.New(console.Options{EnvPath: "prod.json"})
//	if err != nil { … }
//	defer srv.Close()
//	http.ListenAndServe("127.0.0.1:8437", srv.Handler())
//
// Security: forms carry a CSRF token (double-submit cookie, SameSite
// Strict); API POSTs need the header X-Secmgr-Request: 1 (which a
// cross-site form cannot send) or the bearer token; with Options.Token set
// every request must carry it (Authorization: Bearer, or the cookie set
// by opening /?token=…). Uploads are bounded; no page or response ever
// holds a password value (plans are masked).
package console

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"secmgr/pkg/access"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/audit"
	"secmgr/pkg/export"
	"secmgr/pkg/history"
	"secmgr/pkg/review"
	"secmgr/pkg/workbook"
)

//go:embed templates/*.html static/*
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"line":   actions.ChangeLine,
	"symbol": func(o actions.Op) string { return o.Symbol() },
	"lower":  strings.ToLower,
	"navs": func() [][3]string {
		return [][3]string{{"overview", "/", "Overview"}, {"export", "/export", "Export"}, {"import", "/import", "Import"},
			{"history", "/history", "History"}, {"explain", "/explain", "Explain"}, {"audit", "/audit", "Audit"}}
	},
}).ParseFS(assets, "templates/*.html"))

// Options configure a console.
type Options struct {
	EnvPath   string           // the environment file
	Token     string           // when set, every request must carry it
	MaxUpload int64            // largest upload accepted; default 64 MiB
	Now       func() time.Time // clock for export names; default time.Now
}

// Server serves the console for one environment file.
type Server struct {
	opt     Options
	uploads string // private folder of uploaded workbooks

	mu    sync.Mutex
	plans map[string]*pending
}

// pending is a plan shown on the Import page, waiting for Apply.
type pending struct {
	plan   *actions.Plan
	upload string // the uploaded workbook (passwords are read from it at apply)
	name   string // the name it was uploaded under
}

// New returns a console for opt.EnvPath.
func New(opt Options) (*Server, error) {
	if opt.EnvPath == "" {
		return nil, errors.New("no environment file: give --env FILE or set SECMGR_ENV")
	}
	if _, err := artifacts.Load(opt.EnvPath); err != nil {
		return nil, err
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = 64 << 20
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dir, err := os.MkdirTemp("", "secmgr-console-")
	if err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o700)
	return &Server{opt: opt, uploads: dir, plans: map[string]*pending{}}, nil
}

// Close removes the uploaded workbooks.
func (s *Server) Close() error { return os.RemoveAll(s.uploads) }

// Handler returns the console's routes behind its security checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(assets))
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /export", s.exportPage)
	mux.HandleFunc("GET /export/download", s.exportDownload)
	mux.HandleFunc("GET /import", s.importPage)
	mux.HandleFunc("POST /import", s.importUpload)
	mux.HandleFunc("GET /import/annotated", s.annotated)
	mux.HandleFunc("POST /apply", s.applyForm)
	mux.HandleFunc("GET /history", s.historyPage)
	mux.HandleFunc("GET /undo", s.undoPage)
	mux.HandleFunc("POST /undo", s.undoApply)
	mux.HandleFunc("GET /explain", s.explainPage)
	mux.HandleFunc("GET /audit", s.auditPage)
	mux.HandleFunc("GET /api/export", s.exportDownload)
	mux.HandleFunc("GET /api/count", s.apiCount)
	mux.HandleFunc("POST /api/plan", s.apiPlan)
	mux.HandleFunc("POST /api/apply", s.apiApply)
	mux.HandleFunc("GET /api/explain", s.apiExplain)
	mux.HandleFunc("GET /api/audit", s.apiAudit)
	return s.secure(mux)
}

const (
	csrfCookie  = "secmgr_csrf"
	tokenCookie = "secmgr_token"
	apiHeader   = "X-Secmgr-Request"
)

// secure wraps every request: security headers, the access token, CSRF
// checks on state-changing requests, and the upload bound.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
		if s.opt.Token != "" {
			if t := r.URL.Query().Get("token"); t != "" && equal(t, s.opt.Token) {
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			} else if !s.authorized(r) {
				http.Error(w, "this console needs its access token: open it with ?token=… as printed by secmgr serve, or send Authorization: Bearer …", http.StatusUnauthorized)
				return
			}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
			api := strings.HasPrefix(r.URL.Path, "/api/")
			switch {
			case api && (r.Header.Get(apiHeader) == "1" || s.bearer(r)):
			case api:
				http.Error(w, "API requests must carry the header "+apiHeader+": 1 (or the bearer token)", http.StatusForbidden)
				return
			case s.tooBig(r):
				http.Error(w, fmt.Sprintf("the upload is larger than %d KiB, the most this console accepts (secmgr serve --max-upload)", s.opt.MaxUpload>>10), http.StatusRequestEntityTooLarge)
				return
			case !s.csrfOK(r):
				http.Error(w, "the form has expired or did not come from this console; reload the page and try again", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Server) bearer(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	return s.opt.Token != "" && strings.HasPrefix(a, "Bearer ") && equal(strings.TrimPrefix(a, "Bearer "), s.opt.Token)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.bearer(r) {
		return true
	}
	c, err := r.Cookie(tokenCookie)
	return err == nil && equal(c.Value, s.opt.Token)
}

// csrfToken returns the browser's CSRF token, setting the cookie first.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	t := randomID()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return t
}

// tooBig parses a form and reports whether its body passed the bound.
func (s *Server) tooBig(r *http.Request) bool {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func (s *Server) csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	form := r.FormValue("csrf")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(8 << 20); err == nil {
			form = r.FormValue("csrf")
		}
	}
	return equal(form, c.Value)
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
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
	p := page{Title: title, Nav: name, CSRF: csrfToken(w, r), Error: errMsg, Data: data}
	if env, err := artifacts.Load(s.opt.EnvPath); err == nil {
		p.Env = env.Name
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name+".html", p); err != nil {
		fmt.Fprintf(w, "<p>cannot show the page: %s</p>", template.HTMLEscapeString(err.Error()))
	}
}

func (s *Server) load(w http.ResponseWriter, r *http.Request) (*artifacts.Environment, bool) {
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		s.render(w, r, http.StatusInternalServerError, "error", "Error", nil, err.Error())
		return nil, false
	}
	return env, true
}

// Overview: the environment, its rows per tab, the audit summary and the
// last applies.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	env, ok := s.load(w, r)
	if !ok {
		return
	}
	type count struct {
		Tab  string
		Rows int
	}
	var counts []count
	for _, t := range artifacts.Tabs {
		counts = append(counts, count{t.Name, t.Len(env)})
	}
	rep := audit.Run(env, access.New(env))
	journal, _ := history.History(s.opt.EnvPath)
	if len(journal) > 10 {
		journal = journal[len(journal)-10:]
	}
	s.render(w, r, 200, "overview", "Overview", map[string]any{"Name": env.Name, "Counts": counts, "Audit": rep.Summary, "Journal": reversed(journal)}, "")
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// selection reads areas and filters from a query.
func selection(r *http.Request) (export.Selection, error) {
	q := r.URL.Query()
	areas := strings.Join(q["areas"], ",")
	tabs, err := artifacts.ParseAreas(areas)
	if err != nil {
		return export.Selection{}, err
	}
	sel := export.Selection{Tabs: tabs}
	for _, f := range []struct {
		name string
		dst  *artifacts.Filter
	}{{"user", &sel.Users}, {"group", &sel.Groups}, {"artifact", &sel.Artifacts}} {
		var pats []string
		for _, v := range q[f.name] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					pats = append(pats, p)
				}
			}
		}
		if *f.dst, err = artifacts.CompileFilter(pats); err != nil {
			return sel, err
		}
	}
	return sel, nil
}

func countRows(env *artifacts.Environment, sel export.Selection) int {
	n := 0
	for _, id := range sel.Tabs {
		export.Rows(env, artifacts.Tabs[id], sel, func([]string) error { n++; return nil })
	}
	return n
}

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) {
	env, ok := s.load(w, r)
	if !ok {
		return
	}
	sel, err := selection(r)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.render(w, r, 200, "export", "Export", map[string]any{"Areas": artifacts.AreaNames(), "Rows": countRows(env, sel), "Query": r.URL.RawQuery}, msg)
}

func (s *Server) apiCount(w http.ResponseWriter, r *http.Request) {
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	sel, err := selection(r)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"rows\": %d}\n", countRows(env, sel))
}

// exportDownload writes the workbook and sends it as
// SecurityExtract.HHMMSS.xlsx.
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	sel, err := selection(r)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err)
		return
	}
	dir, err := os.MkdirTemp(s.uploads, "export-")
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	defer os.RemoveAll(dir)
	res, err := export.Write(env, sel, dir, s.opt.Now(), export.Options{})
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	f, err := os.Open(res.Path)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filepath.Base(res.Path)))
	io.Copy(w, f)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, 200, "import", "Import", nil, "")
}

// receive stores an uploaded workbook privately and plans it.
func (s *Server) receive(r *http.Request, field string) (*pending, int, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the workbook is larger than %d MiB, the most this console accepts (secmgr serve --max-upload)", s.opt.MaxUpload>>20)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("no workbook was uploaded: %v", err)
	}
	file, header, err := r.FormFile(field)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("no workbook was uploaded (form field %q)", field)
	}
	defer file.Close()
	name := filepath.Base(header.Filename)
	id := randomID()
	path := filepath.Join(s.uploads, id+".xlsx")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	if _, err := io.Copy(out, file); err != nil {
		out.Close()
		return nil, http.StatusBadRequest, err
	}
	out.Close()
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	var plan *actions.Plan
	if review.IsReviewWorkbook(path) {
		plan, err = review.Plan(path, env, name)
	} else {
		plan, err = actions.PlanWorkbook(path, env, actions.PlanOptions{Source: name, Cascade: r.FormValue("cascade") != ""})
	}
	if err != nil {
		os.Remove(path)
		return nil, http.StatusBadRequest, fmt.Errorf("%s: %v", name, strings.ReplaceAll(err.Error(), path, name))
	}
	p := &pending{plan: plan, upload: path, name: name}
	s.mu.Lock()
	s.plans[id] = p
	s.mu.Unlock()
	return p, http.StatusOK, nil
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	p, status, err := s.receive(r, "workbook")
	if err != nil {
		s.render(w, r, status, "import", "Import", nil, err.Error())
		return
	}
	s.render(w, r, 200, "plan", "Plan", map[string]any{"ID": s.idOf(p), "Plan": p.plan, "Name": p.name}, "")
}

func (s *Server) idOf(p *pending) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, q := range s.plans {
		if q == p {
			return id
		}
	}
	return ""
}

func (s *Server) pendingPlan(id string) (*pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[id]
	return p, ok
}

// annotated sends the uploaded workbook with its findings marked.
func (s *Server) annotated(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingPlan(r.URL.Query().Get("id"))
	if !ok {
		http.Error(w, "that upload is gone; upload the workbook again", http.StatusNotFound)
		return
	}
	out := filepath.Join(s.uploads, randomID()+".annotated.xlsx")
	defer os.Remove(out)
	if err := workbook.Annotate(p.upload, out, p.plan.Findings); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, strings.TrimSuffix(p.name, filepath.Ext(p.name))+".checked.xlsx"))
	http.ServeFile(w, r, out)
}

// apply applies a plan through the same locked path as the CLI.
func (s *Server) apply(p *actions.Plan, dir string) (*history.Result, int, error) {
	if !p.Applicable {
		return nil, http.StatusUnprocessableEntity, fmt.Errorf("the plan has %d error(s); fix the workbook and upload it again", p.Summary.Errors)
	}
	secrets, err := history.SecretsFor(p, dir)
	if err != nil {
		return nil, http.StatusConflict, err
	}
	res, err := history.ApplyFile(s.opt.EnvPath, p, secrets, history.Options{Wait: 5 * time.Second})
	switch {
	case errors.Is(err, history.ErrStale):
		return nil, http.StatusConflict, fmt.Errorf("the environment changed since this plan was made; nothing was applied — upload the workbook again to plan against the current state")
	case errors.Is(err, history.ErrLocked):
		return nil, http.StatusConflict, err
	case errors.Is(err, history.ErrNotApplicable):
		return nil, http.StatusUnprocessableEntity, err
	case err != nil:
		return nil, http.StatusInternalServerError, err
	}
	return res, http.StatusOK, nil
}

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingPlan(r.FormValue("id"))
	if !ok {
		s.render(w, r, http.StatusNotFound, "import", "Import", nil, "that plan is gone (the console was restarted, or it was applied); upload the workbook again")
		return
	}
	if r.FormValue("fingerprint") != p.plan.Environment.Fingerprint {
		s.render(w, r, http.StatusConflict, "import", "Import", nil, "the plan shown is not the plan on file; upload the workbook again")
		return
	}
	res, status, err := s.apply(p.plan, s.uploads)
	if err != nil {
		s.render(w, r, status, "plan", "Plan", map[string]any{"ID": r.FormValue("id"), "Plan": p.plan, "Name": p.name}, err.Error())
		return
	}
	s.mu.Lock()
	delete(s.plans, r.FormValue("id"))
	s.mu.Unlock()
	os.Remove(p.upload)
	_ = res
	http.Redirect(w, r, "/history?applied=1", http.StatusSeeOther)
}

func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) {
	journal, err := history.History(s.opt.EnvPath)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.render(w, r, 200, "history", "History", map[string]any{"Journal": reversed(journal), "Applied": r.URL.Query().Get("applied") != ""}, msg)
}

// undoPlan loads an undo plan of the history folder by its file name.
func (s *Server) undoPlan(name string) (*actions.Plan, string, error) {
	if name == "" || name != filepath.Base(name) || !strings.HasPrefix(name, "undo-") || !strings.HasSuffix(name, ".plan.json") {
		return nil, "", errors.New("no such undo plan")
	}
	dir := history.Dir(s.opt.EnvPath)
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, "", errors.New("no such undo plan")
	}
	p, err := actions.UnmarshalPlan(b)
	return p, dir, err
}

func (s *Server) undoPage(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	p, _, err := s.undoPlan(name)
	if err != nil {
		s.render(w, r, http.StatusNotFound, "history", "History", map[string]any{}, err.Error())
		return
	}
	s.render(w, r, 200, "undo", "Undo", map[string]any{"File": name, "Plan": p}, "")
}

func (s *Server) undoApply(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("file")
	p, dir, err := s.undoPlan(name)
	if err != nil {
		s.render(w, r, http.StatusNotFound, "history", "History", map[string]any{}, err.Error())
		return
	}
	if _, status, err := s.apply(p, dir); err != nil {
		s.render(w, r, status, "undo", "Undo", map[string]any{"File": name, "Plan": p}, err.Error())
		return
	}
	http.Redirect(w, r, "/history?applied=1", http.StatusSeeOther)
}

func (s *Server) explainPage(w http.ResponseWriter, r *http.Request) {
	env, ok := s.load(w, r)
	if !ok {
		return
	}
	user, group := strings.TrimSpace(r.URL.Query().Get("user")), strings.TrimSpace(r.URL.Query().Get("group"))
	var b strings.Builder
	var err error
	ix := access.New(env)
	switch {
	case user != "":
		var ua *access.UserAccess
		if ua, err = ix.User(user); err == nil {
			err = ua.WriteText(&b)
		}
	case group != "":
		var ga *access.GroupAccess
		if ga, err = ix.Group(group); err == nil {
			err = ga.WriteText(&b)
		}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.render(w, r, 200, "explain", "Explain", map[string]any{"User": user, "Group": group, "Text": b.String()}, msg)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	env, ok := s.load(w, r)
	if !ok {
		return
	}
	rep := audit.Run(env, access.New(env))
	groups := map[string][]audit.Finding{}
	for _, f := range rep.Findings {
		groups[f.Severity.String()] = append(groups[f.Severity.String()], f)
	}
	type section struct {
		Severity string
		Findings []audit.Finding
	}
	var sections []section
	for _, sev := range []string{"high", "medium", "low", "info"} {
		if len(groups[sev]) > 0 {
			sections = append(sections, section{sev, groups[sev]})
		}
	}
	s.render(w, r, 200, "audit", "Audit", map[string]any{"Sections": sections, "NotChecked": rep.NotChecked, "Summary": rep.Summary}, "")
}

// API

func jsonError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\": %q}\n", err.Error())
}

func writePlan(w http.ResponseWriter, status int, p *actions.Plan) {
	b, err := actions.MarshalPlan(p)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// apiPlan plans an uploaded workbook: 200 with the plan, 422 when it has
// errors.
func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) {
	p, status, err := s.receive(r, "workbook")
	if err != nil {
		jsonError(w, status, err)
		return
	}
	if !p.plan.Applicable {
		status = http.StatusUnprocessableEntity
	}
	writePlan(w, status, p.plan)
}

// apiApply applies a plan as /api/plan returned it: 200 applied (or
// nothing to apply), 409 stale, 422 with errors, 400 not a plan.
func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		jsonError(w, http.StatusRequestEntityTooLarge, err)
		return
	}
	p, err := actions.UnmarshalPlan(b)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err)
		return
	}
	if p.Secrets != nil && filepath.Dir(p.Secrets.Path) != filepath.Clean(s.uploads) {
		jsonError(w, http.StatusBadRequest, errors.New("the plan's passwords must come from a workbook uploaded to this console"))
		return
	}
	res, status, err := s.apply(p, s.uploads)
	if err != nil {
		jsonError(w, status, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"applied\": %t, \"after\": %q, \"undo\": %q}\n", res.Applied(), res.After, filepath.Base(res.Undo))
}

func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	ix := access.New(env)
	q := r.URL.Query()
	var doc any
	switch {
	case q.Get("user") != "":
		doc, err = ix.User(q.Get("user"))
	case q.Get("group") != "":
		doc, err = ix.Group(q.Get("group"))
	default:
		err = errors.New("give ?user=NAME or ?group=NAME")
	}
	if err != nil {
		jsonError(w, http.StatusBadRequest, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	access.WriteJSON(w, doc)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	env, err := artifacts.Load(s.opt.EnvPath)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	audit.Run(env, access.New(env)).WriteJSON(w)
}
