package access

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// PathSeparator joins the names of a membership path for people.
const PathSeparator = " → "

// WriteText writes the user's access for people.
func (ua *UserAccess) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	state := "enabled"
	if !ua.Enabled {
		state = "disabled"
	}
	kind := strings.TrimSpace(ua.UserType + " user")
	auth := "external authentication"
	if ua.Native {
		auth = "native authentication (OneStream password)"
	}
	fmt.Fprintf(bw, "User %s: %s, %s, %s\n", ua.User, state, kind, auth)
	if ua.Administrator {
		fmt.Fprintf(bw, "  ADMINISTRATOR: a member of Administrators can do everything, whatever is listed below\n")
	} else {
		fmt.Fprintf(bw, "  not an administrator\n")
	}
	if !ua.Enabled {
		fmt.Fprintf(bw, "  DISABLED: the user can do nothing; below is what it would hold if enabled\n")
	}

	section(bw, "Groups", len(ua.Groups))
	for _, m := range ua.Groups {
		fmt.Fprintf(bw, "  %s: %s\n", m.Name, strings.Join(m.Path, PathSeparator))
	}

	section(bw, "Exclusion groups", len(ua.ExclusionGroups))
	for _, x := range ua.ExclusionGroups {
		verdict := "kept out of"
		if x.In {
			verdict = "let into"
		}
		fmt.Fprintf(bw, "  %s %s, decided by %s\n", verdict, x.Name, describeEntry(x.DecidedBy))
	}

	section(bw, "Roles", len(ua.Roles))
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	for _, r := range ua.Roles {
		fmt.Fprintf(tw, "  %s\t%s\tvia %s\n", r.Role, r.Tab, r.Via)
	}
	tw.Flush()

	section(bw, "Rights", len(ua.Rights))
	tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	for _, r := range ua.Rights {
		fmt.Fprintf(tw, "  %s %s\t%s\tvia %s (%s)\n", r.Tab, strings.Join(r.Key, " / "), r.Right, r.Via, r.Column)
	}
	tw.Flush()

	section(bw, "Slice rules", len(ua.SliceRules))
	for _, s := range ua.SliceRules {
		fmt.Fprintf(bw, "  cube %s, %s, order %d: the user is \"in group\" through %s\n", s.Cube, s.Type, s.ProcessingOrder, s.Via)
	}
	return bw.Flush()
}

// WriteText writes the group's members and uses for people.
func (ga *GroupAccess) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	kind := "Group"
	if ga.Exclusion {
		kind = "Exclusion group"
	}
	fmt.Fprintf(bw, "%s %s\n", kind, ga.Group)
	if ga.Unused() {
		fmt.Fprintf(bw, "  used nowhere and holds no one: it can be removed\n")
	}

	if ga.Exclusion {
		section(bw, "Entries, in processing order", len(ga.ExclusionEntries))
		for i := range ga.ExclusionEntries {
			fmt.Fprintf(bw, "  %s\n", describeEntry(&ga.ExclusionEntries[i]))
		}
	}

	section(bw, "Members", len(ga.Members))
	for _, m := range ga.Members {
		fmt.Fprintf(bw, "  %s: %s\n", m.User, strings.Join(m.Path, PathSeparator))
	}

	section(bw, "Direct members", len(ga.DirectMembers.Users)+len(ga.DirectMembers.Groups))
	for _, u := range ga.DirectMembers.Users {
		fmt.Fprintf(bw, "  user %s\n", u)
	}
	for _, g := range ga.DirectMembers.Groups {
		fmt.Fprintf(bw, "  group %s\n", g)
	}

	section(bw, "Parent groups", len(ga.Parents))
	for _, p := range ga.Parents {
		fmt.Fprintf(bw, "  %s\n", p)
	}

	section(bw, "Used by", len(ga.UsedBy))
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	for _, u := range ga.UsedBy {
		fmt.Fprintf(tw, "  %s %s\t%s\n", u.Tab, strings.Join(u.Key, " / "), u.Column)
	}
	tw.Flush()
	return bw.Flush()
}

func section(w io.Writer, title string, n int) {
	if n == 0 {
		fmt.Fprintf(w, "\n%s: none\n", title)
		return
	}
	fmt.Fprintf(w, "\n%s (%d)\n", title, n)
}

// describeEntry says what an exclusion-group entry is for people:
// "GroupsInExGroups Documentation AllOrgs / Documentation NoB, order 0, allow".
func describeEntry(e *Entry) string {
	if e == nil {
		return "no entry (none matches)"
	}
	verdict := "deny"
	if e.AllowAccess {
		verdict = "allow"
	}
	order := "direct membership"
	if e.ProcessingOrder != nil {
		order = fmt.Sprintf("order %d", *e.ProcessingOrder)
	}
	return fmt.Sprintf("%s %s, %s, %s", e.Tab, strings.Join(e.Key, " / "), order, verdict)
}
