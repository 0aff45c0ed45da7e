package artifacts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"secmgr/internal/jsonx"
)

// LineRange is where one artifact's entry stands in an environment file:
// the lines of its opening and closing braces, counted from 1.
type LineRange struct{ Start, End int }

// EntryLines maps each artifact of an environment file to the lines of
// its entry, so that a report can point into the file (the canonical file
// puts each artifact in an object of its own). It reads the bytes of a
// file Load accepted; look an artifact up with Lookup.
type EntryLines struct {
	byKey map[string]LineRange // tab name + "\x00" + KeyString
}

// Lookup returns the lines of the artifact of tab (its canonical name)
// with the given key (matched case-insensitively).
func (l *EntryLines) Lookup(tab string, key []string) (LineRange, bool) {
	if l == nil {
		return LineRange{}, false
	}
	r, ok := l.byKey[tab+"\x00"+KeyString(key)]
	return r, ok
}

// IndexEntryLines reads an environment file's bytes and records where
// each artifact's entry stands.
func IndexEntryLines(data []byte) (*EntryLines, error) {
	l := &EntryLines{byKey: map[string]LineRange{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := lineCounter{data: data, line: 1}
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		t, ok := LookupTab(name)
		if !ok || t.Name != name {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // [
			return nil, err
		}
		for dec.More() {
			start := jsonx.SkipSpace(data, int(dec.InputOffset()))
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				return nil, err
			}
			key := make([]string, len(t.Key))
			for i, k := range t.Key {
				key[i] = fmt.Sprint(obj[t.jsonNames[t.Columns[k].field]])
			}
			r := LineRange{Start: lines.at(start), End: lines.at(int(dec.InputOffset()) - 1)}
			l.byKey[t.Name+"\x00"+KeyString(key)] = r
		}
		if _, err := dec.Token(); err != nil { // ]
			return nil, err
		}
	}
	return l, nil
}

// lineCounter turns increasing byte offsets into line numbers in one pass.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(off, len(c.data))
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}
