package spec

// Security is the confinement of CMD: capabilities, no_new_privs, seccomp.
type Security struct{}
