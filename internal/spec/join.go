package spec

import (
	"errors"
	"fmt"
)

// Join is the namespaces a run joins or persists rather than only creates,
// its instance name, and the management requests that run nothing (--list,
// --unpersist).
type Join struct {
	// Target is --join: an instance name or a PID, whose namespaces (all
	// but those the run creates) the run joins, with its root, cwd, user
	// and environment, as `docker exec` does.
	Target string
	// From is --join-KIND: per kind, a PID or a namespace file.
	From map[Namespace]string
	// Persist is --persist-KIND: per kind, a file the namespace is bound
	// to, so that it outlives the run.
	Persist map[Namespace]string
	// Name is --name: the instance name --list shows and --join finds.
	Name string

	List      bool     // --list: show running instances, run nothing
	JSON      bool     // --json: --list as JSON
	Unpersist []string // --unpersist: unmount and delete persisted namespace files
}

// Joining reports whether the run joins anything.
func (j *Join) Joining() bool { return j.Target != "" || len(j.From) > 0 }

// Manages reports whether the command line is a management request
// (--list, --unpersist) that runs no command.
func (j *Join) Manages() bool { return j.List || len(j.Unpersist) > 0 }

// ValidName reports whether name can name an instance: it becomes a file
// name, and it must not read as a PID where --join takes either.
func ValidName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("instance name %q: want 1 to 64 characters", name)
	}
	digits := true
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			i > 0 && (c == '-' || c == '_' || c == '.')
		if !ok {
			return fmt.Errorf("instance name %q: use letters, digits, and - _ . after the first character", name)
		}
		digits = digits && c >= '0' && c <= '9'
	}
	if digits {
		return fmt.Errorf("instance name %q: all digits would read as a PID", name)
	}
	return nil
}

// checkInstanceName: an instance name must be usable as a file name and
// must not read as a PID.
func checkInstanceName(s *Spec) error {
	if s.Join.Name == "" {
		return nil
	}
	if err := ValidName(s.Join.Name); err != nil {
		return errorf("join.name", "%v", err)
	}
	return nil
}

// checkJoinedNotNew: a kind is either joined or new.
func checkJoinedNotNew(s *Spec) error {
	var errs []error
	for _, ns := range AllNamespaces {
		if s.Join.From[ns] != "" && s.New[ns] {
			errs = append(errs, errorf(JoinField(ns), "%s namespace: both new and joined%s", ns, impliedBy(s, ns)))
		}
	}
	return errors.Join(errs...)
}

// checkJoinNoLimits: a joined command is under its target's cgroups, so it
// can have no limits of its own.
func checkJoinNoLimits(s *Spec) error {
	if s.Join.Target != "" && s.NeedsCgroup() {
		return errorf("join.target", "%s and cgroup limits (%s, %s, %s, %s, %s...): a joined command goes into its target's cgroups and is under their limits; give limits to the instance when it starts",
			Field("join.target"), Field("limits.memory"), Field("limits.cpus"), Field("limits.pidsLimit"), Field("limits.devices"), Field("limits.cgroupParent"))
	}
	return nil
}

// checkJoinNoNewUser: a new user namespace would own none of the joined
// ones.
func checkJoinNoNewUser(s *Spec) error {
	if s.New[User] && s.Join.Joining() {
		return errorf(NewField(User), "a new user namespace (%s) cannot be combined with joining: it would own none of the joined namespaces; join the user namespace too", NewField(User))
	}
	return nil
}

// checkPersistFiles: two namespaces cannot be bound to one file.
func checkPersistFiles(s *Spec) error {
	seen := map[string]Namespace{}
	for _, ns := range AllNamespaces {
		f := s.Join.Persist[ns]
		if f == "" {
			continue
		}
		if other, dup := seen[f]; dup {
			return errorf(PersistField(ns), "persist %s and %s namespaces: both to %s", other, ns, f)
		}
		seen[f] = ns
	}
	return nil
}

// checkManagement: the management requests run nothing, and one at a
// time.
func checkManagement(s *Spec) error {
	if !s.Join.Manages() {
		if s.Join.JSON {
			return errorf("join.json", "%s goes with %s", Field("join.json"), Field("join.list"))
		}
		return nil
	}
	if s.Join.List && len(s.Join.Unpersist) > 0 {
		return errorf("join.list", "%s and %s: one at a time", Field("join.list"), Field("join.unpersist"))
	}
	if len(s.Args) > 0 || len(s.Kinds()) > 0 || s.Join.Joining() || s.Join.Name != "" || len(s.Join.Persist) > 0 {
		return errorf("join.list", "%s and %s take no command and no namespace options", Field("join.list"), Field("join.unpersist"))
	}
	return nil
}

// impliedBy explains why a kind the user did not ask for is new.
func impliedBy(s *Spec, ns Namespace) phrase {
	switch {
	case ns == Mount && s.Rootfs.Uses():
		return phrasef(" (%s and %s need a mount namespace of their own)", Field("rootfs.dir"), Field("rootfs.mounts"))
	case ns == Mount && s.MountProc:
		return phrasef(" (a new PID namespace needs a new mount namespace for its /proc)")
	case ns == Time && (s.MonotonicOffset != 0 || s.BoottimeOffset != 0):
		return phrasef(" (clock offsets need a new time namespace)")
	case ns == UTS && s.Hostname != "":
		return phrasef(" (%s sets the hostname of a new UTS namespace)", Field("hostname"))
	}
	return phrasef("")
}

// FlagName is the word of a kind in option names: --join-mount for the
// kind /proc calls mnt, as -m/--mount creates it.
func FlagName(ns Namespace) string {
	if ns == Mount {
		return "mount"
	}
	return string(ns)
}
