package spec

import (
	"fmt"
	"strings"
)

// CapabilityNames are capabilities(7) in kernel order (linux/capability.h):
// bit N of a capability set is CapabilityNames[N]. The spec names
// capabilities; internal/security turns the names into sets.
var CapabilityNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// CapabilityByName returns the number of a capability named as in
// capabilities(7), with or without CAP_, in any case.
func CapabilityByName(name string) (int, error) {
	n := strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(n, "CAP_") {
		n = "CAP_" + n
	}
	for i, c := range CapabilityNames {
		if c == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown capability %q (see capabilities(7); ALL means every one)", name)
}

// checkCapNames checks a list of capability names, where ALL is every one.
func checkCapNames(names []string) error {
	for _, n := range names {
		if strings.EqualFold(n, "ALL") {
			continue
		}
		if _, err := CapabilityByName(n); err != nil {
			return err
		}
	}
	return nil
}
