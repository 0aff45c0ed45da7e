package migrate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// users, groups … are short ways to name tabs in the cases below.
var (
	areaUsers    = []artifacts.TabID{artifacts.TabUsers, artifacts.TabUsersInGroups}
	areaGroups   = []artifacts.TabID{artifacts.TabGroups, artifacts.TabGroupsInGroups}
	areaExGroups = []artifacts.TabID{artifacts.TabExGroup, artifacts.TabUsersInExGroups, artifacts.TabGroupsInExGroups}
)

func tabs(areas ...[]artifacts.TabID) []artifacts.TabID {
	var out []artifacts.TabID
	for _, a := range areas {
		out = append(out, a...)
	}
	return out
}

func newUser(name string) artifacts.User {
	return artifacts.User{User: name, UserType: "Interactive", IsEnabled: true, NumGridRows: 50, Culture: "en-US"}
}

func rule(cube, typ string, order int, group string) artifacts.SliceRule {
	return artifacts.SliceRule{Cube: cube, Type: typ, ProcessingOrder: order, AccessGroup: group,
		BehaviorInGrpInFilter: "Increase Access And Stop", BehaviorInGrpNotInFilter: "Skip Item And Continue", BehaviorNotInGrpInFilter: "Skip Item And Continue",
		AccessLevelInGrpInFilter: "All Access", AccessLevelInGrpNotInFilter: "No Access", AccessLevelNotInGrpInFilter: "No Access"}
}

// find returns a pointer to the row of tab whose key is key.
func row[T any](env *artifacts.Environment, tab artifacts.TabID, key ...string) *T {
	i, ok := tab.Tab().Find(env, key...)
	if !ok {
		panic("no " + strings.Join(key, "/"))
	}
	return tab.Tab().Row(env, i).(*T)
}

func TestCompare(t *testing.T) {
	base := sample(t)
	tests := []struct {
		name     string
		src, dst func(*artifacts.Environment)
		opt      Options
		mapping  []string
		want     []string // change lines
		findings []string // "code: message" (message may be a prefix)
	}{
		{name: "new user and membership, password not carried",
			src: func(e *artifacts.Environment) {
				u := newUser("Dana Lee")
				u.Password = "ENC(dana)"
				e.Users = append(e.Users, u)
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Dana Lee", ParentGroup: "houston team"})
			},
			want: []string{
				"+ Users Dana Lee: UserType Interactive; IsEnabled True; Culture en-US; NumGridRows 50",
				"+ UsersInGroups Dana Lee / Houston Team",
			},
			findings: []string{"password-not-carried: the passwords of 1 user ('Dana Lee') differ or are new and are not carried: the change workbook holds passwords only with --include-password-hashes"}},
		{name: "passwords carried, never shown", opt: Options{IncludePasswords: true},
			src: func(e *artifacts.Environment) {
				u := newUser("Dana Lee")
				u.Password = "ENC(dana)"
				e.Users = append(e.Users, u)
				row[artifacts.User](e, artifacts.TabUsers, "GS Training").Password = "ENC(new)"
				row[artifacts.User](e, artifacts.TabUsers, "OneStream Admin").Password = ""
			},
			want: []string{
				"+ Users Dana Lee: UserType Interactive; IsEnabled True; Password set; Culture en-US; NumGridRows 50",
				"~ Users GS Training: Password changed",
			},
			findings: []string{"password-not-cleared: user 'OneStream Admin' has a password in the destination but none in the source; a workbook cannot clear a password — clear it in OneStream"}},
		{name: "artifact only in the source",
			src: func(e *artifacts.Environment) {
				e.Entity = append(e.Entity, artifacts.Entity{Entity: "Lisbon", ReadGroup: "Europe", ReadGroup2: "Nobody", ReadWriteGroup: "Nobody", ReadWriteGroup2: "Nobody"})
				row[artifacts.Entity](e, artifacts.TabEntity, "Frankfurt").ReadWriteGroup2 = "Europe"
			},
			want:     []string{"~ Entity Frankfurt: ReadWriteGroup2 Nobody → Europe"},
			findings: []string{"only-in-source: entity 'Lisbon' exists only in the source; create it in OneStream first"}},
		{name: "casing is no difference", opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				row[artifacts.Entity](e, artifacts.TabEntity, "Houston").ReadGroup = "HOUSTON_VIEW"
				row[artifacts.User](e, artifacts.TabUsers, "Mark Sullivan").User = "mark sullivan"
				row[artifacts.UserInGroup](e, artifacts.TabUsersInGroups, "Anna Weber", "Frankfurt_View").ParentGroup = "frankfurt_view"
				row[artifacts.Entity](e, artifacts.TabEntity, "Montreal").Entity = "MONTREAL"
			}},
		{name: "prune removes users and groups; memberships go with them", opt: Options{Prune: true},
			dst: func(e *artifacts.Environment) {
				e.Users = append(e.Users, newUser("Old Timer"))
				e.Groups = append(e.Groups, artifacts.Group{Group: "Old Group"})
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Old Timer", ParentGroup: "Old Group"},
					artifacts.UserInGroup{User: "Anna Weber", ParentGroup: "Old Group"}, artifacts.UserInGroup{User: "Old Timer", ParentGroup: "Europe"})
				e.GroupsInGroups = append(e.GroupsInGroups, artifacts.GroupInGroup{Group: "Old Group", ParentGroup: "Europe"})
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Kevin Walsh", ParentGroup: "Europe"})
			},
			want: []string{
				"- UsersInGroups Kevin Walsh / Europe",
				"- Users Old Timer",
				"- Groups Old Group",
			}},
		{name: "without prune nothing is removed",
			dst: func(e *artifacts.Environment) {
				e.Users = append(e.Users, newUser("Old Timer"))
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Old Timer", ParentGroup: "Europe"})
			}},
		{name: "a group still used where the comparison does not reach is not removed",
			opt: Options{Prune: true, Tabs: areaGroups},
			dst: func(e *artifacts.Environment) {
				e.Groups = append(e.Groups, artifacts.Group{Group: "Old Group"})
				e.GroupsInGroups = append(e.GroupsInGroups, artifacts.GroupInGroup{Group: "Old Group", ParentGroup: "Europe"})
				row[artifacts.Entity](e, artifacts.TabEntity, "Houston").ReadGroup2 = "Old Group"
			},
			want:     []string{"- GroupsInGroups Old Group / Europe"},
			findings: []string{"group-in-use: group 'Old Group' exists only in the destination but is not removed: Entity 'Houston' ReadGroup2 (not compared) still use it"}},
		{name: "a group is removed once its uses are compared too",
			opt: Options{Prune: true, Tabs: tabs(areaGroups, []artifacts.TabID{artifacts.TabEntity})},
			dst: func(e *artifacts.Environment) {
				e.Groups = append(e.Groups, artifacts.Group{Group: "Old Group"})
				e.GroupsInGroups = append(e.GroupsInGroups, artifacts.GroupInGroup{Group: "Old Group", ParentGroup: "Europe"})
				row[artifacts.Entity](e, artifacts.TabEntity, "Houston").ReadGroup2 = "Old Group"
			},
			want: []string{"~ Entity Houston: ReadGroup2 Old Group → BI Readers", "- Groups Old Group"}},
		{name: "slice rules: only in the destination, and of a type the cube lacks", opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				e.CubeDataCellAccess = append(e.CubeDataCellAccess,
					rule("GolfStream", "Data Cell Access Security", 7, "Europe"),
					rule("GolfStreamDrivers", "Data Cell Access Security", 0, "Europe"))
			},
			dst: func(e *artifacts.Environment) {
				e.CubeDataCellAccess = append(e.CubeDataCellAccess, rule("HoustonPlan", "Data Cell Access Security", 5, "Houston_Mod"))
			},
			want: []string{"+ CubeDataCellAccess GolfStream / Data Cell Access Security / 7: AccessGroup Europe; BehaviorInGrpInFilter Increase Access And Stop; AccessLevelInGrpInFilter All Access; BehaviorInGrpNotInFilter Skip Item And Continue; AccessLevelInGrpNotInFilter No Access; BehaviorNotInGrpInFilter Skip Item And Continue; AccessLevelNotInGrpInFilter No Access",
				"- CubeDataCellAccess HoustonPlan / Data Cell Access Security / 5"},
			findings: []string{
				"type-change: slice rule 'GolfStreamDrivers / Data Cell Access Security / 0' is not carried: cube 'GolfStreamDrivers' has no slice rules of type 'Data Cell Access Security' in the destination",
				"CubeDataCellAccess!AD3 not-bda: slice rule 'HoustonPlan / Data Cell Access Security / 5' is removed with ActionType Remove on the CubeDataCellAccess tab, a secmgr extension",
			}},
		{name: "map by wildcard", mapping: []string{"DEV_*=*"}, opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				*e = *prefixGroups(e, "DEV_")
				e.Groups = append(e.Groups, artifacts.Group{Group: "DEV_Lisbon_View"})
				row[artifacts.Entity](e, artifacts.TabEntity, "Frankfurt").ReadWriteGroup2 = "dev_lisbon_view"
			},
			want: []string{"+ Groups Lisbon_View", "~ Entity Frankfurt: ReadWriteGroup2 Nobody → Lisbon_View"}},
		{name: "map exact, first rule wins", mapping: []string{"Finance Dev=Finance", "Finance *=Unused *"},
			dst: func(e *artifacts.Environment) { e.Groups = append(e.Groups, artifacts.Group{Group: "Finance"}) },
			src: func(e *artifacts.Environment) {
				e.Groups = append(e.Groups, artifacts.Group{Group: "Finance Dev"})
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Anna Weber", ParentGroup: "Finance Dev"})
				row[artifacts.Entity](e, artifacts.TabEntity, "Frankfurt").ReadWriteGroup2 = "Finance Dev"
			},
			want: []string{
				"~ Entity Frankfurt: ReadWriteGroup2 Nobody → Finance",
				"+ UsersInGroups Anna Weber / Finance",
			},
			findings: []string{`map-unused: --map "Finance *=Unused *" matches no group or exclusion group of the source`}},
		{name: "a group on one side, an exclusion group on the other", opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				e.Groups = append(e.Groups, artifacts.Group{Group: "Corporate Readers Except Auditors"})
				e.ExGroup = e.ExGroup[1:]
				e.GroupsInExGroups = slicesDelete(e.GroupsInExGroups, func(x artifacts.GroupInExGroup) bool { return x.ExGroup == "Corporate Readers Except Auditors" })
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Anna Weber", ParentGroup: "Corporate Readers Except Auditors"})
			},
			want: []string{
				"- GroupsInExGroups External Auditors / Corporate Readers Except Auditors",
				"- GroupsInExGroups GolfStream_View / Corporate Readers Except Auditors",
			},
			findings: []string{
				"name-not-in-destination: group membership 'Anna Weber / Corporate Readers Except Auditors' is not carried: 'Corporate Readers Except Auditors' is a group in the source but an exclusion group in the destination",
				"group-kind-differs: 'Corporate Readers Except Auditors' is a group in the source but an exclusion group in the destination",
				"GroupsInExGroups!E2 not-bda: exclusion group entry 'External Auditors / Corporate Readers Except Auditors' is removed with ActionType Remove on the GroupsInExGroups tab, a secmgr extension that BDA Security Manager does not read; apply this workbook with secmgr, or make the change by hand in OneStream (System > Security > Exclusion Groups",
				"GroupsInExGroups!E3 not-bda: exclusion group entry 'GolfStream_View / Corporate Readers Except Auditors' is removed",
			}},
		{name: "a membership that would close a cycle with the destination's",
			src: func(e *artifacts.Environment) {
				e.GroupsInGroups = slicesDelete(e.GroupsInGroups, func(x artifacts.GroupInGroup) bool { return x.Group == "Houston Team" })
				e.GroupsInGroups = append(e.GroupsInGroups, artifacts.GroupInGroup{Group: "North America", ParentGroup: "Houston Team"})
			},
			findings: []string{"group-cycle: putting 'North America' into 'Houston Team' would make a cycle with the destination's memberships: Houston Team → North America → Houston Team; it is not carried"}},
		{name: "with prune the cycle goes", opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				e.GroupsInGroups = slicesDelete(e.GroupsInGroups, func(x artifacts.GroupInGroup) bool { return x.Group == "Houston Team" })
				e.GroupsInGroups = append(e.GroupsInGroups, artifacts.GroupInGroup{Group: "North America", ParentGroup: "Houston Team"})
			},
			want: []string{"+ GroupsInGroups North America / Houston Team", "- GroupsInGroups Houston Team / North America"}},
		{name: "a ProcessingOrder the destination keeps",
			src: func(e *artifacts.Environment) {
				e.UsersInExGroups = []artifacts.UserInExGroup{{User: "Anna Weber", ExGroup: "Houston Mod Except Contractors", ProcessingOrder: 1}}
				row[artifacts.GroupInExGroup](e, artifacts.TabGroupsInExGroups, "Houston_Mod", "Houston Mod Except Contractors").ProcessingOrder = 1
				row[artifacts.GroupInExGroup](e, artifacts.TabGroupsInExGroups, "External Auditors", "Corporate Readers Except Auditors").ProcessingOrder = 5
			},
			want: []string{"~ GroupsInExGroups External Auditors / Corporate Readers Except Auditors: ProcessingOrder 1 → 5"},
			findings: []string{
				"processing-order-taken: exclusion group entry 'Anna Weber / Houston Mod Except Contractors' is not carried: ProcessingOrder 1 of exclusion group 'Houston Mod Except Contractors' is also used by user 'Mark Sullivan' in the destination",
				"processing-order-taken: exclusion group entry 'Houston_Mod / Houston Mod Except Contractors' ProcessingOrder is not carried: 1 of exclusion group 'Houston Mod Except Contractors' is also used by user 'Mark Sullivan' in the destination; the destination keeps 0",
			}},
		{name: "with prune the orders move together", opt: Options{Prune: true},
			src: func(e *artifacts.Environment) {
				e.UsersInExGroups = []artifacts.UserInExGroup{{User: "Anna Weber", ExGroup: "Houston Mod Except Contractors", ProcessingOrder: 0}}
				row[artifacts.GroupInExGroup](e, artifacts.TabGroupsInExGroups, "Houston_Mod", "Houston Mod Except Contractors").ProcessingOrder = 1
			},
			want: []string{
				"+ UsersInExGroups Anna Weber / Houston Mod Except Contractors: ProcessingOrder 0; AllowAccess False",
				"~ GroupsInExGroups Houston_Mod / Houston Mod Except Contractors: ProcessingOrder 0 → 1",
				"- UsersInExGroups Mark Sullivan / Houston Mod Except Contractors",
			},
			findings: []string{"UsersInExGroups!E3 not-bda: exclusion group entry 'Mark Sullivan / Houston Mod Except Contractors' is removed with ActionType Remove"}},
		{name: "a name the comparison cannot reach", opt: Options{Tabs: areaUsers},
			src: func(e *artifacts.Environment) {
				e.Groups = append(e.Groups, artifacts.Group{Group: "Lisbon_View"})
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Anna Weber", ParentGroup: "Lisbon_View"},
					artifacts.UserInGroup{User: "Anna Weber", ParentGroup: "Houston Team"})
			},
			want: []string{"+ UsersInGroups Anna Weber / Houston Team"},
			findings: []string{
				"name-not-in-destination: group membership 'Anna Weber / Lisbon_View' is not carried: group 'Lisbon_View' does not exist in the destination and the groups area is not compared; compare it too, or map the name with --map",
			}},
		{name: "values a workbook cannot hold",
			src: func(e *artifacts.Environment) {
				row[artifacts.User](e, artifacts.TabUsers, "Anna Weber").UserType = "Boss"
				row[artifacts.User](e, artifacts.TabUsers, "Anna Weber").Description = "  padded  "
				u := newUser("Dana Lee")
				u.Email = "not an address"
				e.Users = append(e.Users, u)
				e.UsersInGroups = append(e.UsersInGroups, artifacts.UserInGroup{User: "Dana Lee", ParentGroup: "Europe"})
			},
			want: []string{`~ Users Anna Weber: Description Frankfurt Financial Analyst → padded`},
			findings: []string{
				"whitespace-trimmed: user 'Anna Weber' Description: white space at the start or end of the source's value cannot be carried in a workbook; it is carried without it",
				"not-carried: user 'Anna Weber' UserType: the source's value is not carried: UserType 'Boss' is not allowed",
				"not-carried: user 'Dana Lee' is not carried: Email 'not an address' is not an e-mail address",
				"name-not-in-destination: group membership 'Dana Lee / Europe' is not carried: user 'Dana Lee' is not carried either",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := base.Clone(), base.Clone()
			for _, e := range []struct {
				env *artifacts.Environment
				fn  func(*artifacts.Environment)
			}{{src, tc.src}, {dst, tc.dst}} {
				if e.fn != nil {
					e.fn(e.env)
					e.env.Invalidate()
					e.env.Normalize()
				}
			}
			opt := tc.opt
			if tc.mapping != nil {
				m, err := ParseMap(tc.mapping)
				if err != nil {
					t.Fatal(err)
				}
				opt.Map = m
			}
			res, _ := migrated(t, tc.name, src, dst, opt)
			var got []string
			for _, c := range res.Changes {
				got = append(got, strings.TrimSpace(changeLines([]plans.Change{c})))
			}
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			var findings []string
			for i, f := range res.Findings {
				s := f.Code + ": " + f.Message
				if f.Cell != "" {
					s = f.Cell + " " + s
				}
				if i < len(tc.findings) && strings.HasPrefix(s, tc.findings[i]) {
					s = tc.findings[i]
				}
				findings = append(findings, s)
			}
			if d := cmp.Diff(tc.findings, findings, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			if res.Summary.Warnings != len(res.Findings) || res.Summary.Add+res.Summary.Edit+res.Summary.Remove != len(res.Changes) {
				t.Errorf("summary %+v", res.Summary)
			}
		})
	}
}

func slicesDelete[T any](s []T, del func(T) bool) []T {
	var out []T
	for _, x := range s {
		if !del(x) {
			out = append(out, x)
		}
	}
	return out
}
