// mounts.c: the root filesystem and mounts of a run. See init.h.
#include "init.h"

int mounts_config(const char *key, const char *val)
{
	(void)key;
	(void)val;
	return 0;
}

void mounts_setup(void)
{
}
