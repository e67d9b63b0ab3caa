/*
 * fuzz_restart_rec.c - libFuzzer target: any bytes as a graceful restart
 * record.  A parse that succeeds must give back what it read when the
 * record is formatted again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nomcastd/restart_rec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct restart_rec r, again;
	char why[200], text[RESTART_REC_MAX];
	int n;

	if (restart_rec_parse((const char *)data, size, &r, why,
	    sizeof(why)) == -1)
		return 0;
	n = restart_rec_format(&r, text, sizeof(text));
	if (n == -1 || restart_rec_parse(text, (size_t)n, &again, why,
	    sizeof(why)) == -1 || again.at_ms != r.at_ms ||
	    again.restart_time != r.restart_time || again.nbfd != r.nbfd ||
	    strcmp(again.boot_id, r.boot_id) != 0)
		abort();
	return 0;
}
