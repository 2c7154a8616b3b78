// process.c: what CMD runs as. See init.h.
#include "init.h"

int process_config(const char *key, const char *val)
{
	(void)key;
	(void)val;
	return 0;
}

void process_before_exec(void)
{
}
