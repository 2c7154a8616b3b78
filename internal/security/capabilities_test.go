package security

import "testing"

func TestDockerDefaultCaps(t *testing.T) {
	var want Caps
	for _, n := range []string{"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
		"SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"} {
		c, err := CapByName(n)
		if err != nil {
			t.Fatal(err)
		}
		want |= 1 << c
	}
	if DockerDefaultCaps != want {
		t.Errorf("DockerDefaultCaps = %v\nwant %v", DockerDefaultCaps, want)
	}
}

func TestCapByName(t *testing.T) {
	for name, want := range map[string]int{"CAP_CHOWN": 0, "chown": 0, "Sys_Admin": 21, "cap_checkpoint_restore": 40} {
		if got, err := CapByName(name); err != nil || got != want {
			t.Errorf("CapByName(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "CAP_", "SYS_ADMINN", "ALL", "21"} {
		if _, err := CapByName(bad); err == nil {
			t.Errorf("CapByName(%q): no error", bad)
		}
	}
}

func TestResolveCaps(t *testing.T) {
	chown, kill, admin := Caps(1<<0), Caps(1<<5), Caps(1<<21)
	for _, c := range []struct {
		base       Caps
		add, drop  []string
		set, added Caps
	}{
		{DockerDefaultCaps, nil, nil, DockerDefaultCaps, 0},
		{DockerDefaultCaps, []string{"SYS_ADMIN"}, []string{"CHOWN"}, DockerDefaultCaps&^chown | admin, admin},
		{DockerDefaultCaps, []string{"kill"}, []string{"ALL"}, kill, kill},
		{DockerDefaultCaps, []string{"ALL"}, []string{"SYS_ADMIN"}, AllCaps &^ admin, AllCaps},
		{AllCaps, nil, []string{"ALL"}, 0, 0},
		{0, []string{"CHOWN"}, []string{"CHOWN"}, chown, chown}, // an add wins
	} {
		set, added, err := ResolveCaps(c.base, c.add, c.drop)
		if err != nil || set != c.set || added != c.added {
			t.Errorf("ResolveCaps(%v, +%v, -%v) = %v / %v, %v; want %v / %v", c.base, c.add, c.drop, set, added, err, c.set, c.added)
		}
	}
	if _, _, err := ResolveCaps(0, []string{"NOPE"}, nil); err == nil {
		t.Error("an unknown name: no error")
	}
}
