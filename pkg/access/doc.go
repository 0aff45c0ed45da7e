// Package access computes effective access in an environment: which
// groups a user belongs to and why, which exclusion groups let it in or
// keep it out, and the roles, artifact rights and slice rules that follow;
// and for a group, who it holds and where it is used.
//
// The rules are those of the user reference (docs/audit.md):
//
//   - a user belongs to a group it is listed in directly, or to any group
//     that lists a group it belongs to (GroupsInGroups, to any depth);
//   - Everyone holds every user and Nobody holds none;
//   - an exclusion group's entries (UsersInExGroups and GroupsInExGroups)
//     are taken in ProcessingOrder; every entry that matches a user (the
//     user itself, or a group the user belongs to) sets "in" to its
//     AllowAccess, and the last one decides;
//   - exclusion groups are listed in groups and referenced by artifacts
//     like any group, and membership flows through them.
//
// New indexes an environment once (linear in its size). A user's groups
// are computed on first use, in the dependency order of the group graph,
// and cached, so a query costs time in proportion to its answer:
//
//	ix := access.New(env)
//	ua, err := ix.User("Jessica Documentation")
//	if err != nil { … } // unknown name: the message suggests the closest one
//	for _, m := range ua.Groups {
//		fmt.Println(strings.Join(m.Path, " → "))
//	}
//
// An Index is safe for concurrent use. It reads the environment as it was
// when New was called; build a new Index after changing the environment.
package access
