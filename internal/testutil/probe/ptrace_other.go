//go:build !amd64

package main

func ptraceInject(pid int, what string) { fail("ptrace-inject: amd64 only") }
