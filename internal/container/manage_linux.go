package container

import (
	"encoding/json"
	"errors"
	"os"

	"nsexec/internal/nsenter"
	"nsexec/internal/spec"
	"nsexec/internal/state"
)

// manage carries out the requests that run no command: --list [--json]
// and --unpersist FILE.
func manage(s *spec.Spec) (int, error) {
	if s.Join.List {
		return 0, list(s.Join.JSON)
	}
	var errs []error
	for _, file := range s.Join.Unpersist {
		if err := nsenter.Unpersist(file); err != nil {
			errs = append(errs, fieldError("join.unpersist", "%w", err))
		}
	}
	return 0, errors.Join(errs...)
}

// list prints the running instances; records of dead ones are deleted on
// the way.
func list(asJSON bool) error {
	dir, err := state.DefaultDir()
	if err != nil {
		return fieldError("join.list", ": %w", err)
	}
	recs, err := state.Open(dir).List()
	if err != nil {
		return fieldError("join.list", ": %w", err)
	}
	entries := state.Entries(recs)
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	return state.WriteTable(os.Stdout, entries)
}
