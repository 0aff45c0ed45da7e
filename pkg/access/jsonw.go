package access

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"secmgr/internal/jsonx"
)

// The JSON documents are written by hand, one list element per line, so
// that a group holding a hundred thousand users prints in a fraction of
// the time encoding/json's indenter takes, and diffs of saved output show
// one changed member per line. The content is exactly what json.Marshal
// gives for the same value (the struct tags are the reference).

// WriteJSON writes v (a *UserAccess or *GroupAccess; anything else as
// indented JSON) followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 1<<16)}
	switch x := v.(type) {
	case *UserAccess:
		jw.userAccess(x)
	case *GroupAccess:
		jw.groupAccess(x)
	default:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return jw.finish()
}

type jsonWriter struct {
	w     *bufio.Writer
	buf   []byte
	enc   *json.Encoder
	ebuf  bytes.Buffer
	err   error
	first bool
}

func (j *jsonWriter) raw(s string) { j.w.WriteString(s) }

func (j *jsonWriter) finish() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}

// field starts `"key": ` on a new line of the top-level object.
func (j *jsonWriter) field(key string) {
	if j.first {
		j.raw("{\n  ")
		j.first = false
	} else {
		j.raw(",\n  ")
	}
	j.str(key)
	j.raw(": ")
}

func (j *jsonWriter) str(s string) {
	j.buf = jsonx.AppendString(j.buf[:0], s)
	j.w.Write(j.buf)
}

func (j *jsonWriter) strs(list []string) {
	j.raw("[")
	for i, s := range list {
		if i > 0 {
			j.raw(",")
		}
		j.str(s)
	}
	j.raw("]")
}

// value writes v compactly through encoding/json.
func (j *jsonWriter) value(v any) {
	if j.enc == nil {
		j.enc = json.NewEncoder(&j.ebuf)
		j.enc.SetEscapeHTML(false)
	}
	j.ebuf.Reset()
	if err := j.enc.Encode(v); err != nil && j.err == nil {
		j.err = err
	}
	j.w.Write(bytes.TrimRight(j.ebuf.Bytes(), "\n"))
}

// list writes a list with one element per line.
func (j *jsonWriter) list(n int, elem func(i int)) {
	if n == 0 {
		j.raw("[]")
		return
	}
	j.raw("[")
	for i := range n {
		if i > 0 {
			j.raw(",")
		}
		j.raw("\n    ")
		elem(i)
	}
	j.raw("\n  ]")
}

func (j *jsonWriter) userAccess(ua *UserAccess) {
	j.first = true
	j.field("user")
	j.str(ua.User)
	j.field("enabled")
	j.value(ua.Enabled)
	j.field("administrator")
	j.value(ua.Administrator)
	j.field("groups")
	j.list(len(ua.Groups), func(i int) {
		j.raw(`{"name":`)
		j.str(ua.Groups[i].Name)
		j.raw(`,"path":`)
		j.strs(ua.Groups[i].Path)
		j.raw("}")
	})
	j.field("exclusionGroups")
	j.list(len(ua.ExclusionGroups), func(i int) { j.value(ua.ExclusionGroups[i]) })
	j.field("roles")
	j.list(len(ua.Roles), func(i int) { j.value(ua.Roles[i]) })
	j.field("rights")
	j.list(len(ua.Rights), func(i int) { j.value(ua.Rights[i]) })
	j.field("sliceRules")
	j.list(len(ua.SliceRules), func(i int) { j.value(ua.SliceRules[i]) })
	j.raw("\n}\n")
}

func (j *jsonWriter) groupAccess(ga *GroupAccess) {
	j.first = true
	j.field("group")
	j.str(ga.Group)
	j.field("members")
	j.list(len(ga.Members), func(i int) {
		j.raw(`{"user":`)
		j.str(ga.Members[i].User)
		j.raw(`,"path":`)
		j.strs(ga.Members[i].Path)
		j.raw("}")
	})
	j.field("directMembers")
	j.raw(`{"users":`)
	j.strs(ga.DirectMembers.Users)
	j.raw(`,"groups":`)
	j.strs(ga.DirectMembers.Groups)
	j.raw("}")
	j.field("parents")
	j.strs(ga.Parents)
	j.field("usedBy")
	j.list(len(ga.UsedBy), func(i int) { j.value(ga.UsedBy[i]) })
	if ga.ExclusionEntries != nil {
		j.field("exclusionEntries")
		j.list(len(ga.ExclusionEntries), func(i int) { j.value(ga.ExclusionEntries[i]) })
	}
	j.raw("\n}\n")
}
