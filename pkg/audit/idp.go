package audit

import (
	"fmt"

	"secmgr/pkg/artifacts"
)

// Options give Run data the environment does not hold.
type Options struct {
	// IdP is the identity provider's view of the users, for SM-013; nil
	// lists SM-013 as not checked.
	IdP *IdPAccounts
}

// IdPAccounts are the enabled users whose identity-provider account is
// missing or disabled, as a reconciliation with the provider's export
// found them (pkg/reconcile).
type IdPAccounts struct {
	Source   string // the export's files, for messages
	Provider string // the ExternalAuthProviderName reconciled
	Leavers  []IdPLeaver
}

// IdPLeaver is one enabled user the provider no longer lets in.
type IdPLeaver struct {
	User    string
	Account string // the provider's identity; empty when missing
	Reason  string // "missing from the identity provider" or "disabled in …"
}

// idpRule is SM-013.
var idpRule = Rule{
	ID: "SM-013", Severity: High,
	Title:  "an enabled user's identity-provider account is missing or disabled",
	Detail: "A person who left is disabled or deleted in the identity provider, but an enabled OneStream user keeps its groups and roles, and any other way in (a password, an API token) still works.",
	Remedy: "Disable the user in OneStream: 'secmgr reconcile --idp FILE --out changes.xlsx', then apply the workbook.",
	check: func(c *checker, r *Rule) []Finding {
		if c.idp == nil {
			c.notChecked = append(c.notChecked, NotChecked{Rule: r.ID, Title: r.Title,
				Reason: "needs the identity provider's export of its users: run 'secmgr audit --idp FILE'"})
			return nil
		}
		roles := c.roleGroups()
		var out []Finding
		for _, l := range c.idp.Leavers {
			u := c.userOf(l.User)
			if u == nil || !u.IsEnabled {
				continue
			}
			what := l.Reason
			if l.Account != "" {
				what = fmt.Sprintf("%s (%s)", l.Reason, l.Account)
			}
			msg := fmt.Sprintf("'%s' is enabled, but its %s account is %s in %s", u.User, c.idp.Provider, what, c.idp.Source)
			if groups := roles[artifacts.Fold(u.User)]; len(groups) > 0 {
				msg += fmt.Sprintf("; it is still in %s, which hold%s roles", list(groups), map[bool]string{true: "s", false: ""}[len(groups) == 1])
			}
			out = append(out, r.finding(msg, ref(artifacts.TabUsers, u.User)))
		}
		return out
	},
}

// roleGroups maps each user (folded) to the groups it is directly in
// that hold an application or system role.
func (c *checker) roleGroups() map[string][]string {
	holds := map[string]bool{}
	for _, a := range c.env.AppRoles {
		holds[artifacts.Fold(a.GroupName)] = true
	}
	for _, s := range c.env.SystemRoles {
		holds[artifacts.Fold(s.GroupName)] = true
	}
	out := map[string][]string{}
	for _, m := range c.env.UsersInGroups {
		if holds[artifacts.Fold(m.ParentGroup)] {
			out[artifacts.Fold(m.User)] = append(out[artifacts.Fold(m.User)], m.ParentGroup)
		}
	}
	return out
}
