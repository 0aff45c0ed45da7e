package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/internal/textfmt"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/history"
	"secmgr/pkg/plans"
)

// maxPlanFile bounds the plan files apply reads.
const maxPlanFile = 1 << 30

// The confirmation question reads from confirmIn when interactive says
// standard input and output are a terminal; tests replace both.
var (
	confirmIn   io.Reader = os.Stdin
	interactive           = func(stdout io.Writer) bool {
		out, ok := stdout.(*os.File)
		return ok && isTTY(os.Stdin) && isTTY(out)
	}
)

func applyCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "apply a saved plan, or plan and apply an edited workbook",
		ArgsUsage: "(PLAN.json | WORKBOOK)",
		UsageText: "secmgr apply (PLAN.json | WORKBOOK) [--yes] [--cascade] [--wait DURATION]",
		Description: "Applies a plan to the environment file (--env): a plan saved by 'secmgr plan --out'\n" +
			"(it must have been made against the environment as it is now), or the plan of an\n" +
			"edited workbook, which is made and printed first. A saved plan is the approval: it is\n" +
			"applied without asking. For a workbook apply asks on a terminal before it changes\n" +
			"anything; --yes skips the question, and without a terminal --yes is required.\n\n" +
			"The environment file is replaced atomically under a lock. Beside X.json, the folder\n" +
			"X.history/ keeps the environment as it was (backup-<UTC time>.json), the plan that\n" +
			"restores it (undo-<UTC time>.plan.json) and a journal of every apply (journal.jsonl),\n" +
			"all readable by their owner only.\n" +
			"Exit code: 0 applied, or nothing to apply; 1 nothing was changed (invalid, stale,\n" +
			"locked or refused).\n\n" +
			"Example:\n" +
			"   secmgr plan SecurityExtract.101500.xlsx --env golfstream.json --out p.json\n" +
			"   secmgr apply p.json --env golfstream.json\n" +
			"      Applied 3 changes to golfstream.json: 1 added, 0 edited, 1 renamed, 1 removed.\n" +
			"      Backup:    golfstream.history/backup-20261122T215800.123456789Z.json\n" +
			"      Undo plan: golfstream.history/undo-20261122T215800.123456789Z.plan.json\n" +
			"      To undo:   secmgr apply golfstream.history/undo-20261122T215800.123456789Z.plan.json --env golfstream.json\n" +
			"   secmgr apply edits.xlsx --env golfstream.json          (prints the plan, then asks)\n" +
			"   secmgr apply edits.xlsx --env golfstream.json --cascade --yes --wait 30s",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "for a workbook: apply without asking (a saved plan never asks)"},
			&cli.BoolFlag{Name: "cascade", Usage: "for a workbook: let a removed group's roles and artifacts be set to Nobody"},
			twoWayFlag(),
			&cli.DurationFlag{Name: "wait", Usage: "wait up to `DURATION` (such as 30s) for another apply to finish, instead of failing at once"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			argv, err := args(cmd, 1, 1, "(PLAN.json | WORKBOOK)")
			if err != nil {
				return err
			}
			if cmd.Duration("wait") < 0 {
				return fail("--wait %v: give a duration of 0 or more", cmd.Duration("wait"))
			}
			return a.apply(cmd, argv[0])
		},
	}
}

func (a *app) apply(cmd *cli.Command, arg string) error {
	env, envPath, err := loadEnv(cmd)
	if err != nil {
		return err
	}
	var p *plans.Plan
	planDir := ""
	// A saved plan was reviewed when it was made: it is the approval, as
	// a plan file is for terraform apply. A workbook is planned here, so
	// its plan is new to the person and needs their yes.
	saved := strings.EqualFold(filepath.Ext(arg), ".json")
	if saved {
		if cmd.Bool("cascade") {
			a.logger().Warn("--cascade only applies when planning a workbook; the saved plan is applied as it was made", zap.String("plan", arg))
		}
		if p, err = readPlan(arg); err != nil {
			return err
		}
		planDir = filepath.Dir(arg)
	} else if p, err = a.planWorkbook(cmd, arg, env); err != nil {
		return err
	}

	color := useColor(a.stdout)
	if !p.Applicable {
		if err := plans.RenderText(a.stdout, p, color); err != nil {
			return err
		}
		return fail("%s has %s; nothing was applied", describeSource(arg), textfmt.Plural(p.Findings.Errors(), "error", ""))
	}
	// A stale plan is refused before the question; ApplyFile checks again
	// under the lock.
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return fail("%v", err)
	}
	if fp != p.Environment.Fingerprint {
		return fail("the plan %s was made against another state of %s; plan again — nothing was applied", arg, envPath)
	}
	if err := plans.RenderText(a.stdout, p, color); err != nil {
		return err
	}
	if p.Empty() {
		fmt.Fprintf(a.stdout, "Nothing to apply: %s already matches %s.\n", envPath, describeSource(arg))
		return nil
	}
	secrets, err := actions.SecretsFor(p, planDir)
	if err != nil {
		return fail("%v — nothing was applied", err)
	}
	if !saved && !cmd.Bool("yes") {
		if !interactive(a.stdout) {
			return fail("refusing to apply a workbook without confirmation: pass --yes, or save the plan with 'secmgr plan --out' and apply that")
		}
		if !a.confirm(fmt.Sprintf("Apply these %s to %s? [y/N] ", textfmt.Plural(len(p.Changes), "change", ""), envPath)) {
			return fail("not confirmed; nothing was applied")
		}
	}

	bar := a.startProgress(fmt.Sprintf("applying %s to %s", textfmt.Plural(len(p.Changes), "change", ""), filepath.Base(envPath)), 0, "")
	res, err := history.ApplyFile(envPath, p, secrets, history.Options{Wait: cmd.Duration("wait")})
	bar.Done()
	if err != nil {
		return fail("%v", err)
	}
	for _, w := range res.Warnings {
		a.logger().Warn(w)
	}
	if !res.Applied() {
		fmt.Fprintf(a.stdout, "Nothing to apply: %s already matches %s.\n", envPath, describeSource(arg))
		return nil
	}
	c := res.Counts
	fmt.Fprintf(a.stdout, "Applied %s to %s: %d added, %d edited, %d renamed, %d removed.\n",
		textfmt.Plural(c.Add+c.Edit+c.Rename+c.Remove, "change", ""), envPath, c.Add, c.Edit, c.Rename, c.Remove)
	fmt.Fprintf(a.stdout, "Backup:    %s\n", res.Backup)
	fmt.Fprintf(a.stdout, "Undo plan: %s\n", res.Undo)
	fmt.Fprintf(a.stdout, "To undo:   secmgr apply %s --env %s\n", shellQuote(res.Undo), shellQuote(envPath))
	a.logger().Debug("applied", zap.String("before", res.Before), zap.String("after", res.After), zap.String("journal", res.Journal))
	return nil
}

// readPlan reads a plan file strictly; the message names the file.
func readPlan(path string) (*plans.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fail("plan file %s does not exist", path)
		}
		return nil, fail("plan file %s cannot be read: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPlanFile+1))
	if err != nil {
		return nil, fail("plan file %s cannot be read: %v", path, err)
	}
	if len(data) > maxPlanFile {
		return nil, fail("plan file %s is larger than 1 GiB", path)
	}
	p, err := plans.UnmarshalPlan(data)
	if err != nil {
		return nil, fail("plan file %s %v", path, err)
	}
	return p, nil
}

// describeSource names what a plan came from, for messages.
func describeSource(arg string) string {
	if strings.EqualFold(filepath.Ext(arg), ".json") {
		return "the plan " + arg
	}
	return arg
}

// confirm asks question on standard error and reads the answer from
// standard input: y or yes, in any casing, is yes.
func (a *app) confirm(question string) bool {
	fmt.Fprint(a.stderr, question)
	line, err := bufio.NewReader(confirmIn).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(a.stderr)
		return false
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// shellQuote quotes a path for the undo command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+@%,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
