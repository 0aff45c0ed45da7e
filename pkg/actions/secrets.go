package actions

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"secmgr/internal/oserr"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// SecretsFor returns the source of a plan's password values: the workbook
// it was planned from, read at the cell each field names (Field.From), or,
// for an undo plan, the backup environment file, where a password is
// found by the change's key. The source must still have the fingerprint
// the plan recorded: a changed or missing file is an error saying the
// plan's passwords cannot be read. A relative p.Secrets.Path is looked up
// in planDir (the folder of the plan file) first, then in the current
// folder. A plan that sets no password needs no source and gets one that
// refuses every request.
func SecretsFor(p *plans.Plan, planDir string) (SecretSource, error) {
	if !p.HasSecrets() {
		return NoSecrets{}, nil
	}
	if p.Secrets == nil || p.Secrets.Path == "" {
		return nil, errors.New("the plan sets passwords but does not say where to read them from; plan again from the workbook")
	}
	path, data, err := locateSource(p.Secrets, planDir)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		env, err := artifacts.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("the plan's passwords cannot be read: environment file %s %v", path, err)
		}
		return EnvironmentSecrets(env, p), nil
	}
	src, err := readWorkbookSecrets(p, path)
	if err != nil {
		return nil, err
	}
	// The hash was of the bytes read before; make sure the cells came from
	// the same file.
	if sum, err := artifacts.FileDigest(path); err != nil || sum != p.Secrets.Fingerprint {
		return nil, fmt.Errorf("the plan's passwords cannot be read: %s changed while it was read; try again", path)
	}
	return src, nil
}

// locateSource finds the plan's secret source and checks its fingerprint.
// It returns the file's bytes only for an environment file (a workbook is
// read by path).
func locateSource(ref *plans.SourceRef, planDir string) (string, []byte, error) {
	var candidates []string
	if filepath.IsAbs(ref.Path) || planDir == "" {
		candidates = []string{ref.Path}
	} else {
		candidates = []string{filepath.Join(planDir, ref.Path), ref.Path}
	}
	var changed string
	for _, c := range candidates {
		if st, err := os.Stat(c); err != nil || !st.Mode().IsRegular() {
			continue
		}
		var data []byte
		var sum string
		var err error
		if strings.EqualFold(filepath.Ext(c), ".json") {
			data, err = os.ReadFile(c)
			sum = artifacts.Digest(data)
		} else {
			sum, err = artifacts.FileDigest(c)
		}
		if err != nil {
			return "", nil, fmt.Errorf("the plan's passwords cannot be read: %s: %v", c, oserr.Reason(err))
		}
		if sum == ref.Fingerprint {
			return c, data, nil
		}
		if changed == "" {
			changed = c
		}
	}
	if changed != "" {
		return "", nil, fmt.Errorf("the plan's passwords cannot be read: %s has changed since the plan was made; plan again from it", changed)
	}
	return "", nil, fmt.Errorf("the plan's passwords cannot be read: %s does not exist any more", candidates[0])
}

// NoSecrets is the source of a plan that sets no password: it refuses
// every request.
type NoSecrets struct{}

func (NoSecrets) Secret(c *plans.Change, f *plans.Field) (string, error) {
	return "", fmt.Errorf("%s %s: the plan has no source for the value of %s", c.Tab, strings.Join(c.Key, " / "), f.Column)
}

// workbookSecrets holds the password cells of a plan's source workbook,
// by cell reference ("Users!G5").
type workbookSecrets struct {
	path  string
	cells map[string]string
}

func (w workbookSecrets) Secret(c *plans.Change, f *plans.Field) (string, error) {
	v, ok := w.cells[f.From]
	if !ok || f.From == "" {
		return "", fmt.Errorf("%s %s: the plan's %s cannot be read from %s (no cell %q)", c.Tab, strings.Join(c.Key, " / "), f.Column, w.path, f.From)
	}
	return v, nil
}

// cellWant is one secret cell to read.
type cellWant struct {
	col int // tab column
	ref string
}

// readWorkbookSecrets reads every cell the plan's secret fields name, in
// one pass over the sheets that hold them.
func readWorkbookSecrets(p *plans.Plan, path string) (workbookSecrets, error) {
	out := workbookSecrets{path: path, cells: map[string]string{}}
	fail := func(format string, args ...any) (workbookSecrets, error) {
		return workbookSecrets{}, fmt.Errorf("the plan's passwords cannot be read: %s: "+format, append([]any{path}, args...)...)
	}
	// sheet name → row number → cells
	want := map[string]map[int][]cellWant{}
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			if !f.Secret || f.New == "" {
				continue
			}
			tab, ok := artifacts.LookupTab(c.Tab)
			if !ok {
				return fail("the plan names the unknown tab %q", c.Tab)
			}
			col := tab.Column(f.Column)
			i := strings.LastIndexByte(f.From, '!')
			row, err := refRow(f.From[i+1:])
			if i <= 0 || err != nil || col < 0 {
				return fail("the plan names no readable cell for %s of %s %s (%q)", f.Column, tab.Artifact, strings.Join(c.Key, " / "), f.From)
			}
			sheet := f.From[:i]
			if want[sheet] == nil {
				want[sheet] = map[int][]cellWant{}
			}
			want[sheet][row] = append(want[sheet][row], cellWant{col, f.From})
		}
	}
	wb, err := workbook.Open(path, workbook.Options{})
	if err != nil {
		return fail("%v", err)
	}
	defer wb.Close()
	for sheetName, rows := range want {
		var sheet *workbook.Sheet
		for _, s := range wb.Sheets {
			if s.Name == sheetName {
				sheet = s
			}
		}
		if sheet == nil {
			return fail("it has no readable sheet %q", sheetName)
		}
		left := len(rows)
		stop := errors.New("done")
		err := wb.Read(sheet, func(r *workbook.Row) error {
			cells, ok := rows[r.Number]
			if !ok {
				return nil
			}
			for _, cw := range cells {
				if sheet.Ref(cw.col, r.Number) != cw.ref {
					return fmt.Errorf("cell %s is not in the %s column any more", cw.ref, sheet.Tab.Columns[cw.col].Name)
				}
				out.cells[cw.ref] = r.Values[cw.col]
			}
			if left--; left == 0 {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			return fail("%v", err)
		}
	}
	for _, rows := range want {
		for _, cells := range rows {
			for _, cw := range cells {
				if _, ok := out.cells[cw.ref]; !ok {
					return fail("cell %s could not be read", cw.ref)
				}
			}
		}
	}
	return out, nil
}

// refRow returns the row number of a cell reference such as "G5".
func refRow(ref string) (int, error) {
	i := strings.IndexFunc(ref, func(r rune) bool { return r >= '0' && r <= '9' })
	if i <= 0 {
		return 0, errors.New("not a cell reference")
	}
	return strconv.Atoi(ref[i:])
}

// envSecrets reads password values from an environment (the backup an
// undo plan restores), by the key of the row the change touches. A key
// the environment lacks is followed through the plan's renames, so a row
// renamed in the same plan is found under either name.
type envSecrets struct {
	env  *artifacts.Environment
	plan *plans.Plan
}

func (e envSecrets) Secret(c *plans.Change, f *plans.Field) (string, error) {
	tab, ok := artifacts.LookupTab(c.Tab)
	if !ok {
		return "", fmt.Errorf("the plan names the unknown tab %q", c.Tab)
	}
	col := tab.Column(f.Column)
	if col < 0 {
		return "", fmt.Errorf("tab %s has no column %q", tab.Name, f.Column)
	}
	var keys [][]string
	if c.Op == plans.OpRename {
		keys = append(keys, c.NewKey)
	}
	keys = append(keys, c.Key)
	for _, r := range e.plan.Changes {
		if r.Op != plans.OpRename || !strings.EqualFold(r.Tab, c.Tab) {
			continue
		}
		switch {
		case artifacts.KeyString(r.Key) == artifacts.KeyString(c.Key):
			keys = append(keys, r.NewKey)
		case artifacts.KeyString(r.NewKey) == artifacts.KeyString(c.Key):
			keys = append(keys, r.Key)
		}
	}
	for _, k := range keys {
		if i, ok := tab.Find(e.env, k...); ok {
			return tab.Cell(e.env, i, col), nil
		}
	}
	return "", fmt.Errorf("%s %s: the backup holds no %s for it", tab.Artifact, strings.Join(c.Key, " / "), f.Column)
}

// EnvironmentSecrets is the source of password values kept in env (the
// backup an undo plan restores), found by the key of the row each change
// of p touches.
func EnvironmentSecrets(env *artifacts.Environment, p *plans.Plan) SecretSource {
	return envSecrets{env: env, plan: p}
}
