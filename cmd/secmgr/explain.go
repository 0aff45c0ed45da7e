package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"go.uber.org/zap"

	"secmgr/pkg/access"
)

func explainCommand(a *app) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "show a user's effective access, or a group's members and uses",
		UsageText: "secmgr explain (--user NAME | --group NAME) [--format text|json]",
		Description: "With --user: whether the user is enabled and an administrator; every group it belongs\n" +
			"to with the path that puts it there (Jessica Documentation → Documentation LegalA →\n" +
			"Documentation AllOrgs); every exclusion group it is let into or kept out of, with the\n" +
			"deciding entry; its roles; every artifact right it holds with the group that grants it;\n" +
			"and the slice rules whose AccessGroup holds it.\n" +
			"With --group: its members with their paths, its direct members, its parent groups and\n" +
			"every place it is used (roles, artifact security columns, exclusion-group entries, slice\n" +
			"rules); a group used nowhere and holding no one says so.\n" +
			"Names match case-insensitively; an unknown name fails (exit code 1) and suggests the\n" +
			"closest existing one. --format json prints the document described in docs/audit.md.\n\n" +
			"Example:\n" +
			"   secmgr --env golfstream.json explain --user \"Jessica Documentation\"\n" +
			"   secmgr --env golfstream.json explain --group \"Documentation AllOrgs\" --format json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "user", Usage: "explain the user `NAME`"},
			&cli.StringFlag{Name: "group", Usage: "explain the group or exclusion group `NAME`"},
			formatFlag(),
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if _, err := args(cmd, 0, 0, "(--user NAME | --group NAME) [--format text|json]"); err != nil {
				return err
			}
			user, group := cmd.String("user"), cmd.String("group")
			switch {
			case cmd.IsSet("user") && cmd.IsSet("group"):
				return fail("explain takes --user or --group, not both (see 'secmgr explain --help')")
			case cmd.IsSet("user") && strings.TrimSpace(user) == "", cmd.IsSet("group") && strings.TrimSpace(group) == "":
				return fail("explain: the name is empty")
			case !cmd.IsSet("user") && !cmd.IsSet("group"):
				return fail("explain needs --user NAME or --group NAME (see 'secmgr explain --help')")
			}
			env, path, err := loadEnv(cmd)
			if err != nil {
				return err
			}
			start := time.Now()
			ix := access.New(env)
			var writeText func() error
			var doc any
			if cmd.IsSet("user") {
				ua, err := ix.User(user)
				if err != nil {
					return notFound(path, err)
				}
				doc, writeText = ua, func() error { return ua.WriteText(a.stdout) }
			} else {
				ga, err := ix.Group(group)
				if err != nil {
					return notFound(path, err)
				}
				doc, writeText = ga, func() error { return ga.WriteText(a.stdout) }
			}
			a.logger().Debug("explained", zap.String("env", path), zap.Duration("took", time.Since(start)))
			if cmd.String("format") == "json" {
				err = access.WriteJSON(a.stdout, doc)
			} else {
				err = writeText()
			}
			if err != nil {
				return fail("writing the explanation: %v", err)
			}
			return nil
		},
	}
}

// notFound words an unknown user or group for the command line: the
// environment file, the suggestion, and the other flag when the name is
// of the other kind.
func notFound(path string, err error) error {
	var nf *access.NotFoundError
	if !errors.As(err, &nf) {
		return fail("%s: %v", path, err)
	}
	msg := path + ": " + nf.Error()
	switch nf.OtherKind {
	case "group":
		msg += "; to explain a group, use --group"
	case "user":
		msg += "; to explain a user, use --user"
	}
	return fail("%s", msg)
}
