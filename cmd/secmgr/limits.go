package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v3"

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
	}
}

// setLimits reads the limit flags.
func (a *app) setLimits(cmd *cli.Command) error {
	l := workbook.Options{
		MaxUncompressedBytes: cmd.Int64("max-workbook-bytes"),
		MaxRows:              cmd.Int("max-rows"),
		MaxColumns:           cmd.Int("max-columns"),
		MaxCellChars:         cmd.Int("max-cell-chars"),
	}
	if l.MaxUncompressedBytes <= 0 || l.MaxRows <= 0 || l.MaxColumns <= 0 || l.MaxCellChars <= 0 {
		return fail("the --max-… limits must be positive numbers")
	}
	a.limits = l
	return nil
}

// limitHint completes the message of a workbook refused for a limit with
// how to raise it.
func limitHint(err error) string {
	var we *workbook.Error
	if errors.As(err, &we) && we.Limit {
		return fmt.Sprintf("%v — a limit that protects secmgr from hostile files; if the workbook is genuine, raise it with --max-workbook-bytes, --max-rows, --max-columns or --max-cell-chars", err)
	}
	return err.Error()
}
