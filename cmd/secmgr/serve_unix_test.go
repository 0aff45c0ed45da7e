//go:build unix

package main

import (
	"bufio"
	"io"
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
	cmd.Env = append(os.Environ(), "SECMGR_ENV=")
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
}
