package spec

// Network is how a new network namespace is connected.
type Network struct{}
