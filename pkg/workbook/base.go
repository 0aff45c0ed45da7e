package workbook

import (
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The custom document properties that record a workbook's base.
// Spreadsheet programs keep custom properties when they save, so a
// workbook edited and saved still says which state it was made from.
const (
	PropEnvironment = "secmgr.environment"
	PropBase        = "secmgr.base" // the environment's fingerprint
	PropVersion     = "secmgr.version"
	PropTime        = "secmgr.time" // when the workbook was made, UTC
)

// Version is the secmgr version recorded in the workbooks written; the
// program sets it at start.
var Version = "devel"

// Base identifies the state of an environment a workbook was made from.
type Base struct {
	Environment string    // the environment's name
	Fingerprint string    // "sha256:…" of the state
	Version     string    // of the secmgr that wrote the workbook
	Time        time.Time // when the workbook was made; zero when unknown
}

// SetBase records b in f's custom document properties; an empty Version
// records Version. It is for workbooks written with excelize directly;
// Writer records WriteOptions.Base itself.
func SetBase(f *excelize.File, b Base) error {
	if b.Version == "" {
		b.Version = Version
	}
	props := []excelize.CustomProperty{
		{Name: PropEnvironment, Value: b.Environment},
		{Name: PropBase, Value: b.Fingerprint},
		{Name: PropVersion, Value: b.Version},
	}
	if !b.Time.IsZero() {
		props = append(props, excelize.CustomProperty{Name: PropTime, Value: b.Time.UTC().Format(time.RFC3339)})
	}
	for _, p := range props {
		if err := f.SetCustomProps(p); err != nil {
			return err
		}
	}
	// The fingerprint also goes in the core properties, which every
	// program keeps; some libraries (openpyxl before 3.1) drop custom ones.
	core := &excelize.DocProperties{Identifier: b.Fingerprint}
	if !b.Time.IsZero() {
		core.Created = b.Time.UTC().Format(time.RFC3339)
	}
	return f.SetDocProps(core)
}

// Base returns the base the workbook records in its custom document
// properties; ok is false for a workbook without one (made by another
// program, or by hand).
func (w *Workbook) Base() (b Base, ok bool, err error) {
	props, err := w.xr.CustomProperties()
	if err != nil {
		return Base{}, false, readError(w.Path, err)
	}
	b.Fingerprint = props[PropBase]
	if b.Fingerprint == "" {
		// A program that dropped the custom properties kept the core ones.
		core, err := w.xr.CoreProperties()
		if err != nil {
			return Base{}, false, readError(w.Path, err)
		}
		if !isFingerprint(core["identifier"]) {
			return Base{}, false, nil
		}
		b.Fingerprint = core["identifier"]
		if t, err := time.Parse(time.RFC3339, core["created"]); err == nil {
			b.Time = t
		}
		return b, true, nil
	}
	b.Environment = props[PropEnvironment]
	b.Version = props[PropVersion]
	if t, err := time.Parse(time.RFC3339, props[PropTime]); err == nil {
		b.Time = t
	}
	return b, true, nil
}

// isFingerprint reports whether s is "sha256:" and 64 hex digits.
func isFingerprint(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
