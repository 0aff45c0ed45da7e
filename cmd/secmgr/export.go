package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/export"
)

func exportCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write the environment's security to SecurityExtract.HHMMSS.xlsx",
		UsageText: "secmgr export [--areas LIST] [--user PAT]... [--group PAT]... [--artifact PAT]... [--out-dir DIR] [--force] [--include-password-hashes] [--bda]",
		Description: "Writes the security of the environment (--env) to SecurityExtract.HHMMSS.xlsx in DIR,\n" +
			"HHMMSS being the local time of the export (TZ is honoured), and prints the file's path.\n" +
			"One tab per security area; --areas picks areas (all, users, groups, roles, exgroups,\n" +
			"workflow, cube, cubedataaccess, entity, scenario, dimensions, displaymembers, cubeviews,\n" +
			"dashboards, xformrules). Filters are case-insensitive wildcards (* any run, ? one\n" +
			"character) over whole names; repeat a flag to OR patterns. --user restricts the user\n" +
			"tabs, --group every row that names a matching group, --artifact the artifact tabs by\n" +
			"name. A filter that matches nothing leaves the tabs with headers only and says so.\n" +
			"Passwords are left empty unless --include-password-hashes. An existing file is never\n" +
			"replaced unless --force is given.\n" +
			"--bda writes the workbook to hand to BDA Security Manager: only the tabs and columns of\n" +
			"its guide (no ActionType/ActionValue where they are secmgr's extension, no Lists tab, no\n" +
			"user and group drop-downs) and only Data Cell Access Security slice rules.\n\n" +
			"Example:\n" +
			"   secmgr export --env golfstream.json --areas users,groups --group 'Documentation*'\n" +
			"   secmgr --env golfstream.json export --artifact 'Houston*' --out-dir exports\n" +
			"   secmgr --env golfstream.json export --bda --areas users,groups     (for BDA Security Manager)",
		Flags: []cli.Flag{
			areasFlag("export"),
			&cli.StringSliceFlag{Name: "user", Usage: "export only users matching `PAT` (repeatable)"},
			&cli.StringSliceFlag{Name: "group", Usage: "export only rows naming a group matching `PAT` (repeatable)"},
			&cli.StringSliceFlag{Name: "artifact", Usage: "export only artifacts whose name matches `PAT` (repeatable)"},
			&cli.StringFlag{Name: "out-dir", Value: ".", Usage: "the `DIR` to write the workbook into", TakesFile: true},
			forceFlag("replace a workbook of the same name"),
			&cli.BoolFlag{Name: "include-password-hashes", Usage: "write the users' encrypted password values"},
			&cli.BoolFlag{Name: "bda", Usage: "write only the tabs and columns of BDA Security Manager's guide"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[flags]"); err != nil {
				return err
			}
			start := time.Now()
			env, envPath, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			sel := export.Selection{IncludePasswords: cmd.Bool("include-password-hashes")}
			if sel.Tabs, err = parseAreas(cmd); err != nil {
				return err
			}
			if err := compileFilters(cmd, filterFlag{"user", &sel.Users}, filterFlag{"group", &sel.Groups}, filterFlag{"artifact", &sel.Artifacts}); err != nil {
				return err
			}
			bar := a.startProgress("exporting", 0, "rows")
			res, err := export.WriteWorkbook(env, sel, cmd.String("out-dir"), start, export.Options{
				Replace: cmd.Bool("force"),
				BDA:     cmd.Bool("bda"),
				Progress: func(tab string, done, total int) {
					if tab == "" {
						bar.Label("saving " + export.FileName(start))
					} else {
						bar.Label("exporting " + tab)
					}
					bar.Set(int64(done), int64(total))
				},
			})
			bar.Done()
			if err != nil {
				var exists *export.ExistsError
				if errors.As(err, &exists) {
					return fail("%v", err)
				}
				return fail("export of %s failed: %v", envPath, err)
			}
			log := a.logger()
			switch {
			case res.Empty:
				log.Warn(fmt.Sprintf("nothing matched %s: the tabs that filter restricts have header rows only", strings.Join(res.Unmatched, ", ")))
			case len(res.Unmatched) > 0:
				log.Warn(fmt.Sprintf("nothing matched %s", strings.Join(res.Unmatched, ", ")))
			}
			if res.NotBDA > 0 {
				log.Warn(fmt.Sprintf("%s of types other than %s left out: BDA Security Manager's guide cannot say them; keep them in OneStream, or export without --bda",
					textfmt.Plural(res.NotBDA, "slice rule", ""), artifacts.GuideSliceRuleType))
			}
			total := 0
			for _, n := range res.Rows {
				total += n
			}
			log.Info("exported", zap.String("environment", env.Name), zap.String("path", res.Path),
				zap.Int("tabs", len(res.Rows)), zap.Int("rows", total), zap.Bool("passwords", sel.IncludePasswords),
				zap.Duration("took", time.Since(start).Round(time.Millisecond)))
			fmt.Fprintln(a.stdout, res.Path)
			return nil
		},
	}
}
