package synthetic

import (
	"fmt"
	"math/rand/v2"

	"secmgr/pkg/artifacts"
)

// Edit returns a copy of env (a generated environment) with the edits a
// security change request makes: fifty memberships added and fifty
// removed, five entity groups moved in the group tree, a user made
// administrator, two exclusion entries swapped. The same env always gives
// the same edits.
func Edit(env *artifacts.Environment) *artifacts.Environment {
	r := rand.New(rand.NewPCG(7, 7))
	out := env.Clone()
	var entityViews []string
	for _, g := range out.Groups {
		if len(g.Group) > 5 && g.Group[len(g.Group)-5:] == "_View" {
			entityViews = append(entityViews, g.Group)
		}
	}
	for range 50 {
		u := out.Users[r.IntN(len(out.Users))].User
		out.UsersInGroups = append(out.UsersInGroups, artifacts.UserInGroup{User: u, ParentGroup: entityViews[r.IntN(len(entityViews))]})
	}
	for range 50 {
		i := r.IntN(len(out.UsersInGroups))
		out.UsersInGroups = append(out.UsersInGroups[:i], out.UsersInGroups[i+1:]...)
	}
	moved := 0
	for i := range out.GroupsInGroups {
		if e := &out.GroupsInGroups[i]; moved < 5 && len(e.Group) > 5 && e.Group[len(e.Group)-5:] == "_View" && r.IntN(100) == 0 {
			e.ParentGroup = fmt.Sprintf("Group %06d", r.IntN(len(out.Groups)/3))
			moved++
		}
	}
	out.UsersInGroups = append(out.UsersInGroups, artifacts.UserInGroup{User: out.Users[len(out.Users)/2].User, ParentGroup: artifacts.Administrators})
	// The synthetic exclusion groups deny two users at orders 1 and 2.
	x := out.UsersInExGroups[0].ExGroup
	for i := range out.UsersInExGroups {
		if e := &out.UsersInExGroups[i]; e.ExGroup == x {
			e.ProcessingOrder = 3 - e.ProcessingOrder
		}
	}
	out.Invalidate()
	out.Normalize()
	return out
}
