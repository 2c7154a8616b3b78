package initproc

// The constructor in init.c is all there is: nothing is called from Go.

import "C"
