package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"secmgr/pkg/access"
	"secmgr/pkg/history"
	"secmgr/pkg/plans"
)

// The JSON API: the command line's results as JSON, its exit codes as
// status codes (see the package documentation).

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func jsonError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// writePlan writes a plan exactly as `secmgr plan --format json` does.
func writePlan(w http.ResponseWriter, status int, p *plans.Plan) {
	b, err := plans.MarshalPlan(p)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// loadJSON returns the environment (see envCache), or answers with a
// JSON error why it cannot: load's counterpart for the API.
func (s *Server) loadJSON(w http.ResponseWriter) (*loaded, bool) {
	l, err := s.env.get()
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return nil, false
	}
	return l, true
}

// loadQuery returns the environment and the export query of r, or
// answers with a JSON error why it cannot.
func (s *Server) loadQuery(w http.ResponseWriter, r *http.Request) (*loaded, query, bool) {
	l, ok := s.loadJSON(w)
	if !ok {
		return nil, query{}, false
	}
	q, err := parseQuery(r)
	if err != nil {
		jsonError(w, http.StatusBadRequest, err)
		return nil, query{}, false
	}
	return l, q, true
}

// apiCount counts the rows an export with the same query would hold.
func (s *Server) apiCount(w http.ResponseWriter, r *http.Request) {
	l, q, ok := s.loadQuery(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"rows": countRows(l.env, q.Selection)})
}

// apiPlan plans an uploaded workbook (multipart field "workbook";
// ?cascade=1 as `--cascade`): 200 with the plan, 422 when it has errors.
// The plan is kept, with its upload, until it is applied or expires.
func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) {
	_, p, status, err := s.receive(r, false)
	if err != nil {
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		jsonError(w, status, err)
		return
	}
	if !p.plan.Applicable {
		status = http.StatusUnprocessableEntity
	}
	writePlan(w, status, p.plan)
}

// applied is the answer of /api/apply.
type applied struct {
	Applied bool          `json:"applied"`
	Before  string        `json:"before"`
	After   string        `json:"after"`
	Undo    string        `json:"undo,omitempty"` // file name, for /api/undo?file=
	Counts  plans.Summary `json:"counts"`
}

// apiApply applies a plan as /api/plan (or /api/undo) returned it: 200
// applied or nothing to apply, 409 stale or locked, 422 with errors, 400
// not a plan. Its passwords must come from a workbook uploaded to this
// console or, for an undo plan, from the backup beside it.
func (s *Server) apiApply(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			jsonError(w, http.StatusRequestEntityTooLarge, errors.New(s.tooBigMessage()))
			return
		}
		jsonError(w, http.StatusBadRequest, err)
		return
	}
	p, err := plans.UnmarshalPlan(b)
	if err != nil {
		jsonError(w, http.StatusBadRequest, errors.New("the request body is not a plan: "+err.Error()))
		return
	}
	dir := s.uploads
	if p.HasSecrets() {
		ref := p.Secrets
		switch {
		case ref == nil:
			// SecretsFor says so.
		case s.isUpload(ref.Path):
		case ref.Path == filepath.Base(ref.Path) && strings.HasPrefix(ref.Path, "backup-") && strings.HasSuffix(ref.Path, ".json"):
			dir = history.Dir(s.opt.EnvPath)
		case ref.Path == filepath.Base(ref.Path) && strings.HasSuffix(ref.Path, ".xlsx"):
			jsonError(w, http.StatusConflict, errors.New("the workbook this plan reads passwords from is no longer kept (it was applied, it expired, or the console was restarted); plan it again — nothing was applied"))
			return
		default:
			jsonError(w, http.StatusBadRequest, errors.New("the plan sets passwords, so it must be planned by this console (POST /api/plan) or be one of its undo plans"))
			return
		}
	}
	res, status, err := s.apply(p, dir, "the plan is stale: the environment has changed since it was made; nothing was applied — plan again")
	if err != nil {
		jsonError(w, status, err)
		return
	}
	s.forget("", planDigest(p))
	out := applied{Applied: res.Applied(), Before: res.Before, After: res.After, Counts: res.Counts}
	if res.Undo != "" {
		out.Undo = filepath.Base(res.Undo)
	}
	writeJSON(w, http.StatusOK, out)
}

// isUpload reports whether name is the file name of an upload kept for
// Apply.
func (s *Server) isUpload(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.plans {
		if name == filepath.Base(q.upload) {
			return true
		}
	}
	return false
}

// apiHistory is the journal, oldest first.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	journal, err := history.History(s.opt.EnvPath)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	if journal == nil {
		journal = []history.JournalEntry{}
	}
	writeJSON(w, http.StatusOK, journal)
}

// apiUndo returns an undo plan of the history folder, to POST to
// /api/apply.
func (s *Server) apiUndo(w http.ResponseWriter, r *http.Request) {
	p, _, err := s.undoPlan(r.URL.Query().Get("file"))
	if err != nil {
		jsonError(w, http.StatusNotFound, err)
		return
	}
	writePlan(w, http.StatusOK, p)
}

func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadJSON(w)
	if !ok {
		return
	}
	ix := l.index()
	q := r.URL.Query()
	var doc any
	var err error
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
	w.Header().Set("Cache-Control", "no-store")
	access.WriteJSON(w, doc)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadJSON(w)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	l.report().WriteJSON(w)
}
