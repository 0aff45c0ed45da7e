package main

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v3"

	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// Limits on what reading one workbook may cost, so that a hostile file —
// a zip bomb, a sheet of a million columns, a cell of a megabyte — is
// refused in seconds and in bounded memory. The defaults fit any real
// security workbook; a genuine file beyond them can be let through with
// these flags.
func limitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.Int64Flag{Name: "max-workbook-bytes", Value: workbook.DefaultMaxUncompressedBytes, Usage: "refuse a workbook whose parts inflate past `N` bytes", Category: "limits"},
		&cli.IntFlag{Name: "max-rows", Value: workbook.DefaultMaxRows, Usage: "refuse a tab of more than `N` data rows", Category: "limits"},
		&cli.IntFlag{Name: "max-columns", Value: workbook.DefaultMaxColumns, Usage: "refuse a tab with a cell beyond column `N`", Category: "limits"},
		&cli.IntFlag{Name: "max-cell-chars", Value: workbook.DefaultMaxCellChars, Usage: "refuse a cell of more than `N` characters", Category: "limits"},
		&cli.IntFlag{Name: "max-findings", Value: validate.MaxListed, Usage: "list at most `N` errors and N warnings of a workbook; the rest are counted", Category: "limits"},
	}
}

// setLimits reads the limit flags.
func (a *app) setLimits(cmd *cli.Command) error {
	l := workbook.Options{
		MaxUncompressedBytes: cmd.Int64("max-workbook-bytes"),
		MaxRows:              cmd.Int("max-rows"),
		MaxColumns:           cmd.Int("max-columns"),
		MaxCellChars:         cmd.Int("max-cell-chars"),
		MaxFindings:          cmd.Int("max-findings"),
	}
	if l.MaxUncompressedBytes <= 0 || l.MaxRows <= 0 || l.MaxColumns <= 0 || l.MaxCellChars <= 0 || l.MaxFindings <= 0 {
		return fail("the --max-… limits must be positive numbers")
	}
	a.limits = l
	return nil
}

// limitHint is the message of a workbook that could not be read, with
// its control characters escaped (it may quote a hostile file's sheet or
// part names) and, for one refused for a limit, the flag that raises it.
// Some bounds (XML tag length, sheets, entries, shared strings) are
// fixed: no genuine security workbook comes near them.
func limitHint(err error) string {
	msg := validate.EscapeControls(err.Error())
	var we *workbook.Error
	if !errors.As(err, &we) || !we.Limit {
		return msg
	}
	if flag := limitFlag(we.Msg); flag != "" {
		return msg + " — a limit that protects secmgr from hostile files; if the workbook is genuine, raise it with " + flag
	}
	return msg + " — a fixed limit that protects secmgr from hostile files; no genuine security workbook reaches it"
}

// limitFlag names the flag that raises the limit a reader's message
// describes, or "" for a fixed one. The hostile-input tests hold every
// message to its flag.
func limitFlag(msg string) string {
	for _, l := range raisable {
		if strings.Contains(msg, l.phrase) {
			return l.flag
		}
	}
	return ""
}

// raisable pairs the phrase of a reader's message on a limit with the
// flag that raises that limit.
var raisable = []struct{ phrase, flag string }{
	{"limit on uncompressed data", "--max-workbook-bytes"},
	{"rows (the limit)", "--max-rows"},
	{"the last column allowed", "--max-columns"},
	{"characters", "--max-cell-chars"},
}
