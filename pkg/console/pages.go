package console

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"secmgr/pkg/access"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/audit"
	"secmgr/pkg/export"
	"secmgr/pkg/history"
	"secmgr/pkg/impact"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// load returns the environment (see envCache), or shows why it cannot.
func (s *Server) load(w http.ResponseWriter, r *http.Request) (*loaded, bool) {
	l, err := s.env.get()
	if err != nil {
		s.render(w, r, http.StatusInternalServerError, "error", "Error", nil, err.Error())
		return nil, false
	}
	return l, true
}

// overview: the environment, its rows per tab, the audit summary and the
// last applies.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	l, ok := s.load(w, r)
	if !ok {
		return
	}
	env := l.env
	type count struct {
		Tab  string
		Rows int
	}
	var counts []count
	for _, t := range artifacts.AllTabs() {
		counts = append(counts, count{t.Name, t.Len(env)})
	}
	rep := l.report()
	journal, err := history.History(s.opt.EnvPath)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if len(journal) > 10 {
		journal = journal[len(journal)-10:]
	}
	s.render(w, r, http.StatusOK, "overview", "Overview", map[string]any{
		"Name": env.Name, "Path": s.opt.EnvPath, "Counts": counts, "Audit": rep.Summary, "Journal": reversed(journal),
	}, msg)
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// query is an export selection as the form and the API give it: areas
// repeated or comma-separated, and each filter's patterns likewise.
type query struct {
	Areas                 []string
	User, Group, Artifact string
	Selection             export.Selection
}

// parseQuery reads areas and filters from a URL query.
func parseQuery(r *http.Request) (query, error) {
	q := r.URL.Query()
	var out query
	for _, v := range q["areas"] {
		for _, a := range strings.Split(v, ",") {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
				out.Areas = append(out.Areas, a)
			}
		}
	}
	tabs, err := artifacts.ParseAreas(strings.Join(out.Areas, ","))
	if err != nil {
		return out, err
	}
	out.Selection.Tabs = tabs
	for _, f := range []struct {
		name string
		text *string
		dst  *artifacts.Filter
	}{{"user", &out.User, &out.Selection.Users}, {"group", &out.Group, &out.Selection.Groups}, {"artifact", &out.Artifact, &out.Selection.Artifacts}} {
		var pats []string
		for _, v := range q[f.name] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					pats = append(pats, p)
				}
			}
		}
		*f.text = strings.Join(pats, ", ")
		if *f.dst, err = artifacts.CompileFilter(pats); err != nil {
			return out, fmt.Errorf("%s filter: %w", f.name, err)
		}
	}
	return out, nil
}

func countRows(env *artifacts.Environment, sel export.Selection) int {
	n := 0
	for _, id := range sel.Tabs {
		export.Rows(env, id.Tab(), sel, func([]string) error { n++; return nil })
	}
	return n
}

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.load(w, r)
	if !ok {
		return
	}
	env := l.env
	q, err := parseQuery(r)
	msg, rows := "", "?"
	if err != nil {
		msg = err.Error()
	} else {
		rows = fmt.Sprint(countRows(env, q.Selection))
	}
	all := len(q.Areas) == 0 || slices.Contains(q.Areas, "all")
	s.render(w, r, http.StatusOK, "export", "Export", map[string]any{
		"Areas": artifacts.AreaNames(), "Checked": q.Areas, "All": all, "Query": q, "Rows": rows,
	}, msg)
}

// exportDownload writes the workbook with export.WriteWorkbook, as the CLI does,
// and sends it as SecurityExtract.HHMMSS.xlsx. Passwords are never
// exported here.
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	l, q, ok := s.loadQuery(w, r)
	if !ok {
		return
	}
	dir, err := os.MkdirTemp(s.uploads, "export-")
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	defer os.RemoveAll(dir)
	res, err := export.WriteWorkbook(l.env, q.Selection, dir, s.opt.Now(), export.Options{})
	if err != nil {
		jsonError(w, http.StatusInternalServerError, errors.New(s.hideUploads(err.Error(), "", "")))
		return
	}
	f, err := os.Open(res.Path)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", attachment(filepath.Base(res.Path)))
	h.Set("Cache-Control", "no-store")
	if len(res.Unmatched) > 0 {
		h.Set("X-Secmgr-Unmatched", strings.Join(res.Unmatched, "; "))
	}
	io.Copy(w, f)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import", "Import", nil, "")
}

// receive takes an uploaded workbook and plans it against the environment
// as `secmgr plan` does; the plan is kept for Apply under the returned id.
func (s *Server) receive(r *http.Request, csrf bool) (string, *pending, int, error) {
	up, status, err := s.readUpload(r, csrf)
	if err != nil {
		return "", nil, status, err
	}
	release, err := s.gate.work(r.Context())
	if err != nil {
		os.Remove(up.path)
		return "", nil, http.StatusServiceUnavailable, errors.New(s.busyMessage())
	}
	defer release()
	l, err := s.env.get()
	if err != nil {
		os.Remove(up.path)
		return "", nil, http.StatusInternalServerError, err
	}
	env := l.env
	cascade := up.fields["cascade"] != "" || r.URL.Query().Get("cascade") != ""
	plan, isReview, err := planReview(up.path, up.name, env)
	if err == nil && !isReview {
		plan, err = actions.PlanWorkbook(up.path, env, actions.PlanOptions{Source: up.name, Cascade: cascade,
			FindBase: history.BaseFinder(s.opt.EnvPath), TwoWay: up.fields["two-way"] != ""})
	}
	if err != nil {
		os.Remove(up.path)
		return "", nil, http.StatusBadRequest, errors.New(s.hideUploads(err.Error(), up.path, up.name))
	}
	// The plan names its upload by file name only: the console's folder is
	// no business of the client's (apply resolves the name in it).
	if plan.Secrets != nil {
		plan.Secrets.Path = filepath.Base(up.path)
	}
	// The impact is a report on the plan: without it the plan stands, and
	// the page says it could not be computed.
	if err := impact.Attach(env, plan); err != nil {
		plan.Impact = nil
	}
	p := &pending{plan: plan, upload: up.path, name: up.name, created: s.opt.Now(), digest: planDigest(plan)}
	return s.keep(p), p, http.StatusOK, nil
}

// planView is what the plan and undo pages show.
type planView struct {
	ID, Name string
	Plan     *plans.Plan
	File     string // an undo plan's file name
	Undoes   *history.JournalEntry
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	id, p, status, err := s.receive(r, true)
	if err != nil {
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		s.render(w, r, status, "import", "Import", nil, err.Error())
		return
	}
	s.render(w, r, http.StatusOK, "plan", "Plan", planView{ID: id, Name: p.name, Plan: p.plan}, "")
}

// annotated sends the uploaded workbook with its findings marked, as
// `secmgr plan --annotate` writes it. The copy is made once per upload and
// removed with it.
func (s *Server) annotated(w http.ResponseWriter, r *http.Request) {
	const gone = "that upload is gone (it was applied, it expired, or the console was restarted); upload the workbook again"
	p, ok := s.pendingPlan(r.URL.Query().Get("id"))
	if !ok {
		http.Error(w, gone, http.StatusNotFound)
		return
	}
	path, err := s.annotatedCopy(p)
	if errors.Is(err, errGone) {
		http.Error(w, gone, http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, s.hideUploads(err.Error(), p.upload, p.name), http.StatusInternalServerError)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		// Evicted since.
		http.Error(w, gone, http.StatusNotFound)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", attachment(strings.TrimSuffix(p.name, filepath.Ext(p.name))+".checked.xlsx"))
	h.Set("Cache-Control", "no-store")
	io.Copy(w, f)
}

var errGone = errors.New("the upload is gone")

// annotatedCopy returns the annotated copy of p's upload, making it the
// first time. It fails with errGone when p was dropped meanwhile (its
// copy is then removed here, as dropLocked could not).
func (s *Server) annotatedCopy(p *pending) (string, error) {
	p.annotateMu.Lock()
	defer p.annotateMu.Unlock()
	s.mu.Lock()
	path := p.annotated
	s.mu.Unlock()
	if path != "" {
		return path, nil
	}
	out := filepath.Join(s.uploads, randomID()+".checked.xlsx")
	if err := workbook.Annotate(p.upload, out, p.plan.Findings); err != nil {
		os.Remove(out)
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.plans {
		if q == p {
			p.annotated = out
			return out, nil
		}
	}
	os.Remove(out)
	return "", errGone
}

// attachment is a Content-Disposition for a download named name, quoted
// (or encoded, RFC 2231) as the name needs.
func attachment(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}

// apply applies a plan through the same path as `secmgr apply`:
// actions.SecretsFor, then history.ApplyFile (lock, stale check under the
// lock, backup, undo plan, atomic replace, journal). stale is the message
// for a plan made against another state.
func (s *Server) apply(p *plans.Plan, dir, stale string) (*history.Result, int, error) {
	if !p.Applicable || p.Findings.Errors() > 0 {
		return nil, http.StatusUnprocessableEntity, fmt.Errorf("the plan has %d error(s); fix the workbook and upload it again — nothing was applied", p.Findings.Errors())
	}
	if p.Secrets != nil && p.Secrets.Path != "" && !filepath.IsAbs(p.Secrets.Path) {
		// Resolve the source in dir only, never in the working folder.
		q, ref := *p, *p.Secrets
		ref.Path = filepath.Join(dir, ref.Path)
		q.Secrets = &ref
		p = &q
	}
	secrets, err := actions.SecretsFor(p, dir)
	if err != nil {
		return nil, http.StatusConflict, fmt.Errorf("%s — nothing was applied", s.hideUploads(err.Error(), "", ""))
	}
	res, err := history.ApplyFile(s.opt.EnvPath, p, secrets, history.Options{Wait: 5 * time.Second})
	switch {
	case errors.Is(err, actions.ErrStale):
		return nil, http.StatusConflict, errors.New(stale)
	case errors.Is(err, history.ErrLocked):
		return nil, http.StatusConflict, fmt.Errorf("%v: another apply is running; try again in a moment — nothing was applied", err)
	case errors.Is(err, history.ErrNotApplicable), errors.Is(err, actions.ErrInvalid):
		// A plan file is outside input: one whose changes break the rules
		// is refused like a workbook with errors.
		return nil, http.StatusUnprocessableEntity, fmt.Errorf("%v — nothing was applied", err)
	case err != nil:
		return nil, http.StatusInternalServerError, err
	}
	return res, http.StatusOK, nil
}

const (
	staleUpload = "the environment has changed since this plan was made, so nothing was applied; upload the workbook again to plan it against the current state"
	staleUndo   = "the environment has changed since that apply, so this undo plan no longer fits and nothing was applied; undo the later applies first (newest first)"
)

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	p, ok := s.pendingPlan(id)
	if !ok {
		s.render(w, r, http.StatusNotFound, "import", "Import", nil, "that plan is gone (it was applied, it expired, or the console was restarted); upload the workbook again")
		return
	}
	if r.PostFormValue("fingerprint") != p.plan.Environment.Fingerprint {
		s.render(w, r, http.StatusConflict, "import", "Import", nil, "the plan on this page is not the plan the console holds; upload the workbook again")
		return
	}
	if _, status, err := s.apply(p.plan, s.uploads, staleUpload); err != nil {
		s.render(w, r, status, "plan", "Plan", planView{ID: id, Name: p.name, Plan: p.plan}, err.Error())
		return
	}
	s.forget(id, "")
	http.Redirect(w, r, "/history?done=applied", http.StatusSeeOther)
}

// applyRow is one apply on the History page.
type applyRow struct {
	history.JournalEntry
	From    string // what was applied, in words
	CanUndo bool   // its undo plan fits the environment as it is now
}

func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.load(w, r)
	if !ok {
		return
	}
	journal, err := history.History(s.opt.EnvPath)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	current := l.fingerprint()
	rows := make([]applyRow, len(journal))
	for i, e := range journal {
		rows[i] = applyRow{JournalEntry: e, From: e.Source, CanUndo: e.Undo != "" && e.After == current}
		// An undo's source is the backup it restores; name the apply instead.
		for _, undone := range journal[:i] {
			if undone.Backup != "" && undone.Backup == e.Source {
				rows[i].From = "undo of " + undone.Source + " (" + undone.Time.Format("15:04:05") + ")"
			}
		}
	}
	s.render(w, r, http.StatusOK, "history", "History", map[string]any{"Journal": reversed(rows), "Done": r.URL.Query().Get("done")}, msg)
}

// undoPlan loads an undo plan of the history folder by its file name, and
// the journal entry of the apply it undoes.
func (s *Server) undoPlan(name string) (*plans.Plan, *history.JournalEntry, error) {
	if name == "" || name != filepath.Base(name) || !strings.HasPrefix(name, "undo-") || !strings.HasSuffix(name, ".plan.json") {
		return nil, nil, fmt.Errorf("%q is not an undo plan of this environment", name)
	}
	b, err := os.ReadFile(filepath.Join(history.Dir(s.opt.EnvPath), name))
	if err != nil {
		return nil, nil, fmt.Errorf("%q is not an undo plan of this environment", name)
	}
	p, err := plans.UnmarshalPlan(b)
	if err != nil {
		return nil, nil, fmt.Errorf("undo plan %s %v", name, err)
	}
	journal, _ := history.History(s.opt.EnvPath)
	for i := range journal {
		if journal[i].Undo == name {
			return p, &journal[i], nil
		}
	}
	return p, nil, nil
}

func (s *Server) undoPage(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	p, e, err := s.undoPlan(name)
	if err != nil {
		s.render(w, r, http.StatusNotFound, "error", "Undo", nil, err.Error())
		return
	}
	s.render(w, r, http.StatusOK, "undo", "Undo", planView{File: name, Plan: p, Undoes: e}, "")
}

func (s *Server) undoApply(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("file")
	p, e, err := s.undoPlan(name)
	if err != nil {
		s.render(w, r, http.StatusNotFound, "error", "Undo", nil, err.Error())
		return
	}
	if _, status, err := s.apply(p, history.Dir(s.opt.EnvPath), staleUndo); err != nil {
		s.render(w, r, status, "undo", "Undo", planView{File: name, Plan: p, Undoes: e}, err.Error())
		return
	}
	http.Redirect(w, r, "/history?done=undone", http.StatusSeeOther)
}

func (s *Server) explainPage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.load(w, r)
	if !ok {
		return
	}
	env := l.env
	q := r.URL.Query()
	user, group := strings.TrimSpace(q.Get("user")), strings.TrimSpace(q.Get("group"))
	var err error
	var uv *userView
	var gv *groupView
	ix := l.index()
	switch {
	case user != "":
		var ua *access.UserAccess
		if ua, err = ix.User(user); err == nil {
			v := newUserView(ua, ix)
			uv = &v
		}
	case group != "":
		var ga *access.GroupAccess
		if ga, err = ix.Group(group); err == nil {
			gv = &groupView{ga}
		}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	users := make([]string, len(env.Users))
	for i, u := range env.Users {
		users[i] = u.User
	}
	s.render(w, r, http.StatusOK, "explain", "Explain", map[string]any{
		"User": user, "Group": group, "UserAccess": uv, "GroupAccess": gv, "Users": users, "Groups": ix.GroupNames(),
	}, msg)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.load(w, r)
	if !ok {
		return
	}
	rep := l.report()
	type section struct {
		Severity string
		Findings []audit.Finding
	}
	var sections []section
	for _, sev := range []string{"high", "medium", "low", "info"} {
		var fs []audit.Finding
		for _, f := range rep.Findings {
			if f.Severity.String() == sev {
				fs = append(fs, f)
			}
		}
		if len(fs) > 0 {
			sections = append(sections, section{sev, fs})
		}
	}
	s.render(w, r, http.StatusOK, "audit", "Audit", map[string]any{"Sections": sections, "NotChecked": rep.NotChecked, "Summary": rep.Summary}, "")
}
