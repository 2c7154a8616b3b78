package nsenter

import (
	"os"

	"nsexec/internal/linux"
	"nsexec/internal/procfs"
)

// Forwarders for the callers not yet switched to internal/procfs
// (internal/container/join_linux.go): remove once none is left.

// Deprecated: use procfs.ReadStat.
func ReadStat(pid int) (procfs.Stat, error) { return procfs.ReadStat(pid) }

// Deprecated: use procfs.Alive.
func Alive(pid int, start uint64) bool { return procfs.Alive(pid, start) }

// Deprecated: use procfs.ReadStatus.
func ReadStatus(pid int) (procfs.Status, error) { return procfs.ReadStatus(pid) }

// Deprecated: use procfs.ReadIDMap.
func ReadIDMap(pid int, which string) ([]byte, error) { return procfs.ReadIDMap(pid, which) }

// Deprecated: use procfs.MapID.
func MapID(id uint32, idMap []byte) (uint32, error) { return procfs.MapID(id, idMap) }

// Deprecated: use procfs.Descend.
func Descend(pid, depth int) (int, error) { return procfs.Descend(pid, depth) }

// Deprecated: use procfs.Open.
func OpenProcfs() (*os.File, error) { return procfs.Open() }

// Deprecated: use linux.ReadFile.
func ReadFile(path string) ([]byte, error) { return linux.ReadFile(path) }
