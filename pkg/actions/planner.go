package actions

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// PlanOptions tune planning.
type PlanOptions struct {
	// Cascade lets a group that artifacts or roles still use be removed:
	// each such reference is set to Nobody, a plan line of its own.
	Cascade bool
	// Read bounds what reading the workbook may cost.
	Read workbook.Options
	// Source is the name the plan records as its source; default the
	// workbook path as given.
	Source string
	// FindBase looks up a past state of the environment by fingerprint
	// (nil, nil when it is not known). When set, a workbook made from
	// another state than env's is planned three-way against it
	// (threeway.go); nil plans every workbook two-way.
	FindBase func(fingerprint string) (*BaseState, error)
	// TwoWay plans a workbook whose base is not found two-way instead of
	// reporting stale-export.
	TwoWay bool
	// BDA makes every use of one of secmgr's extensions an error at its
	// cell: the workbook is meant for BDA Security Manager.
	BDA bool
	// NamesMayBeGone makes a removal that names a user or group that does
	// not exist an already-absent warning rather than an error: the rows
	// were written from an earlier state (an access review), and what
	// they remove may have gone since.
	NamesMayBeGone bool
}

// stage orders a plan: additions of users and groups, renames, edits,
// relationship additions, relationship removals, removals.
type stage uint8

const (
	stageAdd stage = iota
	stageRename
	stageEdit
	stageRelAdd
	stageRelRemove
	stageRemove
	numStages
)

type staged struct {
	tab artifacts.TabID // the tab of the row that asked for the change
	// prio orders changes of one tab and stage before their rows: slice
	// rules move in the order that frees each target first.
	prio   int
	row    int
	seq    int
	change plans.Change
}

// planner holds the state of one planning run.
type planner struct {
	env      *artifacts.Environment
	opt      PlanOptions
	path     string
	findings validate.Findings
	changes  [numStages][]staged
	seq      int
	users    *namespace
	groups   *namespace
	secrets  bool

	candidateCache map[string][]string
	suggestCache   map[string]string
	// suggestWork counts the names compared for suggestions, up to
	// maxSuggestWork: a workbook of a million unknown names against an
	// environment of a hundred thousand would otherwise take hours.
	suggestWork int
	omitted     validate.Omitted // findings past opt.Read.MaxFindings

	// per tab: folded key -> first row number and a hash of its values
	scratch []byte
	seen    [artifacts.NumTabs]map[string]seenRow
	seenEnv [artifacts.NumTabs][]seenRow // by row of the environment

	// group removals: folded group -> the cell asking; and the artifact
	// cells a workbook row already moves off a removed group.
	covered map[string]bool

	// exclusion entries touched by the workbook, for ProcessingOrder checks
	exEntries map[string][]exEntry // folded exgroup -> entries
	// GroupsInGroups edges the workbook adds and removes
	edgeAdds    []edge
	edgeRemoves map[[2]string]bool

	// rows that plan nothing besides those with an error finding: the
	// first of two conflicting rows ("tab\x00row")
	badRows map[string]bool

	// memberRemoved holds the memberships a Remove with a member removes
	// (relationship tab and folded key in final names) and the cell of
	// that Remove: it decides for the membership in the whole workbook.
	memberRemoved map[string]string
	// artifactRows holds, per user, group or exclusion group, the first
	// row naming it and a hash of its cells but ActionType and ActionValue.
	artifactRows map[string]seenRow
	// absentUses counts, per folded group the workbook removes that is
	// already absent, the cells that still name it where the environment
	// holds Nobody: a cascade already applied.
	absentUses map[string]int
	// identities maps the external identities and e-mail addresses of
	// the environment's users to their names (built on first use).
	identities map[string]string
	// slices settles the moves and removals of slice rules.
	slices *slicePlan
	// sliceTypes holds the folded cube and type of every slice rule.
	sliceTypes map[string]bool
	// snap is set when the workbook is read as a snapshot (snapshot.go):
	// every row records an artifact as it is, nothing is an action.
	snap *snapshotRules
}

type seenRow struct {
	row  int
	hash uint64
}

type exEntry struct {
	member  string // final member name
	isGroup bool
	order   int
	remove  bool
	cell    string // ProcessingOrder cell
	row     int
	exgroup string
	fromWB  bool
}

type edge struct {
	child, parent string // final names
	cell          string
	tab           string
	row           int
	column        string
}

// PlanWorkbook reads the workbook at path, validates it against env and
// returns the plan that takes env to the state the workbook asks for. The
// error is for a file that cannot be read as a workbook at all; problems
// in its content are the plan's findings, and a plan with errors is not
// applicable. env is not changed.
func PlanWorkbook(path string, env *artifacts.Environment, opt PlanOptions) (*plans.Plan, error) {
	p, err := planWorkbook(path, env, opt)
	if err != nil || p.Base == nil || (p.Empty() && p.Findings.Errors() == 0) {
		return p, err
	}
	// Planned three-way, with changes or errors. A workbook the environment
	// already shows in every cell — above all the same workbook planned
	// again after it was applied — needs nothing, whatever was applied
	// since: planned two-way it is empty, and reverts nothing. Take that,
	// recording the base found.
	two := opt
	two.FindBase = nil
	q, err := planWorkbook(path, env, two)
	if err == nil && q.Empty() && q.Findings.Errors() == 0 {
		q.Base = p.Base
		return q, nil
	}
	return p, nil
}

func planWorkbook(path string, env *artifacts.Environment, opt PlanOptions) (*plans.Plan, error) {
	wb, err := workbook.Open(path, opt.Read)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return nil, err
	}
	tw, stale, err := prepareThreeWay(wb, env, fp, opt)
	if err != nil {
		return nil, err
	}
	planEnv := env
	if tw != nil {
		planEnv = tw.planEnv // the person's changes are those against the base
	}
	p := newPlanner(planEnv, opt, path)
	p.findings = stale
	if err := p.run(fileRows{wb}); err != nil {
		return nil, err
	}
	if opt.BDA {
		if err := p.checkBDA(path); err != nil {
			return nil, err
		}
	}
	p.findings = append(p.findings, wb.Findings...) // reading's findings, complete once every sheet is read
	source := opt.Source
	if source == "" {
		source = path
	}
	plan := p.plan(plans.EnvironmentRef{Name: env.Name, Fingerprint: fp}, source)
	if p.secrets {
		abs, _ := filepath.Abs(path)
		sum, err := artifacts.FileDigest(path)
		if err != nil {
			return nil, err
		}
		plan.Secrets = &plans.SourceRef{Path: abs, Fingerprint: sum}
	}
	if tw != nil {
		tw.rebase(plan)
	}
	plan.Summarize()
	return plan, nil
}

// SheetRows are rows of one sheet, held in memory.
type SheetRows struct {
	Sheet *workbook.Sheet // see workbook.NewSheet
	Rows  []*workbook.Row
}

// PlanRows plans rows that another layout holds — the Remove decisions of
// an access review — with the planner's checks and rules, as PlanWorkbook
// plans the rows of a workbook. Findings name the sheets' own cells. The
// plan records opt.Source as its source. env is not changed.
func PlanRows(env *artifacts.Environment, rows []SheetRows, opt PlanOptions) (*plans.Plan, error) {
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return nil, err
	}
	p := newPlanner(env, opt, opt.Source)
	if err := p.run(heldRows(rows)); err != nil {
		return nil, err
	}
	plan := p.plan(plans.EnvironmentRef{Name: env.Name, Fingerprint: fp}, opt.Source)
	plan.Summarize()
	return plan, nil
}

// newPlanner starts planning a workbook at path against env.
func newPlanner(env *artifacts.Environment, opt PlanOptions, path string) *planner {
	return &planner{env: env, opt: opt, path: path, omitted: validate.Omitted{Max: opt.Read.MaxFindings},
		users: newNamespace(env, true), groups: newNamespace(env, false),
		candidateCache: map[string][]string{}, suggestCache: map[string]string{},
		covered: map[string]bool{}, badRows: map[string]bool{}, exEntries: map[string][]exEntry{}, edgeRemoves: map[[2]string]bool{},
		memberRemoved: map[string]string{}, absentUses: map[string]int{}, artifactRows: map[string]seenRow{}}
}

// plan ends planning: the changes of the rows without errors, in plan
// order, and every finding, sorted.
func (p *planner) plan(env plans.EnvironmentRef, source string) *plans.Plan {
	plan := &plans.Plan{Format: plans.PlanFormat, Environment: env, Source: source}
	// A row with an error plans nothing: what is shown is what would apply.
	bad := p.badRows
	for _, f := range p.findings {
		if f.Severity == validate.Error && f.Row > 0 {
			bad[fmt.Sprintf("%s\x00%d", f.Tab, f.Row)] = true
		}
	}
	for s := range p.changes {
		list := slices.DeleteFunc(p.changes[s], func(c staged) bool {
			return c.row > 0 && bad[fmt.Sprintf("%s\x00%d", c.tab.Tab().Name, c.row)]
		})
		slices.SortStableFunc(list, func(a, b staged) int {
			if ta, tb := tabOrder(a.change.Tab), tabOrder(b.change.Tab); ta != tb {
				return ta - tb
			}
			if a.tab != b.tab {
				return int(a.tab) - int(b.tab)
			}
			if a.prio != b.prio {
				return a.prio - b.prio
			}
			if a.row != b.row {
				return a.row - b.row
			}
			return a.seq - b.seq
		})
		for _, c := range list {
			plan.Changes = append(plan.Changes, c.change)
		}
	}
	p.findings.Sort(tabOrder)
	plan.Findings = p.findings
	return plan
}

func tabOrder(name string) int {
	if t, ok := artifacts.LookupTab(name); ok {
		return int(t.ID)
	}
	return int(artifacts.NumTabs)
}

// namedRow is a row of Users, Groups or ExGroup, held in memory while the
// names of the workbook are settled (those tabs are as large as the
// environment's user and group lists, not its memberships).
type namedRow struct {
	sheet  *workbook.Sheet
	number int
	values []string
	kind   nameKind
	key    string
	action string // canonical ActionType or ""
	value  string // ActionValue
	bad    bool   // an error was reported on the key or action
	// repeat is set on a later row of the same artifact (a user leaving
	// several groups in several rows, the guide's way) whose other cells
	// equal the first row's: their edits are planned once, by the first.
	repeat bool
}

// rowSource gives the planner its rows: a workbook file, or rows another
// layout holds (PlanRows).
type rowSource interface {
	sheetList() []*workbook.Sheet
	read(s *workbook.Sheet, fn func(*workbook.Row) error) error
}

// fileRows are the rows of a workbook file, streamed.
type fileRows struct{ wb *workbook.Workbook }

func (f fileRows) sheetList() []*workbook.Sheet { return f.wb.Sheets }
func (f fileRows) read(s *workbook.Sheet, fn func(*workbook.Row) error) error {
	return f.wb.Read(s, fn)
}

// heldRows are rows in memory, by sheet.
type heldRows []SheetRows

func (h heldRows) sheetList() []*workbook.Sheet {
	out := make([]*workbook.Sheet, len(h))
	for i, sr := range h {
		out[i] = sr.Sheet
	}
	return out
}

func (h heldRows) read(s *workbook.Sheet, fn func(*workbook.Row) error) error {
	for _, sr := range h {
		if sr.Sheet != s {
			continue
		}
		for _, r := range sr.Rows {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *planner) run(src rowSource) error {
	sheets := slices.Clone(src.sheetList())
	if p.snap != nil {
		sheets = slices.DeleteFunc(sheets, func(s *workbook.Sheet) bool { return !p.snap.reads(s.Tab.ID) })
	}
	slices.SortStableFunc(sheets, func(a, b *workbook.Sheet) int { return int(a.Tab.ID) - int(b.Tab.ID) })

	// Phase 1: the tabs that name users and groups.
	var named []*namedRow
	for _, s := range sheets {
		var kind nameKind
		switch s.Tab.ID {
		case artifacts.TabUsers:
			kind = kindUser
		case artifacts.TabGroups:
			kind = kindGroup
		case artifacts.TabExGroup:
			kind = kindExGroup
		default:
			continue
		}
		err := src.read(s, func(r *workbook.Row) error {
			named = append(named, &namedRow{sheet: s, number: r.Number, values: slices.Clone(r.Values), kind: kind})
			return nil
		})
		if err != nil {
			return err
		}
	}
	p.registerNames(named)
	for _, nr := range named {
		p.planNamedRow(nr)
	}
	// Phase 2: everything else, streamed; slice rules are gathered first,
	// since a move frees the order another row may move into.
	for _, s := range sheets {
		switch s.Tab.ID {
		case artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup:
			continue
		case artifacts.TabCubeDataCellAccess:
			var rows []*workbook.Row
			err := src.read(s, func(r *workbook.Row) error {
				cp := *r // the reader reuses its row
				cp.Values = slices.Clone(r.Values)
				rows = append(rows, &cp)
				return nil
			})
			if err != nil {
				return err
			}
			p.planSlices(s, rows)
			continue
		}
		err := src.read(s, func(r *workbook.Row) error {
			if s.Tab.Relationship {
				p.planRelationship(s, r)
			} else {
				p.planArtifact(s, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	p.checkRemovedGroupsInUse()
	p.reportAbsentUses()
	p.checkCycles()
	p.checkProcessingOrders()
	return nil
}

func (p *planner) add(st stage, tab artifacts.TabID, row int, c plans.Change) {
	p.addOrdered(st, tab, 0, row, c)
}

// addOrdered adds a change that comes, within its tab and stage, in the
// order of prio before that of its row.
func (p *planner) addOrdered(st stage, tab artifacts.TabID, prio, row int, c plans.Change) {
	if p.snap != nil {
		p.snap.record(&c) // a snapshot keeps no plan: it records as it goes
		return
	}
	p.seq++
	p.changes[st] = append(p.changes[st], staged{tab: tab, prio: prio, row: row, seq: p.seq, change: c})
}

func (p *planner) report(s *workbook.Sheet, sev validate.Severity, code string, col, row int, format string, args ...any) {
	p.addFinding(s.Finding(sev, code, col, row, fmt.Sprintf(format, args...)))
}

// addFinding records a finding; past validate.MaxListed they are only
// counted.
func (p *planner) addFinding(f validate.Finding) {
	p.findings = validate.AddCapped(p.findings, f, &p.omitted)
}

// maxSuggestWork bounds the candidate names compared for "did you mean"
// suggestions in one plan: a few seconds of work. Past it, an unknown
// name is reported without a suggestion.
const maxSuggestWork = 5_000_000

// suggestAllowed spends n comparisons of the suggestion budget.
func (p *planner) suggestAllowed(n int) bool {
	p.suggestWork += n
	return p.suggestWork <= maxSuggestWork
}

// duplicate checks the row's key against earlier rows of its tab: an
// identical row is a warning and skipped, a differing one an error.
func (p *planner) duplicate(s *workbook.Sheet, number int, values []string, key []string) bool {
	t := s.Tab
	if p.seen[t.ID] == nil {
		p.seen[t.ID] = map[string]seenRow{}
	}
	h := fnv.New64a()
	buf := p.scratch[:0]
	for i, v := range values {
		if s.Present[i] {
			buf = artifacts.AppendFold(buf, v)
		}
		buf = append(buf, 0)
	}
	h.Write(buf)
	p.scratch = buf
	sum := h.Sum64()
	// Rows of existing artifacts (most rows of an export) are tracked by
	// their row in the environment: no key string to build and keep.
	if i, ok := t.Find(p.env, key...); ok {
		if p.seenEnv[t.ID] == nil {
			p.seenEnv[t.ID] = make([]seenRow, t.Len(p.env))
		}
		prev := p.seenEnv[t.ID][i]
		if prev.row == 0 {
			p.seenEnv[t.ID][i] = seenRow{number, sum}
			return false
		}
		return p.reportDuplicate(s, number, key, prev, sum)
	}
	k := artifacts.KeyString(key)
	if prev, ok := p.seen[t.ID][k]; ok {
		return p.reportDuplicate(s, number, key, prev, sum)
	}
	p.seen[t.ID][k] = seenRow{number, sum}
	return false
}

// sameArtifact checks a row against earlier rows of the same user, group
// or exclusion group that duplicate let through because one of them
// removes a member: their other cells must agree, or the rows would plan
// two different edits of one artifact (an error on both); when they agree,
// the later row is a repeat and plans no edit of its own. It reports
// whether the row is refused.
func (p *planner) sameArtifact(nr *namedRow) bool {
	t := nr.sheet.Tab
	at, av := t.Column("ActionType"), t.Column("ActionValue")
	var buf []byte // not p.scratch: keys of named rows may still point into it
	for i, v := range nr.values {
		if i != at && i != av && nr.sheet.Present[i] {
			buf = artifacts.AppendFold(buf, v)
		}
		buf = append(buf, 0)
	}
	h := fnv.New64a()
	h.Write(buf)
	sum := h.Sum64()
	k := fmt.Sprintf("%d\x00%s", t.ID, artifacts.Fold(nr.key))
	prev, seen := p.artifactRows[k]
	if !seen {
		p.artifactRows[k] = seenRow{nr.number, sum}
		return false
	}
	if prev.hash == sum {
		nr.repeat = true
		return false
	}
	p.badRows[fmt.Sprintf("%s\x00%d", t.Name, prev.row)] = true
	p.report(nr.sheet, validate.Error, validate.CodeConflictingRow, t.Key[0], nr.number,
		"rows %d and %d both describe %s '%s' but their other cells differ; give every row of it the same values", prev.row, nr.number, t.Artifact, nr.key)
	return true
}

// memberRemovalKey is the key by which duplicate rows are found. A row
// that removes a member (Remove with a name in ActionValue) is about that
// membership, not about its user or group: one user may leave two groups
// in two rows, as the guide's vocabulary needs.
func memberRemovalKey(t *artifacts.Tab, values, key []string) []string {
	at, av := t.Column("ActionType"), t.Column("ActionValue")
	if at < 0 || av < 0 || !strings.EqualFold(values[at], artifacts.ActionRemove) || values[av] == "" {
		return key
	}
	// Two parts: no key of a one-column tab can equal it.
	return []string{key[0], artifacts.ActionRemove + " " + values[av]}
}

func (p *planner) reportDuplicate(s *workbook.Sheet, number int, key []string, prev seenRow, sum uint64) bool {
	t := s.Tab
	if prev.hash == sum {
		p.report(s, validate.Warning, validate.CodeDuplicateRow, t.Key[0], number,
			"row %d repeats row %d (%s); it is ignored", number, prev.row, strings.Join(key, " / "))
	} else {
		p.badRows[fmt.Sprintf("%s\x00%d", t.Name, prev.row)] = true
		p.report(s, validate.Error, validate.CodeConflictingRow, t.Key[0], number,
			"rows %d and %d both describe %s '%s' but differ; keep one of them", prev.row, number, t.Artifact, strings.Join(key, " / "))
	}
	return true
}

// keyValues reads and checks the key columns of a row; it reports problems
// and returns ok=false when the row cannot be planned.
func (p *planner) keyValues(s *workbook.Sheet, r *workbook.Row) ([]string, bool) {
	t := s.Tab
	key := make([]string, len(t.Key))
	ok := true
	for j, ci := range t.Key {
		v := r.Values[ci]
		c := &t.Columns[ci]
		if v == "" {
			p.report(s, validate.Error, validate.CodeRequired, ci, r.Number, "%s is empty; every row needs its %s", c.Name, keyNames(t))
			ok = false
			continue
		}
		canon, prob := validate.CheckValue(c, v)
		if prob != nil {
			p.report(s, prob.Severity, prob.Code, ci, r.Number, "%s", prob.Message)
			if prob.Severity == validate.Error {
				ok = false
			}
		}
		key[j] = canon
	}
	return key, ok
}

func keyNames(t *artifacts.Tab) string {
	var n []string
	for _, ci := range t.Key {
		n = append(n, t.Columns[ci].Name)
	}
	return strings.Join(n, " and ")
}

// action reads ActionType and ActionValue; ok=false after an error.
func (p *planner) action(s *workbook.Sheet, r *workbook.Row) (string, string, bool) {
	t := s.Tab
	at, av := t.Column("ActionType"), t.Column("ActionValue")
	var action, value string
	if at >= 0 {
		action = r.Values[at]
	}
	if av >= 0 {
		value = r.Values[av]
	}
	if p.snap != nil {
		// The row still records its artifact, so that one stray action
		// does not make every reference to it unknown; the error finding
		// keeps the snapshot from being written.
		p.snap.noAction(p, s, r)
		return "", "", true
	}
	if action == "" {
		if value != "" {
			p.report(s, validate.Error, validate.CodeActionType, av, r.Number, "ActionValue '%s' has no ActionType; write Rename or Remove in ActionType, or clear ActionValue", value)
			return "", "", false
		}
		return "", "", true
	}
	canon, prob := validate.CheckValue(&t.Columns[at], action)
	if prob != nil {
		p.report(s, prob.Severity, prob.Code, at, r.Number, "%s", prob.Message)
		return "", "", false
	}
	if !t.HasAction(canon) {
		p.report(s, validate.Error, validate.CodeActionType, at, r.Number, "ActionType %s is not allowed on the %s tab (allowed: %s)", canon, t.Name, strings.Join(t.Actions, ", "))
		return "", "", false
	}
	if t.Relationship && value != "" {
		p.report(s, validate.Error, validate.CodeActionType, av, r.Number, "on the %s tab, Remove takes no ActionValue; the row itself names the relationship", t.Name)
		return "", "", false
	}
	if t.ID == artifacts.TabCubeDataCellAccess && canon == artifacts.ActionRemove && value != "" {
		p.report(s, validate.Error, validate.CodeActionType, av, r.Number, "on the %s tab, Remove takes no ActionValue; the row itself names the slice rule", t.Name)
		return "", "", false
	}
	if canon == artifacts.ActionRename && value == "" {
		what := "name"
		if t.ID == artifacts.TabCubeDataCellAccess {
			what = t.Columns[t.Key[2]].Name
		}
		p.report(s, validate.Error, validate.CodeActionType, av, r.Number, "Rename needs the new %s in ActionValue", what)
		return "", "", false
	}
	return canon, value, true
}

func (p *planner) namespaceOf(k nameKind) *namespace {
	if k == kindUser {
		return p.users
	}
	return p.groups
}

// registerNames settles what the workbook does to user and group names:
// renames, removals and additions, and the conflicts among them.
func (p *planner) registerNames(rows []*namedRow) {
	actionCell := func(nr *namedRow) string { return nr.sheet.Ref(nr.sheet.Tab.Column("ActionType"), nr.number) }
	keyCell := func(nr *namedRow) string { return nr.sheet.Ref(0, nr.number) }
	// Keys, actions and duplicates.
	var live []*namedRow
	for _, nr := range rows {
		r := &workbook.Row{Number: nr.number, Values: nr.values}
		key, ok := p.keyValues(nr.sheet, r)
		if !ok {
			nr.bad = true
			continue
		}
		nr.key = key[0]
		if p.duplicate(nr.sheet, nr.number, nr.values, memberRemovalKey(nr.sheet.Tab, nr.values, key)) {
			nr.bad = true
			continue
		}
		if p.sameArtifact(nr) {
			nr.bad = true
			continue
		}
		nr.action, nr.value, ok = p.action(nr.sheet, r)
		if !ok {
			nr.bad = true
		}
		live = append(live, nr)
	}
	// Renames first: other rows may use either name.
	for _, nr := range live {
		if nr.bad || nr.action != artifacts.ActionRename {
			continue
		}
		ns := p.namespaceOf(nr.kind)
		s, at, av := nr.sheet, nr.sheet.Tab.Column("ActionType"), nr.sheet.Tab.Column("ActionValue")
		if nr.kind != kindUser && artifacts.IsBuiltinGroup(nr.key) {
			p.report(s, validate.Error, validate.CodeBuiltin, at, nr.number, "%s is a built-in group; it cannot be renamed", nr.key)
			nr.bad = true
			continue
		}
		if prob := artifacts.CheckName(nr.value); prob != "" {
			p.report(s, validate.Error, validate.CodeInvalidName, av, nr.number, "new name '%s' is not valid: %s", nr.value, prob)
			nr.bad = true
			continue
		}
		if prev, dup := ns.renamedTo[artifacts.Fold(nr.value)]; dup && artifacts.Fold(prev) != artifacts.Fold(nr.key) {
			p.report(s, validate.Error, validate.CodeRenameTarget, av, nr.number, "'%s' is already the new name of '%s' in this workbook", nr.value, prev)
			nr.bad = true
			continue
		}
		oldStored, oldKind, oldOK := ns.existing(nr.key)
		newStored, newKind, newOK := ns.existing(nr.value)
		sameArtifact := oldOK && newOK && artifacts.Fold(oldStored) == artifacts.Fold(newStored)
		switch {
		case oldOK && oldKind != nr.kind:
			p.report(s, validate.Error, validate.CodeNotExisting, 0, nr.number, "'%s' is a %s, not a %s; rename it on the %s tab", nr.key, oldKind, nr.kind, oldKind.tab().Tab().Name)
			nr.bad = true
		case oldOK && newOK && !sameArtifact:
			p.report(s, validate.Error, validate.CodeRenameTarget, av, nr.number, "cannot rename %s '%s' to '%s': a %s of that name exists", nr.kind, oldStored, newStored, newKind)
			nr.bad = true
		case oldOK:
			if nr.value == oldStored {
				nr.action = "" // renaming to itself changes nothing
				continue
			}
			if e, dup := ns.renamedTo[artifacts.Fold(nr.value)]; dup {
				p.report(s, validate.Error, validate.CodeRenameTarget, av, nr.number, "'%s' is already the new name of '%s' in this workbook", nr.value, e)
				nr.bad = true
				continue
			}
			ns.renamedFrom[artifacts.Fold(oldStored)] = nameEntry{name: nr.value, kind: nr.kind, cell: actionCell(nr)}
			ns.renamedTo[artifacts.Fold(nr.value)] = oldStored
			nr.key = oldStored
		case newOK && newKind == nr.kind:
			p.report(s, validate.Warning, validate.CodeAlreadyRenamed, at, nr.number, "%s '%s' is already renamed to '%s'; the row's other columns apply to '%s'", nr.kind, nr.key, newStored, newStored)
			ns.aliases[artifacts.Fold(nr.key)] = nameEntry{name: newStored, kind: newKind, cell: actionCell(nr)}
			nr.action, nr.key = "", newStored
		default:
			p.report(s, validate.Error, validate.CodeRenameMissing, 0, nr.number, "cannot rename %s '%s': neither it nor '%s' exists%s", nr.kind, nr.key, nr.value, p.suggest(ns, nr.key, nr.kind))
			nr.bad = true
		}
	}
	// Removals and additions.
	for _, nr := range live {
		if nr.bad {
			continue
		}
		ns := p.namespaceOf(nr.kind)
		s, at := nr.sheet, nr.sheet.Tab.Column("ActionType")
		f := artifacts.Fold(nr.key)
		if _, renamed := ns.renamedFrom[f]; renamed && nr.action != artifacts.ActionRename {
			p.report(s, validate.Error, validate.CodeNameReused, 0, nr.number, "'%s' is renamed by another row of this workbook; a name a rename frees may not be used again", nr.key)
			nr.bad = true
			continue
		}
		if old, renamed := ns.renamedTo[f]; renamed && nr.action != artifacts.ActionRename && nr.action != artifacts.ActionRemove {
			// A row naming the new name of a rename edits the renamed artifact.
			_ = old
			continue
		}
		stored, kind, exists := ns.existing(nr.key)
		switch nr.action {
		case artifacts.ActionRemove:
			if nr.value != "" {
				continue // removal of a member: planned per row
			}
			if nr.kind != kindUser && artifacts.IsBuiltinGroup(nr.key) {
				p.report(s, validate.Error, validate.CodeBuiltin, at, nr.number, "%s is a built-in group; it cannot be removed", nr.key)
				nr.bad = true
				continue
			}
			if !exists {
				p.report(s, validate.Warning, validate.CodeAlreadyAbsent, at, nr.number, "%s '%s' is already absent; nothing to remove", nr.kind, nr.key)
				// Rows that still list its memberships are no change either:
				// planning a workbook again after applying it is empty.
				ns.removed[f] = nameEntry{name: nr.key, kind: nr.kind, cell: actionCell(nr), sheet: s, row: nr.number, absent: true}
				nr.bad = true
				continue
			}
			if kind != nr.kind {
				p.report(s, validate.Error, validate.CodeNotExisting, 0, nr.number, "'%s' is a %s, not a %s; remove it on the %s tab", nr.key, kind, nr.kind, kind.tab().Tab().Name)
				nr.bad = true
				continue
			}
			if _, renamedAway := ns.renamedTo[f]; renamedAway {
				p.report(s, validate.Error, validate.CodeConflictingRow, at, nr.number, "'%s' is the new name of a rename in this workbook and cannot also be removed", nr.key)
				nr.bad = true
				continue
			}
			nr.key = stored
			ns.removed[f] = nameEntry{name: stored, kind: kind, cell: actionCell(nr), sheet: s, row: nr.number}
		case "":
			if exists {
				if kind != nr.kind {
					p.report(s, validate.Error, validate.CodeRenameTarget, 0, nr.number, "'%s' is already the name of a %s; groups and exclusion groups share one namespace", stored, kind)
					nr.bad = true
				}
				continue
			}
			if e, dup := ns.added[f]; dup {
				p.report(s, validate.Error, validate.CodeConflictingRow, 0, nr.number, "'%s' is also added as a %s at %s; groups and exclusion groups share one namespace", nr.key, e.kind, e.cell)
				nr.bad = true
				continue
			}
			ns.added[f] = nameEntry{name: nr.key, kind: nr.kind, cell: keyCell(nr)}
		}
	}
	// A name freed by a rename may not be reused, nor may an added name be
	// a rename's target.
	for _, nr := range live {
		if nr.bad || nr.action != artifacts.ActionRename {
			continue
		}
		ns := p.namespaceOf(nr.kind)
		if e, clash := ns.added[artifacts.Fold(nr.value)]; clash {
			p.report(nr.sheet, validate.Error, validate.CodeRenameTarget, nr.sheet.Tab.Column("ActionValue"), nr.number, "'%s' is also added by %s; choose another new name", nr.value, e.cell)
			nr.bad = true
		}
	}
}

// planNamedRow plans one row of Users, Groups or ExGroup once all names
// are settled.
func (p *planner) planNamedRow(nr *namedRow) {
	if nr.bad || nr.key == "" {
		return
	}
	s, t := nr.sheet, nr.sheet.Tab
	ns := p.namespaceOf(nr.kind)
	r := &workbook.Row{Number: nr.number, Values: nr.values}
	at := t.Column("ActionType")
	f := artifacts.Fold(nr.key)
	switch nr.action {
	case artifacts.ActionRename:
		e := ns.renamedFrom[f]
		if e.name == "" {
			return
		}
		fields, _ := p.fields(s, r, []string{nr.key}, true)
		p.add(stageRename, t.ID, nr.number, plans.Change{Op: plans.OpRename, Tab: t.Name, Key: []string{nr.key}, NewKey: []string{e.name}, Cells: []string{s.Ref(at, nr.number)}})
		if len(fields) > 0 {
			p.add(stageEdit, t.ID, nr.number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: []string{e.name}, Fields: fields, Cells: fieldCells(s, nr.number, fields)})
		}
		return
	case artifacts.ActionRemove:
		if nr.value == "" {
			if _, ok := ns.removed[f]; ok {
				p.add(stageRemove, t.ID, nr.number, plans.Change{Op: plans.OpRemove, Tab: t.Name, Key: []string{nr.key}, Cells: []string{s.Ref(at, nr.number)}})
			}
			return
		}
		p.planMemberRemoval(nr)
	}
	final, _, st := ns.resolve(nr.key)
	switch st {
	case stateAdded:
		fields, ok := p.fields(s, r, []string{final}, false)
		if !ok {
			return
		}
		c := plans.Change{Op: plans.OpAdd, Tab: t.Name, Key: []string{final}, Fields: fields, Cells: []string{s.Ref(0, nr.number)}}
		if nr.kind == kindUser {
			p.checkIdentity(s, nr.number, final, fields)
			c.Note = defaultsNote(s, r, fields)
		}
		p.add(stageAdd, t.ID, nr.number, c)
	case stateExisting, stateRenamed:
		if nr.repeat {
			return // the first row of this artifact plans its edits
		}
		fields, _ := p.fields(s, r, []string{final}, true)
		if len(fields) > 0 {
			p.add(stageEdit, t.ID, nr.number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: []string{final}, Fields: fields, Cells: fieldCells(s, nr.number, fields)})
		}
	}
}

// planMemberRemoval plans "Remove" with a member name in ActionValue: on
// Users, the user leaves that group; on Groups and ExGroup, the member (a
// user or a group) leaves this group.
func (p *planner) planMemberRemoval(nr *namedRow) {
	s, t := nr.sheet, nr.sheet.Tab
	av := t.Column("ActionValue")
	cell := s.Ref(t.Column("ActionType"), nr.number)
	if nr.kind == kindUser {
		user, _, ust := p.users.resolve(nr.key)
		if ust == stateUnknown {
			p.report(s, validate.Error, validate.CodeUnknownUser, 0, nr.number, "user '%s' does not exist%s", nr.key, p.suggest(p.users, nr.key, kindUser))
			return
		}
		grp, gk, gst := p.groups.resolve(nr.value)
		if gst == stateUnknown {
			p.report(s, validate.Error, validate.CodeUnknownGroup, av, nr.number, "group '%s' does not exist%s", nr.value, p.suggest(p.groups, nr.value, kindGroup, kindExGroup))
			return
		}
		if ust == stateRemoved || gst == stateRemoved {
			p.report(s, validate.Warning, validate.CodeRemovedWithOwner, av, nr.number, "the membership goes with the removed %s; nothing more to remove", map[bool]string{true: "user", false: "group"}[ust == stateRemoved])
			return
		}
		found := p.removeMember(artifacts.TabUsersInGroups, []string{user, grp}, t.ID, nr.number, cell)
		if gk == kindExGroup {
			found = p.removeMember(artifacts.TabUsersInExGroups, []string{user, grp}, t.ID, nr.number, cell) || found
		}
		if !found {
			p.report(s, validate.Warning, validate.CodeAlreadyAbsent, av, nr.number, "user '%s' is not a member of '%s'; nothing to remove", user, grp)
		}
		return
	}
	owner, _, ost := p.groups.resolve(nr.key)
	if ost == stateUnknown {
		p.report(s, validate.Error, validate.CodeUnknownGroup, 0, nr.number, "%s '%s' does not exist%s", nr.kind, nr.key, p.suggest(p.groups, nr.key, nr.kind))
		return
	}
	user, _, ust := p.users.resolve(nr.value)
	grp, _, gst := p.groups.resolve(nr.value)
	if ust == stateUnknown && gst == stateUnknown {
		p.report(s, validate.Error, validate.CodeUnknownUser, av, nr.number, "no user or group is named '%s'%s", nr.value, p.suggest(p.groups, nr.value, kindGroup, kindExGroup))
		return
	}
	if ust != stateUnknown && gst != stateUnknown {
		p.report(s, validate.Error, validate.CodeConflictingRow, av, nr.number, "both a user and a group are named '%s'; remove the membership on the UsersIn… or GroupsIn… tab instead", nr.value)
		return
	}
	if ost == stateRemoved || ust == stateRemoved || gst == stateRemoved {
		p.report(s, validate.Warning, validate.CodeRemovedWithOwner, av, nr.number, "the membership goes with the removed artifact; nothing more to remove")
		return
	}
	var found bool
	switch {
	case nr.kind == kindGroup && ust != stateUnknown:
		found = p.removeMember(artifacts.TabUsersInGroups, []string{user, owner}, t.ID, nr.number, cell)
	case nr.kind == kindGroup:
		found = p.removeMember(artifacts.TabGroupsInGroups, []string{grp, owner}, t.ID, nr.number, cell)
	case ust != stateUnknown:
		found = p.removeMember(artifacts.TabUsersInExGroups, []string{user, owner}, t.ID, nr.number, cell)
		found = p.removeMember(artifacts.TabUsersInGroups, []string{user, owner}, t.ID, nr.number, cell) || found
	default:
		found = p.removeMember(artifacts.TabGroupsInExGroups, []string{grp, owner}, t.ID, nr.number, cell)
	}
	if !found {
		p.report(s, validate.Warning, validate.CodeAlreadyAbsent, av, nr.number, "'%s' is not a member of '%s'; nothing to remove", nr.value, owner)
	}
}

// removeMember plans the removal of a membership that a Remove with a
// member asks for, and records that the Remove decides for it: a
// relationship row of the workbook that lists it is no change, now and
// after the removal is applied.
func (p *planner) removeMember(tab artifacts.TabID, key []string, from artifacts.TabID, row int, cell string) bool {
	k := memberKey(tab, key)
	if _, twice := p.memberRemoved[k]; twice { // also removed by another row: once is enough
		_, found := p.findFinal(tab.Tab(), key)
		return found
	}
	p.memberRemoved[k] = cell
	return p.removeRelationship(tab, key, from, row, cell)
}

// memberKey identifies a relationship by tab and folded key.
func memberKey(tab artifacts.TabID, key []string) string {
	return fmt.Sprintf("%d\x00%s", tab, artifacts.KeyString(key))
}

// removeRelationship plans the removal of a relationship row given in
// final names, if it exists; it reports whether it did.
func (p *planner) removeRelationship(tab artifacts.TabID, key []string, from artifacts.TabID, row int, cell string) bool {
	t := tab.Tab()
	i, ok := p.findFinal(t, key)
	if !ok {
		return false
	}
	stored := p.finalKey(t, i)
	if tab == artifacts.TabGroupsInGroups {
		p.edgeRemoves[[2]string{artifacts.Fold(stored[0]), artifacts.Fold(stored[1])}] = true
	}
	if tab == artifacts.TabUsersInExGroups || tab == artifacts.TabGroupsInExGroups {
		p.exEntries[artifacts.Fold(stored[1])] = append(p.exEntries[artifacts.Fold(stored[1])], exEntry{member: stored[0], isGroup: tab == artifacts.TabGroupsInExGroups, remove: true, exgroup: stored[1]})
	}
	p.add(stageRelRemove, from, row, plans.Change{Op: plans.OpRemove, Tab: t.Name, Key: stored, Cells: []string{cell}})
	return true
}

// findFinal finds a relationship row by its key in final names: the
// environment stores the old names of renamed users and groups.
func (p *planner) findFinal(t *artifacts.Tab, key []string) (int, bool) {
	old := make([]string, len(key))
	for j, ci := range t.Key {
		old[j] = p.oldName(t, &t.Columns[ci], key[j])
	}
	return t.Find(p.env, old...)
}

// oldName maps a final name back to the stored name it renames, if any.
func (p *planner) oldName(t *artifacts.Tab, c *artifacts.Column, name string) string {
	var ns *namespace
	switch {
	case c.Kind == artifacts.KindUser, c.Kind == artifacts.KindName && t.ID == artifacts.TabUsers:
		ns = p.users
	case c.Kind == artifacts.KindGroup, c.Kind == artifacts.KindExGroup,
		c.Kind == artifacts.KindName && (t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup):
		ns = p.groups
	default:
		return name
	}
	if len(ns.renamedTo) == 0 {
		return name
	}
	if old, ok := ns.renamedTo[artifacts.Fold(name)]; ok {
		return old
	}
	return name
}

// finalKey returns the key of row i of t in final names.
func (p *planner) finalKey(t *artifacts.Tab, i int) []string {
	key := t.KeyOf(p.env, i)
	for j, ci := range t.Key {
		key[j] = p.finalValue(&t.Columns[ci], key[j])
	}
	return key
}

// finalValue is a stored value after the workbook's renames.
func (p *planner) finalValue(c *artifacts.Column, v string) string {
	switch c.Kind {
	case artifacts.KindUser:
		return p.users.final(v)
	case artifacts.KindGroup, artifacts.KindExGroup:
		return p.groups.final(v)
	}
	return v
}

// defaultsNote names the fields of a new row that take their default,
// its column being absent or empty: "defaults: Culture en-US".
func defaultsNote(s *workbook.Sheet, r *workbook.Row, fields plans.Fields) string {
	var parts []string
	for _, f := range fields {
		ci := s.Tab.Column(f.Column)
		if d, ok := defaults[s.Tab.ID][f.Column]; ok && d == f.New && (!s.Present[ci] || r.Values[ci] == "") {
			parts = append(parts, f.Column+" "+f.New)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "defaults: " + strings.Join(parts, ", ")
}

func fieldCells(s *workbook.Sheet, row int, fields plans.Fields) []string {
	var cells []string
	for _, f := range fields {
		cells = append(cells, s.Ref(s.Tab.Column(f.Column), row))
	}
	return cells
}

// suggest returns " — did you mean 'X'?" for a misspelt name, or "".
func (p *planner) suggest(ns *namespace, name string, kinds ...nameKind) string {
	ck := fmt.Sprint(ns.users, kinds)
	cacheKey := ck + "\x00" + artifacts.Fold(name)
	if s, ok := p.suggestCache[cacheKey]; ok {
		return s
	}
	cands, ok := p.candidateCache[ck]
	if !ok {
		cands = ns.candidates(kinds...)
		p.candidateCache[ck] = cands
	}
	if !p.suggestAllowed(len(cands)) {
		return ""
	}
	s := ""
	if best := validate.Closest(name, cands); best != "" {
		s = fmt.Sprintf(" — did you mean '%s'?", best)
	}
	p.suggestCache[cacheKey] = s
	return s
}
