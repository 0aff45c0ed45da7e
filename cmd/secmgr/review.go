package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/history"
	"secmgr/pkg/review"
)

func reviewCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "review",
		Usage:     "write an access-review workbook (AccessReview.HHMMSS.xlsx), or the evidence of past reviews",
		UsageText: "secmgr review [--out-dir DIR] [--user PAT]… [--group PAT]… [--owner NAME] [--force]\n   secmgr review --evidence [--since DATE] [--out-dir DIR] [--force]",
		Description: "Writes AccessReview.HHMMSS.xlsx into DIR (HHMMSS is the local time) for a periodic access\n" +
			"review (OneStream Secure Configuration Guide OS-BP-PS-AA-003 and -004), and prints its path.\n" +
			"The AccessReview tab has one row per direct membership of a user in a group (UsersInGroups):\n" +
			"User, UserType, IsEnabled, Group, the NestedGroups and Roles the membership brings (through\n" +
			"the groups above it), Administrator (the group is or is inside Administrators), then Decision\n" +
			"(a Keep/Remove drop-down), Reviewer and Comment for the reviewer. The EffectiveGroups tab lists\n" +
			"every group of every reviewed user with the path that puts the user there; the About tab says\n" +
			"how to fill it in. --user and --group (wildcards, repeatable) and --owner (groups whose\n" +
			"Description names the owner) narrow the review. The file is readable by its owner only and\n" +
			"never replaces another unless --force.\n\n" +
			"'secmgr plan', 'validate' and 'apply' accept the reviewed file: each row whose Decision is\n" +
			"Remove (any casing) becomes a membership removal; empty or Keep change nothing; any other\n" +
			"Decision is an error at its cell; a membership that no longer exists is a warning, so the\n" +
			"file can be applied again. Every decision, Keep too, goes with its Reviewer and Comment into\n" +
			"the plan and the journal of the apply.\n\n" +
			"--evidence writes ReviewEvidence.HHMMSS.xlsx instead: from the journal, one row per decision of\n" +
			"every applied review (since DATE, YYYY-MM-DD, with --since) with when and by whom it was applied,\n" +
			"the reviewer, the decision, the comment and what it did — the record an auditor asks for.\n\n" +
			"Example:\n" +
			"   secmgr review --env golfstream.json --out-dir reviews --group '*_Mod'\n" +
			"      reviews/AccessReview.101500.xlsx\n" +
			"   (the reviewer sets Decision to Remove on Robert Kline / Administrators, Keep elsewhere)\n" +
			"   secmgr plan reviews/AccessReview.101500.xlsx --env golfstream.json\n" +
			"      - UsersInGroups Robert Kline / Administrators\n" +
			"      Plan: 0 to add, 0 to edit, 0 to rename, 1 to remove; 0 errors, 0 warnings.\n" +
			"   secmgr apply reviews/AccessReview.101500.xlsx --env golfstream.json --yes\n" +
			"   secmgr review --evidence --since 2026-01-01 --env golfstream.json --out-dir reviews",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out-dir", Value: ".", Usage: "write into the folder `DIR`", TakesFile: true},
			forceFlag("replace a file of the same name"),
			&cli.StringSliceFlag{Name: "user", Usage: "review only users matching `PAT` (repeatable)"},
			&cli.StringSliceFlag{Name: "group", Usage: "review only memberships of groups matching `PAT` (repeatable)"},
			&cli.StringFlag{Name: "owner", Usage: "review only groups whose Description names `NAME`"},
			&cli.BoolFlag{Name: "evidence", Usage: "write the evidence of applied reviews from the journal"},
			&cli.StringFlag{Name: "since", Usage: "with --evidence: only reviews applied on or after `DATE` (YYYY-MM-DD)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--out-dir DIR] [--user PAT]… [--group PAT]… [--owner NAME] [--force] | --evidence [--since DATE]"); err != nil {
				return err
			}
			env, envPath, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			now := time.Now()
			if cmd.Bool("evidence") {
				return a.writeEvidence(cmd, env, envPath, now)
			}
			if cmd.IsSet("since") {
				return fail("--since goes with --evidence")
			}
			var scope review.Scope
			if err := compileFilters(cmd, filterFlag{"user", &scope.Users}, filterFlag{"group", &scope.Groups}); err != nil {
				return err
			}
			scope.Owner = cmd.String("owner")
			path := filepath.Join(cmd.String("out-dir"), review.FileName(now))
			if err := checkOutputFolder(path); err != nil {
				return err
			}
			n := 0
			for range review.Rows(env, scope) {
				n++
			}
			if n == 0 {
				fmt.Fprintf(a.stderr, "secmgr: no membership is in the review's scope; the review has its header only\n")
			}
			bar := a.startProgress("writing "+filepath.Base(path), 0, "")
			err = review.Write(env, path, review.WriteOptions{Scope: scope, Replace: cmd.Bool("force")})
			bar.Done()
			if err != nil {
				return fail("%v", err)
			}
			a.logger().Info("wrote access review", zap.String("path", path), zap.Int("memberships", n))
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}
}

// writeEvidence writes the ReviewEvidence workbook from the journal of
// envPath.
func (a *app) writeEvidence(cmd *cli.Command, env *artifacts.Environment, envPath string, now time.Time) error {
	for _, f := range []string{"user", "group", "owner"} {
		if cmd.IsSet(f) {
			return fail("--%s does not go with --evidence: the evidence lists every applied review", f)
		}
	}
	var since time.Time
	if s := strings.TrimSpace(cmd.String("since")); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, time.Local)
		if err != nil {
			return fail("--since %q is not a date; write it as YYYY-MM-DD", s)
		}
		since = t
	}
	entries, err := history.History(envPath)
	if err != nil {
		return fail("%v", err)
	}
	var reviews []review.Evidence
	decisions := 0
	for _, e := range entries {
		if len(e.Review) == 0 || e.Time.Before(since) {
			continue
		}
		reviews = append(reviews, review.Evidence{Applied: e.Time, AppliedBy: e.User, Source: e.Source, Decisions: e.Review})
		decisions += len(e.Review)
	}
	path := filepath.Join(cmd.String("out-dir"), review.EvidenceFileName(now))
	if err := checkOutputFolder(path); err != nil {
		return err
	}
	if err := review.WriteEvidence(env.Name, path, reviews, review.WriteOptions{Replace: cmd.Bool("force")}); err != nil {
		return fail("%v", err)
	}
	if decisions == 0 {
		fmt.Fprintf(a.stderr, "secmgr: the journal of %s holds no applied review%s; the evidence has its header only\n", envPath, map[bool]string{true: " since " + cmd.String("since"), false: ""}[!since.IsZero()])
	}
	a.logger().Info("wrote review evidence", zap.String("path", path), zap.Int("reviews", len(reviews)), zap.Int("decisions", decisions))
	fmt.Fprintln(a.stdout, path)
	return nil
}
