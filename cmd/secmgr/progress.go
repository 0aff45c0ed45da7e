package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"secmgr/internal/textfmt"
	"secmgr/pkg/workbook"
)

// Progress is one line on standard error, redrawn in place, for work that
// takes long enough to wonder about: reading and writing workbooks,
// applying. It is shown only when standard error is a terminal, --quiet is
// not given and logs are for people (--log-format console); otherwise
// nothing is written at all. It appears after progressDelay, so quick
// commands never flash it, and it is erased when the work is done.

// progressDelay is how long work runs before its progress line appears;
// progressTick how often the line is redrawn.
const (
	progressDelay = 400 * time.Millisecond
	progressTick  = 100 * time.Millisecond
)

// statusWriter is standard error shared by the logs and the progress
// line: a write first erases the progress line, which the next tick
// draws again below what was written.
type statusWriter struct {
	mu    sync.Mutex
	w     io.Writer
	drawn bool // a progress line is on the screen
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eraseLocked()
	return s.w.Write(p)
}

// show draws line in place of the current progress line.
func (s *statusWriter) show(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.w, "\r"+line+"\x1b[K")
	s.drawn = true
}

// erase removes the progress line, if one is drawn.
func (s *statusWriter) erase() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eraseLocked()
}

func (s *statusWriter) eraseLocked() {
	if s.drawn {
		io.WriteString(s.w, "\r\x1b[K")
		s.drawn = false
	}
}

// progressBar is one piece of work shown on the progress line. A nil
// *progressBar (progress is off) accepts every call and shows nothing.
type progressBar struct {
	out     *statusWriter
	width   func() int
	unicode bool
	start   time.Time

	mu         sync.Mutex
	label      string
	labelWidth int    // the widest label so far: the bar does not move left
	detail     string // shown after the percentage instead of the counts
	unit       string // what done counts, such as "rows"; "" for a percentage only
	done       atomic.Int64
	total      atomic.Int64 // <= 0: unknown; a spinner instead of a bar

	stop     chan struct{}
	finished chan struct{}
	frame    int
}

// startProgress starts the progress line for work called label; total is
// the amount of work in unit (0 when unknown). It returns nil when
// progress is off.
func (a *app) startProgress(label string, total int64, unit string) *progressBar {
	if !a.progress {
		return nil
	}
	b := &progressBar{out: a.status, width: a.termWidth, unicode: utf8Locale(), start: time.Now(),
		label: label, unit: unit, stop: make(chan struct{}), finished: make(chan struct{})}
	b.total.Store(total)
	go b.run()
	return b
}

func (b *progressBar) run() {
	defer close(b.finished)
	select {
	case <-b.stop:
		return
	case <-time.After(progressDelay):
	}
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		b.out.show(b.render(b.width()))
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
	}
}

// Set records how much of the work is done, out of total (0: unknown).
func (b *progressBar) Set(done, total int64) {
	if b == nil {
		return
	}
	b.done.Store(done)
	b.total.Store(total)
}

// Label changes what the line says is being done.
func (b *progressBar) Label(label string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.label = label
	b.mu.Unlock()
}

// Detail sets what the line shows after the percentage in place of the
// counts, such as "12,000 rows".
func (b *progressBar) Detail(detail string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.detail = detail
	b.mu.Unlock()
}

// Done stops the line and erases it. It is safe to call more than once.
func (b *progressBar) Done() {
	if b == nil {
		return
	}
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.finished
	b.out.erase()
}

// render formats the line for a terminal width columns wide: the label,
// a bar (or a spinner when the total is unknown), the count and the time
// taken so far.
func (b *progressBar) render(width int) string {
	b.mu.Lock()
	b.labelWidth = max(b.labelWidth, len([]rune(b.label)))
	label := b.label + strings.Repeat(" ", b.labelWidth-len([]rune(b.label)))
	detail := b.detail
	b.mu.Unlock()
	done, total := b.done.Load(), b.total.Load()
	elapsed := time.Since(b.start).Round(time.Second)
	clock := fmt.Sprintf("%d:%02d", int(elapsed.Minutes()), int(elapsed.Seconds())%60)
	// What follows the bar, longest first: the first that leaves room
	// for a bar is used.
	var tails []string
	switch {
	case total > 0 && detail != "":
		tails = []string{
			fmt.Sprintf(" %3d%%  %s  %s", percent(done, total), detail, clock),
			fmt.Sprintf(" %3d%%  %s", percent(done, total), clock),
		}
	case total > 0 && b.unit != "":
		tails = []string{
			fmt.Sprintf(" %3d%%  %s/%s %s  %s", percent(done, total), textfmt.Count(done), textfmt.Count(total), b.unit, clock),
			fmt.Sprintf(" %3d%%  %s", percent(done, total), clock),
		}
	case total > 0:
		tails = []string{fmt.Sprintf(" %3d%%  %s", percent(done, total), clock)}
	case b.unit != "":
		tails = []string{fmt.Sprintf("  %s %s  %s", textfmt.Count(done), b.unit, clock)}
	default:
		tails = []string{"  " + clock}
	}
	width = max(width-1, 10) // never write into the last column: some terminals wrap there
	tail := tails[0]
	room := width - len([]rune(label)) - len([]rune(tail)) - 3
	for _, t := range tails[1:] {
		if room >= 10 {
			break
		}
		tail = t
		room = width - len([]rune(label)) - len([]rune(tail)) - 3
	}
	if room < 10 {
		// Too narrow for a bar: keep what fits of the label and the tail.
		line := []rune(label + tail)
		if len(line) > width {
			line = line[:width]
		}
		return string(line)
	}
	barWidth := min(room, 30)
	var bar string
	if total > 0 {
		full := int(int64(barWidth) * min(done, total) / total)
		if b.unicode {
			bar = strings.Repeat("█", full) + strings.Repeat("░", barWidth-full)
		} else {
			bar = strings.Repeat("#", full) + strings.Repeat("-", barWidth-full)
		}
	} else {
		spin := []string{"|", "/", "-", "\\"}
		if b.unicode {
			spin = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
		}
		b.frame++
		bar = spin[b.frame%len(spin)]
		return label + " " + bar + tail
	}
	return label + " [" + bar + "]" + tail
}

func percent(done, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return min(100, done*100/total)
}

// utf8Locale reports whether the locale says the terminal shows UTF-8.
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToUpper(s)
			return strings.Contains(s, "UTF-8") || strings.Contains(s, "UTF8")
		}
	}
	return false
}

// termWidth is the width of the terminal on standard error, 80 when it
// cannot be told.
func (a *app) termWidth() int {
	if f, ok := a.rawStderr.(*os.File); ok {
		if w := terminalWidth(f); w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// isTerminalWriter reports whether w is a terminal.
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTTY(f)
}

// readOptions returns the workbook options that show the progress of
// reading path on the progress line, and the function to call when
// reading is over.
func (a *app) readOptions(path string) (workbook.Options, func()) {
	opt := a.limits // --max-… flags (limits.go)
	bar := a.startProgress("reading "+filepath.Base(path), 0, "")
	if bar == nil {
		return opt, func() {}
	}
	opt.Progress = func(p workbook.ReadProgress) {
		bar.Label("reading " + p.Sheet)
		bar.Detail(textfmt.Count(int64(p.Rows)) + " rows")
		bar.Set(p.Done, p.Total)
	}
	return opt, bar.Done
}
