package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"secmgr/pkg/actions"
	"secmgr/pkg/idp"
	"secmgr/pkg/plans"
	"secmgr/pkg/reconcile"
)

// The Reconcile page and /api/reconcile: upload the identity provider's
// export (and a rules file), see who leaves, moves and joins and the plan
// of the change workbook, apply it. The plan is kept like an Import
// page's, so Apply (POST /apply, or /api/apply with the plan JSON) goes
// through the same locked, journaled apply; the change workbook can be
// downloaded.
//
//	GET  /reconcile            the upload form
//	POST /reconcile            files "idp" (repeatable), optional "rules", "prune": the result and plan
//	GET  /reconcile/workbook   ?id=…: the change workbook of that plan
//	POST /api/reconcile        the same form: {"reconcile": …, "plan": …}; 400 bad input, 422 plan errors

// maxIdPFiles bounds the files of one upload (the pages of a SCIM export).
const maxIdPFiles = 64

// idpUpload is what a reconcile form sent, kept in a private folder.
type idpUpload struct {
	dir   string   // a new private folder under the console's uploads
	files []string // the exports, in the order sent
	names []string // their names as uploaded
	rules string   // the rules file, or ""
	prune bool
}

func (u *idpUpload) remove() { os.RemoveAll(u.dir) }

// hide replaces the private paths in a message by the uploaded names.
func (u *idpUpload) hide(msg string) string {
	for i, f := range u.files {
		msg = strings.ReplaceAll(msg, f, u.names[i])
	}
	if u.rules != "" {
		msg = strings.ReplaceAll(msg, u.rules, "the rules file")
	}
	return strings.ReplaceAll(msg, u.dir+string(filepath.Separator), "")
}

// readIdPUpload streams the form into a new private folder, under the
// same bounds as a workbook upload: the body capped at MaxUpload, the
// form's CSRF token checked before any file is written.
func (s *Server) readIdPUpload(r *http.Request, csrf bool) (*idpUpload, int, error) {
	dir, err := os.MkdirTemp(s.uploads, "reconcile-")
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("cannot keep the upload: %w", err)
	}
	up := &idpUpload{dir: dir, prune: r.URL.Query().Get("prune") != ""}
	fields, status, err := s.readForm(r, csrf, formFiles{
		path: func(field, _ string) string {
			switch {
			case field == "idp" && len(up.files) < maxIdPFiles, field == "rules" && up.rules == "":
				return filepath.Join(dir, fmt.Sprintf("%02d-%s", len(up.files), randomID()))
			}
			return ""
		},
		kept: func(field, name, path string) {
			if field == "rules" {
				up.rules = path
			} else {
				up.files, up.names = append(up.files, path), append(up.names, name)
			}
		},
		discard: up.remove,
		notForm: "send the identity provider's export as a file upload (multipart/form-data, field \"idp\")",
	})
	if err != nil {
		return nil, status, err
	}
	if len(up.files) == 0 {
		up.remove()
		return nil, http.StatusBadRequest, errors.New("no export was uploaded: choose the identity provider's users CSV or SCIM JSON (form field \"idp\")")
	}
	up.prune = up.prune || fields["prune"] != ""
	return up, http.StatusOK, nil
}

// reconciled is what the Reconcile result page and /api/reconcile show.
type reconciled struct {
	ID        string            `json:"-"`
	Files     []string          `json:"files"`
	Format    string            `json:"format"`
	Accounts  int               `json:"accounts"`
	Prune     bool              `json:"prune"`
	Reconcile *reconcile.Result `json:"reconcile"`
	Plan      *plans.Plan       `json:"-"`
}

// reconcileUpload reconciles an upload as `secmgr reconcile` does: the
// export read, reconciled, the change workbook written and planned by
// the ordinary planner; the plan is kept for Apply with its workbook.
func (s *Server) reconcileUpload(r *http.Request, csrf bool) (*reconciled, int, error) {
	up, status, err := s.readIdPUpload(r, csrf)
	if err != nil {
		return nil, status, err
	}
	defer up.remove() // the change workbook is kept outside up.dir
	release, err := s.gate.work(r.Context())
	if err != nil {
		return nil, http.StatusServiceUnavailable, errors.New(s.busyMessage())
	}
	defer release()
	rules := reconcile.DefaultRules()
	if up.rules != "" {
		if rules, err = reconcile.LoadRules(up.rules); err != nil {
			return nil, http.StatusBadRequest, errors.New(up.hide(err.Error()))
		}
	}
	dir, err := idp.Read(up.files, rules.ReadOptions())
	if err != nil {
		return nil, http.StatusBadRequest, errors.New(up.hide(err.Error()))
	}
	l, err := s.env.get()
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	env := l.env
	res, err := reconcile.Run(env, dir, rules, reconcile.Options{Prune: up.prune})
	if err != nil {
		return nil, http.StatusBadRequest, errors.New(up.hide(err.Error()))
	}
	for i, w := range res.Warnings {
		res.Warnings[i] = up.hide(w)
	}
	for _, list := range [][]reconcile.Person{res.Leavers, res.Movers, res.Joiners} {
		for i := range list {
			list[i].Where = up.hide(list[i].Where)
		}
	}
	book := filepath.Join(s.uploads, randomID()+".xlsx")
	if err := res.WriteWorkbook(book, reconcile.WriteOptions{}); err != nil {
		return nil, http.StatusInternalServerError, errors.New(s.hideUploads(err.Error(), book, "the change workbook"))
	}
	source := "reconcile of " + strings.Join(up.names, ", ")
	plan, err := actions.PlanWorkbook(book, env, actions.PlanOptions{Source: source})
	if err != nil {
		os.Remove(book)
		return nil, http.StatusInternalServerError, errors.New(s.hideUploads(err.Error(), book, "the change workbook"))
	}
	p := &pending{plan: plan, upload: book, name: "reconcile-changes.xlsx", created: s.opt.Now(), digest: planDigest(plan)}
	out := &reconciled{ID: s.keep(p), Files: up.names, Format: string(dir.Format), Accounts: len(dir.Accounts),
		Prune: up.prune, Reconcile: res, Plan: plan}
	if !plan.Applicable {
		status = http.StatusUnprocessableEntity
	}
	return out, status, nil
}

func (s *Server) reconcilePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reconcile", "Reconcile", nil, "")
}

func (s *Server) reconcileForm(w http.ResponseWriter, r *http.Request) {
	out, status, err := s.reconcileUpload(r, true)
	if err != nil {
		s.render(w, r, status, "reconcile", "Reconcile", nil, err.Error())
		return
	}
	s.render(w, r, status, "reconciled", "Reconcile", out, "")
}

// reconcileWorkbook sends the change workbook of a kept reconcile plan.
func (s *Server) reconcileWorkbook(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pendingPlan(r.URL.Query().Get("id"))
	if !ok || p.name != "reconcile-changes.xlsx" {
		http.Error(w, "that change workbook is gone (it was applied, it expired, or the console was restarted); reconcile again", http.StatusNotFound)
		return
	}
	f, err := os.Open(p.upload)
	if err != nil {
		http.Error(w, s.hideUploads(err.Error(), p.upload, p.name), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="reconcile-changes.xlsx"`)
	h.Set("Cache-Control", "no-store")
	io.Copy(w, f)
}

// apiReconcile answers with the reconciliation and the plan, which
// /api/apply applies: 200, 422 when the plan has errors, 400 for an
// export or rules file that cannot be read, 413 over the upload limit.
func (s *Server) apiReconcile(w http.ResponseWriter, r *http.Request) {
	out, status, err := s.reconcileUpload(r, false)
	if err != nil {
		jsonError(w, status, err)
		return
	}
	plan, err := plans.MarshalPlan(out.Plan)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, status, struct {
		*reconciled
		Plan rawJSON `json:"plan"`
	}{out, rawJSON(plan)})
}

// rawJSON is JSON already encoded.
type rawJSON []byte

func (j rawJSON) MarshalJSON() ([]byte, error) { return j, nil }
