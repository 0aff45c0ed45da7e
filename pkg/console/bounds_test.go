package console

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
)

// TestEnvironmentCached: the environment is loaded once for any number of
// requests, concurrent or not, and again only when its file changes.
func TestEnvironmentCached(t *testing.T) {
	tc := newConsole(t, Options{})
	loads := func() int {
		tc.srv.env.mu.Lock()
		defer tc.srv.env.mu.Unlock()
		return tc.srv.env.loads
	}
	start := loads()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tc.api("GET", "/api/count?areas=users", "", nil)
		}()
	}
	wg.Wait()
	for _, p := range []string{"/", "/export", "/history", "/explain?user=Jessica+Documentation", "/audit"} {
		if code, _, _ := tc.get(p); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
	if n := loads() - start; n != 0 {
		t.Errorf("%d loads for requests on an unchanged file, want 0", n)
	}

	// Changed by an apply (a new file, by rename): loaded again, and the
	// pages show the change.
	_, page := tc.upload(realistic, "csrf", tc.csrf())
	if code, _, _ := tc.postForm("/apply", applyFields(t, page)); code != http.StatusSeeOther {
		t.Fatalf("apply: %d", code)
	}
	if _, out := tc.api("GET", "/api/explain?user=Natalie+Doc", "", nil); !strings.Contains(out, `"user": "Natalie Doc"`) {
		t.Errorf("the console did not see its own apply:\n%.300s", out)
	}
	after := loads()
	if after == start {
		t.Error("the file changed but was not loaded again")
	}

	// Changed in place by someone else, keeping its size: the modification
	// time tells.
	env, err := artifacts.Load(tc.envPath)
	if err != nil {
		t.Fatal(err)
	}
	old := env.Name
	env.Name = strings.Repeat("Z", len(old))
	var b bytes.Buffer
	if err := artifacts.Encode(&b, env); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(tc.envPath, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b.Bytes())
	f.Close()
	future := time.Now().Add(time.Minute)
	os.Chtimes(tc.envPath, future, future)
	if _, out, _ := tc.get("/"); !strings.Contains(out, env.Name) {
		t.Errorf("an edit in place was not seen:\n%.300s", out)
	}
	if loads() != after+1 {
		t.Errorf("%d loads after an edit in place, want 1", loads()-after)
	}
}

// TestBusy: beyond Workers working and Queue waiting, requests are
// answered at once with 503 and Retry-After; a waiting request gives up
// after QueueWait; an upload refused so is neither kept nor half-read.
func TestBusy(t *testing.T) {
	tc := newConsole(t, Options{Workers: 1, Queue: 1, QueueWait: 2 * time.Second})
	token := tc.csrf()
	release, err := tc.srv.gate.enter(context.Background()) // the only worker
	if err != nil {
		t.Fatal(err)
	}
	// One request waits for the worker…
	waited := make(chan int, 1)
	go func() {
		code, _ := tc.api("GET", "/api/count", "", nil)
		waited <- code
	}()
	for len(tc.srv.gate.admitted) < 2 {
		time.Sleep(time.Millisecond)
	}
	// …the others are refused at once, whatever they are.
	t0 := time.Now()
	ct, body := multipartBody(t, realistic)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/api/plan", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set(apiHeader, "1")
	code, out, h := tc.do(req)
	var v struct{ Error string }
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || json.Unmarshal([]byte(out), &v) != nil || !strings.Contains(v.Error, "busy") {
		t.Errorf("an API upload when busy: %d %v %s", code, h, out)
	}
	code, page := tc.upload(realistic, "csrf", token)
	if code != http.StatusServiceUnavailable || !strings.Contains(page, "busy") || !strings.Contains(page, "<h1>Import</h1>") {
		t.Errorf("a form upload when busy: %d\n%s", code, page)
	}
	if code, _, h := tc.get("/audit"); code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("a page when busy: %d", code)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("refusing took %v", d)
	}
	if code, _, _ := tc.get("/import"); code != 200 {
		t.Errorf("the upload form, which does no work, when busy: %d", code)
	}
	if len(tc.uploads()) != 0 {
		t.Errorf("a refused upload was kept: %v", tc.uploads())
	}
	// The waiting request gets the worker when it is released in time…
	release()
	if code := <-waited; code != 200 {
		t.Errorf("the waiting request: %d", code)
	}
	// …and gives up after QueueWait when it is not.
	release, _ = tc.srv.gate.enter(context.Background())
	t0 = time.Now()
	code, _ = tc.api("GET", "/api/count", "", nil)
	if d := time.Since(t0); code != http.StatusServiceUnavailable || d < 2*time.Second || d > 10*time.Second {
		t.Errorf("a request waiting longer than QueueWait: %d after %v", code, d)
	}
	release()
	if code, _ := tc.api("GET", "/api/count", "", nil); code != 200 {
		t.Errorf("when no longer busy: %d", code)
	}
}

// TestNothingLeft: Close removes every upload, and an upload that ends
// after Close is removed then.
func TestNothingLeft(t *testing.T) {
	tc := newConsole(t, Options{})
	_, page := tc.upload(mistakes, "csrf", tc.csrf())
	m := regexp.MustCompile(`href="/import/annotated\?id=([0-9a-f]+)"`).FindStringSubmatch(page)
	if code, _, _ := tc.get("/import/annotated?id=" + m[1]); code != 200 {
		t.Fatalf("annotated: %d", code)
	}
	tc.get("/export/download")
	if len(tc.uploads()) != 2 {
		t.Fatal("no upload kept")
	}
	dir := tc.srv.uploads
	tc.srv.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left %s", dir)
	}
	late := filepath.Join(t.TempDir(), "late.xlsx")
	os.WriteFile(late, []byte("x"), 0o600)
	tc.srv.keep(&pending{upload: late, created: time.Now()})
	if _, err := os.Stat(late); !os.IsNotExist(err) {
		t.Errorf("an upload kept after Close stays: %v", err)
	}
}

// TestSlowUploadHoldsNoWorker: an upload is received before it takes a
// worker, so a slow client does not stop the console from working; once
// received, it waits for a worker like any request and, refused after
// QueueWait, is not kept.
func TestSlowUploadHoldsNoWorker(t *testing.T) {
	tc := newConsole(t, Options{Workers: 1, Queue: 2, QueueWait: time.Second})
	ct, body := multipartBody(t, realistic)
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", tc.ts.URL+"/api/plan", pr)
		req.Header.Set("Content-Type", ct)
		req.Header.Set(apiHeader, "1")
		code, _, _ := tc.do(req)
		done <- code
	}()
	all := body.Bytes()
	pw.Write(all[:len(all)/2]) // half of it, then a pause
	t0 := time.Now()
	if code, _ := tc.api("GET", "/api/count", "", nil); code != 200 || time.Since(t0) > 5*time.Second {
		t.Errorf("a count during a slow upload: %d after %v", code, time.Since(t0))
	}
	pw.Write(all[len(all)/2:])
	pw.Close()
	if code := <-done; code != 200 {
		t.Errorf("the slow upload: %d", code)
	}

	// Received, then no worker within QueueWait: 503, and the file goes.
	release, _ := tc.srv.gate.enter(context.Background())
	defer release()
	ct, body = multipartBody(t, realistic)
	req, _ := http.NewRequest("POST", tc.ts.URL+"/api/plan", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set(apiHeader, "1")
	before := len(tc.uploads())
	code, out, h := tc.do(req)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(out, "busy") {
		t.Errorf("an upload with no worker free: %d %v %s", code, h, out)
	}
	if len(tc.uploads()) != before {
		t.Errorf("a refused upload was kept: %v", tc.uploads())
	}
}
