package ipam

import (
	"os"

	"nsexec/internal/procfs"
)

// Self is the calling process as a lease owner.
func Self() (Owner, error) {
	st, err := procfs.ReadStat(os.Getpid())
	if err != nil {
		return Owner{}, err
	}
	return Owner{PID: os.Getpid(), Start: st.Start}, nil
}

// Alive reports whether o still runs: its PID exists, started when o says,
// and has not exited (a zombie holds no lease).
func (o Owner) Alive() bool { return procfs.Alive(o.PID, o.Start) }
