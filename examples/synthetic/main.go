// Command synthetic writes a large synthetic environment file for scale
// tests and benchmarks:
//
//	go run ./examples/synthetic -users 100000 -out big.json
package main

import (
	"flag"
	"fmt"
	"os"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

func main() {
	var o synthetic.Options
	out := flag.String("out", "", "the environment `FILE` to write (required)")
	flag.IntVar(&o.Users, "users", 1000, "number of users")
	flag.IntVar(&o.Groups, "groups", 0, "number of groups (default users/10)")
	flag.IntVar(&o.Entities, "entities", 0, "number of entities (default groups/4)")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.StringVar(&o.Name, "name", "Synthetic", "environment name")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthetic: give -out FILE")
		os.Exit(1)
	}
	env := synthetic.Generate(o)
	if err := artifacts.Save(*out, env); err != nil {
		fmt.Fprintln(os.Stderr, "synthetic:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "synthetic: wrote %s: %d rows (%d users, %d memberships)\n", *out, env.Rows(), len(env.Users), len(env.UsersInGroups))
}
