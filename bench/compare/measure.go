package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// timeBin is GNU time, whose -v report gives the wall time and the peak
// resident set size of the process it runs, children included.
const timeBin = "/usr/bin/time"

// usage is what /usr/bin/time -v measured for one process.
type usage struct {
	Wall, User, Sys float64 // seconds
	MaxRSSKiB       int64
	ExitStatus      int
}

// CPU is user plus system time in seconds.
func (u usage) CPU() float64 { return u.User + u.Sys }

// PeakMiB is the peak resident set size in MiB.
func (u usage) PeakMiB() float64 { return float64(u.MaxRSSKiB) / 1024 }

// parseTimeV reads the report of GNU time -v.
func parseTimeV(report []byte) (usage, error) {
	var u usage
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(report))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		i := strings.LastIndex(line, ": ")
		if i < 0 {
			continue
		}
		label, value := line[:i], strings.TrimSpace(line[i+2:])
		var err error
		switch {
		case strings.HasPrefix(label, "Elapsed (wall clock) time"):
			u.Wall, err = parseClock(value)
		case label == "User time (seconds)":
			u.User, err = strconv.ParseFloat(value, 64)
		case label == "System time (seconds)":
			u.Sys, err = strconv.ParseFloat(value, 64)
		case label == "Maximum resident set size (kbytes)":
			u.MaxRSSKiB, err = strconv.ParseInt(value, 10, 64)
		case label == "Exit status":
			u.ExitStatus, err = strconv.Atoi(value)
		default:
			continue
		}
		if err != nil {
			return u, fmt.Errorf("%s: %q: %v", label, value, err)
		}
		seen[label] = true
	}
	for _, want := range []string{"Maximum resident set size (kbytes)", "User time (seconds)"} {
		if !seen[want] {
			return u, fmt.Errorf("no %q in the report of %s -v", want, timeBin)
		}
	}
	if u.Wall == 0 && !strings.Contains(string(report), "Elapsed (wall clock) time") {
		return u, fmt.Errorf("no wall clock time in the report of %s -v", timeBin)
	}
	return u, nil
}

// parseClock parses GNU time's elapsed time: "m:ss.ss" or "h:mm:ss".
func parseClock(s string) (float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, errors.New("want m:ss.ss or h:mm:ss")
	}
	total := 0.0
	for _, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, err
		}
		total = total*60 + v
	}
	return total, nil
}

// run is one measured process.
type run struct {
	usage
	Stdout string
	Report *helperReport // the helper's JSON line, for helper steps
	Load1  float64       // the 1-minute load average when it started
}

// measure runs argv under /usr/bin/time -v with a timeout, its standard
// error going to a log file in dir. A process that exits with a status
// other than okStatus is an error that quotes the end of its log.
func measure(ctx context.Context, dir, name string, argv []string, timeout time.Duration, okStatus int) (run, error) {
	var r run
	r.Load1 = loadAverage()
	stats := filepath.Join(dir, name+".time")
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return r, err
	}
	defer logf.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, timeBin, append([]string{"-v", "-o", stats}, argv...)...)
	var stdout limitedBuffer
	stdout.limit = 1 << 20
	cmd.Stdout, cmd.Stderr = &stdout, logf
	killGroupOnCancel(cmd)
	err = cmd.Run()
	r.Stdout = stdout.String()
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return r, fmt.Errorf("timed out after %s (raise -timeout)", timeout)
		}
		return r, ctx.Err()
	}
	report, rerr := os.ReadFile(stats)
	if rerr != nil {
		return r, fmt.Errorf("%s wrote no report: %v (run error: %v)", timeBin, rerr, err)
	}
	if r.usage, rerr = parseTimeV(report); rerr != nil {
		return r, rerr
	}
	if i := bytes.Index(report, []byte("terminated by signal")); i >= 0 {
		line, _, _ := bytes.Cut(report[i:], []byte("\n"))
		return r, fmt.Errorf("%s%s", line, logTail(logPath))
	}
	if r.ExitStatus != okStatus || (err != nil && !isExit(err)) {
		return r, fmt.Errorf("exit status %d, want %d%s", r.ExitStatus, okStatus, logTail(logPath))
	}
	return r, nil
}

// measureHelper is measure for a step that prints a helperReport.
func measureHelper(ctx context.Context, dir, name string, argv []string, timeout time.Duration) (run, error) {
	r, err := measure(ctx, dir, name, argv, timeout, 0)
	if err != nil {
		return r, err
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	var rep helperReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		return r, fmt.Errorf("its report %q is not JSON: %v", lines[len(lines)-1], err)
	}
	r.Report = &rep
	return r, nil
}

func isExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}

// logTail returns the last lines of a step's log, indented, for an error.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "; the end of its standard error:\n    " + strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n    ")
}

// limitedBuffer keeps the first limit bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// loadAverage is the 1-minute load average, or -1 where /proc/loadavg is
// missing.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}
