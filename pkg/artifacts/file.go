package artifacts

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"secmgr/internal/oserr"
	"strings"
)

// Format is the value of the "format" field of an environment file.
const Format = "secmgr.environment/v1"

// FileError is a problem with an environment file; its message names the
// file.
type FileError struct {
	Path string
	Msg  string
}

func (e *FileError) Error() string { return fmt.Sprintf("environment file %s: %s", e.Path, e.Msg) }

// Encode writes env in its canonical form: fields in a fixed order, tabs in
// export order, rows sorted by key, two-space indentation, a final
// newline. The same security always gives the same bytes. env is not
// changed: when it is not normalized, a normalized copy is written.
func Encode(w io.Writer, env *Environment) error {
	if !env.normalized() {
		env = env.Clone()
		env.Normalize()
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	name, _ := json.Marshal(env.Name)
	fmt.Fprintf(bw, "{\n  \"format\": %q,\n  \"name\": %s", Format, name)
	v := reflect.ValueOf(env).Elem()
	var buf []byte
	for _, t := range tabs {
		rows := v.Field(t.field)
		fmt.Fprintf(bw, ",\n  %q: [", t.Name)
		for i := 0; i < rows.Len(); i++ {
			if i > 0 {
				bw.WriteByte(',')
			}
			buf = t.appendRowJSON(buf[:0], rows.Index(i))
			bw.Write(buf)
		}
		if rows.Len() > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteByte(']')
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// Marshal returns the canonical bytes of env.
func Marshal(env *Environment) ([]byte, error) {
	var b bytes.Buffer
	err := Encode(&b, env)
	return b.Bytes(), err
}

// Digest is "sha256:" and the hex SHA-256 of b: the fingerprint of a
// file's bytes.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FileDigest is the Digest of the file at path, read as a stream.
func FileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// Fingerprint is "sha256:" and the hex SHA-256 of env's canonical bytes.
func Fingerprint(env *Environment) (string, error) {
	h := sha256.New()
	if err := Encode(h, env); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// MaxFileSize bounds the environment files Load reads.
const MaxFileSize = 4 << 30

// Load reads an environment file strictly: another format version, an
// unknown field, a duplicate key or a value of the wrong type is refused
// with an error naming the file, rather than read in part.
func Load(path string) (*Environment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{path, describeOSError(err)}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &FileError{path, "is a folder, not a file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &FileError{path, describeOSError(err)}
	}
	if len(data) > MaxFileSize {
		return nil, &FileError{path, "is larger than 4 GiB"}
	}
	env, err := Decode(data)
	if err != nil {
		return nil, &FileError{path, err.Error()}
	}
	return env, nil
}

func describeOSError(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "does not exist"
	}
	if errors.Is(err, os.ErrPermission) {
		return "cannot be read: permission denied"
	}
	return oserr.Reason(err)
}

// Decode parses the bytes of an environment file (see Load).
func Decode(data []byte) (*Environment, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("is empty; create one with 'secmgr init'")
	}
	// One pass over the top-level object: each tab decodes straight into
	// its slice. The format is checked when it is met (first, in the files
	// secmgr writes) and again at the end.
	env := &Environment{}
	v := reflect.ValueOf(env).Elem()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("is not a valid environment file: %s", jsonProblemAt(data, dec.InputOffset(), err, "it does not start with a JSON object"))
	}
	format, seenFormat := "", false
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("is not a valid environment file: %s", jsonProblemAt(data, dec.InputOffset(), err, ""))
		}
		k, _ := tok.(string)
		if seen[k] {
			return nil, fmt.Errorf("has the field %q twice", k)
		}
		seen[k] = true
		switch k {
		case "format":
			if err := dec.Decode(&format); err != nil {
				return nil, errors.New(`"format" is not a string`)
			}
			seenFormat = true
			if err := checkFormat(format); err != nil {
				return nil, err
			}
			continue
		case "name":
			if err := dec.Decode(&env.Name); err != nil {
				return nil, errors.New(`"name" is not a string`)
			}
			continue
		}
		t, ok := tabByExactName(k)
		if !ok {
			if !seenFormat {
				return nil, errors.New(`has no "format" field before its data; it is not a secmgr environment file`)
			}
			return nil, fmt.Errorf("has the unknown field %q; secmgr refuses to read a file it could not write back", k)
		}
		if err := dec.Decode(v.Field(t.field).Addr().Interface()); err != nil {
			if !seenFormat {
				return nil, errors.New(`has no "format" field before its data; it is not a secmgr environment file`)
			}
			return nil, fmt.Errorf("tab %s: %s", t.Name, jsonProblemAt(data, dec.InputOffset(), err, ""))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("is not a valid environment file: %s", jsonProblemAt(data, dec.InputOffset(), err, ""))
	}
	if dec.More() {
		return nil, errors.New("is not a valid environment file: there is more after the closing brace")
	}
	if !seenFormat {
		return nil, errors.New(`has no "format" field; it is not a secmgr environment file`)
	}
	if err := env.check(data); err != nil {
		return nil, err
	}
	env.Normalize()
	return env, nil
}

func tabByExactName(name string) (*Tab, bool) {
	for _, t := range tabs {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// jsonProblem describes a decoding error with its line where it has one.
func jsonProblem(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("line %d: %v (the file may be truncated or corrupt)", 1+bytes.Count(data[:min(int(se.Offset), len(data))], []byte{'\n'}), se)
	case errors.As(err, &te):
		return fmt.Sprintf("line %d: field %s: %s is not a %s", 1+bytes.Count(data[:min(int(te.Offset), len(data))], []byte{'\n'}), te.Field, te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends too early (truncated)"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return "has the " + strings.TrimPrefix(msg, "json: ") + "; secmgr refuses to read a file it could not write back"
	}
	return strings.TrimPrefix(msg, "json: ")
}

// check refuses an environment that breaks its invariants (see
// Violations), naming the line of each row in data where it can, and
// keeps the key indexes it builds on the way.
func (env *Environment) check(data []byte) error {
	c := &checker{env: env, limit: maxShown}
	c.run(&env.index)
	if c.total == 0 {
		return nil
	}
	return errors.New(JoinViolations(c.list, c.total, func(v Violation) string {
		if line := rowLine(data, tabs[v.Tab].Name, v.Row); line > 0 {
			return fmt.Sprintf("line %d: %s", line, v.Msg)
		}
		return v.Msg
	}))
}

// rowLine returns the line on which row i of the named tab starts in the
// file data, or 0. It reads the file again, so it is meant for errors.
func rowLine(data []byte, tab string, i int) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		if k, _ := tok.(string); k != tab {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return 0
		}
		for n := 0; dec.More(); n++ {
			if n == i {
				// The offset is just past the previous value; the row
				// starts at the next '{'.
				off := int(dec.InputOffset())
				if j := bytes.IndexByte(data[off:], '{'); j >= 0 {
					off += j
				}
				return 1 + bytes.Count(data[:off], []byte{'\n'})
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0
			}
		}
		return 0
	}
	return 0
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Save writes env canonically to path, atomically: it writes a temporary
// file in the same folder with owner-only permissions, flushes it to disk
// and renames it over path, so a crash leaves the old or the new file,
// never a mix.
func Save(path string, env *Environment) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return Encode(w, env) })
}

// WriteFileAtomic writes a file holding security through write: a
// temporary file (mode 0600) in the same folder, fsync, rename, and an
// fsync of the folder. The rename replaces whatever is at path, a
// symbolic link included, and never writes through it. Its errors are
// *WriteError, naming path once.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		we := &WriteError{Path: path, Err: err}
		if errors.Is(err, os.ErrPermission) {
			we.Msg = "the folder " + dir + " is not writable"
		}
		return we
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	if err := write(tmp); err != nil {
		var we *WriteError
		if errors.As(err, &we) && we.Path == path {
			return err // already says it could not write path
		}
		return &WriteError{Path: path, Err: err}
	}
	if err := tmp.Sync(); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	if err := tmp.Close(); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	if err := os.Rename(name, path); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteError is a file that could not be written: "cannot write PATH:
// why". The cause is described without the temporary file's name.
type WriteError struct {
	Path string
	Msg  string // why, when not the cause's own description
	Err  error
}

func (e *WriteError) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = oserr.Reason(e.Err)
	}
	return "cannot write " + e.Path + ": " + msg
}

func (e *WriteError) Unwrap() error { return e.Err }

// checkFormat refuses a file of another format or version.
func checkFormat(format string) error {
	if format == Format {
		return nil
	}
	if strings.HasPrefix(format, "secmgr.environment/") {
		return fmt.Errorf("has format %q; this secmgr reads %q only — use the secmgr version that wrote it", format, Format)
	}
	return fmt.Errorf("has format %q; it is not a secmgr environment file (expected %q)", format, Format)
}

// jsonProblemAt describes a decoding error at offset, with its line.
func jsonProblemAt(data []byte, offset int64, err error, fallback string) string {
	if err == nil {
		return fallback
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends too early (truncated)"
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if !errors.As(err, &se) && !errors.As(err, &te) {
		line := 1 + bytes.Count(data[:min(int(offset), len(data))], []byte{'\n'})
		return fmt.Sprintf("line %d: %s", line, jsonProblem(data, err))
	}
	return jsonProblem(data, err)
}
