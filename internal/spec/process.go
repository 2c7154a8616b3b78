package spec

// Process is what CMD runs as: its cwd, environment, user and groups.
type Process struct{}
