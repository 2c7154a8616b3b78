// Command nsexec runs a command in new Linux namespaces:
//
//	nsexec [OPTIONS] <CMD> [ARGS...]
//
// It only turns the command line into a spec and hands it to the engine;
// everything it prints on failure is one "nsexec: <what>: <why>" line.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"nsexec/internal/container"
	"nsexec/internal/spec"
	"nsexec/internal/trace"
)

func main() {
	tr := trace.New(false)
	s, err := parse(os.Args[1:])
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "nsexec: %v\nTry 'nsexec --help' for more information.\n", err)
		os.Exit(125)
	case s == nil:
		usage(os.Stdout)
		os.Exit(0)
	}
	if s.Verbose {
		tr = tr.Enable()
		tr.Step("parse: %d namespaces, command %q", len(s.Kinds()), s.Args)
	}
	var code int
	if s.Network.Cleanup {
		err = container.NetworkCleanup(s)
	} else {
		container.FieldWord = engineWord(s)
		code, err = container.Run(s, tr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "nsexec: %s\n", engineMessage(s, err))
		var ce *container.Error
		if errors.As(err, &ce) {
			os.Exit(ce.Code)
		}
		os.Exit(125)
	}
	os.Exit(code)
}

// engineWord words the fields of the engine's errors as nsexec's options,
// as it does the spec's (words.go); a field with no option keeps its path.
func engineWord(s *spec.Spec) func(string) string {
	word := optionWord(s)
	return func(f string) string {
		if w := word(spec.Field(f)); w != "" {
			return w
		}
		return f
	}
}

// engineMessage is err with the field an engine's error is about named as
// nsexec's option (the first such error in its chain).
func engineMessage(s *spec.Spec, err error) string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ce, ok := e.(*container.Error); ok && ce.Field != "" {
			return strings.Replace(msg, ce.Error(), ce.Worded(engineWord(s)), 1)
		}
	}
	return msg
}
