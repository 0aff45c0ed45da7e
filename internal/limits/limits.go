// Package limits holds what every bounded reader does with its limits:
// a limit left at zero (or set negative) takes its default.
package limits

import "reflect"

// OrDefault returns v when it is a positive limit, else def.
func OrDefault[T ~int | ~int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Fill returns l with each integer field that is not a positive limit set
// to that field of def. L is a struct of limits, such as a reader's
// Limits; its other fields are left as they are.
func Fill[L any](l, def L) L {
	v := reflect.ValueOf(&l).Elem()
	d := reflect.ValueOf(def)
	for i := range v.NumField() {
		if f := v.Field(i); f.CanSet() && f.CanInt() && f.Int() <= 0 {
			f.Set(d.Field(i))
		}
	}
	return l
}
