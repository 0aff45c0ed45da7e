package main

import (
	"context"
	"strings"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
)

func snapshotCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "snapshot",
		Usage:     "turn a full export workbook into an environment file",
		ArgsUsage: "WORKBOOK",
		UsageText: "secmgr snapshot WORKBOOK --out FILE [--name NAME] [--areas LIST] [--force]",
		Description: "Reads WORKBOOK — a full export, for example one written by BDA Security Manager in a\n" +
			"real OneStream application — and writes its security as the environment file FILE\n" +
			"(owner-only permissions). Every tab of the selected areas (default all) must be present;\n" +
			"areas left out stay empty. Problems are printed as 'Users!C7: error: message [code]';\n" +
			"with any error nothing is written and the exit code is 1. An existing FILE is never\n" +
			"replaced unless --force is given.\n\n" +
			"Example:\n" +
			"   secmgr snapshot SecurityExtract.022227.xlsx --out prod.json --name Production\n" +
			"   secmgr --env prod.json export --areas users",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the environment `FILE` to write", TakesFile: true},
			&cli.StringFlag{Name: "name", Usage: "the application `NAME` (default: FILE's base name)"},
			areasFlag("read"),
			forceFlag("replace FILE if it exists"),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			argv, err := args(cmd, 1, 1, "WORKBOOK --out FILE")
			if err != nil {
				return err
			}
			in, out := argv[0], cmd.String("out")
			if out == "" {
				return fail("snapshot needs --out FILE, the environment file to write (see 'secmgr snapshot --help')")
			}
			tabs, err := parseAreas(cmd)
			if err != nil {
				return err
			}
			if err := checkNewFile(cmd, out, "an environment file"); err != nil {
				return err
			}
			name := cmd.String("name")
			if name == "" {
				name = nameFromPath(out)
			}
			read, done := a.readOptions(in)
			env, findings, err := actions.Snapshot(in, actions.SnapshotOptions{Name: name, Tabs: tabs, Read: read})
			done()
			if err != nil {
				msg := limitHint(err)
				if !strings.Contains(msg, in) {
					msg = in + ": " + msg
				}
				return fail("%s", msg)
			}
			a.reportFindings(findings)
			if n := findings.Errors(); n > 0 {
				return fail("%s has %d error(s); %s was not written", in, n, out)
			}
			env.Name = name
			// Never write a file that Load would refuse.
			if err := env.CheckInvariants(); err != nil {
				return fail("%s: %v; %s was not written", in, err, out)
			}
			if err := artifacts.Save(out, env); err != nil {
				return fail("%v", err)
			}
			a.logger().Info("wrote environment file", zap.String("path", out), zap.String("name", env.Name),
				zap.String("workbook", in), zap.Int("rows", env.Rows()), zap.Int("warnings", findings.Warnings()))
			return nil
		},
	}
}
