/*
 * version.c - the --version lines; see version.h.  The commit comes from
 * git at build time (lib/build_info.h.in), the options from meson.
 */
#include "lib/version.h"

#include "build_info.h"

void
version_print(FILE *f, const char *prog)
{
	fprintf(f, "%s %s\n", prog, NOMCAST_VERSION);
	fprintf(f, "commit %s\n", NOMCAST_COMMIT);
	fprintf(f, "build %s\n", NOMCAST_BUILD_OPTS);
}
