// Package golfstream is secmgr's sample environment: the security of a
// OneStream application modelled on OneStream's GolfStream demo — three
// cubes, Houston, Carlsbad, Augusta, Montreal, Frankfurt and Birmingham
// entities and workflows, over thirty users of every user type, nested groups,
// exclusion groups, distributed roles, slice rules — with a few deliberate
// weak spots for `secmgr audit` to find (see README.md).
//
// `secmgr init --sample` writes it. environment.json is generated from
// the Go in internal/sample; after changing that code, regenerate it with
//
//	go run ./examples/golfstream/internal/gen -out examples/golfstream/environment.json
//
// (or `go test ./examples/golfstream -update`). A test fails when the two
// differ.
package golfstream

import (
	_ "embed"

	"secmgr/pkg/artifacts"
)

// EnvironmentJSON is the canonical environment file of the sample.
//
//go:embed environment.json
var EnvironmentJSON []byte

// Environment decodes the sample; each call returns a fresh copy that the
// caller may change.
func Environment() (*artifacts.Environment, error) {
	return artifacts.Decode(EnvironmentJSON)
}
