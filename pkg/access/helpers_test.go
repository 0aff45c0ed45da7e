package access

import (
	"secmgr/pkg/artifacts"
)

// envBuilder builds small environments for tests.
type envBuilder struct{ env *artifacts.Environment }

func newEnv() *envBuilder { return &envBuilder{artifacts.New("Test")} }

func (b *envBuilder) users(names ...string) *envBuilder {
	for _, n := range names {
		b.env.Users = append(b.env.Users, artifacts.User{User: n, UserType: "Interactive", IsEnabled: true, NumGridRows: 30, ExternalAuthProviderName: "AzureAD"})
	}
	return b
}

func (b *envBuilder) groups(names ...string) *envBuilder {
	for _, n := range names {
		b.env.Groups = append(b.env.Groups, artifacts.Group{Group: n})
	}
	return b
}

func (b *envBuilder) exGroups(names ...string) *envBuilder {
	for _, n := range names {
		b.env.ExGroup = append(b.env.ExGroup, artifacts.ExGroup{ExGroup: n})
	}
	return b
}

// in lists user u directly in group g.
func (b *envBuilder) in(u, g string) *envBuilder {
	b.env.UsersInGroups = append(b.env.UsersInGroups, artifacts.UserInGroup{User: u, ParentGroup: g})
	return b
}

// nest lists group c in group p.
func (b *envBuilder) nest(c, p string) *envBuilder {
	b.env.GroupsInGroups = append(b.env.GroupsInGroups, artifacts.GroupInGroup{Group: c, ParentGroup: p})
	return b
}

func (b *envBuilder) userEntry(x, u string, order int, allow bool) *envBuilder {
	b.env.UsersInExGroups = append(b.env.UsersInExGroups, artifacts.UserInExGroup{User: u, ExGroup: x, ProcessingOrder: order, AllowAccess: allow})
	return b
}

func (b *envBuilder) groupEntry(x, g string, order int, allow bool) *envBuilder {
	b.env.GroupsInExGroups = append(b.env.GroupsInExGroups, artifacts.GroupInExGroup{Group: g, ExGroup: x, ProcessingOrder: order, AllowAccess: allow})
	return b
}

func (b *envBuilder) role(role, g string) *envBuilder {
	for i := range b.env.AppRoles {
		if b.env.AppRoles[i].AppRole == role {
			b.env.AppRoles[i].GroupName = g
			return b
		}
	}
	for i := range b.env.SystemRoles {
		if b.env.SystemRoles[i].SystemRole == role {
			b.env.SystemRoles[i].GroupName = g
			return b
		}
	}
	panic("no role " + role)
}

func (b *envBuilder) with(f func(env *artifacts.Environment)) *envBuilder {
	f(b.env)
	return b
}

func (b *envBuilder) build() *artifacts.Environment {
	b.env.Normalize()
	return b.env
}

func (b *envBuilder) index() *Index { return New(b.build()) }
