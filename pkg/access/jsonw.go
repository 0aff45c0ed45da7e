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

// values writes field key as a list of values, one per line.
func values[T any](j *jsonWriter, key string, list []T) {
	j.field(key)
	j.list(len(list), func(i int) { j.value(list[i]) })
}

// reached writes a user or group with the path that reaches it:
// {"<key>":name,"path":[…]}.
func (j *jsonWriter) reached(key, name string, path []string) {
	j.raw(`{"`)
	j.raw(key)
	j.raw(`":`)
	j.str(name)
	j.raw(`,"path":`)
	j.strs(path)
	j.raw("}")
}

// document writes a top-level object whose first field, key, names what
// it describes; fields writes the rest.
func (j *jsonWriter) document(key, name string, fields func()) {
	j.first = true
	j.field(key)
	j.str(name)
	fields()
	j.raw("\n}\n")
}

func (j *jsonWriter) userAccess(ua *UserAccess) {
	j.document("user", ua.User, func() {
		j.field("enabled")
		j.value(ua.Enabled)
		j.field("administrator")
		j.value(ua.Administrator)
		j.field("groups")
		j.list(len(ua.Groups), func(i int) { j.reached("name", ua.Groups[i].Name, ua.Groups[i].Path) })
		values(j, "exclusionGroups", ua.ExclusionGroups)
		values(j, "roles", ua.Roles)
		values(j, "rights", ua.Rights)
		values(j, "sliceRules", ua.SliceRules)
	})
}

func (j *jsonWriter) groupAccess(ga *GroupAccess) {
	j.document("group", ga.Group, func() {
		j.field("members")
		j.list(len(ga.Members), func(i int) { j.reached("user", ga.Members[i].User, ga.Members[i].Path) })
		j.field("directMembers")
		j.raw(`{"users":`)
		j.strs(ga.DirectMembers.Users)
		j.raw(`,"groups":`)
		j.strs(ga.DirectMembers.Groups)
		j.raw("}")
		j.field("parents")
		j.strs(ga.Parents)
		values(j, "usedBy", ga.UsedBy)
		if ga.ExclusionEntries != nil {
			values(j, "exclusionEntries", ga.ExclusionEntries)
		}
	})
}
