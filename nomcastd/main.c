/*
 * main.c - nomcastd: parse the command line, load the configuration, run.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nomcastd/config.h"
#include "nomcastd/daemon.h"
#include "nomcastd/fdlimit.h"
#include "lib/log.h"
#include "lib/version.h"

#define DEFAULT_CONF	"/etc/nomcast/nomcast.ini"

static void
usage(FILE *f)
{
	fprintf(f, "usage: nomcastd [-dtV] [-c file]\n"
	    "  -c file  configuration (default " DEFAULT_CONF ")\n"
	    "  -d       debug: log every message in and out, decoded\n"
	    "  -t       check the configuration and exit (0 ok, 1 errors)\n"
	    "  -V       print the version, the commit and the build, and exit\n");
}

static void
print_diag(const struct conf_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->lines[i]);
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONF;
	bool test = false, debug = false;
	struct conf conf;
	struct conf_diag diag;
	int ch, rc;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "c:dthV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 't':
			test = true;
			break;
		case 'V':
			version_print(stdout, "nomcastd");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	log_init(debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	rc = conf_load(path, &conf, &diag);
	print_diag(&diag);
	conf_diag_free(&diag);
	if (rc == -1)
		return 1;
	/* -t says whether it would be short; a start raises what it can */
	(void)fd_limit_ensure(&conf, !test);
	if (test) {
		fprintf(stderr, "%s: configuration ok\n", path);
		conf_free(&conf);
		return 0;
	}
	/*
	 * The subreaper of everything the exec checks start: a child that
	 * left its command's process group (setsid) becomes ours when its
	 * parent exits, not init's, so check_exec.c can find and kill it.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == -1)
		log_msg(LOG_LVL_WARN, "msg=\"not a subreaper: processes exec "
		    "checks leave behind may outlive them\" err=%s",
		    LQ(strerror(errno)));
	return daemon_run(&conf);
}
