package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/migrate"
	"secmgr/pkg/plans"
)

// diffFormat is the "format" of diff --format json.
const diffFormat = "secmgr.diff/v1"

func diffCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two environments; write the change workbook that migrates one to the other",
		UsageText: "secmgr diff --from SRC --to DST [--areas LIST] [--prune] [--map FROM=TO]... [--out changes.xlsx] [--force] [--format text|json] [--include-password-hashes] [--bda]",
		Description: "Compares the environment files SRC (--from) and DST (--to) area by area and prints the\n" +
			"changes that make DST's selected areas match SRC's: + add, ~ edit (old → new), - remove.\n" +
			"--out also writes them as a change workbook: an ordinary security workbook with only the\n" +
			"rows that change something, which 'secmgr apply' imports into DST; afterwards diff finds\n" +
			"nothing. Without --prune diff only adds and edits; with --prune it also removes the users,\n" +
			"groups, exclusion groups and relationships SRC lacks.\n\n" +
			"Names are compared ignoring case and written as DST spells them. What a workbook cannot\n" +
			"carry is a warning and left out, so the workbook still applies: an entity, workflow\n" +
			"profile, cube or other artifact only SRC has (create it in OneStream first), a slice rule\n" +
			"only DST has, a name that is a group on one side and an exclusion group on the other, and\n" +
			"passwords unless --include-password-hashes (they are compared, never printed).\n\n" +
			"Users and groups renamed between the environments cannot be told from a removal and an\n" +
			"addition; diff shows them so. --map renames groups and exclusion groups on the way:\n" +
			"'Finance Dev=Finance' exactly, 'DEV_*=PRD_*' by one * wildcard; repeat it, the first rule\n" +
			"that matches wins. Built-in groups are never mapped.\n\n" +
			"The change workbook says each change the way BDA Security Manager's guide does where it\n" +
			"can (a membership removal is a Users row with ActionType Remove and the group in\n" +
			"ActionValue); a change the guide cannot say uses secmgr's extension and is a warning,\n" +
			"not-bda, naming its cell. --bda writes only the guide's tabs and columns: such changes\n" +
			"are left out and are errors (exit 1).\n" +
			"Exit code: 0 nothing to change, 2 there are changes, 1 error.\n\n" +
			"Example:\n" +
			"   secmgr diff --from dev.json --to prod.json --areas users,groups\n" +
			"   secmgr diff --from dev.json --to prod.json --map 'DEV_*=PRD_*' --prune --out changes.xlsx\n" +
			"   secmgr apply changes.xlsx --env prod.json --yes\n" +
			"   secmgr diff --from dev.json --to prod.json --map 'DEV_*=PRD_*' --prune      (exit 0)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "migrate from the environment file `SRC`", TakesFile: true},
			&cli.StringFlag{Name: "to", Usage: "migrate to the environment file `DST`", TakesFile: true},
			areasFlag("compare"),
			&cli.BoolFlag{Name: "prune", Usage: "also remove what DST has and SRC lacks"},
			&cli.StringSliceFlag{Name: "map", Usage: "rename SRC's group `FROM=TO` (repeatable; one * wildcard)"},
			changeWorkbookOutFlag(),
			forceFlag("replace the --out file if it exists"),
			formatFlag(),
			&cli.BoolFlag{Name: "include-password-hashes", Usage: "carry the users' encrypted password values in the workbook"},
			&cli.BoolFlag{Name: "bda", Usage: "write the change workbook for BDA Security Manager: only its guide's tabs and columns; what the guide cannot say is an error"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "--from SRC --to DST [flags]"); err != nil {
				return err
			}
			return a.diff(cmd)
		},
	}
}

func (a *app) diff(cmd *cli.Command) error {
	start := time.Now()
	fromPath, toPath := cmd.String("from"), cmd.String("to")
	switch {
	case fromPath == "" && toPath == "":
		return fail("diff needs --from SRC and --to DST, the environment files to compare (see 'secmgr diff --help')")
	case fromPath == "":
		return fail("diff needs --from SRC, the environment file to migrate from (see 'secmgr diff --help')")
	case toPath == "":
		return fail("diff needs --to DST, the environment file to migrate to (see 'secmgr diff --help')")
	}
	tabs, err := parseAreas(cmd)
	if err != nil {
		return err
	}
	m, err := migrate.ParseMap(cmd.StringSlice("map"))
	if err != nil {
		return fail("%v", err)
	}
	out, err := changeWorkbookOut(cmd)
	if err != nil {
		return err
	}
	src, err := loadEnvFile("--from", fromPath)
	if err != nil {
		return err
	}
	dst, err := loadEnvFile("--to", toPath)
	if err != nil {
		return err
	}
	opt := migrate.Options{Tabs: tabs, Prune: cmd.Bool("prune"), Map: m, IncludePasswords: cmd.Bool("include-password-hashes"), BDA: cmd.Bool("bda")}
	res, err := migrate.Compare(src, dst, opt)
	if err != nil {
		return fail("%v", err)
	}
	log := a.logger()
	log.Debug("compared", zap.String("from", fromPath), zap.String("to", toPath), zap.Int("changes", len(res.Changes)),
		zap.Int("findings", len(res.Findings)), zap.Duration("took", time.Since(start).Round(time.Millisecond)))
	if out != "" {
		if err := res.WriteWorkbook(out, migrate.WriteOptions{Replace: cmd.Bool("force")}); err != nil {
			return fail("%v", err)
		}
		log.Info("wrote the change workbook", zap.String("path", out), zap.Int("rows", res.Rows()),
			zap.Bool("passwords", opt.IncludePasswords), zap.Duration("took", time.Since(start).Round(time.Millisecond)))
	}
	if cmd.String("format") == "json" {
		err = a.printDiffJSON(cmd, src, dst, tabs, res)
	} else {
		err = a.printDiffText(fromPath, toPath, res)
	}
	if err != nil {
		return err
	}
	if res.Summary.Errors > 0 {
		return exitWith(exitFailed, fmt.Sprintf("%s cannot be said in BDA Security Manager's vocabulary; the workbook leaves them out",
			textfmt.Plural(res.Summary.Errors, "change", "")))
	}
	if !res.Empty() {
		return exitWith(exitChanges, "")
	}
	return nil
}

// loadEnvFile loads an environment file named by flag; the message names
// the file and the flag.
func loadEnvFile(flag, path string) (*artifacts.Environment, error) {
	env, err := artifacts.Load(path)
	if err != nil {
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			return nil, fail("%s: %v", flag, err)
		}
		return nil, fail("%v", err)
	}
	return env, nil
}

// printDiffText prints the findings, one line per change as plan does,
// then a summary line.
func (a *app) printDiffText(from, to string, res *migrate.Result) error {
	w := bufio.NewWriter(a.stdout)
	for _, f := range res.Findings {
		fmt.Fprintln(w, f.String())
	}
	if len(res.Findings) > 0 {
		fmt.Fprintln(w)
	}
	color := useColor(a.stdout)
	for _, c := range res.Changes {
		line := plans.ChangeLine(c)
		if color {
			line = opColor(c.Op) + line + "\x1b[0m"
		}
		fmt.Fprintln(w, line)
	}
	s := res.Summary
	errs := ""
	if s.Errors > 0 {
		errs = textfmt.Plural(s.Errors, "error", "") + ", "
	}
	fmt.Fprintf(w, "To make %s match %s: %d to add, %d to edit, %d to remove; %s%s.\n",
		to, from, s.Add, s.Edit, s.Remove, errs, textfmt.Plural(s.Warnings, "warning", ""))
	return w.Flush()
}

func opColor(op plans.Op) string {
	switch op {
	case plans.OpAdd:
		return "\x1b[32m"
	case plans.OpEdit:
		return "\x1b[33m"
	case plans.OpRemove:
		return "\x1b[31m"
	}
	return "\x1b[36m"
}

// diffEnvironment identifies a compared environment in diff's JSON.
type diffEnvironment struct {
	Path        string `json:"path"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

// diffDocument is what diff --format json prints: shaped like a plan
// (changes, findings, summary), with what was compared.
type diffDocument struct {
	Format   string            `json:"format"`
	From     diffEnvironment   `json:"from"`
	To       diffEnvironment   `json:"to"`
	Areas    []string          `json:"areas"`
	Prune    bool              `json:"prune"`
	Map      []string          `json:"map"`
	Workbook string            `json:"workbook,omitempty"`
	Changes  []plans.Change    `json:"changes"`
	Findings []migrate.Finding `json:"findings"`
	Summary  plans.Summary     `json:"summary"`
}

func (a *app) printDiffJSON(cmd *cli.Command, src, dst *artifacts.Environment, tabs []artifacts.TabID, res *migrate.Result) error {
	ref := func(path string, env *artifacts.Environment) (diffEnvironment, error) {
		fp, err := artifacts.Fingerprint(env)
		return diffEnvironment{Path: path, Name: env.Name, Fingerprint: fp}, err
	}
	doc := diffDocument{Format: diffFormat, Areas: areaNames(tabs), Prune: cmd.Bool("prune"), Map: cmd.StringSlice("map"),
		Workbook: cmd.String("out"), Changes: res.Changes, Findings: res.Findings, Summary: res.Summary}
	var err error
	if doc.From, err = ref(cmd.String("from"), src); err != nil {
		return fail("%v", err)
	}
	if doc.To, err = ref(cmd.String("to"), dst); err != nil {
		return fail("%v", err)
	}
	if doc.Map == nil {
		doc.Map = []string{}
	}
	return a.printJSON(doc)
}

// areaNames lists the areas whose tabs are all selected, in export order.
func areaNames(tabs []artifacts.TabID) []string {
	sel := map[artifacts.TabID]bool{}
	for _, t := range tabs {
		sel[t] = true
	}
	out := []string{}
	for _, a := range artifacts.Areas {
		all := true
		for _, t := range a.Tabs {
			all = all && sel[t]
		}
		if all {
			out = append(out, a.Name)
		}
	}
	return out
}
