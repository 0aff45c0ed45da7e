package main

import (
	"context"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
)

func initCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create an environment file: empty, or the GolfStream sample",
		ArgsUsage: "FILE",
		UsageText: "secmgr init [--sample] [--name NAME] [--force] FILE",
		Description: "Creates the environment file FILE (owner-only permissions). Without --sample it holds\n" +
			"an empty application: the built-in groups Administrators, Everyone and Nobody, and every\n" +
			"application and system role held by Administrators. With --sample it holds GolfStream,\n" +
			"the sample application used throughout the documentation. An existing FILE is never\n" +
			"replaced unless --force is given. FILE may be left out when --env or $SECMGR_ENV names it.\n\n" +
			"Example:\n" +
			"   secmgr init --sample golfstream.json\n" +
			"   secmgr --env golfstream.json export",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sample", Usage: "write the GolfStream sample environment"},
			&cli.StringFlag{Name: "name", Usage: "the application `NAME` (default: the sample's name, or FILE's base name)"},
			forceFlag("replace FILE if it exists"),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			argv, err := args(cmd, 0, 1, "[--sample] FILE")
			if err != nil {
				return err
			}
			path := cmd.String("env")
			if len(argv) == 1 {
				path = argv[0]
			}
			if path == "" {
				return fail("missing argument: usage: secmgr init [--sample] FILE (see 'secmgr init --help')")
			}
			if err := checkNewFile(cmd, path, "an environment file"); err != nil {
				return err
			}
			var env *artifacts.Environment
			if cmd.Bool("sample") {
				if env, err = golfstream.Environment(); err != nil {
					return fail("the built-in GolfStream sample cannot be read: %v", err)
				}
			} else {
				env = artifacts.New(nameFromPath(path))
			}
			if n := cmd.String("name"); n != "" {
				env.Name = n
			}
			if err := artifacts.Save(path, env); err != nil {
				return fail("%v", err)
			}
			a.logger().Info("created environment file", zap.String("path", path), zap.String("name", env.Name),
				zap.Int("users", len(env.Users)), zap.Int("groups", len(env.Groups)), zap.Int("rows", env.Rows()))
			return nil
		},
	}
}
