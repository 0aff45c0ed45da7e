package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/audit"
	"secmgr/pkg/reconcile"
)

func auditCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "audit",
		Usage:     "check security against best practices",
		UsageText: "secmgr audit [--format text|json|sarif] [--fail-on none|info|low|medium|high] [--idp FILE]... [--rules RULES.json]",
		Description: "Runs every rule of the catalogue (docs/audit.md) over the environment: the OneStream Secure\n" +
			"Configuration Guide's rules that the environment can answer (OS-BP-…) and secmgr's own\n" +
			"(SM-…). Each finding names its rule, severity, the artifacts involved and what to do;\n" +
			"rules that need data the environment lacks (last logon times …) are listed as not\n" +
			"checked. Text is grouped by severity, high first; json is one document; sarif is a\n" +
			"SARIF 2.1.0 log for code-scanning pipelines.\n" +
			"Exit code: 2 when there is a finding at or above --fail-on (default high), 0 when not,\n" +
			"1 on error. --fail-on none always exits 0.\n" +
			"--idp adds SM-013: an enabled user whose account in the identity provider's export is\n" +
			"missing or disabled (read as 'secmgr reconcile' reads it, with the same --rules).\n\n" +
			"Example:\n" +
			"   secmgr --env golfstream.json audit\n" +
			"   secmgr --env golfstream.json audit --idp entra-users.csv\n" +
			"   secmgr --env golfstream.json audit --format sarif --fail-on medium > secmgr.sarif",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or sarif",
				Validator: func(s string) error {
					if s != "text" && s != "json" && s != "sarif" {
						return fmt.Errorf("--format %q: use text, json or sarif", s)
					}
					return nil
				}},
			&cli.StringFlag{Name: "fail-on", Value: "high", Usage: "exit 2 on a finding at or above `LEVEL`: none, info, low, medium or high",
				Validator: func(s string) error {
					if _, err := audit.ParseThreshold(s); err != nil {
						return fmt.Errorf("--fail-on: %v", err)
					}
					return nil
				}},
			&cli.StringSliceFlag{Name: "idp", Usage: "also check the users against the identity provider's export `FILE` (SM-013)", TakesFile: true},
			&cli.StringFlag{Name: "rules", Usage: "the reconcile rules file `RULES.json` for --idp", TakesFile: true},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "[--format text|json|sarif] [--fail-on LEVEL]"); err != nil {
				return err
			}
			threshold, err := audit.ParseThreshold(cmd.String("fail-on"))
			if err != nil {
				return fail("--fail-on: %v", err)
			}
			env, path, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			start := time.Now()
			var opt audit.Options
			if files := cmd.StringSlice("idp"); len(files) > 0 {
				if opt.IdP, err = a.idpLeavers(env, files, cmd.String("rules")); err != nil {
					return err
				}
			} else if cmd.String("rules") != "" {
				return fail("--rules is for --idp; give the identity provider's export with --idp FILE")
			}
			rep := audit.RunWith(env, nil, opt)
			a.logger().Debug("audited", zap.String("env", path), zap.Int("findings", len(rep.Findings)), zap.Duration("took", time.Since(start)))
			switch cmd.String("format") {
			case "json":
				err = rep.WriteJSON(a.stdout)
			case "sarif":
				var src *audit.SARIFSource
				if src, err = sarifSource(path); err == nil {
					err = rep.WriteSARIF(a.stdout, src)
				}
			default:
				err = rep.WriteText(a.stdout)
			}
			if err != nil {
				return fail("writing the audit report: %v", err)
			}
			if rep.Fails(threshold) {
				n := rep.AtOrAbove(threshold.Severity)
				return exitWith(exitChanges, fmt.Sprintf("%d finding%s at or above --fail-on %s",
					n, map[bool]string{true: "", false: "s"}[n == 1], strings.ToLower(threshold.Severity.String())))
			}
			return nil
		},
	}
}

// sarifSource points SARIF results at the environment file: the path as
// given when it is relative (code scanning reads paths from the root of
// the repository, where such a command runs), otherwise a file URI.
func sarifSource(path string) (*audit.SARIFSource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines, err := artifacts.IndexEntryLines(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	uri := filepath.ToSlash(filepath.Clean(path))
	if filepath.IsAbs(path) {
		uri = (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	}
	return &audit.SARIFSource{URI: uri, Lines: lines}, nil
}

// idpLeavers reconciles env with the provider's export and returns the
// enabled users it would disable, for SM-013.
func (a *app) idpLeavers(env *artifacts.Environment, files []string, rulesPath string) (*audit.IdPAccounts, error) {
	dir, rules, err := a.loadIdP(files, rulesPath)
	if err != nil {
		return nil, err
	}
	res, err := reconcile.Run(env, dir, rules, reconcile.Options{})
	if err != nil {
		return nil, fail("%v", err)
	}
	out := &audit.IdPAccounts{Source: strings.Join(files, ", "), Provider: res.Provider}
	for _, l := range res.Leavers {
		if l.Enabled {
			out.Leavers = append(out.Leavers, audit.IdPLeaver{User: l.User, Account: l.Account, Reason: l.Reason})
		}
	}
	return out, nil
}
