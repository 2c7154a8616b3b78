package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// Field names a field of the spec by its path, in the engine's words:
// "limits.memory", "process.env[2]", "new.pid". A message names every field
// it speaks of as a Field, never as an option, so that each front end words
// it its own way: nsexec as its option (--memory), an OCI runtime as
// config.json's field (linux.resources.memory.limit).
type Field string

// Index is the field of element i of the list f: "process.env[2]".
func (f Field) Index(i int) Field { return f + Field("["+strconv.Itoa(i)+"]") }

// Key is the field of key k of the map f: "join.from.net".
func (f Field) Key(k string) Field { return f + "." + Field(k) }

// Element splits the path of a list element into the list and the index:
// "rootfs.mounts[3].dst" is "rootfs.mounts", 3, "dst". ok is false when f
// is no element of a list.
func (f Field) Element() (list Field, i int, rest string, ok bool) {
	open := strings.IndexByte(string(f), '[')
	end := strings.IndexByte(string(f), ']')
	if open < 0 || end < open {
		return f, 0, "", false
	}
	i, err := strconv.Atoi(string(f[open+1 : end]))
	if err != nil {
		return f, 0, "", false
	}
	return f[:open], i, strings.TrimPrefix(string(f[end+1:]), "."), true
}

// FieldError is one violation of the spec's rules, about the field Path.
// Its message is kept as a format and its arguments until it is read, so
// that the reader words the fields it names (see Words).
type FieldError struct {
	Path Field
	msg  phrase
}

// errorf makes a FieldError about path; the Field arguments of format are
// worded by the reader. An error argument (formatted with %v) is what the
// FieldError unwraps to.
func errorf(path Field, format string, args ...any) *FieldError {
	return &FieldError{Path: path, msg: phrase{format, args}}
}

// Error words the fields as their paths.
func (e *FieldError) Error() string { return e.Words(nil) }

// Words formats the message with word(f) for each field f it names; a nil
// word, or one that returns "", leaves the path.
func (e *FieldError) Words(word func(Field) string) string { return e.msg.words(word) }

// phrase is a part of a message that names fields: its Field arguments,
// and those of the phrases among them, are worded when it is read.
type phrase struct {
	format string
	args   []any
}

func phrasef(format string, args ...any) phrase { return phrase{format, args} }

func (p phrase) words(word func(Field) string) string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		switch a := a.(type) {
		case Field:
			w := ""
			if word != nil {
				w = word(a)
			}
			if w == "" {
				w = string(a)
			}
			args[i] = w
		case phrase:
			args[i] = a.words(word)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(p.format, args...)
}

// Unwrap is the error the message quotes, if any.
func (e *FieldError) Unwrap() error {
	for _, a := range e.msg.args {
		if err, ok := a.(error); ok {
			return err
		}
	}
	return nil
}

// Reword is the text of err (a FieldError, or errors.Join of them, as
// Validate returns) with every field worded by word; other errors keep
// their own text.
func Reword(err error, word func(Field) string) string {
	if fe, ok := err.(*FieldError); ok {
		return fe.Words(word)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range j.Unwrap() {
			lines = append(lines, Reword(e, word))
		}
		return strings.Join(lines, "\n")
	}
	return err.Error()
}

// NewField, ShareField, JoinField and PersistField are the fields that
// create, share, join and persist a namespace of kind ns: "new.pid",
// "share.pid", "join.from.pid", "join.persist.pid".
func NewField(ns Namespace) Field     { return Field("new").Key(string(ns)) }
func ShareField(ns Namespace) Field   { return Field("share").Key(string(ns)) }
func JoinField(ns Namespace) Field    { return Field("join.from").Key(string(ns)) }
func PersistField(ns Namespace) Field { return Field("join.persist").Key(string(ns)) }
