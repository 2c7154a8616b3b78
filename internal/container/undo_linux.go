package container

import (
	"encoding/json"
	"errors"
	"fmt"

	"nsexec/internal/cgroups"
	"nsexec/internal/network"
	"nsexec/internal/state"
)

// A host part that an undoRecorder is can say, once attached, what undoing
// it takes, as data another process can act on: a later delete, after the
// nsexec that made the run is gone (the OCI runtime's case), or a clean-up
// after that nsexec was killed.
type undoRecorder interface {
	UndoStep() (state.UndoStep, error)
}

// An undoKeeper keeps the run's undo steps where a later process finds
// them (the instance record).
type undoKeeper interface {
	KeepUndo(steps []state.UndoStep) error
}

// undoers act on each kind of step.
var undoers = map[string]func(data json.RawMessage) error{
	"cgroup": func(data json.RawMessage) error {
		var r cgroups.Record
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		return cgroups.Remove(r)
	},
	"bridge": func(data json.RawMessage) error {
		var r network.RunRecord
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		return network.Undo(r)
	},
}

// UndoRecorded undoes recorded steps, last first, from any process: what
// the run's own nsexec would have undone at its end.
func UndoRecorded(steps []state.UndoStep) error {
	var errs []error
	for i := len(steps) - 1; i >= 0; i-- {
		undo, ok := undoers[steps[i].Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("undo: unknown step %q", steps[i].Kind))
			continue
		}
		if err := undo(steps[i].Data); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", steps[i].Kind, err))
		}
	}
	return errors.Join(errs...)
}

// step makes a step of kind with data.
func step(kind string, data any) (state.UndoStep, error) {
	raw, err := json.Marshal(data)
	return state.UndoStep{Kind: kind, Data: raw}, err
}

// recordUndo hands every part's undo step to the parts that keep them.
func (h hostSide) recordUndo() error {
	var steps []state.UndoStep
	for _, p := range h {
		if r, ok := p.(undoRecorder); ok {
			s, err := r.UndoStep()
			if err != nil {
				return err
			}
			if s.Kind != "" {
				steps = append(steps, s)
			}
		}
	}
	if len(steps) == 0 {
		return nil
	}
	for _, p := range h {
		if k, ok := p.(undoKeeper); ok {
			if err := k.KeepUndo(steps); err != nil {
				return err
			}
		}
	}
	return nil
}
