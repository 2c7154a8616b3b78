package spec

// Join is namespaces joined or persisted rather than created, and the instance name.
type Join struct{}
