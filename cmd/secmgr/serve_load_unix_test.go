//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// TestServeLoad is the console's load test: 50 parallel uploads of a
// 3.5 MB export against a 20,000-user environment, then 30 parallel
// counts, on loopback. Every request must be answered — 200, 422, 429 or
// 503 — within 60 s, the server's peak memory must stay under 1 GiB, and
// nothing may be left in its temporary folder after Ctrl-C. It takes about
// a minute, so it runs only when asked:
//
//	SECMGR_LOADTEST=1 go test ./cmd/secmgr -run TestServeLoad -v
//
// SECMGR_LOADTEST_USERS and SECMGR_LOADTEST_UPLOADS change the sizes.
func TestServeLoad(t *testing.T) {
	if os.Getenv("SECMGR_LOADTEST") == "" {
		t.Skip("the console load test runs with SECMGR_LOADTEST=1")
	}
	users, uploads := 20000, 50
	fmt.Sscan(os.Getenv("SECMGR_LOADTEST_USERS"), &users)
	fmt.Sscan(os.Getenv("SECMGR_LOADTEST_UPLOADS"), &uploads)
	const counts, limit, maxRSS = 30, 60 * time.Second, int64(1 << 30)

	dir := t.TempDir()
	if err := artifacts.Save(filepath.Join(dir, "env.json"), synthetic.Generate(synthetic.Options{Users: users})); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "out"), 0o700)
	ok(t, dir, nil, "export", "--env", "env.json", "--out-dir", "out")
	exports, _ := filepath.Glob(filepath.Join(dir, "out", "*.xlsx"))
	if len(exports) != 1 {
		t.Fatalf("export wrote %v", exports)
	}
	workbook, err := os.ReadFile(exports[0])
	if err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	cmd := exec.Command(binary, "serve", "--env", "env.json", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SECMGR_ENV=", "TMPDIR="+tmp)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(5*time.Minute, func() { cmd.Process.Kill() })
	defer kill.Stop()
	r := bufio.NewReader(stdout)
	line, _ := r.ReadString('\n')
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve printed %q\n%s", base, stderr.String())
	}
	go io.Copy(io.Discard, r)

	type answer struct {
		status int
		took   time.Duration
		err    error
	}
	run := func(n int, do func(*http.Client) (*http.Response, error)) []answer {
		client := &http.Client{Timeout: limit}
		out := make([]answer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				resp, err := do(client)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					out[i].status = resp.StatusCode
				}
				out[i].took, out[i].err = time.Since(t0), err
			}()
		}
		wg.Wait()
		return out
	}
	report := func(what string, answers []answer, wall time.Duration) {
		by := map[int]int{}
		var slowest time.Duration
		for _, a := range answers {
			slowest = max(slowest, a.took)
			if a.err != nil {
				t.Errorf("%s: no answer after %v: %v", what, a.took.Round(time.Millisecond), a.err)
				continue
			}
			by[a.status]++
			if !slices.Contains([]int{200, 422, 429, 503}, a.status) {
				t.Errorf("%s: status %d", what, a.status)
			}
			if a.took > limit {
				t.Errorf("%s: answered after %v", what, a.took)
			}
		}
		t.Logf("%s: %d requests in %v, slowest answer %v, statuses %v", what, len(answers), wall.Round(time.Millisecond), slowest.Round(time.Millisecond), by)
	}

	t0 := time.Now()
	answers := run(uploads, func(c *http.Client) (*http.Response, error) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("workbook", filepath.Base(exports[0]))
		fw.Write(workbook)
		mw.Close()
		req, _ := http.NewRequest("POST", base+"api/plan", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Secmgr-Request", "1")
		return c.Do(req)
	})
	report(fmt.Sprintf("%d parallel uploads of %.1f MB against %d users", uploads, float64(len(workbook))/1e6, users), answers, time.Since(t0))

	t0 = time.Now()
	answers = run(counts, func(c *http.Client) (*http.Response, error) {
		req, _ := http.NewRequest("GET", base+"api/count?areas=all", nil)
		return c.Do(req)
	})
	report(fmt.Sprintf("%d parallel counts", counts), answers, time.Since(t0))

	kept, _ := filepath.Glob(filepath.Join(tmp, "*", "*"))
	t.Logf("files kept for Apply before shutdown: %d", len(kept))
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after Ctrl-C: %v\n%s", err, stderr.String())
	}
	if rss, ok := peakRSS(cmd.ProcessState); ok {
		t.Logf("server peak RSS: %d MiB", rss>>20)
		if rss >= maxRSS {
			t.Errorf("the server's peak memory %d MiB is over 1 GiB", rss>>20)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(tmp, "*")); len(m) != 0 {
		t.Errorf("serve left temporary files behind: %v", m)
	}
}
