package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/internal/textfmt"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/history"
	"secmgr/pkg/impact"
	"secmgr/pkg/plans"
	"secmgr/pkg/review"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

func planCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "show the change plan an edited workbook makes",
		ArgsUsage: "WORKBOOK",
		UsageText: "secmgr plan WORKBOOK [--out PLAN.json] [--format text|json|markdown] [--annotate OUT.xlsx] [--cascade] [--two-way] [--bda]",
		Description: "Reads WORKBOOK as your spreadsheet program left it, validates every cell against the\n" +
			"environment (--env) and prints the change plan: one line per change (+ add, ~ edit with\n" +
			"old → new, > rename, - remove), a summary, and the impact on effective access: who\n" +
			"gains or loses which group (with the path that grants it), which role, and who becomes\n" +
			"or stops being an administrator. Nothing is changed: 'secmgr apply' does that, from the\n" +
			"plan saved with --out or from the workbook itself. --format markdown writes the plan as\n" +
			"a pull-request comment.\n" +
			"A workbook secmgr wrote records the state it was made from. If changes were applied\n" +
			"since, it is planned three-way: only the cells you changed are changes, and a cell you\n" +
			"changed that was also changed since is a conflict. A workbook whose state is not in the\n" +
			"environment's history is refused (stale-export) unless --two-way is given.\n" +
			"Exit code: 0 valid and nothing to change, 2 valid with changes, 1 errors.\n\n" +
			"Example:\n" +
			"   secmgr --env golfstream.json export --areas users\n" +
			"   (edit SecurityExtract.101500.xlsx in Excel)\n" +
			"   secmgr plan SecurityExtract.101500.xlsx --env golfstream.json --out p.json --annotate checked.xlsx\n" +
			"   secmgr apply p.json --env golfstream.json",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "save the plan as `PLAN.json` for 'secmgr apply' (owner-only)", TakesFile: true},
			formatFlag("markdown"),
		}, workbookFlags("let a removed group's roles and artifacts be set to Nobody")...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			p, path, err := a.planFromArgs(cmd)
			if err != nil {
				return err
			}
			if err := a.printPlan(cmd, p); err != nil {
				return err
			}
			if out := cmd.String("out"); out != "" {
				if !p.Applicable {
					a.logger().Warn("the plan has errors; it was not saved", zap.String("path", out))
				} else if err := savePlan(out, p); err != nil {
					return fail("%v", err)
				} else {
					a.logger().Info("saved plan", zap.String("path", out))
				}
			}
			// Last: a workbook that cannot be annotated still has its plan
			// and findings printed.
			if err := a.annotate(cmd, path, p.Findings); err != nil {
				return err
			}
			return planExit(p)
		},
	}
}

func validateCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check an edited workbook against the environment",
		ArgsUsage: "WORKBOOK",
		UsageText: "secmgr validate WORKBOOK [--format text|json] [--annotate OUT.xlsx] [--cascade] [--bda]",
		Description: "Reads and validates WORKBOOK like 'secmgr plan' and prints its findings, each at its\n" +
			"cell ('UsersInGroups!B12: error: group … does not exist — did you mean …?').\n" +
			"Exit code: 0 valid and nothing to change, 2 valid with changes, 1 errors.\n\n" +
			"Example:\n" +
			"   secmgr validate edits.xlsx --env golfstream.json --annotate edits.checked.xlsx\n" +
			"   secmgr validate for-bda.xlsx --env golfstream.json --bda     (before importing it with BDA Security Manager)",
		Flags: append([]cli.Flag{formatFlag()}, workbookFlags("validate as 'plan --cascade' would")...),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			p, path, err := a.planFromArgs(cmd)
			if err != nil {
				return err
			}
			switch cmd.String("format") {
			case "json":
				doc := struct {
					Format   string            `json:"format"`
					Source   string            `json:"source"`
					Valid    bool              `json:"valid"`
					Findings validate.Findings `json:"findings"`
					Summary  plans.Summary     `json:"summary"`
				}{"secmgr.findings/v1", p.Source, p.Applicable, p.Findings, p.Summary}
				if err := a.printJSON(doc); err != nil {
					return err
				}
			default:
				for _, f := range p.Findings {
					fmt.Fprintln(a.stdout, f.String())
				}
				verdict := "valid"
				if !p.Applicable {
					verdict = "not valid"
				}
				fmt.Fprintf(a.stdout, "%s: %s; %s, %s; %d change(s) to plan.\n", p.Source, verdict,
					textfmt.Plural(p.Summary.Errors, "error", ""), textfmt.Plural(p.Summary.Warnings, "warning", ""), len(p.Changes))
			}
			if err := a.annotate(cmd, path, p.Findings); err != nil {
				return err
			}
			return planExit(p)
		},
	}
}

// twoWayFlag is --two-way: plan a stale workbook against the environment
// as it is now.
func twoWayFlag() cli.Flag {
	return &cli.BoolFlag{Name: "two-way", Usage: "plan a workbook made from a state not in the history against the environment as it is (rows left unchanged may revert later changes)"}
}

// workbookFlags are the flags of plan and validate that say how the
// workbook is read and checked: --annotate, --cascade (cascadeUsage),
// --two-way, and --bda — the workbook is meant for BDA Security Manager,
// so every use of secmgr's extensions is an error.
func workbookFlags(cascadeUsage string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "annotate", Usage: "write a copy of the workbook to `OUT.xlsx` with each finding marked on its cell", TakesFile: true},
		&cli.BoolFlag{Name: "cascade", Usage: cascadeUsage},
		twoWayFlag(),
		&cli.BoolFlag{Name: "bda", Usage: "the workbook is for BDA Security Manager: every use of a secmgr extension (ActionType on tabs other than Users and Groups, slice-rule types other than Data Cell Access Security) is an error at its cell"},
	}
}

// formatFlag is --format: text or json, and the extra formats given.
func formatFlag(extra ...string) cli.Flag {
	formats := append([]string{"text", "json"}, extra...)
	list := strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
	return &cli.StringFlag{Name: "format", Value: "text", Usage: list,
		Validator: func(s string) error {
			if !slices.Contains(formats, s) {
				return fmt.Errorf("--format %q: use %s", s, list)
			}
			return nil
		}}
}

// planFromArgs loads the environment and plans the workbook argument.
func (a *app) planFromArgs(cmd *cli.Command) (*plans.Plan, string, error) {
	argv, err := args(cmd, 1, 1, "WORKBOOK")
	if err != nil {
		return nil, "", err
	}
	env, _, err := loadEnv(cmd)
	if err != nil {
		return nil, "", err
	}
	p, err := a.planWorkbook(cmd, argv[0], env)
	return p, argv[0], err
}

// planWorkbook plans a workbook, showing the progress of reading it, and
// turns a file that cannot be read into an error that names it. A
// workbook made from an earlier state of the environment (--env) is
// planned three-way against that state, found in the history.
func (a *app) planWorkbook(cmd *cli.Command, path string, env *artifacts.Environment) (*plans.Plan, error) {
	cascade := cmd.Bool("cascade")
	bda := cmd.Bool("bda")
	read, done := a.readOptions(path)
	// A reviewed access review (AccessReview tab with a Decision column)
	// plans its Remove decisions as membership removals.
	isReview, err := review.IsReviewWorkbookWith(path, review.Options{Read: read})
	var p *plans.Plan
	switch {
	case err != nil:
	case isReview:
		if cascade {
			a.logger().Warn("--cascade does not apply to an access review: it only removes memberships", zap.String("workbook", path))
		}
		if bda {
			a.logger().Warn("--bda does not apply to an access review: BDA Security Manager does not read one", zap.String("workbook", path))
		}
		p, err = review.PlanWith(path, env, review.Options{Read: read})
	default:
		p, err = actions.PlanWorkbook(path, env, actions.PlanOptions{Cascade: cascade, Read: read,
			FindBase: history.BaseFinder(cmd.String("env")), TwoWay: cmd.Bool("two-way"), BDA: bda})
	}
	done()
	if err != nil {
		msg := limitHint(err)
		if !strings.Contains(msg, path) {
			msg = path + ": " + msg
		}
		return nil, fail("%s", msg)
	}
	// The impact is a report on the plan: a failure to compute it is
	// said, and the plan stands.
	if err := impact.Attach(env, p); err != nil {
		a.logger().Warn("the impact on effective access could not be computed", zap.Error(err))
	}
	return p, nil
}

func (a *app) annotate(cmd *cli.Command, in string, findings validate.Findings) error {
	out := cmd.String("annotate")
	if out == "" {
		return nil
	}
	bar := a.startProgress("annotating "+filepath.Base(out), 0, "")
	err := workbook.AnnotateWith(in, out, findings, a.limits)
	bar.Done()
	if err != nil {
		msg := limitHint(err)
		if strings.Contains(msg, out) {
			return fail("%s — the annotated copy was not written", msg)
		}
		return fail("%s — the annotated copy %s was not written", msg, out)
	}
	a.logger().Info("wrote annotated workbook", zap.String("path", out), zap.Int("findings", len(findings)))
	return nil
}

// printPlan writes the plan to standard output as text, JSON or
// Markdown.
func (a *app) printPlan(cmd *cli.Command, p *plans.Plan) error {
	switch cmd.String("format") {
	case "json":
		b, err := plans.MarshalPlan(p)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(b)
		return err
	case "markdown":
		return plans.RenderMarkdown(a.stdout, p)
	}
	return plans.RenderText(a.stdout, p, useColor(a.stdout))
}

func savePlan(path string, p *plans.Plan) error {
	b, err := plans.MarshalPlan(p)
	if err != nil {
		return err
	}
	return artifacts.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// planExit is the exit code of plan and validate: 1 errors, 2 changes, 0.
func planExit(p *plans.Plan) error {
	switch {
	case !p.Applicable:
		return exitWith(exitFailed, fmt.Sprintf("%s has %s; nothing can be applied until they are fixed", p.Source, textfmt.Plural(p.Summary.Errors, "error", "")))
	case len(p.Changes) > 0:
		return exitWith(exitChanges, "")
	}
	return nil
}

// useColor reports whether w is a terminal that wants colour: NO_COLOR
// unset and TERM not dumb. (A file or pipe, and a character device that
// is not a terminal such as /dev/null, never gets colour.)
func useColor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminalWriter(w)
}
