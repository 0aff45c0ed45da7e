// Command gen writes the GolfStream sample environment file from the Go
// that describes it (package sample):
//
//	go run ./examples/golfstream/internal/gen -out examples/golfstream/environment.json
//
// Without -out it writes the file to standard output.
package main

import (
	"flag"
	"fmt"
	"os"

	"secmgr/examples/golfstream/internal/sample"
	"secmgr/pkg/artifacts"
)

func main() {
	out := flag.String("out", "", "the environment file to write (default: standard output)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gen: unexpected argument %q; usage: gen [-out FILE]\n", flag.Arg(0))
		os.Exit(2)
	}
	env := sample.Build()
	var err error
	if *out == "" {
		err = artifacts.Encode(os.Stdout, env)
	} else {
		err = artifacts.Save(*out, env)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
