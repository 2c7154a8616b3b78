package main

// Issue 4's case: joining all the namespaces of a running instance, against
// nsenter (util-linux) doing the same. Both target the instance's CMD, a
// process in all eight kinds of its own; nsexec also takes over its root,
// cwd, user and environment, as docker exec does.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

func init() {
	ours := []string{"nsexec", "--join", "PID", "true"}
	nsenter := []string{"nsenter", "--target", "PID", "--all", "true"}
	addCase(Case{
		Name:  "join-all",
		Ours:  ours,
		Peers: map[string][]string{"nsenter": nsenter},
		Setup: func() (func(), error) {
			pid, stop, err := startJoinTarget()
			if err != nil {
				return nil, err
			}
			ours[2], nsenter[2] = strconv.Itoa(pid), strconv.Itoa(pid)
			return stop, nil
		},
	})
}

// startJoinTarget starts a long-running nsexec instance in all eight kinds
// of namespaces and returns the PID of its CMD, and how to stop it (by PID).
func startJoinTarget() (int, func(), error) {
	root, err := moduleRoot()
	if err != nil {
		return 0, nil, err
	}
	cmd := exec.Command(filepath.Join(root, "nsexec"), "--name", fmt.Sprintf("bench-join-%d", os.Getpid()),
		"-a", "-u", "joined", "sleep", "3600")
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM) // reaches sleep; nsexec then removes its record
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	// nsexec -> its init (PID 1 inside) -> sleep.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if t, err := processTree(); err == nil {
			for _, init := range t.children[cmd.Process.Pid] {
				for _, kid := range t.children[init] {
					if t.comm[kid] == "sleep" {
						return kid, stop, nil
					}
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return 0, nil, errors.New("the instance to join did not start (is ./nsexec built? make bench builds it)")
}
