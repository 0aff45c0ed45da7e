package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/review"
)

func reviewCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "review",
		Usage:     "write an access-review workbook (AccessReview.HHMMSS.xlsx)",
		UsageText: "secmgr review [--out-dir DIR] [--force]",
		Description: "Writes AccessReview.HHMMSS.xlsx into DIR (HHMMSS is the local time) for a periodic access\n" +
			"review (OneStream Secure Configuration Guide OS-BP-PS-AA-003 and -004), and prints its path.\n" +
			"The AccessReview tab has one row per direct membership of a user in a group (UsersInGroups):\n" +
			"User, UserType, IsEnabled, Group, the Roles the membership brings (held by the group or a\n" +
			"group above it), Administrator (the group is or is inside Administrators), then Decision\n" +
			"(a Keep/Remove drop-down), Reviewer and Comment for the reviewer. The About tab says how to\n" +
			"fill it in. The file is readable by its owner only and never replaces another unless --force.\n\n" +
			"'secmgr plan', 'validate' and 'apply' accept the reviewed file: each row whose Decision is\n" +
			"Remove (any casing) becomes a membership removal; empty or Keep change nothing; any other\n" +
			"Decision is an error at its cell; a membership that no longer exists is a warning, so the\n" +
			"file can be applied again.\n\n" +
			"Example:\n" +
			"   secmgr review --env golfstream.json --out-dir reviews\n" +
			"      reviews/AccessReview.101500.xlsx\n" +
			"   (the reviewer sets Decision to Remove on Robert Kline / Administrators, Keep elsewhere)\n" +
			"   secmgr plan reviews/AccessReview.101500.xlsx --env golfstream.json\n" +
			"      - UsersInGroups Robert Kline / Administrators\n" +
			"      Plan: 0 to add, 0 to edit, 0 to rename, 1 to remove; 0 errors, 0 warnings.\n" +
			"   secmgr apply reviews/AccessReview.101500.xlsx --env golfstream.json --yes",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out-dir", Value: ".", Usage: "write into the folder `DIR`", TakesFile: true},
			&cli.BoolFlag{Name: "force", Usage: "replace a file of the same name"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--out-dir DIR] [--force]"); err != nil {
				return err
			}
			env, _, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			path := filepath.Join(cmd.String("out-dir"), review.FileName(time.Now()))
			if err := checkOutputFolder(path); err != nil {
				return err
			}
			bar := a.startProgress("writing "+filepath.Base(path), 0, "")
			err = review.Write(env, path, cmd.Bool("force"))
			bar.Done()
			if err != nil {
				return fail("%v", err)
			}
			a.logger().Info("wrote access review", zap.String("path", path), zap.Int("memberships", len(env.UsersInGroups)))
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}
}
