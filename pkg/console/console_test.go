package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/review"
	"secmgr/pkg/workbook"
)

// The sample's first user gets a password; no page or response may show
// it, nor the one a test workbook sets.
const (
	secret    = "ENC(S3CR3T-console)"
	newSecret = "ENC(N3W-S3CR3T-console)"
)

const (
	realistic = "../../examples/golfstream/edits/realistic.xlsx"
	mistakes  = "../../examples/golfstream/edits/mistakes.xlsx"
)

// testConsole is a console over a private copy of the sample, with a
// browser-like client (cookie jar, no redirects followed).
type testConsole struct {
	t       *testing.T
	srv     *Server
	ts      *httptest.Server
	c       *http.Client
	envPath string
}

func newConsole(t *testing.T, opt Options) *testConsole {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	env.Users[0].Password = secret
	opt.EnvPath = filepath.Join(t.TempDir(), "gs.json")
	if err := artifacts.Save(opt.EnvPath, env); err != nil {
		t.Fatal(err)
	}
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testConsole{t: t, srv: s, ts: ts, c: client, envPath: opt.EnvPath}
}

// do sends a request and checks that the response shows no password.
func (tc *testConsole) do(req *http.Request) (int, string, http.Header) {
	tc.t.Helper()
	resp, err := tc.c.Do(req)
	if err != nil {
		tc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, s := range []string{secret, newSecret} {
		if bytes.Contains(b, []byte(s)) {
			tc.t.Errorf("%s %s shows a password value", req.Method, req.URL.Path)
		}
	}
	return resp.StatusCode, string(b), resp.Header
}

func (tc *testConsole) get(path string) (int, string, http.Header) {
	tc.t.Helper()
	req, _ := http.NewRequest("GET", tc.ts.URL+path, nil)
	return tc.do(req)
}

func (tc *testConsole) postForm(path string, v url.Values) (int, string, http.Header) {
	tc.t.Helper()
	req, _ := http.NewRequest("POST", tc.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tc.do(req)
}

// api sends a request to the JSON API with the header it requires.
func (tc *testConsole) api(method, path, contentType string, body io.Reader) (int, string) {
	tc.t.Helper()
	req, _ := http.NewRequest(method, tc.ts.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(apiHeader, "1")
	code, out, _ := tc.do(req)
	return code, out
}

func (tc *testConsole) env() []byte {
	b, err := os.ReadFile(tc.envPath)
	if err != nil {
		tc.t.Fatal(err)
	}
	return b
}

// uploads lists the workbooks kept in the private upload folder.
func (tc *testConsole) uploads() []string {
	m, _ := filepath.Glob(filepath.Join(tc.srv.uploads, "*.xlsx"))
	return m
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf loads a page and returns its form token.
func (tc *testConsole) csrf() string {
	tc.t.Helper()
	_, page, _ := tc.get("/import")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		tc.t.Fatalf("no CSRF field on the import page:\n%s", page)
	}
	return m[1]
}

// multipartBody is a form with the given fields (in order, before the
// file) and the workbook at path under field "workbook".
func multipartBody(t *testing.T, path string, fields ...string) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fw, _ := mw.CreateFormFile("workbook", filepath.Base(path))
	fw.Write(b)
	mw.Close()
	return mw.FormDataContentType(), &body
}

// upload posts a workbook to /import the way the form does.
func (tc *testConsole) upload(path string, fields ...string) (int, string) {
	tc.t.Helper()
	ct, body := multipartBody(tc.t, path, fields...)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/import", body)
	req.Header.Set("Content-Type", ct)
	code, page, _ := tc.do(req)
	return code, page
}

// applyFields are the hidden fields of a plan page's Apply form.
func applyFields(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, f := range []string{"csrf", "id", "fingerprint"} {
		m := regexp.MustCompile(`name="` + f + `" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s field in\n%s", f, page)
		}
		v.Set(f, m[1])
	}
	return v
}

func TestPages(t *testing.T) {
	tc := newConsole(t, Options{})
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/", []string{"GolfStream", "Rows per tab", "UsersInGroups", "high", "Nothing applied yet"}},
		{"/export", []string{`value="all" checked`, `value="xformrules"`, `<strong id="count">`}},
		{"/export?areas=users&user=Jessica*", []string{`value="users" checked`, `value="Jessica*"`, `<strong id="count">3</strong>`}},
		{"/export?user=%FF", []string{`class="error"`, "not valid UTF-8", `<strong id="count">?</strong>`}},
		{"/import", []string{`type="file" name="workbook"`, `name="csrf"`}},
		{"/history", []string{"Nothing applied yet"}},
		{"/explain", []string{`<datalist id="users">`, `<option value="Jessica Documentation">`, `<option value="Houston_Mod">`}},
		{"/explain?user=Jessica+Documentation", []string{`<ul class="tree" id="tree">`, "<li>Budget Preparers</li>"}},
		{"/explain?user=Acme+Integration+Service", []string{"Acme Integration Service"}},
		{"/explain?group=Houston_Mod", []string{"Houston_Mod"}},
		{"/explain?user=Jesica+Documentation", []string{`class="error"`, "Jessica Documentation"}},
		{"/audit", []string{"OS-BP-PS-AM-001", "What to do:", `<h2 class="high">high</h2>`}},
	} {
		code, body, h := tc.get(tt.path)
		if code != 200 || !strings.Contains(body, "<h1>") {
			t.Errorf("%s: %d\n%s", tt.path, code, body)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q", tt.path, w)
			}
		}
		if h.Get("Content-Security-Policy") == "" || h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers missing: %v", tt.path, h)
		}
	}
	for _, p := range []string{"/static/style.css", "/static/export.js"} {
		if code, _, _ := tc.get(p); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
	if code, _, _ := tc.get("/nope"); code != http.StatusNotFound {
		t.Errorf("an unknown page: %d", code)
	}
}

// readExport opens a downloaded workbook and counts its data rows by tab.
func readExport(t *testing.T, b []byte) map[string]int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.xlsx")
	os.WriteFile(path, b, 0o600)
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows := map[string]int{}
	for _, s := range wb.Sheets {
		if s.Tab == nil {
			continue
		}
		rows[s.Tab.Name] = 0
		wb.Read(s, func(*workbook.Row) error { rows[s.Tab.Name]++; return nil })
	}
	return rows
}

func TestExport(t *testing.T) {
	tc := newConsole(t, Options{Now: func() time.Time { return time.Date(2026, 11, 22, 10, 15, 0, 0, time.Local) }})
	for _, p := range []string{"/export/download", "/api/export"} {
		code, body, h := tc.get(p + "?areas=users&user=Jessica*")
		if code != 200 || h.Get("Content-Disposition") != `attachment; filename=SecurityExtract.101500.xlsx` {
			t.Fatalf("%s: %d %v", p, code, h)
		}
		rows := readExport(t, []byte(body))
		if fmt.Sprint(rows) != "map[Users:1 UsersInGroups:2]" {
			t.Errorf("%s: rows %v; want the users area filtered to Jessica", p, rows)
		}
	}
	// The live count is the number of rows the export holds; areas and
	// filters repeated or comma-separated.
	for _, query := range []string{
		"areas=users&user=Jessica*",
		"areas=groups&areas=roles&group=Documentation*,Houston_Mod",
		"areas=groups,roles&group=Documentation*&group=Houston_Mod",
		"areas=entity,workflow&artifact=Houston*",
		"group=Houston_Mod",
		"",
	} {
		_, xlsx, _ := tc.get("/api/export?" + query)
		total := 0
		for _, n := range readExport(t, []byte(xlsx)) {
			total += n
		}
		code, out := tc.api("GET", "/api/count?"+query, "", nil)
		if want := fmt.Sprintf(`"rows": %d`, total); code != 200 || !strings.Contains(out, want) || total == 0 {
			t.Errorf("count %q: %d %s, want %s", query, code, out, want)
		}
	}
	if _, _, h := tc.get("/api/export?areas=users&user=Nobody*Here"); !strings.Contains(h.Get("X-Secmgr-Unmatched"), "Nobody*Here") {
		t.Errorf("an unmatched filter is not reported: %v", h)
	}
	for _, q := range []string{"areas=everything", "user=%FF"} {
		for _, p := range []string{"/api/export?", "/api/count?"} {
			if code, out := tc.api("GET", p+q, "", nil); code != http.StatusBadRequest || !strings.Contains(out, `"error"`) {
				t.Errorf("%s%s: %d %.200s", p, q, code, out)
			}
		}
	}
}

// TestImportApplyHistoryUndo walks the browser flow: upload, review the
// plan, apply it, see it in History, undo it.
func TestImportApplyHistoryUndo(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	code, body := tc.upload(realistic, "csrf", tc.csrf())
	for _, want := range []string{
		`<span class="op-rename">&gt; Users Natalie Documentation → Natalie Doc</span>`,
		`<span class="op-edit">~ Entity Augusta: ReadGroup2 Nobody → Documentation LegalD</span>`,
		`<span class="op-remove">- Users Kevin Walsh</span>`,
		"Plan: 5 to add, 2 to edit, 2 to rename, 2 to remove; 0 errors, 0 warnings.",
		"Apply these changes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the plan page does not show %q", want)
		}
	}
	if code != 200 || t.Failed() {
		t.Fatalf("plan page: %d\n%s", code, body)
	}
	// A second plan of the same state, applied after the first: stale.
	_, body2 := tc.upload(realistic, "csrf", tc.csrf())
	first, second := applyFields(t, body), applyFields(t, body2)
	if len(tc.uploads()) != 2 {
		t.Errorf("uploads kept: %v", tc.uploads())
	}

	// The form's fingerprint must be the plan's.
	forged := url.Values{"csrf": first["csrf"], "id": first["id"], "fingerprint": {"sha256:0"}}
	if code, page, _ := tc.postForm("/apply", forged); code != http.StatusConflict || !strings.Contains(page, "not the plan the console holds") {
		t.Errorf("a form with another fingerprint: %d\n%s", code, page)
	}
	if code, _, h := tc.postForm("/apply", first); code != http.StatusSeeOther || h.Get("Location") != "/history?done=applied" {
		t.Fatalf("apply: %d %v", code, h)
	}
	if bytes.Equal(before, tc.env()) {
		t.Fatal("apply changed nothing")
	}
	if code, page, _ := tc.postForm("/apply", first); code != http.StatusNotFound || !strings.Contains(page, "that plan is gone") {
		t.Errorf("applying the same form twice: %d\n%s", code, page)
	}
	afterFirst := tc.env()
	if code, page, _ := tc.postForm("/apply", second); code != http.StatusConflict || !strings.Contains(page, "the environment has changed since this plan was made") {
		t.Errorf("stale apply: %d\n%s", code, page)
	}
	if !bytes.Equal(afterFirst, tc.env()) {
		t.Error("a stale apply changed the environment")
	}

	_, hist, _ := tc.get("/history?done=applied")
	m := regexp.MustCompile(`href="/undo\?file=(undo-[^"]+)"`).FindStringSubmatch(hist)
	if m == nil || !strings.Contains(hist, "Applied.") || !strings.Contains(hist, "<td>realistic.xlsx</td><td class=\"n\">5</td>") {
		t.Fatalf("history does not list the apply:\n%s", hist)
	}
	if _, overview, _ := tc.get("/"); !strings.Contains(overview, "+5 ~2 &gt;2 -2 from realistic.xlsx") {
		t.Errorf("the overview does not list the apply:\n%s", overview)
	}
	code, undoPage, _ := tc.get("/undo?file=" + m[1])
	if code != 200 || !strings.Contains(undoPage, "This undoes the apply of <strong>realistic.xlsx</strong>") ||
		!strings.Contains(undoPage, `<span class="op-rename">&gt; Users Natalie Doc → Natalie Documentation</span>`) {
		t.Fatalf("undo page: %d\n%s", code, undoPage)
	}
	if !bytes.Equal(afterFirst, tc.env()) {
		t.Error("showing the undo plan changed the environment")
	}
	v := url.Values{"csrf": {csrfField.FindStringSubmatch(undoPage)[1]}, "file": {m[1]}}
	if code, page, h := tc.postForm("/undo", v); code != http.StatusSeeOther || h.Get("Location") != "/history?done=undone" {
		t.Fatalf("undo: %d\n%s", code, page)
	}
	if !bytes.Equal(before, tc.env()) {
		t.Error("undo did not restore the environment byte for byte")
	}
	if code, page, _ := tc.postForm("/undo", v); code != http.StatusConflict || !strings.Contains(page, "undo the later applies first") {
		t.Errorf("undoing twice: %d\n%s", code, page)
	}
	// History names the undo, and offers to undo only what fits.
	_, hist, _ = tc.get("/history")
	if !strings.Contains(hist, "<td>undo of realistic.xlsx (") || strings.Count(hist, `class="undo"`) != 1 ||
		!strings.Contains(hist, `<a class="undo" href="/undo?file=undo-`) {
		t.Errorf("history after undo:\n%s", hist)
	}
	if len(tc.uploads()) != 1 {
		t.Errorf("the applied upload is kept, or the pending one is not: %v", tc.uploads())
	}
	for _, bad := range []string{"../../gs.json", "undo-x.plan.json", "backup-x.json", ""} {
		if code, _, _ := tc.get("/undo?file=" + url.QueryEscape(bad)); code != http.StatusNotFound {
			t.Errorf("undo %q: %d", bad, code)
		}
	}
}

func TestImportWithFindings(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	code, body := tc.upload(mistakes, "csrf", tc.csrf())
	if code != 200 || !strings.Contains(body, "<td>UsersInGroups!B2</td><td>error</td>") || !strings.Contains(body, "did you mean") ||
		strings.Contains(body, "Apply these changes") || !strings.Contains(body, "nothing can be applied") {
		t.Fatalf("findings page: %d\n%s", code, body)
	}
	m := regexp.MustCompile(`href="/import/annotated\?id=([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no annotated download")
	}
	code, xlsx, h := tc.get("/import/annotated?id=" + m[1])
	if code != 200 || h.Get("Content-Disposition") != `attachment; filename=mistakes.checked.xlsx` {
		t.Fatalf("annotated download: %d %v", code, h)
	}
	f, err := excelize.OpenReader(strings.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	comments, _ := f.GetComments("UsersInGroups")
	if len(comments) == 0 || !strings.Contains(comments[0].Text, "did you mean") {
		t.Errorf("the annotated workbook has no note on its finding: %+v", comments)
	}
	f.Close()
	// Applying it is refused (the form is not offered; post it anyway).
	v := url.Values{"csrf": {tc.csrf()}, "id": {m[1]}}
	tc.srv.mu.Lock()
	v.Set("fingerprint", tc.srv.plans[m[1]].plan.Environment.Fingerprint)
	tc.srv.mu.Unlock()
	if code, page, _ := tc.postForm("/apply", v); code != http.StatusUnprocessableEntity || !strings.Contains(page, "error(s)") {
		t.Errorf("applying a plan with errors: %d\n%s", code, page)
	}
	if !bytes.Equal(before, tc.env()) {
		t.Error("the environment changed")
	}
	if code, _, _ := tc.get("/import/annotated?id=nope"); code != http.StatusNotFound {
		t.Errorf("an unknown upload: %d", code)
	}
	// A file that is not a workbook: a message naming it, nothing kept.
	junk := filepath.Join(t.TempDir(), "notes.xlsx")
	os.WriteFile(junk, []byte("not a zip"), 0o600)
	code, page := tc.upload(junk, "csrf", tc.csrf())
	if code != http.StatusBadRequest || !strings.Contains(page, "notes.xlsx") || strings.Contains(page, tc.srv.uploads) {
		t.Errorf("a broken upload: %d\n%s", code, page)
	}
	if len(tc.uploads()) != 2 { // the upload with mistakes and its annotated copy
		t.Errorf("uploads kept: %v", tc.uploads())
	}
}

// TestAnnotatedCached: the annotated copy is made once per upload, served
// again on later downloads, and removed with its upload.
func TestAnnotatedCached(t *testing.T) {
	tc := newConsole(t, Options{})
	_, page := tc.upload(mistakes, "csrf", tc.csrf())
	id := regexp.MustCompile(`href="/import/annotated\?id=([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	var first string
	var made time.Time
	for i := range 3 {
		code, body, _ := tc.get("/import/annotated?id=" + id)
		if code != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("download %d: %d", i, code)
		}
		tc.srv.mu.Lock()
		path := tc.srv.plans[id].annotated
		tc.srv.mu.Unlock()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first, made = path, st.ModTime()
		} else if path != first || !st.ModTime().Equal(made) {
			t.Errorf("download %d made the annotated copy again: %s %v", i, path, st.ModTime())
		}
	}
	// Evicted with its upload: a newer upload beyond MaxPending.
	for range tc.srv.opt.MaxPending {
		tc.upload(realistic, "csrf", tc.csrf())
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the annotated copy outlived its upload: %v", err)
	}
	if code, _, _ := tc.get("/import/annotated?id=" + id); code != http.StatusNotFound {
		t.Errorf("an evicted upload's annotated copy: %d", code)
	}
	if n := len(tc.uploads()); n != tc.srv.opt.MaxPending {
		t.Errorf("%d files kept for %d plans: %v", n, tc.srv.opt.MaxPending, tc.uploads())
	}
}

// exportWithPassword downloads the users area and sets a password on a
// user, as an administrator migrating passwords would.
func exportWithPassword(t *testing.T, tc *testConsole, user, password string) string {
	t.Helper()
	_, b, _ := tc.get("/api/export?areas=users")
	path := filepath.Join(t.TempDir(), "passwords.xlsx")
	os.WriteFile(path, []byte(b), 0o600)
	setCell(t, path, "Users", user, "Password", password)
	return path
}

// setCell sets the cell in column header of the row whose first cell is
// key (a new row at the end when no row has it).
func setCell(t *testing.T, path, sheet, key, header, value string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == header {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s has no column %s", sheet, header)
	}
	row := len(rows) + 1
	for i, r := range rows {
		if len(r) > 0 && r[0] == key {
			row = i + 1
		}
	}
	first, _ := excelize.CoordinatesToCellName(1, row)
	cell, _ := excelize.CoordinatesToCellName(col+1, row)
	f.SetCellStr(sheet, first, key)
	f.SetCellStr(sheet, cell, value)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestPasswords: a workbook that sets a password plans and applies
// through the console, the value is read from the upload at apply time
// and shown nowhere, and undo restores the old one.
func TestPasswords(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	wb := exportWithPassword(t, tc, "Acme Integration Service", newSecret)
	code, page := tc.upload(wb, "csrf", tc.csrf())
	if code != 200 || !strings.Contains(page, "~ Users Acme Integration Service: Password changed") {
		t.Fatalf("plan page: %d\n%s", code, page)
	}
	if code, _, _ := tc.postForm("/apply", applyFields(t, page)); code != http.StatusSeeOther {
		t.Fatalf("apply: %d", code)
	}
	env, err := artifacts.Load(tc.envPath)
	if err != nil || env.Users[0].Password != newSecret {
		t.Fatalf("the password was not applied: %v", err)
	}
	_, hist, _ := tc.get("/history")
	undo := regexp.MustCompile(`href="/undo\?file=(undo-[^"]+)"`).FindStringSubmatch(hist)[1]
	_, undoPage, _ := tc.get("/undo?file=" + undo)
	tc.postForm("/undo", url.Values{"csrf": {csrfField.FindStringSubmatch(undoPage)[1]}, "file": {undo}})
	if !bytes.Equal(before, tc.env()) {
		t.Error("undo did not restore the old password")
	}

	// The same through the API.
	ct, body := multipartBody(t, wb)
	code, plan := tc.api("POST", "/api/plan", ct, body)
	if code != 200 || !strings.Contains(plan, `"secrets"`) {
		t.Fatalf("API plan: %d %s", code, plan)
	}
	if strings.Contains(plan, tc.srv.uploads) {
		t.Errorf("the API plan shows the server's upload folder %s:\n%s", tc.srv.uploads, plan)
	}
	// A plan whose passwords would come from a file of the client's
	// choosing is refused.
	path := regexp.MustCompile(`"path": "([^"]+)"`).FindStringSubmatch(plan)
	if path == nil {
		t.Fatalf("no secrets path in %s", plan)
	}
	for _, elsewhere := range []string{filepath.Join(filepath.Dir(tc.envPath), path[1]), "../" + path[1], tc.envPath} {
		forged := strings.Replace(plan, path[0], `"path": "`+elsewhere+`"`, 1)
		if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(forged)); code != http.StatusBadRequest {
			t.Errorf("a plan reading passwords from %s: %d %s", elsewhere, code, out)
		}
	}
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(plan)); code != 200 {
		t.Fatalf("API apply: %d %s", code, out)
	}
	if env, _ := artifacts.Load(tc.envPath); env.Users[0].Password != newSecret {
		t.Error("the API did not apply the password")
	}
	// Its upload is gone with the apply.
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(plan)); code != http.StatusConflict || !strings.Contains(out, "no longer kept") {
		t.Errorf("a plan applied twice: %d %s", code, out)
	}
	for _, p := range []string{"/", "/history", "/api/history", "/explain?user=Acme+Integration+Service", "/api/explain?user=Acme+Integration+Service", "/api/audit", "/export/download"} {
		tc.get(p) // (do checks every response for the passwords)
	}
}

func TestAPI(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	ct, body := multipartBody(t, realistic)
	code, plan := tc.api("POST", "/api/plan", ct, body)
	if code != 200 || !strings.Contains(plan, `"format": "secmgr.plan/v1"`) || !strings.Contains(plan, `"source": "realistic.xlsx"`) {
		t.Fatalf("plan: %d %s", code, plan)
	}
	code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(plan))
	var res struct {
		Applied bool
		Undo    string
		Counts  struct{ Add, Edit, Rename, Remove int }
	}
	if err := json.Unmarshal([]byte(out), &res); code != 200 || err != nil || !res.Applied || res.Counts.Add != 5 || !strings.HasPrefix(res.Undo, "undo-") {
		t.Fatalf("apply: %d %s", code, out)
	}
	if len(tc.uploads()) != 0 {
		t.Errorf("the applied upload is kept: %v", tc.uploads())
	}
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(plan)); code != http.StatusConflict || !strings.Contains(out, "stale") {
		t.Errorf("applying again (stale): %d %s", code, out)
	}
	// Planning the same workbook again: nothing to change, 200; applying
	// that empty plan: 200, not applied.
	ct, body = multipartBody(t, realistic)
	code, again := tc.api("POST", "/api/plan", ct, body)
	if code != 200 || !strings.Contains(again, `"changes": []`) {
		t.Errorf("replanning: %d %s", code, again)
	}
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(again)); code != 200 || !strings.Contains(out, `"applied": false`) {
		t.Errorf("applying an empty plan: %d %s", code, out)
	}
	code, hist := tc.api("GET", "/api/history", "", nil)
	var journal []struct{ Source, Undo string }
	if err := json.Unmarshal([]byte(hist), &journal); code != 200 || err != nil || len(journal) != 1 || journal[0].Undo != res.Undo {
		t.Fatalf("history: %d %s", code, hist)
	}
	code, undo := tc.api("GET", "/api/undo?file="+res.Undo, "", nil)
	if code != 200 || !strings.Contains(undo, `"source": "backup-`) {
		t.Fatalf("undo plan: %d %s", code, undo)
	}
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(undo)); code != 200 {
		t.Fatalf("applying the undo plan: %d %s", code, out)
	}
	if !bytes.Equal(before, tc.env()) {
		t.Error("the undo plan did not restore the environment")
	}

	ct, body = multipartBody(t, mistakes)
	if code, out := tc.api("POST", "/api/plan", ct, body); code != http.StatusUnprocessableEntity || !strings.Contains(out, `"applicable": false`) {
		t.Errorf("a workbook with errors: %d %s", code, out)
	}
	for _, tt := range []struct {
		method, path, ct, body string
		want                   int
	}{
		{"POST", "/api/apply", "application/json", "not a plan", http.StatusBadRequest},
		{"POST", "/api/apply", "application/json", `{"format": "secmgr.plan/v9"}`, http.StatusBadRequest},
		{"POST", "/api/plan", "application/json", "{}", http.StatusBadRequest},
		{"POST", "/api/plan", "multipart/form-data; boundary=x", "--x--\r\n", http.StatusBadRequest},
		{"GET", "/api/explain?user=Nobody+Here", "", "", http.StatusBadRequest},
		{"GET", "/api/explain", "", "", http.StatusBadRequest},
		{"GET", "/api/undo?file=..%2Fgs.json", "", "", http.StatusNotFound},
		{"GET", "/api/plan", "", "", http.StatusMethodNotAllowed},
	} {
		if code, out := tc.api(tt.method, tt.path, tt.ct, strings.NewReader(tt.body)); code != tt.want {
			t.Errorf("%s %s %q: %d, want %d: %s", tt.method, tt.path, tt.body, code, tt.want, out)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{"/api/explain?user=Jessica+Documentation", `"user": "Jessica Documentation"`},
		{"/api/explain?group=Houston_Mod", `"group": "Houston_Mod"`},
		{"/api/audit", `"OS-BP-PS-AM-001"`},
	} {
		if code, out := tc.api("GET", tt.path, "", nil); code != 200 || !strings.Contains(out, tt.want) {
			t.Errorf("%s: %d %s", tt.path, code, out)
		}
	}
}

func TestCSRF(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	token := tc.csrf()
	b, _ := os.ReadFile(realistic)
	for _, tt := range []struct {
		name  string
		parts []string // field, value, …; "workbook" is the file
	}{
		{"no token", []string{"workbook", ""}},
		{"a wrong token", []string{"csrf", strings.Repeat("0", 64), "workbook", ""}},
		{"the token after the file", []string{"workbook", "", "csrf", token}},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for i := 0; i < len(tt.parts); i += 2 {
			if tt.parts[i] == "workbook" {
				fw, _ := mw.CreateFormFile("workbook", "realistic.xlsx")
				fw.Write(b)
			} else {
				mw.WriteField(tt.parts[i], tt.parts[i+1])
			}
		}
		mw.Close()
		req, _ := http.NewRequest("POST", tc.ts.URL+"/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		code, page, _ := tc.do(req)
		if code != http.StatusForbidden || !strings.Contains(page, "reload the page") {
			t.Errorf("an upload with %s: %d\n%s", tt.name, code, page)
		}
		if len(tc.uploads()) != 0 {
			t.Errorf("an upload with %s was kept", tt.name)
		}
	}
	// Another browser (no cookie) with this browser's token.
	other := &http.Client{}
	ct, body := multipartBody(t, realistic, "csrf", token)
	resp, err := other.Post(tc.ts.URL+"/import", ct, body)
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a token without its cookie: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, p := range []string{"/apply", "/undo"} {
		if code, _, _ := tc.postForm(p, url.Values{"id": {"x"}, "file": {"x"}}); code != http.StatusForbidden {
			t.Errorf("%s without a token: %d", p, code)
		}
	}
	// API POSTs need the header.
	for _, p := range []string{"/api/apply", "/api/plan"} {
		resp, err := other.Post(tc.ts.URL+p, "text/plain", strings.NewReader("{}"))
		if err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without %s: %v %v", p, apiHeader, err, resp)
		}
		resp.Body.Close()
	}
	if !bytes.Equal(before, tc.env()) {
		t.Error("a refused request changed the environment")
	}
}

// TestHostCheck: only requests addressed to the console are answered —
// loopback names on its port, or the names it was given — so that a web
// site resolving its own name to 127.0.0.1 (DNS rebinding) gets nothing.
func TestHostCheck(t *testing.T) {
	for _, tt := range []struct {
		hosts []string
		host  string
		want  int
	}{
		{nil, "127.0.0.1:PORT", 200},
		{nil, "localhost:PORT", 200},
		{nil, "LocalHost.:PORT", 200},
		{nil, "[::1]:PORT", 200},
		{nil, "127.0.0.1:1", http.StatusMisdirectedRequest},
		{nil, "localhost", http.StatusMisdirectedRequest}, // port 80, not this one
		{nil, "evil.example:PORT", http.StatusMisdirectedRequest},
		{nil, "evil.example", http.StatusMisdirectedRequest},
		{nil, "127.0.0.1.evil.example:PORT", http.StatusMisdirectedRequest},
		{nil, "localhost.evil.example:PORT", http.StatusMisdirectedRequest},
		{nil, "192.168.1.20:PORT", http.StatusMisdirectedRequest},
		{[]string{"192.168.1.20"}, "192.168.1.20:PORT", 200},
		{[]string{"secmgr.example.org"}, "SECMGR.example.org", 200},
		{[]string{"secmgr.example.org:443"}, "secmgr.example.org:443", 200},
		{[]string{"secmgr.example.org:443"}, "secmgr.example.org:8443", http.StatusMisdirectedRequest},
		{[]string{"secmgr.example.org"}, "evil.example:PORT", http.StatusMisdirectedRequest},
	} {
		tc := newConsole(t, Options{Hosts: tt.hosts})
		port := tc.ts.URL[strings.LastIndex(tc.ts.URL, ":")+1:]
		for _, path := range []string{"/", "/api/audit"} {
			req, _ := http.NewRequest("GET", tc.ts.URL+path, nil)
			req.Host = strings.Replace(tt.host, "PORT", port, 1)
			code, body, _ := tc.do(req)
			if code != tt.want {
				t.Errorf("%v: Host %q %s: %d, want %d\n%s", tt.hosts, req.Host, path, code, tt.want, body)
			}
			if code != 200 && (strings.Count(strings.TrimSpace(body), "\n") > 0 && path == "/" || !strings.Contains(body, "refused")) {
				t.Errorf("Host %q %s: not a one-line reason: %q", req.Host, path, body)
			}
			if code != 200 && path == "/api/audit" && !json.Valid([]byte(body)) {
				t.Errorf("Host %q %s: not JSON: %q", req.Host, path, body)
			}
		}
	}
}

// TestOriginCheck: a request that changes something is refused when a
// browser says it comes from another web page — another site, a rebinding
// name, another port of this machine — whatever else it carries.
func TestOriginCheck(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	self := tc.ts.URL
	port := self[strings.LastIndex(self, ":")+1:]
	for _, tt := range []struct {
		origin, site string
		want         int // of a form POST to /apply with a valid token and no plan: 404
	}{
		{"", "", http.StatusNotFound},
		{self, "", http.StatusNotFound},
		{self, "same-origin", http.StatusNotFound},
		{"", "same-origin", http.StatusNotFound},
		{"", "none", http.StatusNotFound},
		{"http://evil.example:" + port, "", http.StatusForbidden},
		{"http://evil.example:" + port, "cross-site", http.StatusForbidden},
		{"http://127.0.0.1:1", "same-site", http.StatusForbidden}, // another port of this machine
		{"http://localhost:" + port, "", http.StatusForbidden},    // another origin, though the same server
		{"null", "", http.StatusForbidden},
		{"null", "same-origin", http.StatusForbidden},
		{self, "cross-site", http.StatusForbidden},
		{self + "/x", "", http.StatusForbidden},
		{"file://", "", http.StatusForbidden},
		{"http://user@" + self[len("http://"):], "", http.StatusForbidden},
	} {
		v := url.Values{"csrf": {tc.csrf()}, "id": {"x"}, "fingerprint": {"x"}}
		req, _ := http.NewRequest("POST", self+"/apply", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		if tt.site != "" {
			req.Header.Set("Sec-Fetch-Site", tt.site)
		}
		code, body, _ := tc.do(req)
		if code != tt.want || (code == http.StatusForbidden && !strings.HasPrefix(body, "refused: ")) {
			t.Errorf("Origin %q, Sec-Fetch-Site %q: %d, want %d\n%s", tt.origin, tt.site, code, tt.want, body)
		}
	}
	// The API too, with its header and with an upload.
	ct, body := multipartBody(t, realistic)
	req, _ := http.NewRequest("POST", self+"/api/plan", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set(apiHeader, "1")
	req.Header.Set("Origin", "http://evil.example:"+port)
	if code, out, _ := tc.do(req); code != http.StatusForbidden || !json.Valid([]byte(out)) {
		t.Errorf("an API plan from another site: %d %s", code, out)
	}
	ct, body = multipartBody(t, realistic, "csrf", tc.csrf())
	req, _ = http.NewRequest("POST", self+"/import", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-site")
	if code, _, _ := tc.do(req); code != http.StatusForbidden {
		t.Errorf("an upload from another port: %d", code)
	}
	if len(tc.uploads()) != 0 || !bytes.Equal(before, tc.env()) {
		t.Error("a refused request left an upload or changed the environment")
	}
	// Reading is not refused: a link from elsewhere still opens the console.
	req, _ = http.NewRequest("GET", self+"/", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if code, _, _ := tc.do(req); code != 200 {
		t.Errorf("a link from another site: %d", code)
	}
}

func TestToken(t *testing.T) {
	tc := newConsole(t, Options{Token: "t0ken", Hosts: []string{"secmgr.example.org"}})
	if code, _, _ := tc.get("/"); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", code)
	}
	if code, out := tc.api("GET", "/api/audit", "", nil); code != http.StatusUnauthorized || !strings.Contains(out, `"error"`) {
		t.Errorf("API without the token: %d %s", code, out)
	}
	if code, _, _ := tc.get("/?token=wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", code)
	}
	if code, _, h := tc.get("/explain?token=t0ken&user=Jessica+Documentation"); code != http.StatusSeeOther || h.Get("Location") != "/explain?user=Jessica+Documentation" {
		t.Errorf("opening with ?token: %d %v", code, h)
	}
	if code, _, _ := tc.get("/history"); code != 200 {
		t.Errorf("the token cookie is not kept: %d", code)
	}
	// A script with the bearer token needs no other header, on the names
	// the console was given; not on others.
	for host, want := range map[string]int{"secmgr.example.org": 200, "evil.example": http.StatusMisdirectedRequest} {
		req, _ := http.NewRequest("GET", tc.ts.URL+"/api/audit", nil)
		req.Header.Set("Authorization", "Bearer t0ken")
		req.Host = host
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != want {
			t.Errorf("bearer GET on %s: %v %v, want %d", host, err, resp, want)
		} else {
			resp.Body.Close()
		}
	}
	ct, body := multipartBody(t, realistic)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/api/plan", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer t0ken")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("bearer POST: %v %v", err, resp)
	}
}

func TestUploadLimit(t *testing.T) {
	tc := newConsole(t, Options{MaxUpload: 4 << 10})
	code, page := tc.upload(realistic, "csrf", tc.csrf())
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 4 KiB") || !strings.Contains(page, "--max-upload") || !strings.Contains(page, "<h1>Import</h1>") {
		t.Errorf("a form upload over the limit: %d\n%s", code, page)
	}
	ct, body := multipartBody(t, realistic)
	if code, out := tc.api("POST", "/api/plan", ct, body); code != http.StatusRequestEntityTooLarge || !strings.Contains(out, "--max-upload") {
		t.Errorf("an API upload over the limit: %d %s", code, out)
	}
	bigPlan := `{"format": "secmgr.plan/v1", "source": "` + strings.Repeat("x", 8<<10) + `"}`
	if code, out := tc.api("POST", "/api/apply", "application/json", strings.NewReader(bigPlan)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an API plan over the limit: %d %s", code, out)
	}
	if len(tc.uploads()) != 0 {
		t.Errorf("an upload over the limit was kept: %v", tc.uploads())
	}
	// A form that is not an upload is a few fields: 64 KiB at most, even
	// under a larger --max-upload.
	tc = newConsole(t, Options{})
	v := url.Values{"csrf": {tc.csrf()}, "file": {strings.Repeat("x", maxForm)}}
	if code, page, _ := tc.postForm("/undo", v); code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 64 KiB") {
		t.Errorf("a 64 KiB form: %d\n%.300s", code, page)
	}
	// Only /import and /api/plan take uploads: a multipart body elsewhere is
	// a form like any other, bounded and (but for the API) checked for its
	// token.
	big := filepath.Join(t.TempDir(), "big.xlsx")
	os.WriteFile(big, bytes.Repeat([]byte("x"), maxForm+1), 0o600)
	ct, body = multipartBody(t, big, "csrf", tc.csrf(), "file", "undo-x.plan.json")
	req, _ := http.NewRequest("POST", tc.ts.URL+"/undo", body)
	req.Header.Set("Content-Type", ct)
	if code, page, _ := tc.do(req); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a multipart upload to /undo: %d\n%.300s", code, page)
	}
	var small bytes.Buffer
	mw := multipart.NewWriter(&small)
	mw.WriteField("file", "undo-x.plan.json")
	mw.Close()
	req, _ = http.NewRequest("POST", tc.ts.URL+"/undo", &small)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if code, page, _ := tc.do(req); code != http.StatusForbidden || !strings.Contains(page, "reload the page") {
		t.Errorf("a multipart form to /undo without a token: %d\n%.300s", code, page)
	}
	tc = newConsole(t, Options{MaxUpload: 4 << 10})
	ct, body = multipartBody(t, big)
	if code, out := tc.api("POST", "/api/apply", ct, body); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a multipart body to /api/apply over the limit: %d %s", code, out)
	}
}

// TestPlanExpiry: a plan not applied within PlanTTL is dropped with its
// upload; so is the oldest beyond tc.srv.opt.MaxPending.
func TestPlanExpiry(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tc := newConsole(t, Options{PlanTTL: time.Hour, Now: func() time.Time { return now }})
	_, page := tc.upload(realistic, "csrf", tc.csrf())
	fields := applyFields(t, page)
	now = now.Add(61 * time.Minute)
	if code, page, _ := tc.postForm("/apply", fields); code != http.StatusNotFound || !strings.Contains(page, "expired") {
		t.Errorf("an expired plan: %d\n%s", code, page)
	}
	if len(tc.uploads()) != 0 {
		t.Errorf("an expired upload is kept: %v", tc.uploads())
	}
	// The sweeper drops an expired plan even when no one comes back.
	tc.upload(realistic, "csrf", tc.csrf())
	now = now.Add(2 * time.Hour)
	tc.srv.mu.Lock()
	tc.srv.sweepLocked()
	tc.srv.mu.Unlock()
	if len(tc.uploads()) != 0 || len(tc.srv.plans) != 0 {
		t.Errorf("the sweep kept %v", tc.uploads())
	}
	for i := 0; i < tc.srv.opt.MaxPending+3; i++ {
		tc.srv.keep(&pending{upload: filepath.Join(tc.srv.uploads, fmt.Sprint(i)), created: now.Add(time.Duration(i) * time.Second)})
	}
	if len(tc.srv.plans) != tc.srv.opt.MaxPending {
		t.Errorf("%d plans kept, want %d", len(tc.srv.plans), tc.srv.opt.MaxPending)
	}
	dir := tc.srv.uploads
	tc.srv.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left %s: %v", dir, err)
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "--env") {
		t.Errorf("no environment: %v", err)
	}
	if _, err := New(Options{EnvPath: filepath.Join(t.TempDir(), "missing.json")}); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing environment: %v", err)
	}
	tc := newConsole(t, Options{})
	st, err := os.Stat(tc.srv.uploads)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the upload folder: %v %v", st.Mode(), err)
	}
}

// TestImportAccessReview: a reviewed access review (secmgr review) plans
// its Remove decisions as membership removals, as `secmgr plan` does.
func TestImportAccessReview(t *testing.T) {
	tc := newConsole(t, Options{})
	env, err := artifacts.Load(tc.envPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "AccessReview.101500.xlsx")
	if err := review.Write(env, path, review.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	user, _ := f.GetCellValue(review.Sheet, "A2")
	group, _ := f.GetCellValue(review.Sheet, "D2")
	f.SetCellStr(review.Sheet, "H2", "Remove")
	f.Save()
	f.Close()
	code, page := tc.upload(path, "csrf", tc.csrf())
	want := fmt.Sprintf(`<span class="op-remove">- UsersInGroups %s / %s</span>`, user, group)
	if code != 200 || !strings.Contains(page, want) || !strings.Contains(page, "Plan of <strong>AccessReview.101500.xlsx</strong>") {
		t.Fatalf("review plan: %d, want %s\n%s", code, want, page)
	}
	if code, _, _ := tc.postForm("/apply", applyFields(t, page)); code != http.StatusSeeOther {
		t.Fatalf("apply: %d", code)
	}
	if _, hist, _ := tc.get("/history"); !strings.Contains(hist, "<td>AccessReview.101500.xlsx</td>") {
		t.Errorf("history:\n%s", hist)
	}
}

// TestCSRFPlantedCookie: a page on another port of this machine can set a
// cookie for the console's host (cookies ignore ports), but without the
// console's secret it cannot make the token that goes with it — nor can a
// token of another console run.
func TestCSRFPlantedCookie(t *testing.T) {
	tc := newConsole(t, Options{})
	other := newConsole(t, Options{})
	otherToken := other.csrf()
	otherCookie := ""
	u, _ := url.Parse(other.ts.URL)
	for _, c := range other.c.Jar.Cookies(u) {
		if c.Name == csrfCookie {
			otherCookie = c.Value
		}
	}
	planted := strings.Repeat("ab", 16)
	sum := sha256.Sum256([]byte(planted))
	zeroKey := hmac.New(sha256.New, make([]byte, 32))
	zeroKey.Write([]byte(planted))
	for _, tt := range []struct{ name, cookie, token string }{
		{"the cookie's own value", planted, planted},
		{"its SHA-256", planted, hex.EncodeToString(sum[:])},
		{"an HMAC under another key", planted, hex.EncodeToString(zeroKey.Sum(nil))},
		{"another console's cookie and token", otherCookie, otherToken},
		{"an empty cookie and token", "", ""},
	} {
		jar, _ := cookiejar.New(nil)
		base, _ := url.Parse(tc.ts.URL)
		jar.SetCookies(base, []*http.Cookie{{Name: csrfCookie, Value: tt.cookie, Path: "/"}})
		c := &http.Client{Jar: jar, CheckRedirect: tc.c.CheckRedirect}
		ct, body := multipartBody(t, realistic, "csrf", tt.token)
		resp, err := c.Post(tc.ts.URL+"/import", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("an upload with %s: %d", tt.name, resp.StatusCode)
		}
		resp, err = c.PostForm(tc.ts.URL+"/undo", url.Values{"csrf": {tt.token}, "file": {"undo-x.plan.json"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("an undo with %s: %d", tt.name, resp.StatusCode)
		}
	}
	if len(tc.uploads()) != 0 {
		t.Errorf("a refused upload was kept: %v", tc.uploads())
	}
	// The console's own pair passes.
	if code, page := tc.upload(realistic, "csrf", tc.csrf()); code != 200 {
		t.Errorf("the console's own token: %d\n%s", code, page)
	}
}

// TestHeaderAndJSONHygiene: names from uploads reach headers only through
// mime.FormatMediaType, API errors are JSON even for names that are not
// UTF-8, and no answer shows the console's upload folder.
func TestHeaderAndJSONHygiene(t *testing.T) {
	tc := newConsole(t, Options{})
	b, err := os.ReadFile(mistakes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`say "hi".xlsx`, "naïve; x=1.xlsx", "line\r\nX-Evil: 1.xlsx", "\xff\xfe.xlsx", `back\slash.xlsx`} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", tc.csrf())
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "workbook", "filename": name}))
		fw, _ := mw.CreatePart(h)
		fw.Write(b)
		mw.Close()
		req, _ := http.NewRequest("POST", tc.ts.URL+"/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		code, page, _ := tc.do(req)
		m := regexp.MustCompile(`href="/import/annotated\?id=([0-9a-f]+)"`).FindStringSubmatch(page)
		if code != 200 || m == nil {
			t.Errorf("upload %q: %d", name, code)
			continue
		}
		code, _, hdr := tc.get("/import/annotated?id=" + m[1])
		if code != 200 {
			t.Errorf("annotated %q: %d", name, code)
			continue
		}
		cd := hdr.Get("Content-Disposition")
		disp, params, err := mime.ParseMediaType(cd)
		base := strings.ToValidUTF8(strings.TrimSuffix(name, ".xlsx"), "\uFFFD")
		if err != nil || disp != "attachment" || len(params) != 1 || params["filename"] != base+".checked.xlsx" {
			t.Errorf("name %q: Content-Disposition %q parses as %q %v %v", name, cd, disp, params, err)
		}
		if strings.ContainsAny(cd, "\r\n") || hdr.Get("X-Evil") != "" {
			t.Errorf("name %q: a header was injected: %q", name, cd)
		}
	}
	// API errors: a file that is not a workbook, under a name that is not
	// UTF-8, gives valid JSON naming it; never the upload folder.
	for _, name := range []string{"\xff\xfe\"bad\".xlsx", "plain.xlsx"} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="workbook"; filename="`+strings.ReplaceAll(name, `"`, `\"`)+`"`)
		fw, _ := mw.CreatePart(h)
		fw.Write([]byte("not a zip"))
		mw.Close()
		code, out := tc.api("POST", "/api/plan", mw.FormDataContentType(), &body)
		var v struct{ Error string }
		if code != http.StatusBadRequest || !json.Valid([]byte(out)) || json.Unmarshal([]byte(out), &v) != nil || !strings.Contains(v.Error, "bad") && !strings.Contains(v.Error, "plain.xlsx") {
			t.Errorf("API error for %q: %d %s", name, code, out)
		}
		if strings.Contains(out, tc.srv.uploads) {
			t.Errorf("API error for %q shows the upload folder: %s", name, out)
		}
	}
	// A plan: neither the upload folder nor the upload's path.
	wb := exportWithPassword(t, tc, "Acme Integration Service", newSecret)
	for _, path := range []string{realistic, mistakes, wb} {
		ct, body := multipartBody(t, path)
		code, out := tc.api("POST", "/api/plan", ct, body)
		if code != 200 && code != http.StatusUnprocessableEntity || strings.Contains(out, tc.srv.uploads) || strings.Contains(out, os.TempDir()) {
			t.Errorf("API plan of %s: %d shows a server path:\n%s", path, code, out)
		}
	}
}

// TestAPIRefusesInvalidPlanFile: a plan file is outside input; one whose
// change breaks the rules (a group inside itself, a UserType that does
// not exist) is refused with 422, and nothing changes.
func TestAPIRefusesInvalidPlanFile(t *testing.T) {
	tc := newConsole(t, Options{})
	before := tc.env()
	ct, body := multipartBody(t, realistic)
	code, plan := tc.api("POST", "/api/plan", ct, body)
	if code != 200 {
		t.Fatalf("plan: %d %s", code, plan)
	}
	for name, change := range map[string]map[string]any{
		"group in itself": {"op": "add", "tab": "GroupsInGroups", "key": []string{"Administrators", "Administrators"}},
		"bogus UserType": {"op": "add", "tab": "Users", "key": []string{"Mallory"},
			"fields": map[string]any{"UserType": map[string]string{"old": "", "new": "Bogus"}, "IsEnabled": map[string]string{"old": "", "new": "True"}}},
	} {
		var doc map[string]any
		if err := json.Unmarshal([]byte(plan), &doc); err != nil {
			t.Fatal(err)
		}
		doc["changes"] = []any{change}
		doc["secrets"] = nil
		delete(doc, "secrets")
		forged, _ := json.Marshal(doc)
		code, out := tc.api("POST", "/api/apply", "application/json", bytes.NewReader(forged))
		if code != http.StatusUnprocessableEntity || !strings.Contains(out, "nothing was applied") {
			t.Errorf("%s: %d %s", name, code, out)
		}
	}
	if after := tc.env(); !bytes.Equal(after, before) {
		t.Error("a refused plan changed the environment")
	}
}
