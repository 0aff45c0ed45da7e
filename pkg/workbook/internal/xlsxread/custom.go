package xlsxread

import (
	"strings"
)

// Bounds of the custom document properties read: a workbook secmgr wrote
// has a handful; a part with more is read up to these and the rest is
// left out.
const (
	maxCustomProps     = 256
	maxCustomPropChars = 1024
	maxCustomPartBytes = 1 << 20
)

// CustomProperties returns the workbook's custom document properties
// (docProps/custom.xml, found through the package relationships), name to
// value as text, for the first 256 properties of at most 1,024 bytes
// each. A workbook without the part has none. A part larger than 1 MiB
// is not read: no program writes one, and its properties are not needed
// to read the sheets.
func (w *Workbook) CustomProperties() (map[string]string, error) {
	var target string
	if f := w.lookup("_rels/.rels"); f != nil {
		rels, err := w.readRelsFile(f, "")
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/custom-properties") && !r.external {
				target = r.target
				break
			}
		}
	}
	f := w.lookup(target)
	if f == nil {
		f = w.lookup("docProps/custom.xml")
	}
	if f == nil || f.UncompressedSize64 > maxCustomPartBytes {
		return nil, nil
	}
	rc, err := w.openPart(f, "the custom document properties")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := newScanner(rc, f.Name, int64(f.UncompressedSize64))
	props := map[string]string{}
	var name string
	var buf []byte
	for {
		k, err := s.next()
		if err != nil {
			return nil, readErr(f.Name, err)
		}
		switch {
		case k == tokEOF:
			return props, nil
		case k == tokEnd && string(s.name) == "property":
			name = ""
		case k != tokStart:
		case string(s.name) == "property":
			name = ""
			if s.self || len(props) >= maxCustomProps {
				continue
			}
			n, _, err := s.attrString("name", false)
			if err != nil {
				return nil, err
			}
			name = n
		case name != "" && !s.self:
			// The value: <vt:lpwstr>, <vt:i4>, <vt:bool>, <vt:filetime> …
			buf, err = s.text(buf[:0], maxCustomPropChars)
			if err == errTooLong {
				name = ""
				if err := s.skipElement(); err != nil {
					return nil, err
				}
				continue
			}
			if err != nil {
				return nil, readErr(f.Name, err)
			}
			if _, dup := props[name]; !dup {
				props[name] = string(buf)
			}
			name = ""
		}
	}
}
