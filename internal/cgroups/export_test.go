package cgroups

// What the external tests reach of the package's insides.
var (
	CreateAt  = createAt
	CleanupAt = cleanupAt
	IsV2At    = isV2At
)

// IsV2Cgroup reports whether cg is a cgroup v2 one.
func (cg *Cgroup) IsV2Cgroup() bool { return cg.v2 }

// DropLocks forgets cg as a dead nsexec would: its locks go, it stays.
func (cg *Cgroup) DropLocks() {
	for _, fd := range cg.locks {
		closeFD(fd)
	}
	cg.locks = nil
}
