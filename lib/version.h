/*
 * version.h - what --version prints: the program, the release, the commit
 * and how it was built, the same lines for nomcastd and nomcastctl, so
 * that a package, an image and a tarball can be told apart by them.
 */
#ifndef NOMCAST_VERSION_H
#define NOMCAST_VERSION_H

#include <stdio.h>

/* "nomcastd 0.1.0", "commit ...", "build ..." */
void	version_print(FILE *f, const char *prog);

#endif
