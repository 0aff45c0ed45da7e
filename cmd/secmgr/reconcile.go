package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/internal/textfmt"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/idp"
	"secmgr/pkg/plans"
	"secmgr/pkg/reconcile"
	"secmgr/pkg/validate"
)

// reconcileFormat is the "format" of reconcile --format json.
const reconcileFormat = "secmgr.reconcile/v1"

func reconcileCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "reconcile",
		Usage:     "compare the users with an identity provider's export; write the change workbook that brings them in line",
		UsageText: "secmgr reconcile --idp FILE [--idp FILE]... [--rules RULES.json] [--out changes.xlsx] [--force] [--prune] [--format text|json]",
		Description: "Reads the identity provider's own export of its users — the Microsoft Entra ID \"Download\n" +
			"users\" CSV, a SCIM 2.0 ListResponse (repeat --idp for its pages), or a CSV whose columns the\n" +
			"rules file names; the format is recognised by content — and compares it with the users of\n" +
			"the environment (--env) that sign in through that provider:\n" +
			"  leavers  an enabled user whose account is missing or disabled: IsEnabled False\n" +
			"           (with --prune a user missing from the provider is removed);\n" +
			"  movers   Email and Description (the display name) brought in line, and the memberships\n" +
			"           the rules map from the provider's groups added (with --prune, memberships of\n" +
			"           mapped groups the provider no longer gives are removed);\n" +
			"  joiners  an enabled account in a mapped group that no user matches: a new user with\n" +
			"           the rules' values and its mapped memberships (guest accounts are not added).\n" +
			"Native users and users of other providers are never touched. An account that matches two\n" +
			"users is an error naming both.\n\n" +
			"The rules file (JSON, every field optional) names the provider (default: the most common\n" +
			"ExternalAuthProviderName), the attribute matched to ExternalUserName (default\n" +
			"userPrincipalName / userName), the attribute Description follows (default displayName;\n" +
			"\"none\" leaves it alone), the group mapping, the joiners' values and a generic CSV's columns:\n" +
			"  {\"provider\": \"AzureAD\", \"description\": \"jobTitle\",\n" +
			"   \"groups\": [{\"idp\": \"FIN-Houston*\", \"group\": \"Houston_View\"}],\n" +
			"   \"joiners\": {\"userType\": \"View\", \"culture\": \"en-US\", \"numGridRows\": 50, \"userName\": \"displayName\"},\n" +
			"   \"csv\": {\"userName\": \"Login\", \"displayName\": \"Name\", \"email\": \"Mail\", \"enabled\": \"Status\",\n" +
			"           \"groups\": \"Teams\", \"groupSeparator\": \";\"}}\n\n" +
			"Nothing changes here: reconcile prints the counts and the plan of its change workbook\n" +
			"(--out), which 'secmgr apply' applies like any other workbook, with an undo.\n" +
			"Exit code: 0 nothing to change, 2 there are changes, 1 error.\n\n" +
			"Example:\n" +
			"   secmgr init --sample golfstream.json\n" +
			"   secmgr reconcile --env golfstream.json --idp examples/golfstream/idp/entra-users.csv \\\n" +
			"       --rules examples/golfstream/idp/rules.json --out changes.xlsx\n" +
			"   secmgr apply changes.xlsx --env golfstream.json --yes\n" +
			"   secmgr reconcile --env golfstream.json --idp examples/golfstream/idp/entra-users.csv \\\n" +
			"       --rules examples/golfstream/idp/rules.json                        (exit 0)",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "idp", Usage: "the identity provider's export `FILE` (repeat for the pages of a SCIM ListResponse)", TakesFile: true},
			&cli.StringFlag{Name: "rules", Usage: "the rules file `RULES.json`", TakesFile: true},
			changeWorkbookOutFlag(),
			forceFlag("replace the --out file if it exists"),
			&cli.BoolFlag{Name: "prune", Usage: "remove users missing from the provider, and memberships of mapped groups it no longer gives"},
			formatFlag(),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "--idp FILE [flags]"); err != nil {
				return err
			}
			return a.reconcile(cmd)
		},
	}
}

// loadIdP reads the rules (or takes the defaults) and the provider's
// export; every error names its file.
func (a *app) loadIdP(files []string, rulesPath string) (*idp.Directory, *reconcile.Rules, error) {
	rules := reconcile.DefaultRules()
	if rulesPath != "" {
		var err error
		if rules, err = reconcile.LoadRules(rulesPath); err != nil {
			return nil, nil, fail("%s", validate.EscapeControls(err.Error()))
		}
	}
	opt := rules.ReadOptions()
	opt.MaxAccounts = a.limits.MaxRows
	dir, err := idp.Read(files, opt)
	if err != nil {
		// The message may quote a hostile file's text.
		return nil, nil, fail("%s", validate.EscapeControls(err.Error()))
	}
	return dir, rules, nil
}

func (a *app) reconcile(cmd *cli.Command) error {
	start := time.Now()
	files := cmd.StringSlice("idp")
	if len(files) == 0 {
		return fail("reconcile needs --idp FILE, the identity provider's export of its users (see 'secmgr reconcile --help')")
	}
	out, err := changeWorkbookOut(cmd)
	if err != nil {
		return err
	}
	env, envPath, err := loadEnv(cmd)
	if err != nil {
		return err
	}
	// Loading leaves the environment file's text as garbage under a heap
	// goal twice the size of both: collect it before the export is read,
	// so that the peak is the environment and the accounts, not that goal.
	runtime.GC()
	dir, rules, err := a.loadIdP(files, cmd.String("rules"))
	if err != nil {
		return err
	}
	res, err := reconcile.Run(env, dir, rules, reconcile.Options{Prune: cmd.Bool("prune")})
	if err != nil {
		return fail("%v", err)
	}
	log := a.logger()
	log.Debug("reconciled", zap.Int("accounts", len(dir.Accounts)), zap.String("format", string(dir.Format)),
		zap.Int("rows", res.Rows()), zap.Duration("took", time.Since(start).Round(time.Millisecond)))
	// Only this of the accounts is used past here, so planning may have
	// their memory.
	src := reconcileSource{Files: dir.Files, Format: string(dir.Format), Accounts: len(dir.Accounts)}

	// The change workbook is planned by the ordinary planner, from the
	// file itself: what is shown is what 'apply' will do with it.
	path, source := out, out
	if path == "" {
		tmp, err := os.MkdirTemp("", "secmgr-reconcile-")
		if err != nil {
			return fail("cannot make a temporary folder for the change workbook: %v", err)
		}
		defer os.RemoveAll(tmp)
		path, source = filepath.Join(tmp, "changes.xlsx"), "reconcile of "+strings.Join(files, ", ")
	}
	if err := res.WriteWorkbook(path, reconcile.WriteOptions{Replace: cmd.Bool("force")}); err != nil {
		return fail("%v", err)
	}
	if out != "" {
		log.Info("wrote the change workbook", zap.String("path", out), zap.Int("rows", res.Rows()))
	}
	read, done := a.readOptions(path)
	p, err := actions.PlanWorkbook(path, env, actions.PlanOptions{Read: read, Source: source})
	done()
	if err != nil {
		return fail("planning the change workbook: %s", limitHint(err))
	}
	log.Debug("planned", zap.Int("changes", len(p.Changes)), zap.Duration("took", time.Since(start).Round(time.Millisecond)))
	if cmd.String("format") == "json" {
		err = a.printReconcileJSON(cmd, env, envPath, src, res, p)
	} else {
		err = a.printReconcileText(envPath, src, res, p)
	}
	if err != nil {
		return err
	}
	return planExit(p)
}

func (a *app) printReconcileText(envPath string, src reconcileSource, res *reconcile.Result, p *plans.Plan) error {
	w := bufio.NewWriter(a.stdout)
	s := res.Summary
	fmt.Fprintf(w, "%s against %s (%s, %s, provider %s):\n", envPath, strings.Join(src.Files, ", "), idp.Format(src.Format).Describe(),
		textfmt.Plural(s.Accounts, "account", ""), res.Provider)
	fmt.Fprintf(w, "  %s, %s, %s; %d untouched (%d native, %d of other providers, %d in line)\n",
		textfmt.Plural(s.Leavers, "leaver", ""), textfmt.Plural(s.Movers, "mover", ""), textfmt.Plural(s.Joiners, "joiner", ""),
		s.Untouched, s.Native, s.OtherProviders, s.InLine)
	if s.Guests > 0 || s.OnlyInProvider > 0 {
		fmt.Fprintf(w, "  not added: %s, %s only in the provider (disabled or in no mapped group)\n",
			textfmt.Plural(s.Guests, "guest account", ""), textfmt.Plural(s.OnlyInProvider, "account", ""))
	}
	for _, group := range []struct {
		what   string
		people []reconcile.Person
	}{{"leaver", res.Leavers}, {"mover", res.Movers}, {"joiner", res.Joiners}} {
		for _, pp := range group.people {
			detail := strings.Join(pp.Changes, "; ")
			if pp.Reason != "" {
				detail = pp.Reason + ": " + detail
			}
			fmt.Fprintf(w, "  %-6s %s: %s\n", group.what, pp.User, detail)
		}
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintln(w)
	if err := w.Flush(); err != nil {
		return err
	}
	return plans.RenderText(a.stdout, p, useColor(a.stdout))
}

// reconcileDocument is what reconcile --format json prints.
type reconcileDocument struct {
	Format      string            `json:"format"`
	Environment diffEnvironment   `json:"environment"`
	IdP         reconcileSource   `json:"idp"`
	Prune       bool              `json:"prune"`
	Workbook    string            `json:"workbook,omitempty"`
	Result      *reconcile.Result `json:"reconcile"`
	Plan        json.RawMessage   `json:"plan"`
}

type reconcileSource struct {
	Files    []string `json:"files"`
	Format   string   `json:"format"`
	Accounts int      `json:"accounts"`
}

func (a *app) printReconcileJSON(cmd *cli.Command, env *artifacts.Environment, envPath string, src reconcileSource, res *reconcile.Result, p *plans.Plan) error {
	plan, err := plans.MarshalPlan(p)
	if err != nil {
		return fail("%v", err)
	}
	doc := reconcileDocument{Format: reconcileFormat, Environment: diffEnvironment{Path: envPath, Name: env.Name, Fingerprint: p.Environment.Fingerprint},
		IdP:   src,
		Prune: cmd.Bool("prune"), Workbook: cmd.String("out"), Result: res, Plan: plan}
	return a.printJSON(doc)
}
