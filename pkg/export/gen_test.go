package export

import (
	"fmt"
	"math/rand/v2"

	"secmgr/internal/randenv"
	"secmgr/pkg/artifacts"
)

// words are the stems of generated names and text. They include what
// spreadsheets like to reinterpret: formulas, numbers, booleans, dates,
// leading apostrophes, markup, non-ASCII letters.
var words = []string{
	"Documentation", "Legal", "Houston", "Zoë", "Ünïcödé", "日本語", "=SUM(A1:A9)", "+1", "-minus", "@at",
	"'quoted", "00123", "1e5", "TRUE", "false", "2026-03-01", "<b>&amp;</b>", "a,b", `say "hi"`, "50%",
	"$A$1", "#N/A", "x_x000D_y", "tab\u00a0space",
}

// randomEnv generates a valid environment with size users, its names and
// values made of words (internal/randenv).
func randomEnv(seed uint64, size int) *artifacts.Environment {
	env := randenv.EnvironmentWith(rand.New(rand.NewPCG(seed, seed^0x5ec)), size, randenv.Options{Words: words})
	env.Name = fmt.Sprintf("Random %d", seed)
	return env
}
