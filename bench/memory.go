package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// procMem is the memory of one host process, in kB.
type procMem struct {
	pid      int
	comm     string
	rss, pss int // VmRSS from status, Pss from smaps_rollup
}

// A memory is what one command of a memory case measured.
type memory struct {
	command
	failed string
	parent procMem // the process started (nsexec, unshare, bwrap)
	pid1   procMem // its first child: PID 1 of the new PID namespace
}

// settle lets PID 1 finish its set-up and sit in its wait loop before it is
// measured.
const settle = 150 * time.Millisecond

// measureMemory runs each command once and reads the memory of the process
// started and of its first child while a process named cmdName runs below.
func measureMemory(cmds []command, cmdName string, devnull *os.File) []memory {
	res := make([]memory, len(cmds))
	for i := range cmds {
		res[i].command = cmds[i]
		if err := res[i].measure(cmdName, devnull); err != nil {
			res[i].failed = err.Error()
		}
	}
	return res
}

func (m *memory) measure(cmdName string, devnull *os.File) error {
	if err := m.resolve(); err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := m.cmd(devnull)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	pid := cmd.Process.Pid
	readErr := m.read(pid, cmdName, done)
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		err = <-done
	}
	if err != nil {
		if msg := firstLine(stderr.String()); msg != "" {
			return fmt.Errorf("%v: %s", err, msg)
		}
		return err
	}
	return readErr
}

// read waits (5 s at most) for cmdName to run below pid, then reads the
// memory of pid and of its first child. It gives up if the command ends.
func (m *memory) read(pid int, cmdName string, done chan error) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		tree, err := processTree()
		if err != nil {
			return err
		}
		if tree.hasBelow(pid, cmdName) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %s process appeared under PID %d within 5s", cmdName, pid)
		}
		select {
		case err := <-done:
			done <- err // measure still waits for it
			return fmt.Errorf("ended before %s ran", cmdName)
		case <-time.After(2 * time.Millisecond):
		}
	}
	time.Sleep(settle)
	tree, err := processTree()
	if err != nil {
		return err
	}
	kids := tree.children[pid]
	if len(kids) == 0 {
		return fmt.Errorf("PID %d has no child", pid)
	}
	if m.parent, err = readProcMem(pid, tree.comm[pid]); err != nil {
		return err
	}
	m.pid1, err = readProcMem(kids[0], tree.comm[kids[0]])
	return err
}

// A tree is the host's process tree at one moment.
type tree struct {
	comm     map[int]string
	children map[int][]int // sorted by PID: the first is the oldest child
}

func processTree() (*tree, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	t := &tree{comm: map[int]string{}, children: map[int][]int{}}
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		data, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue // it ended meanwhile
		}
		comm, ppid, err := parseStat(string(data))
		if err != nil {
			continue
		}
		t.comm[pid] = comm
		t.children[ppid] = append(t.children[ppid], pid)
	}
	for _, kids := range t.children {
		sort.Ints(kids)
	}
	return t, nil
}

// hasBelow says whether a descendant of pid is named comm.
func (t *tree) hasBelow(pid int, comm string) bool {
	for _, kid := range t.children[pid] {
		if t.comm[kid] == comm || t.hasBelow(kid, comm) {
			return true
		}
	}
	return false
}

// parseStat takes comm and the parent PID from /proc/PID/stat; comm is in
// parentheses and may hold spaces and parentheses itself.
func parseStat(s string) (comm string, ppid int, err error) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0, errors.New("stat: no comm")
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 2 {
		return "", 0, errors.New("stat: too short")
	}
	ppid, err = strconv.Atoi(f[1])
	return s[open+1 : end], ppid, err
}

func readProcMem(pid int, comm string) (procMem, error) {
	m := procMem{pid: pid, comm: comm}
	dir := "/proc/" + strconv.Itoa(pid)
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return m, err
	}
	rollup, err := os.ReadFile(dir + "/smaps_rollup")
	if err != nil {
		return m, err
	}
	if m.rss, err = kbField(string(status), "VmRSS"); err != nil {
		return m, fmt.Errorf("PID %d: %w", pid, err)
	}
	if m.pss, err = kbField(string(rollup), "Pss"); err != nil {
		return m, fmt.Errorf("PID %d: %w", pid, err)
	}
	return m, nil
}

// kbField reads a "Key:   123 kB" line of a /proc file.
func kbField(s, key string) (int, error) {
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != key {
			continue
		}
		return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
	}
	return 0, fmt.Errorf("no %s line", key)
}
