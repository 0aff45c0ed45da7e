package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the numbers were measured.
type machine struct {
	CPU      string  `json:"cpu"` // model name from /proc/cpuinfo
	NumCPU   int     `json:"nproc"`
	MemGiB   float64 `json:"memory_gib"`
	Kernel   string  `json:"kernel"`
	Go       string  `json:"go"`
	Python   string  `json:"python"`   // interpreter path and version
	Openpyxl string  `json:"openpyxl"` // version, and whether lxml backs it
}

func describeMachine() machine {
	m := machine{CPU: "unknown", NumCPU: runtime.NumCPU(), Go: runtime.Version(), Kernel: "unknown"}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.ParseFloat(strings.TrimSuffix(v, " kB"), 64); err == nil {
			m.MemGiB = kb / (1 << 20)
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = runtime.GOOS + " " + strings.TrimSpace(string(b))
	}
	return m
}

// procField returns the value of the first "name : value" line of a /proc
// file, or "".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// findPython returns the first interpreter that imports openpyxl — the
// given one, else python3 on PATH, else Debian's /usr/bin/python3 — with
// its Python and openpyxl versions.
func findPython(given string) (path, python, openpyxl string, err error) {
	candidates := []string{"python3", "/usr/bin/python3"}
	if given != "" {
		candidates = []string{given}
	}
	const probe = "import sys, openpyxl\nfrom openpyxl.xml import LXML\n" +
		"print(sys.version.split()[0], openpyxl.__version__, 'with lxml' if LXML else 'without lxml')"
	var tried []string
	for _, c := range candidates {
		out, err := exec.Command(c, "-c", probe).Output()
		if err != nil {
			tried = append(tried, c)
			continue
		}
		f := strings.SplitN(strings.TrimSpace(string(out)), " ", 3)
		if len(f) != 3 {
			tried = append(tried, c)
			continue
		}
		return c, c + " " + f[0], f[1] + " (" + f[2] + ")", nil
	}
	return "", "", "", fmt.Errorf("no Python with openpyxl (tried %s): install it with `apt-get install python3-openpyxl`, or give -python PATH",
		strings.Join(tried, ", "))
}

// checkTime makes sure /usr/bin/time is GNU time, which has -v and -o.
func checkTime() error {
	if _, err := os.Stat(timeBin); err != nil {
		return fmt.Errorf("%s is missing: install GNU time with `apt-get install time`", timeBin)
	}
	out, err := exec.Command(timeBin, "-v", "-o", os.DevNull, "true").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -v does not work (%v: %s): install GNU time with `apt-get install time`", timeBin, err, strings.TrimSpace(string(out)))
	}
	return nil
}
