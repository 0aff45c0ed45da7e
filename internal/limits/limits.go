// Package limits holds what every bounded reader does with its limits:
// a limit left at zero (or set negative) takes its default.
package limits

// OrDefault returns v when it is a positive limit, else def.
func OrDefault[T ~int | ~int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
