package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// A command is one tool's command line of a case, ready to fork/exec.
type command struct {
	tool string // "nsexec" or the peer's name
	path string // argv[0] resolved once, so no PATH look-up is timed
	argv []string
}

// commandsOf lists the case's commands, nsexec first and then the peers by
// name, with the word "nsexec" in Ours replaced by the built binary.
func commandsOf(c Case, nsexec string) []command {
	ours := make([]string, len(c.Ours))
	for i, a := range c.Ours {
		if a == "nsexec" {
			a = nsexec
		}
		ours[i] = a
	}
	cmds := []command{{tool: "nsexec", argv: ours}}
	names := make([]string, 0, len(c.Peers))
	for name := range c.Peers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cmds = append(cmds, command{tool: name, argv: c.Peers[name]})
	}
	return cmds
}

// resolve finds argv[0] on PATH.
func (c *command) resolve() error {
	if len(c.argv) == 0 {
		return errors.New("empty command line")
	}
	path, err := exec.LookPath(c.argv[0])
	if err != nil {
		return fmt.Errorf("%s is not installed (make bench-deps installs it)", c.argv[0])
	}
	c.path = path
	return nil
}

// cmd prepares one run with every standard stream on /dev/null.
func (c *command) cmd(devnull *os.File) *exec.Cmd {
	return &exec.Cmd{Path: c.path, Args: c.argv, Stdin: devnull, Stdout: devnull, Stderr: devnull, Dir: "/"}
}

// check runs the command once, untimed, and says why it does not succeed.
func (c *command) check(devnull *os.File) error {
	if err := c.resolve(); err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := c.cmd(devnull)
	cmd.Stderr = &stderr
	if err := runWithin(cmd, time.Minute); err != nil {
		if msg := firstLine(stderr.String()); msg != "" {
			return fmt.Errorf("%v: %s", err, msg)
		}
		return err
	}
	return nil
}

// runWithin runs cmd, killing it if it outlives timeout.
func runWithin(cmd *exec.Cmd, timeout time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	t := time.AfterFunc(timeout, func() { cmd.Process.Kill() })
	defer t.Stop()
	return cmd.Wait()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func (c *command) String() string { return strings.Join(c.argv, " ") }
