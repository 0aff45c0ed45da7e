//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe starts the console as a user does, opens the printed address
// and stops it with Ctrl-C (SIGINT).
func TestServe(t *testing.T) {
	dir := t.TempDir()
	ok(t, dir, nil, "init", "--sample", "gs.json")
	cmd := exec.Command(binary, "serve", "--env", "gs.json", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	tmp := t.TempDir() // the console's uploads go here
	cmd.Env = append(os.Environ(), "SECMGR_ENV=", "TMPDIR="+tmp)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer kill.Stop()
	lines := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		io.Copy(io.Discard, r)
		done <- cmd.Wait()
	}()
	var url string
	select {
	case url = <-lines:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve printed no address:\n%s", stderr.String())
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.Contains(url, "token") {
		t.Fatalf("serve printed %q", url)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, p := range []string{"", "api/audit"} {
		resp, err := client.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "GolfStream") {
			t.Errorf("GET %s%s: %d\n%.300s", url, p, resp.StatusCode, b)
		}
	}
	// Another name for this machine (DNS rebinding) is refused; so is a
	// change from another web page.
	port := url[strings.LastIndex(url, ":")+1 : len(url)-1]
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = "evil.example:" + port
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a foreign Host: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest("POST", url+"api/apply", strings.NewReader("{}"))
	req.Header.Set("X-Secmgr-Request", "1")
	req.Header.Set("Origin", "http://evil.example:"+port)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign Origin: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	// An upload kept for Apply is removed at shutdown.
	os.Mkdir(filepath.Join(dir, "out"), 0o700)
	ok(t, dir, nil, "export", "--env", "gs.json", "--out-dir", "out")
	exports, _ := filepath.Glob(filepath.Join(dir, "out", "*.xlsx"))
	if len(exports) != 1 {
		t.Fatalf("export wrote %v", exports)
	}
	if code := upload(t, client, url+"api/plan", exports[0]); code != 200 {
		t.Errorf("API plan of an export: %d", code)
	}
	if m, _ := filepath.Glob(filepath.Join(tmp, "*", "*.xlsx")); len(m) != 1 {
		t.Errorf("the console keeps %v, want the upload", m)
	}
	os.RemoveAll(filepath.Join(dir, "out"))
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on Ctrl-C")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 {
		t.Errorf("serve left files behind: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(tmp, "*")); len(m) != 0 {
		t.Errorf("serve left temporary files behind: %v", m)
	}
}

// upload posts the workbook at path to the API's plan endpoint and returns
// the status code.
func upload(t *testing.T, client *http.Client, url, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("workbook", filepath.Base(path))
	fw.Write(b)
	mw.Close()
	req, _ := http.NewRequest("POST", url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Secmgr-Request", "1")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
