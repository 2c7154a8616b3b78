package initproc

// The constructor in init.c is all there is: nothing is called from Go.

// The binary is linked statically: without the dynamic loader both the parent
// and the re-executed init start about 0.4 ms sooner each on this machine (an
// empty cgo program: 2.9 ms dynamic, 1.9 ms static). Build with the tags
// netgo,osusergo (the Makefile does) so that no libc resolver is linked in.

// The C is held to every warning the compiler has for it.

// #cgo CFLAGS: -Wall -Wextra -Werror
// #cgo LDFLAGS: -static
import "C"
