package cgroups

import (
	"fmt"
	"reflect"
	"testing"
)

func TestSettings(t *testing.T) {
	r := Resources{Memory: 64 << 20, CPUQuota: 50000, CPUShares: 1024, CpusetCPUs: "0", PidsMax: 64}
	v1 := []setting{
		{"memory", "memory.limit_in_bytes", "67108864", false},
		{"memory", "memory.memsw.limit_in_bytes", "134217728", true},
		{"cpu", "cpu.cfs_period_us", "100000", false},
		{"cpu", "cpu.cfs_quota_us", "50000", false},
		{"cpu", "cpu.shares", "1024", false},
		{"cpuset", "cpuset.cpus", "0", false},
		{"pids", "pids.max", "64", false},
	}
	if got := r.settings(false); !reflect.DeepEqual(got, v1) {
		t.Errorf("v1:\n got %v\nwant %v", got, v1)
	}
	v2 := []setting{
		{"memory", "memory.max", "67108864", false},
		{"memory", "memory.swap.max", "67108864", true},
		{"cpu", "cpu.max", "50000 100000", false},
		{"cpu", "cpu.weight", "39", false},
		{"cpuset", "cpuset.cpus", "0", false},
		{"pids", "pids.max", "64", false},
	}
	if got := r.settings(true); !reflect.DeepEqual(got, v2) {
		t.Errorf("v2:\n got %v\nwant %v", got, v2)
	}
	if got := r.controllers(); !reflect.DeepEqual(got, []string{"memory", "cpu", "cpuacct", "cpuset", "pids"}) {
		t.Errorf("controllers %v", got)
	}
}

func TestSettingsSwapAndDevices(t *testing.T) {
	for _, c := range []struct {
		r      Resources
		v1, v2 string
	}{
		{Resources{Memory: 100, MemorySwap: 300}, "300", "200"},
		{Resources{Memory: 100, MemorySwap: -1}, "-1", "max"},
		{Resources{Memory: 100}, "200", "100"},
	} {
		if got := c.r.settings(false)[1].value; got != c.v1 {
			t.Errorf("%+v v1 memsw %s, want %s", c.r, got, c.v1)
		}
		if got := c.r.settings(true)[1].value; got != c.v2 {
			t.Errorf("%+v v2 swap.max %s, want %s", c.r, got, c.v2)
		}
	}
	r := Resources{PidsMax: -1, Devices: DefaultDevices[:2]}
	want := []setting{
		{"pids", "pids.max", "max", false},
		{"devices", "devices.deny", "a", false},
		{"devices", "devices.allow", "c 1:3 rwm", false},
		{"devices", "devices.allow", "c 1:5 rwm", false},
	}
	if got := r.settings(false); !reflect.DeepEqual(got, want) {
		t.Errorf("devices v1:\n got %v\nwant %v", got, want)
	}
	if got := (Device{'c', 136, -1, "rwm"}).String(); got != "c 136:* rwm" {
		t.Errorf("pts rule %q", got)
	}
	if got := r.settings(true); len(got) != 1 {
		t.Errorf("devices on v2 are a program, not files: %v", got)
	}
	if got := v2Controllers(Resources{CPUShares: 2, Devices: DefaultDevices}); !reflect.DeepEqual(got, []string{"cpu"}) {
		t.Errorf("v2 controllers %v", got)
	}
}

func TestSharesWeight(t *testing.T) {
	for shares, weight := range map[uint64]uint64{2: 1, 1024: 39, 262144: 10000} {
		if got := (Resources{CPUShares: shares}).weight(); got != weight {
			t.Errorf("shares %d -> weight %d, want %d", shares, got, weight)
		}
	}
	for weight, shares := range map[uint64]uint64{1: 2, 100: 2597, 10000: 262144} {
		if got := (Resources{CPUWeight: weight}).shares(); got != shares {
			t.Errorf("weight %d -> shares %d, want %d", weight, got, shares)
		}
	}
}

func TestMiB(t *testing.T) {
	for n, want := range map[int64]string{64 << 20: "64MiB", 1 << 30: "1GiB", 3 << 29: "1.5GiB", 1000: "1000B", 6 << 10: "6KiB", 100<<20 + 1: "100.0MiB"} {
		if got := MiB(n); got != want {
			t.Errorf("MiB(%d) = %s, want %s", n, got, want)
		}
	}
}

// The device program, read back: each rule tests the type, the numbers
// given, and the access; the program ends denying.
func TestDeviceFilterShape(t *testing.T) {
	prog := deviceFilter([]Device{{'c', 1, 3, "rwm"}, {'b', 7, -1, "r"}})
	n := len(prog) / 8
	if len(prog)%8 != 0 || n != 7+8+7+2 {
		t.Fatalf("%d bytes: want %d instructions", len(prog), 7+8+7+2)
	}
	last := fmt.Sprintf("% x", prog[len(prog)-16:])
	if last != "b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00" {
		t.Errorf("the program does not end with r0 = 0; exit: %s", last)
	}
}
