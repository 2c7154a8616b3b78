package spec

// Rootfs is the root filesystem and the mounts of a run.
type Rootfs struct{}
