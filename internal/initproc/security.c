// security.c: the confinement of CMD. See init.h.
#include "init.h"

int security_config(const char *key, const char *val)
{
	(void)key;
	(void)val;
	return 0;
}

void security_before_exec(void)
{
}
