/*
 * fuzz_config.c - libFuzzer target: any bytes through conf_load_string().
 * Every input must end in a freed conf and diag, with no crash and no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nomcastd/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	struct conf_diag d;
	char *text;

	/* the API takes a C string, so the text ends at the first NUL */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_load_string("fuzz.ini", text, &c, &d);
	conf_free(&c);
	conf_diag_free(&d);
	free(text);
	return 0;
}
