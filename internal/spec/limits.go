package spec

// Limits is the resources a run may use: cgroup limits and rlimits.
type Limits struct{}
