package console

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

const secret = "ENC(S3CR3T-console)"

// newConsole serves a copy of the sample (one user with a password) and
// returns the server and a browser-like client with a cookie jar.
func newConsole(t *testing.T, opt Options) (*httptest.Server, *http.Client, string) {
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
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return ts, client, opt.EnvPath
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), secret) {
		t.Errorf("%s shows a password value", u)
	}
	return resp.StatusCode, string(b), resp.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// upload posts a workbook to /import the way the form does.
func upload(t *testing.T, c *http.Client, base, path string, withCSRF bool) (int, string) {
	t.Helper()
	_, form, _ := get(t, c, base+"/import")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if withCSRF {
		mw.WriteField("csrf", csrfField.FindStringSubmatch(form)[1])
	}
	fw, _ := mw.CreateFormFile("workbook", filepath.Base(path))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(b)
	mw.Close()
	resp, err := c.Post(base+"/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values) (int, string, http.Header) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

const realistic = "../../examples/golfstream/edits/realistic.xlsx"

func TestPages(t *testing.T) {
	ts, c, _ := newConsole(t, Options{})
	for _, p := range []string{"/", "/export?areas=users&user=Jessica*", "/import", "/history", "/explain?user=Jessica+Documentation", "/explain?group=Houston_Mod", "/audit"} {
		code, body, h := get(t, c, ts.URL+p)
		if code != 200 || !strings.Contains(body, "<h1>") {
			t.Errorf("%s: %d\n%s", p, code, body)
		}
		if h.Get("Content-Security-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers missing", p)
		}
	}
	if _, body, _ := get(t, c, ts.URL+"/explain?user=Jessica+Documentation"); !strings.Contains(body, "Documentation LegalA") {
		t.Error("explain does not show Jessica's groups")
	}
	if _, body, _ := get(t, c, ts.URL+"/audit"); !strings.Contains(body, "OS-BP-PS-AM-001") {
		t.Error("audit does not show the rule IDs")
	}
}

func TestExportDownload(t *testing.T) {
	ts, c, _ := newConsole(t, Options{})
	for _, p := range []string{"/export/download?areas=users&user=Jessica*", "/api/export?areas=users&user=Jessica*"} {
		resp, err := c.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if cd := resp.Header.Get("Content-Disposition"); !regexp.MustCompile(`filename="SecurityExtract\.\d{6}\.xlsx"`).MatchString(cd) {
			t.Errorf("%s: Content-Disposition %q", p, cd)
		}
		path := filepath.Join(t.TempDir(), "x.xlsx")
		os.WriteFile(path, b, 0o600)
		wb, err := workbook.Open(path, workbook.Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rows := 0
		wb.Read(wb.Sheet(artifacts.TabUsers), func(r *workbook.Row) error { rows++; return nil })
		wb.Close()
		if rows != 1 || len(wb.Sheets) != 2 {
			t.Errorf("%s: %d sheets, %d users; want the users area filtered to Jessica", p, len(wb.Sheets), rows)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Error("the export holds a password")
		}
	}
	if _, body, _ := get(t, c, ts.URL+"/api/count?areas=users&user=Jessica*"); !strings.Contains(body, `"rows": 3`) {
		t.Errorf("count: %s", body)
	}
}

// TestImportApplyHistoryUndo walks the browser flow: upload, review the
// plan, apply it, see it in History, undo it.
func TestImportApplyHistoryUndo(t *testing.T) {
	ts, c, envPath := newConsole(t, Options{})
	before, _ := os.ReadFile(envPath)
	code, body := upload(t, c, ts.URL, realistic, true)
	if code != 200 || !strings.Contains(body, "&gt; Users Natalie Documentation → Natalie Doc") {
		t.Fatalf("plan page: %d\n%s", code, body)
	}
	// A second plan of the same state, applied after the first: stale.
	_, body2 := upload(t, c, ts.URL, realistic, true)
	form := func(page string) url.Values {
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
	first, second := form(body), form(body2)
	if code, _, h := postForm(t, c, ts.URL+"/apply", first); code != http.StatusSeeOther || h.Get("Location") != "/history?applied=1" {
		t.Fatalf("apply: %d %v", code, h)
	}
	after, _ := os.ReadFile(envPath)
	if bytes.Equal(before, after) {
		t.Fatal("apply changed nothing")
	}
	if code, page, _ := postForm(t, c, ts.URL+"/apply", second); code != http.StatusConflict || !strings.Contains(page, "environment changed") {
		t.Errorf("stale apply: %d\n%s", code, page)
	}
	_, hist, _ := get(t, c, ts.URL+"/history")
	m := regexp.MustCompile(`href="/undo\?file=(undo-[^"]+)"`).FindStringSubmatch(hist)
	if m == nil {
		t.Fatalf("history lists no undo:\n%s", hist)
	}
	code, undoPage, _ := get(t, c, ts.URL+"/undo?file="+m[1])
	if code != 200 || !strings.Contains(undoPage, "Natalie Documentation") {
		t.Fatalf("undo page: %d\n%s", code, undoPage)
	}
	v := url.Values{"csrf": {csrfField.FindStringSubmatch(undoPage)[1]}, "file": {m[1]}}
	if code, page, _ := postForm(t, c, ts.URL+"/undo", v); code != http.StatusSeeOther {
		t.Fatalf("undo: %d\n%s", code, page)
	}
	restored, _ := os.ReadFile(envPath)
	if !bytes.Equal(before, restored) {
		t.Error("undo did not restore the environment byte for byte")
	}
	if code, _, _ := get(t, c, ts.URL+"/undo?file=../../gs.json"); code != http.StatusNotFound {
		t.Errorf("an undo name outside the history folder: %d", code)
	}
}

func TestImportWithFindings(t *testing.T) {
	ts, c, _ := newConsole(t, Options{})
	code, body := upload(t, c, ts.URL, "../../examples/golfstream/edits/mistakes.xlsx", true)
	if code != 200 || !strings.Contains(body, "UsersInGroups!B2") || strings.Contains(body, "Apply these changes") {
		t.Fatalf("findings page: %d\n%s", code, body)
	}
	m := regexp.MustCompile(`href="/import/annotated\?id=([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no annotated download")
	}
	resp, err := c.Get(ts.URL + "/import/annotated?id=" + m[1])
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "mistakes.checked.xlsx") {
		t.Fatalf("annotated download: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestCSRFAndAPIHeader(t *testing.T) {
	ts, c, envPath := newConsole(t, Options{})
	before, _ := os.ReadFile(envPath)
	if code, _ := upload(t, c, ts.URL, realistic, false); code != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d", code)
	}
	resp, _ := http.Post(ts.URL+"/api/apply", "application/json", strings.NewReader("{}"))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an API POST without %s: %d", apiHeader, resp.StatusCode)
	}
	after, _ := os.ReadFile(envPath)
	if !bytes.Equal(before, after) {
		t.Error("a refused request changed the environment")
	}
}

// apiPost posts to the JSON API with the header it requires.
func apiPost(t *testing.T, u, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(apiHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), secret) {
		t.Errorf("%s shows a password value", u)
	}
	return resp.StatusCode, string(b)
}

func multipartWorkbook(t *testing.T, path string) (string, io.Reader) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("workbook", filepath.Base(path))
	b, _ := os.ReadFile(path)
	fw.Write(b)
	mw.Close()
	return mw.FormDataContentType(), &body
}

func TestAPIPlanApply(t *testing.T) {
	ts, c, _ := newConsole(t, Options{})
	ct, body := multipartWorkbook(t, realistic)
	code, plan := apiPost(t, ts.URL+"/api/plan", ct, body)
	if code != 200 || !strings.Contains(plan, `"format": "secmgr.plan/v1"`) {
		t.Fatalf("plan: %d %s", code, plan)
	}
	if code, out := apiPost(t, ts.URL+"/api/apply", "application/json", strings.NewReader(plan)); code != 200 || !strings.Contains(out, `"applied": true`) {
		t.Fatalf("apply: %d %s", code, out)
	}
	if code, out := apiPost(t, ts.URL+"/api/apply", "application/json", strings.NewReader(plan)); code != http.StatusConflict {
		t.Errorf("applying again (stale): %d %s", code, out)
	}
	ct, body = multipartWorkbook(t, "../../examples/golfstream/edits/mistakes.xlsx")
	if code, _ := apiPost(t, ts.URL+"/api/plan", ct, body); code != http.StatusUnprocessableEntity {
		t.Errorf("a workbook with errors: %d", code)
	}
	if code, _ := apiPost(t, ts.URL+"/api/apply", "application/json", strings.NewReader("not a plan")); code != http.StatusBadRequest {
		t.Errorf("a bad body: %d", code)
	}
	for _, p := range []string{"/api/explain?user=Jessica+Documentation", "/api/audit"} {
		if code, body, _ := get(t, c, ts.URL+p); code != 200 || !strings.HasPrefix(strings.TrimSpace(body), "{") {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	if code, _, _ := get(t, c, ts.URL+"/api/explain?user=Nobody+Here"); code != http.StatusBadRequest {
		t.Errorf("unknown user: %d", code)
	}
}

func TestTokenAndUploadLimit(t *testing.T) {
	ts, c, _ := newConsole(t, Options{Token: "t0ken", MaxUpload: 4 << 10})
	if code, _, _ := get(t, c, ts.URL+"/"); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", code)
	}
	if code, _, _ := get(t, c, ts.URL+"/?token=t0ken"); code != 200 {
		t.Errorf("with ?token: %d", code)
	}
	if code, _, _ := get(t, c, ts.URL+"/history"); code != 200 {
		t.Errorf("the token cookie is not kept: %d", code)
	}
	if code, body := upload(t, c, ts.URL, realistic, true); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "--max-upload") {
		t.Errorf("an upload over the limit: %d\n%s", code, body)
	}
}
