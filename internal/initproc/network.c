// The network feature inside: bind the bridge's shared /etc/hosts and
// /etc/resolv.conf (kept by the parent, see internal/network) over the
// host's, read only, so that runs on a bridge resolve each other by name
// and reach a nameserver. Everything else about the network (eth0, its
// address and routes) is done by the parent before the config arrives.
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "init.h"

static const char *hosts_src, *resolv_src;

int network_config(const struct nsx_rec *r)
{
	if (r->key == NSX_NET_HOSTS)
		hosts_src = r->str;
	else if (r->key == NSX_NET_RESOLV)
		resolv_src = r->str;
	else
		return 0;
	return 1;
}

static void bind_file(const char *src, const char *dst)
{
	if (access(dst, F_OK) < 0)
		return; // nothing to cover: the host has no such file
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		fail(125, "init: bind %s on %s: %s", src, dst, strerror(errno));
	if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail(125, "init: make %s read-only: %s", dst, strerror(errno));
	trace("net: %s from %s", dst, src);
}

void network_setup(void)
{
	if (hosts_src)
		bind_file(hosts_src, "/etc/hosts");
	if (resolv_src)
		bind_file(resolv_src, "/etc/resolv.conf");
}
