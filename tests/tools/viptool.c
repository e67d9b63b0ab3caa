/*
 * viptool.c - drive nomcastd/vip.c from the command line, for the VIP
 * integration test (tests/integ/vip.sh, always inside a network namespace).
 *
 * usage: viptool ensure IF
 *        viptool add IF PREFIX
 *        viptool del IF PREFIX
 *        viptool present IF PREFIX         exit 0 if there, 1 if not
 *        viptool cleanup-test IF PREFIX [SYNCFILE]
 *
 * cleanup-test: ensure IF, add PREFIX, check it is present, then
 * vip_cleanup() and check that IF is gone if this run created it, or still
 * there if it existed before.  With SYNCFILE it writes "ready" there once
 * the address is on, and waits until the file is removed before cleaning
 * up, so the shell test can look with `ip` in between.
 *
 * Exit 0 on success, 1 on failure (the reason is logged on stderr), 2 on a
 * usage error.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/prefix.h"
#include "nomcastd/vip.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: viptool ensure IF\n"
	    "       viptool add|del|present IF PREFIX\n"
	    "       viptool cleanup-test IF PREFIX [SYNCFILE]\n");
	exit(2);
}

static int
parse_prefix(const char *s, struct prefix *p)
{
	if (prefix_parse(s, p) != 0) {
		fprintf(stderr, "viptool: bad prefix: %s\n", s);
		return -1;
	}
	return 0;
}

/* wait (at most 30 s) until the shell removes path */
static int
sync_wait(const char *path)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	FILE *f;
	int i;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return -1;
	}
	fputs("ready\n", f);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	for (i = 0; i < 1500; i++) {
		if (access(path, F_OK) != 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "viptool: %s was not removed\n", path);
	return -1;
}

static int
cleanup_test(struct vip *v, const char *ifname, const struct prefix *p,
    const char *sync)
{
	bool existed = if_nametoindex(ifname) != 0;
	bool there;

	if (vip_ensure_interface(v, ifname) == -1)
		return -1;
	if (if_nametoindex(ifname) == 0) {
		fprintf(stderr, "viptool: %s missing after ensure\n", ifname);
		return -1;
	}
	if (vip_add(v, ifname, p) == -1)
		return -1;
	if (!vip_present(v, ifname, p)) {
		fprintf(stderr, "viptool: address not present after add\n");
		return -1;
	}
	if (sync != NULL && sync_wait(sync) == -1)
		return -1;
	vip_cleanup(v);
	there = if_nametoindex(ifname) != 0;
	if (there != existed) {
		fprintf(stderr, "viptool: %s %s after cleanup\n", ifname,
		    there ? "still there" : "removed, but it was not ours");
		return -1;
	}
	/* a second cleanup has nothing left to do */
	vip_cleanup(v);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct vip *v;
	struct prefix p;
	const char *cmd, *ifname;
	int rc = 1;

	if (argc < 3)
		usage();
	cmd = argv[1];
	ifname = argv[2];
	if (strcmp(cmd, "ensure") == 0) {
		if (argc != 3)
			usage();
	} else if (strcmp(cmd, "add") == 0 || strcmp(cmd, "del") == 0 ||
	    strcmp(cmd, "present") == 0) {
		if (argc != 4)
			usage();
	} else if (strcmp(cmd, "cleanup-test") == 0) {
		if (argc != 4 && argc != 5)
			usage();
	} else
		usage();
	if (argc >= 4 && parse_prefix(argv[3], &p) == -1)
		return 2;

	log_init(LOG_LVL_DEBUG);
	if ((v = vip_new()) == NULL)
		return 1;
	if (strcmp(cmd, "ensure") == 0)
		rc = vip_ensure_interface(v, ifname) == 0 ? 0 : 1;
	else if (strcmp(cmd, "add") == 0)
		rc = vip_add(v, ifname, &p) == 0 ? 0 : 1;
	else if (strcmp(cmd, "del") == 0)
		rc = vip_del(v, ifname, &p) == 0 ? 0 : 1;
	else if (strcmp(cmd, "present") == 0)
		rc = vip_present(v, ifname, &p) ? 0 : 1;
	else
		rc = cleanup_test(v, ifname, &p, argc == 5 ? argv[4] : NULL) ==
		    0 ? 0 : 1;
	/*
	 * "ensure" alone keeps what it made (the test looks at it with ip and
	 * removes it with the namespace); everything else cleans up.
	 */
	if (strcmp(cmd, "ensure") != 0)
		vip_cleanup(v);
	vip_free(v);
	return rc;
}
