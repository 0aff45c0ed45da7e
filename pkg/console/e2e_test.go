package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The browser test drives headless Chromium through chromedriver with a
// minimal W3C WebDriver client (below): no npm, no browser download, no
// dependency. .ci/run installs Debian's chromium and chromium-driver;
// without them the test skips and says so.

// chromium is Debian's Chromium; CHROMIUM names another binary.
func chromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// webDriver is a W3C WebDriver session: enough to drive the console the
// way a person does.
type webDriver struct {
	t       *testing.T
	base    string
	session string
	client  *http.Client
}

func (d *webDriver) call(method, path string, body any) any {
	d.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		d.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out struct{ Value any }
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		d.t.Fatalf("webdriver %s %s: %d %v", method, path, resp.StatusCode, out.Value)
	}
	return out.Value
}

func (d *webDriver) s(path string) string { return "/session/" + d.session + path }

func (d *webDriver) open(u string) { d.call("POST", d.s("/url"), map[string]any{"url": u}) }

func (d *webDriver) find(css string) string {
	d.t.Helper()
	v, _ := d.call("POST", d.s("/element"), map[string]any{"using": "css selector", "value": css}).(map[string]any)
	for _, id := range v {
		return id.(string)
	}
	d.t.Fatalf("no element %s", css)
	return ""
}

func (d *webDriver) click(css string) {
	d.t.Helper()
	d.call("POST", d.s("/element/"+d.find(css)+"/click"), map[string]any{})
}

func (d *webDriver) typeInto(css, text string) {
	d.t.Helper()
	d.call("POST", d.s("/element/"+d.find(css)+"/value"), map[string]any{"text": text})
}

func (d *webDriver) selected(css string) bool {
	d.t.Helper()
	v, _ := d.call("GET", d.s("/element/"+d.find(css)+"/selected"), nil).(bool)
	return v
}

// exec runs JavaScript in the page and returns its result.
func (d *webDriver) exec(script string) any {
	d.t.Helper()
	return d.call("POST", d.s("/execute/sync"), map[string]any{"script": script, "args": []any{}})
}

// cutOff lists the elements of the page's main part that reach past the
// right edge of the window, or are clipped inside their own box: what a
// person at this width cannot read.
func (d *webDriver) cutOff() []string {
	d.t.Helper()
	v, _ := d.exec(`const out = [];
for (const e of document.querySelectorAll("main *")) {
	const r = e.getBoundingClientRect();
	if (r.right > window.innerWidth + 1 || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible") {
		out.push(e.tagName + (e.id ? "#" + e.id : "") + ": " + (e.textContent || "").slice(0, 60));
	}
}
if (document.documentElement.scrollWidth > window.innerWidth) out.push("the page scrolls sideways");
return out;`).([]any)
	var out []string
	for _, x := range v {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func (d *webDriver) source() string { s, _ := d.call("GET", d.s("/source"), nil).(string); return s }

func (d *webDriver) url() string { s, _ := d.call("GET", d.s("/url"), nil).(string); return s }

// waitFor polls the page until it holds want.
func (d *webDriver) waitFor(want string) {
	d.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(d.source(), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("the page never showed %q:\n%s", want, d.source())
}

// shot saves a screenshot as DIR/console-NAME.png when CONSOLE_SCREENSHOTS
// names a folder: `CONSOLE_SCREENSHOTS=$PWD/docs go test ./pkg/console
// -run TestBrowser -count=1` regenerates the README's pictures.
func (d *webDriver) shot(name string) {
	d.t.Helper()
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	b64, _ := d.call("GET", d.s("/screenshot"), nil).(string)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), png, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// waitForFile waits for a finished download whose name matches pattern.
func waitForFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) == 1 {
			if b, err := os.ReadFile(m[0]); err == nil && len(b) > 0 && bytes.HasPrefix(b, []byte("PK")) {
				return m[0]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no download %s in %s: %v", pattern, dir, entries)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startBrowser starts chromedriver and a headless Chromium session that
// downloads into downloads. Everything is stopped when the test ends, and
// after three minutes at most.
func startBrowser(t *testing.T, downloads string) *webDriver {
	t.Helper()
	bin := chromium()
	driver, err := exec.LookPath("chromedriver")
	if _, serr := os.Stat(bin); serr != nil || err != nil {
		t.Skip("skipped: the browser test needs headless Chromium (" + bin + ") and chromedriver: apt-get install chromium chromium-driver (.ci/run installs them)")
	}
	if testing.Short() {
		t.Skip("skipped with -short: the browser test starts Chromium")
	}
	port := freePort(t)
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromedriver: %v", err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	watchdog := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	t.Cleanup(func() { watchdog.Stop(); stop() })

	d := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 60 * time.Second}}
	for i := 0; ; i++ {
		if resp, err := d.client.Get(d.base + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("chromedriver did not start within 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"timeouts":    map[string]any{"pageLoad": 30000, "script": 30000, "implicit": 0},
		"goog:chromeOptions": map[string]any{
			"binary": bin,
			"args": []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-quic", "--user-data-dir=" + t.TempDir(), "--window-size=1280,900",
				// A foreign name that resolves to this machine, as DNS
				// rebinding makes it.
				"--host-resolver-rules=MAP evil.example 127.0.0.1"},
			"prefs": map[string]any{
				"download.default_directory":   downloads,
				"download.prompt_for_download": false,
			},
		},
	}}}
	v, _ := d.call("POST", "/session", caps).(map[string]any)
	d.session, _ = v["sessionId"].(string)
	if d.session == "" {
		t.Fatalf("no WebDriver session: %v", v)
	}
	t.Cleanup(func() {
		req, _ := http.NewRequest("DELETE", d.base+d.s(""), nil)
		if resp, err := d.client.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	return d
}

// editRow sets cells by column header in the row whose first cell is key,
// or in a new row after the last when key is "".
func editRow(t *testing.T, path, sheet, key string, values map[string]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: sheet %s: %v", path, sheet, err)
	}
	row := len(rows) + 1
	for i, r := range rows {
		if key != "" && len(r) > 0 && r[0] == key {
			row = i + 1
		}
	}
	if key != "" && row > len(rows) {
		t.Fatalf("%s: no row %q", sheet, key)
	}
	for header, value := range values {
		col := -1
		for i, h := range rows[0] {
			if h == header {
				col = i
			}
		}
		if col < 0 {
			t.Fatalf("%s has no column %s", sheet, header)
		}
		cell, _ := excelize.CoordinatesToCellName(col+1, row)
		f.SetCellStr(sheet, cell, value)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserExportImportApply drives headless Chromium through the
// console as a person would: export with a filter, edit the downloaded
// workbook, upload it, review the plan, apply it and find it in History,
// undo it, then plan a bigger edit, look at a workbook with mistakes
// (and download it marked up), explain a user and read the audit.
func TestBrowserExportImportApply(t *testing.T) {
	downloads := t.TempDir()
	d := startBrowser(t, downloads)
	tc := newConsole(t, Options{})
	original := tc.env()

	d.open(tc.ts.URL + "/")
	d.waitFor("Rows per tab")
	d.shot("overview")

	// Export: tick an area, type a filter; the count follows.
	d.open(tc.ts.URL + "/export")
	d.click(`input[value="users"]`)
	if d.selected(`input[value="all"]`) {
		t.Error(`ticking an area leaves "all" ticked`)
	}
	d.typeInto(`input[name="user"]`, "Jessica*")
	d.waitFor(`<strong id="count">3</strong>`)
	d.shot("export")
	d.click(`button.primary`)
	exported := waitForFile(t, downloads, "SecurityExtract.[0-9][0-9][0-9][0-9][0-9][0-9].xlsx")
	b, _ := os.ReadFile(exported)
	if rows := readExport(t, b); fmt.Sprint(rows) != "map[Users:1 UsersInGroups:2]" {
		t.Fatalf("the export holds %v; want the users area filtered to Jessica", rows)
	}

	// Edit it as in Excel, then import it.
	editRow(t, exported, "Users", "Jessica Documentation", map[string]string{"Description": "Edited in the browser"})
	editRow(t, exported, "UsersInGroups", "", map[string]string{"User": "Jessica Documentation", "ParentGroup": "Houston_View"})
	d.open(tc.ts.URL + "/import")
	d.typeInto(`input[type="file"]`, exported)
	d.click(`button[type="submit"]`)
	d.waitFor("Plan: 1 to add, 1 to edit, 0 to rename, 0 to remove")
	src := d.source()
	for _, want := range []string{"~ Users Jessica Documentation: Description", "→ Edited in the browser", "+ UsersInGroups Jessica Documentation / Houston_View"} {
		if !strings.Contains(src, want) {
			t.Errorf("the plan does not show %q", want)
		}
	}
	if !bytes.Equal(original, tc.env()) {
		t.Fatal("the environment changed before Apply")
	}
	d.click(`button.apply`)
	d.waitFor("Applied.")
	if !strings.HasSuffix(d.url(), "/history?done=applied") {
		t.Errorf("after Apply the browser is at %s", d.url())
	}
	if src := d.source(); !strings.Contains(src, "<td>"+filepath.Base(exported)+"</td>") || !strings.Contains(src, "Undo…") {
		t.Errorf("History does not list the apply:\n%s", src)
	}
	if bytes.Equal(original, tc.env()) {
		t.Fatal("Apply did not change the environment")
	}

	// Undo: the undo plan is shown first, then applied.
	d.click(`a.undo`)
	d.waitFor("This undoes the apply of")
	if src := d.source(); !strings.Contains(src, "- UsersInGroups Jessica Documentation / Houston_View") {
		t.Errorf("the undo plan does not remove the membership:\n%s", src)
	}
	d.shot("undo")
	d.click(`button.apply`)
	d.waitFor("Undone")
	if !bytes.Equal(original, tc.env()) {
		t.Error("Undo did not restore the environment byte for byte")
	}

	// A bigger edit: renames, removals, a new user and group.
	abs, _ := filepath.Abs(realistic)
	d.open(tc.ts.URL + "/import")
	d.typeInto(`input[type="file"]`, abs)
	d.click(`button[type="submit"]`)
	d.waitFor("Natalie Documentation → Natalie Doc")
	d.shot("plan")
	// The impact on effective access, above the Apply button.
	src = d.source()
	if i, j := strings.Index(src, `id="impact"`), strings.Index(src, "Apply these changes"); i < 0 || j < i {
		t.Errorf("the plan page does not show the impact above Apply (at %d and %d)", i, j)
	}
	for _, want := range []string{"Impact on effective access: 3 users, 8 changes", "<td>Pat Morgan</td>", "Houston_View → Houston Team → North America"} {
		if !strings.Contains(src, want) {
			t.Errorf("the plan's impact does not show %q", want)
		}
	}
	d.exec(`document.getElementById("impact").scrollIntoView()`)
	d.shot("plan-impact")
	if cut := d.cutOff(); len(cut) > 0 {
		t.Errorf("at 1280 px the plan page cuts off: %q", cut)
	}
	d.click(`button.apply`)
	d.waitFor("Applied.")
	d.shot("history")

	// A workbook with mistakes: findings at their cells, no Apply, and the
	// marked-up workbook to download.
	abs, _ = filepath.Abs(mistakes)
	d.open(tc.ts.URL + "/import")
	d.typeInto(`input[type="file"]`, abs)
	d.click(`button[type="submit"]`)
	d.waitFor("UsersInGroups!B2")
	if strings.Contains(d.source(), "Apply these changes") {
		t.Error("a plan with errors offers Apply")
	}
	d.shot("findings")
	d.click(`a.download`)
	waitForFile(t, downloads, "mistakes.checked.xlsx")

	// Explain a user by typing the name: the membership tree, the
	// exclusion decision that keeps him out, roles and rights, all
	// readable at 1280 px.
	d.open(tc.ts.URL + "/explain")
	d.typeInto(`input[name="user"]`, "Mark Sullivan")
	d.click(`form.inline button`)
	d.waitFor(`<ul class="tree" id="tree">`)
	src = d.source()
	for _, want := range []string{`<table class="wide" id="exclusions">`, "UsersInExGroups Mark Sullivan / Houston Mod Except Contractors", `<table class="wide" id="rights">`, "<li>Houston_View<ul>"} {
		if !strings.Contains(src, want) {
			t.Errorf("explain does not show %q", want)
		}
	}
	if cut := d.cutOff(); len(cut) > 0 {
		t.Errorf("at 1280 px the explain page cuts off: %q", cut)
	}
	d.shot("explain")
	d.open(tc.ts.URL + "/explain?group=Houston+Mod+Except+Contractors")
	d.waitFor(`<table class="wide" id="entries">`)
	if cut := d.cutOff(); len(cut) > 0 {
		t.Errorf("at 1280 px the explain page of a group cuts off: %q", cut)
	}
	d.shot("explain-group")

	// Read the audit.
	d.open(tc.ts.URL + "/audit")
	d.waitFor("OS-BP-PS-AM-001")
	d.shot("audit")
	if src := d.source(); strings.Contains(src, secret) {
		t.Error("a page shows a password")
	}
}

// TestBrowserRefusesOtherSites: in a real browser, a web site whose name
// resolves to 127.0.0.1 (DNS rebinding) gets only the refusal, and a page
// on another port of this machine that plants the CSRF cookie and posts a
// form changes nothing.
func TestBrowserRefusesOtherSites(t *testing.T) {
	d := startBrowser(t, t.TempDir())
	tc := newConsole(t, Options{})
	before := tc.env()
	port := tc.ts.URL[strings.LastIndex(tc.ts.URL, ":")+1:]

	// The console under a foreign name: refused, nothing of it shown.
	d.open("http://evil.example:" + port + "/")
	d.waitFor("refused: this console answers only to localhost")
	if src := d.source(); strings.Contains(src, "Rows per tab") || strings.Contains(src, "GolfStream") {
		t.Errorf("the console answered a foreign name:\n%s", src)
	}
	d.open("http://evil.example:" + port + "/api/export")
	d.waitFor("refused")

	// The console's own page first, so that the browser holds its cookie.
	d.open(tc.ts.URL + "/import")
	d.waitFor("Check and plan")

	// A page on another loopback port: it overwrites the CSRF cookie
	// (cookies do not tell ports apart, and the two are the same site) and
	// posts a form with a token of its making.
	planted := strings.Repeat("ab", 16)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/undo">
<input name="csrf" value="%s"><input name="file" value="undo-x.plan.json"></form>
<script>document.cookie = "%s=%s; path=/"; document.getElementById("f").submit();</script>`, tc.ts.URL, planted, csrfCookie, planted)
	}))
	defer evil.Close()
	d.open(evil.URL + "/")
	d.waitFor("refused: this request came from")
	if src := d.source(); !strings.Contains(src, evil.URL) {
		t.Errorf("the refusal does not name the other page %s:\n%s", evil.URL, src)
	}
	if !bytes.Equal(before, tc.env()) {
		t.Error("a page of another site changed the environment")
	}
}
