// Command secmgr exports OneStream application security to Excel, imports
// edited workbooks through a validated change plan, migrates and audits
// security. See the README and `secmgr --help`.
//
// Results go to standard output; progress, warnings and logs to standard
// error. Exit codes: 0 success, 1 error, 2 "there are changes" or "findings
// at or above --fail-on" for the commands that say so.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v3"
)

// commands lists the subcommands, one line each, in the order --help
// shows them. Each constructor lives in its own file.
var commands = []func(*app) *cli.Command{
	initCommand,
	exportCommand,
	snapshotCommand,
	validateCommand,
	planCommand,
	applyCommand,
	diffCommand,
	reconcileCommand,
	explainCommand,
	auditCommand,
	reviewCommand,
	serveCommand,
}

// version is set at link time (-ldflags "-X main.version=…"); otherwise it
// comes from the module's build information.
var version = ""

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run runs secmgr with the given arguments and returns the exit code. A
// panic becomes a one-line internal error, never a stack trace.
func run(args []string, stdout, stderr io.Writer) (code int) {
	a := newApp(stdout, stderr)
	defer func() {
		if r := recover(); r != nil {
			msg := strings.Join(strings.Fields(fmt.Sprint(r)), " ")
			fmt.Fprintf(a.stderr, "secmgr: internal error: %s (this is a bug in secmgr; please report it with the command you ran)\n", msg)
			code = exitFailed
		}
		a.sync()
	}()
	err := rootCommand(a).Run(context.Background(), args)
	return a.exit(err)
}

func rootCommand(a *app) *cli.Command {
	// --version without the -v alias: -v reads as "verbose" to many people.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version", HideDefault: true, Local: true}
	root := &cli.Command{
		Name:      "secmgr",
		Usage:     "export, import, migrate and audit OneStream application security",
		Version:   buildVersion(),
		UsageText: "secmgr [global flags] COMMAND [flags] [arguments]",
		Description: "secmgr keeps one OneStream application's security in an environment file (--env, or\n" +
			"$SECMGR_ENV) and moves it to and from the security workbook SecurityExtract.HHMMSS.xlsx.\n" +
			"Flags may stand before or after arguments, and global flags before or after the command.\n\n" +
			"Example:\n" +
			"   secmgr init --sample golfstream.json\n" +
			"   secmgr --env golfstream.json export --group 'Documentation*'",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "env", Usage: "the environment `FILE`", Sources: cli.EnvVars("SECMGR_ENV"), TakesFile: true},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
			&cli.StringFlag{Name: "log-format", Value: "console", Usage: "console or json (logs on standard error)"},
			&cli.BoolFlag{Name: "quiet", Usage: "no progress output (warnings and errors only)"},
		}, limitFlags()...),
		DisableSliceFlagSeparator: true, // a pattern may contain a comma
		EnableShellCompletion:     true,
		ConfigureShellCompletionCommand: func(c *cli.Command) {
			c.Hidden = false
			c.Usage = "print the shell completion script for bash, zsh, fish or pwsh"
			c.UsageText = "secmgr completion (bash | zsh | fish | pwsh)"
			c.Description = "Prints a script that makes the shell complete secmgr's commands and flags\n" +
				"when you press Tab. Load it from your shell's start-up file.\n\n" +
				"Example:\n" +
				"   echo 'source <(secmgr completion bash)' >> ~/.bashrc\n" +
				"   echo 'source <(secmgr completion zsh)' >> ~/.zshrc\n" +
				"   secmgr completion fish > ~/.config/fish/completions/secmgr.fish"
		},
		Writer:         a.stdout,
		ErrWriter:      a.stderr,
		Before:         a.setup,
		ExitErrHandler: func(context.Context, *cli.Command, error) {}, // run decides the exit code
		OnUsageError:   usageError,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return fail("unknown command %q; see 'secmgr --help' for the commands", cmd.Args().First())
			}
			return cli.ShowRootCommandHelp(cmd)
		},
	}
	for _, c := range commands {
		sub := c(a)
		sub.DisableSliceFlagSeparator = true
		if sub.OnUsageError == nil {
			sub.OnUsageError = usageError
		}
		root.Commands = append(root.Commands, sub)
	}
	return root
}

// usageError turns a flag or argument mistake into a one-line error that
// points at --help, instead of printing the whole help text.
func usageError(_ context.Context, cmd *cli.Command, err error, _ bool) error {
	return fail("%v; see 'secmgr %s--help'", err, commandPath(cmd))
}

func commandPath(cmd *cli.Command) string {
	if cmd == nil || cmd.Root() == cmd {
		return ""
	}
	return cmd.Name + " "
}

// buildVersion is the version --version prints: the link-time version,
// else the module version from the build information (a tagged release
// or a pseudo-version), else "devel" with the commit it was built from
// when the build recorded one, such as "devel (ae5094ca871c, modified)".
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += ", modified"
	}
	return "devel (" + rev + ")"
}
