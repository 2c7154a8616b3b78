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

	"nsexec/internal/container"
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
		code, err = container.Run(s, tr)
	}
	if err != nil {
		var ce *container.Error
		if errors.As(err, &ce) && ce.Field != "" {
			fmt.Fprintf(os.Stderr, "nsexec: %s\n", ce.Worded(flagOf))
		} else {
			fmt.Fprintf(os.Stderr, "nsexec: %v\n", err)
		}
		if ce != nil {
			os.Exit(ce.Code)
		}
		os.Exit(125)
	}
	os.Exit(code)
}

// fieldFlags name the spec fields of the engine's errors as nsexec's
// options do.
var fieldFlags = map[string]string{
	"process.cwd":      "--chdir",
	"process.env":      "--env",
	"process.tty":      "--tty",
	"security.cap_add": "--cap-add",
}

func flagOf(field string) string {
	if f, ok := fieldFlags[field]; ok {
		return f
	}
	return field
}
