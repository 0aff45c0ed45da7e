package artifacts_test

import (
	"fmt"
	"testing"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// BenchmarkDecode reads an environment file of about 300,000 rows: the
// JSON, the environment's invariants and normalizing.
func BenchmarkDecode(b *testing.B) {
	env := synthetic.Generate(synthetic.Options{Users: 30_000})
	data, err := artifacts.Marshal(env)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("rows=%d", env.Rows()), func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := artifacts.Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
