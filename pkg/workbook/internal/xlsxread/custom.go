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
	return w.readProps("/custom-properties", "docProps/custom.xml", true)
}

// CoreProperties returns the workbook's core document properties
// (docProps/core.xml: title, identifier, created …), by element local
// name, bounded as CustomProperties.
func (w *Workbook) CoreProperties() (map[string]string, error) {
	return w.readProps("/metadata/core-properties", "docProps/core.xml", false)
}

// readProps reads a properties part: custom properties (<property
// name="…"><vt:…>value</vt:…></property>) or core properties
// (<dc:identifier>value</dc:identifier>).
func (w *Workbook) readProps(relType, fallback string, custom bool) (map[string]string, error) {
	var target string
	if f := w.lookup("_rels/.rels"); f != nil {
		rels, err := w.readRelsFile(f, "")
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, relType) && !r.external {
				target = r.target
				break
			}
		}
	}
	f := w.lookup(target)
	if f == nil {
		f = w.lookup(fallback)
	}
	if f == nil || f.UncompressedSize64 > maxCustomPartBytes {
		return nil, nil
	}
	rc, err := w.openPart(f, "the document properties")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := newScanner(rc, f.Name, int64(f.UncompressedSize64))
	props := map[string]string{}
	var name string
	var buf []byte
	depth := 0
	for {
		k, err := s.next()
		if err != nil {
			return nil, readErr(f.Name, err)
		}
		if k == tokEOF {
			return props, nil
		}
		if k == tokEnd {
			depth--
			if custom && string(s.name) == "property" {
				name = ""
			}
			continue
		}
		if k != tokStart {
			continue
		}
		if !s.self {
			depth++
		}
		switch {
		case custom && string(s.name) == "property":
			name = ""
			if s.self || len(props) >= maxCustomProps {
				continue
			}
			n, _, err := s.attrString("name", false)
			if err != nil {
				return nil, err
			}
			name = n
			continue
		case custom && (name == "" || s.self):
			continue
		case !custom && (depth != 2 || s.self || len(props) >= maxCustomProps):
			continue // core properties are the root's children
		case !custom:
			name = string(s.name)
		}
		// The value: <vt:lpwstr>, <vt:i4>, <dc:identifier> …
		buf, err = s.text(buf[:0], maxCustomPropChars)
		if err == errTooLong {
			name = ""
			if err := s.skipElement(); err != nil {
				return nil, err
			}
			depth--
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
