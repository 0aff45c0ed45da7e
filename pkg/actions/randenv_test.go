package actions

import "secmgr/internal/randenv"

// The random environments of the property tests (internal/randenv).
var (
	randomEnvironment = randenv.Environment
	mutate            = randenv.Mutate
	swapCase          = randenv.SwapCase
	forEachRef        = randenv.ForEachRef
)
