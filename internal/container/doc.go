// Package container is the parent side of a run: it starts the init in new
// namespaces, tells it what to set up, forwards signals, waits, and turns
// what happened into one exit status or one error.
package container
