package console

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

const idpSample = "../../examples/golfstream/idp"

// idpForm is a reconcile form: fields first (as the page sends them),
// then the files, each as field=path.
func idpForm(t *testing.T, fields []string, files ...[2]string) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	for _, f := range files {
		b, err := os.ReadFile(f[1])
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile(f[0], filepath.Base(f[1]))
		fw.Write(b)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

func (tc *testConsole) reconcileForm(fields []string, files ...[2]string) (int, string) {
	tc.t.Helper()
	ct, body := idpForm(tc.t, fields, files...)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/reconcile", body)
	req.Header.Set("Content-Type", ct)
	code, page, _ := tc.do(req)
	return code, page
}

var (
	entraFile = [2]string{"idp", filepath.Join(idpSample, "entra-users.csv")}
	scimFile  = [2]string{"idp", filepath.Join(idpSample, "scim-users.json")}
	rulesFile = [2]string{"rules", filepath.Join(idpSample, "rules.json")}
)

func (tc *testConsole) user(name string) artifacts.User {
	tc.t.Helper()
	env, err := artifacts.Load(tc.envPath)
	if err != nil {
		tc.t.Fatal(err)
	}
	i, ok := artifacts.TabUsers.Tab().Find(env, name)
	if !ok {
		tc.t.Fatalf("no user %s", name)
	}
	return env.Users[i]
}

// TestReconcilePage: upload the sample's Entra export and rules, see the
// leavers, movers, joiners and plan, download the change workbook, apply.
func TestReconcilePage(t *testing.T) {
	tc := newConsole(t, Options{})
	code, page, _ := tc.get("/reconcile")
	if code != 200 || !strings.Contains(page, `type="file" name="idp"`) || !strings.Contains(page, `name="rules"`) || !strings.Contains(page, `href="/reconcile" class="on"`) {
		t.Fatalf("GET /reconcile: %d\n%s", code, page)
	}
	before := tc.env()
	// Without the form's token nothing is read or kept.
	if code, _ := tc.reconcileForm(nil, entraFile, rulesFile); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", code)
	}
	code, page = tc.reconcileForm([]string{"csrf", tc.csrf()}, entraFile, rulesFile)
	for _, want := range []string{"2 leavers, 1 movers, 2 joiners; 34 untouched", "<td>leaver</td><td>Steven Park</td><td>disabled in the identity provider</td>",
		"<td>joiner</td><td>Maria Santos</td>", "~ Users Steven Park: IsEnabled True → False", "Apply these changes", "/reconcile/workbook?id="} {
		if !strings.Contains(page, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("POST /reconcile: %d\n%s", code, page)
	}
	if !bytes.Equal(tc.env(), before) {
		t.Fatal("reconciling changed the environment")
	}
	v := applyFields(t, page)
	code, book, hdr := tc.get("/reconcile/workbook?id=" + v.Get("id"))
	if code != 200 || !strings.HasPrefix(book, "PK") || !strings.Contains(hdr.Get("Content-Disposition"), "reconcile-changes.xlsx") {
		t.Errorf("change workbook: %d %v", code, hdr)
	}
	if code, _, hdr := tc.postForm("/apply", v); code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/history") {
		t.Fatalf("apply: %d %v", code, hdr)
	}
	if u := tc.user("Steven Park"); u.IsEnabled {
		t.Error("Steven Park is still enabled after the apply")
	}
	tc.user("Maria Santos")
	// Reconciling again finds nothing to do.
	_, page = tc.reconcileForm([]string{"csrf", tc.csrf()}, scimFile, rulesFile)
	if !strings.Contains(page, "0 leavers, 0 movers, 0 joiners") || !strings.Contains(page, "Nothing to change.") || strings.Contains(page, "Apply these changes") {
		t.Errorf("second reconcile:\n%s", page)
	}
}

// TestAPIReconcile: the JSON API reconciles, /api/apply applies the plan
// it returned; bad input is 400 naming the uploaded file, never the
// console's private folder.
func TestAPIReconcile(t *testing.T) {
	tc := newConsole(t, Options{})
	ct, body := idpForm(t, []string{"prune", "1"}, entraFile, rulesFile)
	code, out := tc.api("POST", "/api/reconcile", ct, body)
	if code != 200 {
		t.Fatalf("/api/reconcile: %d %s", code, out)
	}
	var doc struct {
		Files     []string `json:"files"`
		Prune     bool     `json:"prune"`
		Reconcile struct {
			Summary struct{ Leavers, Movers, Joiners int } `json:"summary"`
		} `json:"reconcile"`
		Plan json.RawMessage `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if s := doc.Reconcile.Summary; s.Leavers != 4 || s.Movers != 1 || s.Joiners != 2 || !doc.Prune || doc.Files[0] != "entra-users.csv" {
		t.Errorf("answer %+v", doc)
	}
	code, out = tc.api("POST", "/api/apply", "application/json", bytes.NewReader(doc.Plan))
	if code != 200 || !strings.Contains(out, `"applied": true`) {
		t.Fatalf("/api/apply: %d %s", code, out)
	}
	ct, body = idpForm(t, []string{"prune", "1"}, entraFile, rulesFile)
	if code, out = tc.api("POST", "/api/reconcile", ct, body); code != 200 || !strings.Contains(out, `"changes": []`) {
		t.Errorf("second /api/reconcile: %d %s", code, out)
	}

	bad := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(bad, []byte("Name,Salary\nAnn,1\n"), 0o600)
	ct, body = idpForm(t, nil, [2]string{"idp", bad})
	code, out = tc.api("POST", "/api/reconcile", ct, body)
	if code != http.StatusBadRequest || !strings.Contains(out, "people.csv:1: not a recognised identity-provider export") || strings.Contains(out, tc.srv.uploads) {
		t.Errorf("bad export: %d %s", code, out)
	}
	// The API needs its header, like every API POST.
	ct, body = idpForm(t, nil, entraFile)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/api/reconcile", body)
	req.Header.Set("Content-Type", ct)
	if code, _, _ := tc.do(req); code != http.StatusForbidden {
		t.Errorf("without %s: %d", apiHeader, code)
	}
	small := newConsole(t, Options{MaxUpload: 1024})
	ct, body = idpForm(t, nil, entraFile)
	if code, out := small.api("POST", "/api/reconcile", ct, body); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: %d %s", code, out)
	}
	if m, _ := filepath.Glob(filepath.Join(small.srv.uploads, "*")); len(m) != 0 {
		t.Errorf("kept after a refused upload: %v", m)
	}
}
