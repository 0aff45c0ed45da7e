package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// webDriver is a minimal W3C WebDriver client for chromedriver: enough to
// drive the console the way a person does, with no dependency.
type webDriver struct {
	t       *testing.T
	base    string
	session string
}

func (d *webDriver) call(method, path string, body any) map[string]any {
	d.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		d.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		d.t.Fatalf("webdriver %s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

func (d *webDriver) s(path string) string { return "/session/" + d.session + path }

func (d *webDriver) open(u string) { d.call("POST", d.s("/url"), map[string]any{"url": u}) }

func (d *webDriver) find(css string) string {
	d.t.Helper()
	v := d.call("POST", d.s("/element"), map[string]any{"using": "css selector", "value": css})["value"].(map[string]any)
	for _, id := range v {
		return id.(string)
	}
	d.t.Fatalf("no element %s", css)
	return ""
}

func (d *webDriver) click(css string) {
	d.call("POST", d.s("/element/"+d.find(css)+"/click"), map[string]any{})
}

func (d *webDriver) typeInto(css, text string) {
	d.call("POST", d.s("/element/"+d.find(css)+"/value"), map[string]any{"text": text})
}

func (d *webDriver) source() string { return d.call("GET", d.s("/source"), nil)["value"].(string) }

// shot saves a screenshot as dir/name.png when CONSOLE_SCREENSHOTS names a
// folder (docs/screenshots.sh sets it to regenerate docs/console-*.png).
func (d *webDriver) shot(name string) {
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	b64 := d.call("GET", d.s("/screenshot"), nil)["value"].(string)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), png, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

func (d *webDriver) url() string { return d.call("GET", d.s("/url"), nil)["value"].(string) }

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

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestBrowserExportImportApply drives headless Chromium through the
// console: filter an export, upload an edited workbook, review the plan,
// apply it and find it in History. Skipped when Chromium or chromedriver
// is not installed (.ci/run installs both).
func TestBrowserExportImportApply(t *testing.T) {
	chromium, driver := "/usr/bin/chromium", ""
	if p, err := exec.LookPath("chromedriver"); err == nil {
		driver = p
	}
	if _, err := os.Stat(chromium); err != nil || driver == "" {
		t.Skip("skipped: headless Chromium and chromedriver are not installed (apt-get install chromium chromium-driver); .ci/run installs them")
	}
	if testing.Short() {
		t.Skip("skipped with -short")
	}
	ts, _, envPath := newConsole(t, Options{})
	_ = ts
	port := freePort(t)
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	d := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for i := 0; ; i++ {
		if resp, err := http.Get(d.base + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("chromedriver did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	profile := t.TempDir()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": chromium, "args": []string{
			"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"}},
	}}}
	v := d.call("POST", "/session", caps)["value"].(map[string]any)
	d.session = v["sessionId"].(string)
	t.Cleanup(func() { d.call("DELETE", d.s(""), nil) })

	d.open(ts.URL + "/")
	d.shot("overview")
	// Export with a filter: the live count follows what is typed.
	d.open(ts.URL + "/export")
	d.click(`input[value="users"]`)
	d.typeInto(`input[name="user"]`, "Jessica*")
	d.waitFor(`<span id="count">3</span>`)
	d.shot("export")

	// Import the realistic edit, review the plan, apply it.
	d.open(ts.URL + "/import")
	abs, _ := filepath.Abs(realistic)
	d.typeInto(`input[type="file"]`, abs)
	d.click(`button[type="submit"]`)
	d.waitFor("Natalie Documentation → Natalie Doc")
	d.shot("plan")
	before, _ := os.ReadFile(envPath)
	d.click(`button.apply`)
	d.waitFor("Applied.")
	if !strings.Contains(d.url(), "/history") {
		t.Errorf("after Apply the browser is at %s", d.url())
	}
	src := d.source()
	if !strings.Contains(src, "realistic.xlsx") || !strings.Contains(src, "Undo…") {
		t.Errorf("History does not list the apply:\n%s", src)
	}
	d.shot("history")
	after, _ := os.ReadFile(envPath)
	if bytes.Equal(before, after) {
		t.Error("the environment did not change")
	}
	d.open(ts.URL + "/explain?user=Jessica+Documentation")
	d.waitFor("Budget Preparers")
	d.shot("explain")
	d.open(ts.URL + "/audit")
	d.waitFor("OS-BP-PS-AM-001")
	d.shot("audit")
}
