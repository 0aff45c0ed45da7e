package randenv

import (
	"fmt"
	"math/rand/v2"

	"secmgr/pkg/artifacts"
)

// Memberships returns a small environment of users, groups and exclusion
// groups only (U0…, G00…), dense in what decides membership, for checking
// effective access against a reference model:
//
//   - a group or exclusion group contains or names only groups made
//     before it, so membership is acyclic even through exclusion-group
//     entries, and a recursive model ends;
//   - relationships name the built-in groups: groups nested in
//     Administrators, Nobody nested in groups, Everyone and Nobody as
//     exclusion-group entries;
//   - users and groups are listed straight in exclusion groups through
//     UsersInGroups and GroupsInGroups. Load refuses a user listed so,
//     but code that indexes any environment must still answer for it.
//
// Unlike Environment it does not keep every invariant of artifacts.Load.
func Memberships(r *rand.Rand) *artifacts.Environment {
	env := artifacts.New("Random")
	nu, ng := 2+r.IntN(8), 2+r.IntN(12)
	var users []string
	for i := range nu {
		u := fmt.Sprintf("U%d", i)
		users = append(users, u)
		env.Users = append(env.Users, artifacts.User{User: u, UserType: "Interactive", IsEnabled: true, NumGridRows: 30, ExternalAuthProviderName: "AzureAD"})
	}
	nest := func(c, p string) {
		env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: c, ParentGroup: p})
	}
	names := []string{artifacts.Everyone, artifacts.Nobody, artifacts.Administrators}
	for i := range ng {
		name := fmt.Sprintf("G%02d", i)
		isEx := r.IntN(3) == 0
		if isEx {
			env.ExGroup = append(env.ExGroup, artifacts.ExGroup{ExGroup: name})
		} else {
			env.Groups = append(env.Groups, artifacts.Group{Group: name})
		}
		for _, u := range users {
			if r.IntN(4) == 0 {
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: u, ParentGroup: name})
			}
		}
		for _, c := range names {
			if c != artifacts.Everyone && c != artifacts.Administrators && r.IntN(5) == 0 {
				nest(c, name)
			}
		}
		if r.IntN(6) == 0 {
			nest(name, artifacts.Administrators)
		}
		if isEx {
			orders := r.Perm(8)
			k := 0
			for _, u := range users {
				if r.IntN(4) == 0 && k < len(orders) {
					env.UsersInExGroups = append(env.UsersInExGroups, artifacts.UserInExGroup{User: u, ExGroup: name, ProcessingOrder: orders[k], AllowAccess: r.IntN(2) == 0})
					k++
				}
			}
			for _, c := range names {
				if c != artifacts.Administrators && r.IntN(4) == 0 && k < len(orders) {
					env.GroupsInExGroups = append(env.GroupsInExGroups, artifacts.GroupInExGroup{Group: c, ExGroup: name, ProcessingOrder: orders[k], AllowAccess: r.IntN(3) != 0})
					k++
				}
			}
		}
		names = append(names, name)
	}
	env.Normalize()
	return env
}
