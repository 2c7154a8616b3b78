// Package mounts plans the root filesystem and the mounts of a run: the
// user's options become an ordered list of simple operations (mount a
// filesystem, bind, make a device, a directory or a symlink, mask, make
// read-only, pivot_root), with every destination a path inside the new root.
//
// It makes no system calls: the init applies the plan in C (mounts.c),
// resolving each destination inside the root with openat2(RESOLVE_IN_ROOT)
// and mounting onto the resulting descriptor, so that a symlink in the
// rootfs can never send a mount outside it.
package mounts
