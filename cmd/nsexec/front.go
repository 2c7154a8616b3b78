package main

// nsexec_front makes the C constructor of the init package (initproc)
// start the front: the process the caller waits on, in C, which forks this
// program's Go side as the planner (see internal/initproc/front.c).

// int nsexec_front = 1;
import "C"
