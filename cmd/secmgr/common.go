package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// Exit codes (docs/cli.md).
const (
	exitOK      = 0
	exitFailed  = 1 // an error: invalid input, refused, nothing written
	exitChanges = 2 // plan, validate, diff: there are changes; audit: findings at or above --fail-on
)

// exitError ends secmgr with code; main prints "secmgr: msg" on standard
// error when msg is not empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// fail is an error that exits 1 with a formatted message.
func fail(format string, args ...any) error {
	return &exitError{code: exitFailed, msg: fmt.Sprintf(format, args...)}
}

// exitWith ends secmgr with code and an optional message; use it for exit
// code 2, which is an answer rather than an error.
func exitWith(code int, msg string) error { return &exitError{code: code, msg: msg} }

// app is what every command shares: the output streams, the logger and
// the progress line.
type app struct {
	stdout io.Writer
	// stderr is standard error through status, which erases the progress
	// line before anything else is written; rawStderr is the stream itself.
	stderr    io.Writer
	rawStderr io.Writer
	status    *statusWriter
	log       *zap.Logger
	jsonLogs  bool
	progress  bool             // show progress lines (see progress.go)
	limits    workbook.Options // what reading one workbook may cost (limits.go)
}

// newApp returns the app writing to stdout and stderr.
func newApp(stdout, stderr io.Writer) *app {
	st := &statusWriter{w: stderr}
	return &app{stdout: stdout, stderr: st, rawStderr: stderr, status: st}
}

// setup configures logging and progress from the global flags. It runs as
// the root command's Before, after all flags — global ones given after the
// command name included — are parsed. Logs are for people by default: one
// line each, "warn: message {fields}", the level coloured on a colour
// terminal; --log-format json makes them one JSON object per line for
// pipelines, with a timestamp. Nothing logged ever holds a password value.
func (a *app) setup(ctx context.Context, cmd *cli.Command) (context.Context, error) {
	var level zapcore.Level
	if err := level.UnmarshalText([]byte(strings.ToLower(cmd.String("log-level")))); err != nil || level > zapcore.ErrorLevel {
		return ctx, fail("--log-level %q: use debug, info, warn or error", cmd.String("log-level"))
	}
	if cmd.Bool("quiet") && level < zapcore.WarnLevel {
		level = zapcore.WarnLevel
	}
	ec := zapcore.EncoderConfig{
		MessageKey:     "msg",
		LevelKey:       "level",
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeDuration: zapcore.StringDurationEncoder,
		LineEnding:     zapcore.DefaultLineEnding,
	}
	var enc zapcore.Encoder
	switch strings.ToLower(cmd.String("log-format")) {
	case "console":
		// A person reads these lines as they appear; no timestamps.
		ec.ConsoleSeparator = " "
		color := useColor(a.rawStderr)
		ec.EncodeLevel = func(l zapcore.Level, pae zapcore.PrimitiveArrayEncoder) {
			name := l.String() + ":"
			if c := levelColor(l); color && c != "" {
				name = c + name + "\x1b[0m"
			}
			pae.AppendString(name)
		}
		enc = zapcore.NewConsoleEncoder(ec)
		a.progress = !cmd.Bool("quiet") && isTerminalWriter(a.rawStderr) && os.Getenv("TERM") != "dumb"
	case "json":
		ec.TimeKey = "time"
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
		a.jsonLogs = true
	default:
		return ctx, fail("--log-format %q: use console or json", cmd.String("log-format"))
	}
	a.log = zap.New(zapcore.NewCore(enc, zapcore.AddSync(a.stderr), level))
	if err := a.setLimits(cmd); err != nil {
		return ctx, err
	}
	return ctx, nil
}

// levelColor is the ANSI colour of a log level's name on a colour
// terminal: yellow warnings, red errors, nothing for the rest.
func levelColor(l zapcore.Level) string {
	switch {
	case l < zapcore.WarnLevel:
		return ""
	case l == zapcore.WarnLevel:
		return "\x1b[33m"
	}
	return "\x1b[31m"
}

// logger returns the logger, or a no-op one before setup ran.
func (a *app) logger() *zap.Logger {
	if a.log == nil {
		return zap.NewNop()
	}
	return a.log
}

func (a *app) sync() {
	if a.log != nil {
		_ = a.log.Sync()
	}
}

// exit prints err and returns the exit code for it.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(a.stderr, "secmgr: %s\n", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(a.stderr, "secmgr: %s\n", err)
	return exitFailed
}

// loadEnv loads the environment file named by --env (or $SECMGR_ENV).
func loadEnv(cmd *cli.Command) (*artifacts.Environment, string, error) {
	path := cmd.String("env")
	if path == "" {
		return nil, "", fail("no environment file: give --env FILE or set SECMGR_ENV")
	}
	env, err := artifacts.Load(path)
	if err != nil {
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			return nil, path, fail("%v; create one with 'secmgr init %s' (or 'secmgr init --sample %s' for the GolfStream sample)", err, path, path)
		}
		return nil, path, fail("%v", err)
	}
	return env, path, nil
}

// checkNewFile fails when path exists and --force is not given, or when
// path's folder is missing; what says what the file is ("a workbook").
func checkNewFile(cmd *cli.Command, path, what string) error {
	if !cmd.Bool("force") {
		if _, err := os.Lstat(path); err == nil {
			return fail("%s already exists; secmgr does not overwrite %s unless you give --force", path, what)
		}
	}
	return checkOutputFolder(path)
}

// checkOutputFolder fails with a clear message when path's folder is missing.
func checkOutputFolder(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fail("cannot write %s: the folder %s does not exist", path, dir)
	case !st.IsDir():
		return fail("cannot write %s: %s is not a folder", path, dir)
	}
	return nil
}

// filterFlag is a wildcard-filter flag and where its patterns go.
type filterFlag struct {
	name string
	dst  *artifacts.Filter
}

// compileFilters reads the patterns of each filter flag into its dst.
func compileFilters(cmd *cli.Command, flags ...filterFlag) error {
	for _, f := range flags {
		var err error
		if *f.dst, err = artifacts.CompileFilter(cmd.StringSlice(f.name)); err != nil {
			return fail("--%s: %v", f.name, err)
		}
	}
	return nil
}

// printJSON writes v to standard output as indented JSON, leaving <, >
// and & as they are.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// forceFlag is --force; usage says what it replaces.
func forceFlag(usage string) cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: usage}
}

// areasFlag is --areas; usage ends "areas to " + verb.
func areasFlag(verb string) cli.Flag {
	return &cli.StringFlag{Name: "areas", Value: "all", Usage: "comma-separated `LIST` of areas to " + verb}
}

// changeWorkbookOutFlag is --out of a command that writes a change
// workbook (diff, reconcile); changeWorkbookOut checks it.
func changeWorkbookOutFlag() cli.Flag {
	return &cli.StringFlag{Name: "out", Usage: "write the change workbook to `FILE.xlsx` (owner-only)", TakesFile: true}
}

// changeWorkbookOut checks --out of a command that writes a change
// workbook: an .xlsx file, not there yet unless --force, in a folder that
// exists. It returns "" without --out.
func changeWorkbookOut(cmd *cli.Command) (string, error) {
	out := cmd.String("out")
	if out == "" {
		return "", nil
	}
	if !strings.EqualFold(filepath.Ext(out), ".xlsx") {
		return "", fail("--out %s: the change workbook is an .xlsx file; name it changes.xlsx or the like", out)
	}
	return out, checkNewFile(cmd, out, "a workbook")
}

// parseAreas reads --areas.
func parseAreas(cmd *cli.Command) ([]artifacts.TabID, error) {
	tabs, err := artifacts.ParseAreas(cmd.String("areas"))
	if err != nil {
		return nil, fail("--areas: %v", err)
	}
	return tabs, nil
}

// args checks the number of positional arguments.
func args(cmd *cli.Command, min, max int, usage string) ([]string, error) {
	a := cmd.Args().Slice()
	if len(a) < min || len(a) > max {
		what := "too many arguments"
		if len(a) < min {
			what = "missing argument"
		}
		return nil, fail("%s: usage: secmgr %s %s (see 'secmgr %s --help')", what, cmd.Name, usage, cmd.Name)
	}
	return a, nil
}

// reportFindings writes findings to standard error: one line each as
// "Users!C7: error: message [code]", or structured with --log-format json.
func (a *app) reportFindings(fs validate.Findings) {
	for _, f := range fs {
		if a.jsonLogs {
			fields := []zap.Field{zap.String("code", f.Code), zap.String("tab", f.Tab), zap.Int("row", f.Row), zap.String("column", f.Column), zap.String("cell", f.Cell)}
			if f.Severity == validate.Error {
				a.logger().Error(f.Message, fields...)
			} else {
				a.logger().Warn(f.Message, fields...)
			}
			continue
		}
		fmt.Fprintln(a.stderr, f.String())
	}
}

// nameFromPath is the environment name a file suggests: its base name
// without the extension.
func nameFromPath(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
