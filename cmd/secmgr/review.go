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
		Description: "Writes AccessReview.HHMMSS.xlsx for a periodic access review (OneStream Secure\n" +
			"Configuration Guide OS-BP-PS-AA-003/004): one row per direct membership of a user in a\n" +
			"group, with the roles it brings and whether it makes the user an administrator, and a\n" +
			"Decision column (Keep or Remove), Reviewer and Comment. 'secmgr plan' and 'secmgr apply'\n" +
			"accept the reviewed file: every Remove becomes a membership removal; rows left empty or\n" +
			"Keep change nothing.\n\n" +
			"Example:\n" +
			"   secmgr review --env golfstream.json --out-dir reviews\n" +
			"   (the reviewer sets Decision to Remove on the memberships to end)\n" +
			"   secmgr plan reviews/AccessReview.101500.xlsx --env golfstream.json\n" +
			"   secmgr apply reviews/AccessReview.101500.xlsx --env golfstream.json --yes",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out-dir", Value: ".", Usage: "the `DIR` to write into", TakesFile: true},
			&cli.BoolFlag{Name: "force", Usage: "replace a file of the same name"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--out-dir DIR]"); err != nil {
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
			if err := review.Write(env, path, cmd.Bool("force")); err != nil {
				return fail("%v", err)
			}
			a.logger().Info("wrote access review", zap.String("path", path), zap.Int("memberships", len(env.UsersInGroups)))
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}
}
