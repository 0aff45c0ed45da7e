package main

import (
	"bytes"
	"context"
	"io"
	"secmgr/internal/textfmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v3"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressLine: the line appears after the delay, is redrawn in place,
// gives way to a log line (erased first, drawn again after it) and is
// erased when the work is done.
func TestProgressLine(t *testing.T) {
	var out syncBuffer
	a := newApp(&bytes.Buffer{}, &out)
	a.progress = true
	bar := a.startProgress("exporting Users", 0, "rows")
	bar.Set(500, 2000)
	time.Sleep(progressDelay + 2*progressTick)
	bar.Label("exporting UsersInGroups")
	bar.Set(1000, 2000)
	time.Sleep(2 * progressTick)
	a.stderr.Write([]byte("warn: something\n"))
	time.Sleep(2 * progressTick)
	bar.Done()
	bar.Done() // twice is harmless

	s := out.String()
	for _, want := range []string{"\rexporting Users ", " 25%  500/2,000 rows", "\rexporting UsersInGroups [", " 50%  1,000/2,000 rows",
		"\x1b[K\r\x1b[Kwarn: something\n\rexporting UsersInGroups"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress output lacks %q:\n%q", want, s)
		}
	}
	if !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("the line is not erased at the end:\n%q", s)
	}
	if strings.Contains(s, "\n\r") && strings.Count(s, "\n") != 1 {
		t.Errorf("the progress line wrote new lines:\n%q", s)
	}

	// Work done before the delay shows nothing at all.
	var quick syncBuffer
	b := newApp(&bytes.Buffer{}, &quick)
	b.progress = true
	bar = b.startProgress("reading", 10, "")
	bar.Set(10, 10)
	bar.Done()
	if quick.String() != "" {
		t.Errorf("quick work printed %q", quick.String())
	}
	// Progress off: a nil bar takes every call.
	var off *progressBar
	off.Set(1, 2)
	off.Label("x")
	off.Detail("y")
	off.Done()
}

func TestProgressRender(t *testing.T) {
	b := &progressBar{start: time.Now(), unicode: true, label: "reading Users", unit: ""}
	b.total.Store(200)
	b.done.Store(50)
	b.detail = "12,000 rows"
	got := b.render(80)
	want := "reading Users [███████░░░░░░░░░░░░░░░░░░░░░░░]  25%  12,000 rows  0:00"
	if got != want {
		t.Errorf("render:\n%q\nwant\n%q", got, want)
	}
	// Narrow: the counts go first, then the bar.
	b.detail = ""
	b.unit = "rows"
	b.done.Store(150)
	if got := b.render(52); got != "reading Users [███████░░░]  75%  150/200 rows  0:00" {
		t.Errorf("render %q", got)
	}
	if got := b.render(45); got != "reading Users [████████████░░░░░]  75%  0:00" {
		t.Errorf("narrow render %q", got)
	}
	if got := b.render(20); len([]rune(got)) > 19 {
		t.Errorf("render for 20 columns is %d wide: %q", len([]rune(got)), got)
	}
	b.total.Store(0)
	b.unicode = false
	if got := b.render(80); !strings.HasPrefix(got, "reading Users / ") && !strings.HasPrefix(got, "reading Users - ") {
		t.Errorf("spinner render %q", got)
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 357084: "357,084", 1234567: "1,234,567"} {
		if got := textfmt.Count(n); got != want {
			t.Errorf("textfmt.Count(%d) = %q", n, got)
		}
	}
}

// TestProgressOnlyOnATerminal: progress is on only when standard error is
// a terminal, --quiet is not given and logs are for people.
func TestProgressOnlyOnATerminal(t *testing.T) {
	tty := openTerminal(t)
	for _, tc := range []struct {
		terminal bool
		args     []string
		want     bool
	}{
		{true, nil, true},
		{true, []string{"--quiet"}, false},
		{true, []string{"--log-format", "json"}, false},
		{false, nil, false},
	} {
		var stderr io.Writer = &bytes.Buffer{}
		if tc.terminal {
			stderr = tty
		}
		a := newApp(&bytes.Buffer{}, stderr)
		root := rootCommand(a)
		root.Action = func(context.Context, *cli.Command) error { return nil }
		if err := root.Run(context.Background(), append([]string{"secmgr"}, tc.args...)); err != nil {
			t.Fatal(err)
		}
		if a.progress != tc.want {
			t.Errorf("terminal %v, flags %q: progress %v, want %v", tc.terminal, tc.args, a.progress, tc.want)
		}
	}
}
