package randenv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"secmgr/pkg/artifacts"
)

// TestEnvironmentsAreValid: what the generator makes, and what Mutate
// makes of it, survives the strict environment file and its invariants,
// with the built-in words and with others.
func TestEnvironmentsAreValid(t *testing.T) {
	for _, opt := range []Options{{}, {Words: []string{"=SUM(A1:A9)", "+1", "00123", "TRUE", "2026-03-01", "a,b", "Zoë", "x_x000D_y"}}} {
		for seed := range uint64(10) {
			t.Run(fmt.Sprintf("words=%d/seed=%d", len(opt.Words), seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 1))
				env := EnvironmentWith(r, 5+int(seed)*5, opt)
				for _, e := range []*artifacts.Environment{env, Mutate(r, env, 30)} {
					data, err := artifacts.Marshal(e)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := artifacts.Decode(data); err != nil {
						t.Fatal(err)
					}
				}
				if len(env.Users) == 0 || len(env.UsersInGroups) == 0 {
					t.Fatalf("%d users and %d memberships, want some", len(env.Users), len(env.UsersInGroups))
				}
			})
		}
	}
}

// TestDeterministic: the same seed gives the same environment.
func TestDeterministic(t *testing.T) {
	a, _ := artifacts.Marshal(Environment(rand.New(rand.NewPCG(3, 3)), 30))
	b, _ := artifacts.Marshal(Environment(rand.New(rand.NewPCG(3, 3)), 30))
	if string(a) != string(b) {
		t.Fatal("one seed gave two environments")
	}
}
