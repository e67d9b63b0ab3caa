/*
 * chkrun.c - run the checks of a nomcast.ini for a while and print every
 * result, one line each, for the check integration tests:
 *
 *   t=0.512 check=web pass=0 latency=0.000812 reason="http 503 from ..."
 *
 * usage: chkrun -c FILE [-s SECONDS] [-n CHECK]
 * Exits 0 after SECONDS (default 5), or at SIGTERM; 1 on a config error.
 */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"
#include "nomcastd/config.h"
#include "lib/log.h"

struct run {
	struct ev_loop	*loop;
	ev_tstamp	 t0;
};

static void
result_cb(void *ctx, struct check *c, bool pass, const char *reason,
    double latency)
{
	struct run *r = ctx;

	printf("t=%.3f check=%s pass=%d latency=%.6f reason=\"%s\"\n",
	    ev_now(r->loop) - r->t0, c->cf->name, pass ? 1 : 0, latency,
	    reason);
	fflush(stdout);
}

static void
stop_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void
sig_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)s;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

int
main(int argc, char *argv[])
{
	const char *path = NULL, *only = NULL;
	double secs = 5;
	struct conf conf;
	struct conf_diag diag;
	struct check_env env;
	struct check **checks;
	struct run r;
	ev_timer stop;
	ev_signal term;
	size_t i;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:s:n:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'n':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: chkrun -c FILE [-s SECONDS] "
			    "[-n CHECK]\n");
			return 1;
		}
	}
	if (path == NULL)
		return 1;
	log_init(LOG_LVL_INFO);
	rc = conf_load(path, &conf, &diag);
	for (i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	conf_diag_free(&diag);
	if (rc == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	r.loop = ev_default_loop(EVFLAG_AUTO);
	r.t0 = ev_now(r.loop);
	env.loop = r.loop;
	if ((env.http = chk_http_multi_new(r.loop)) == NULL)
		return 1;
	checks = calloc(conf.nchecks + 1, sizeof(*checks));
	for (i = 0; i < conf.nchecks; i++) {
		if (only != NULL && strcmp(only, conf.checks[i].name) != 0)
			continue;
		checks[i] = check_new(&env, &conf.checks[i], result_cb, &r);
		if (checks[i] == NULL)
			return 1;
		check_start(checks[i]);
	}
	ev_timer_init(&stop, stop_cb, secs, 0.);
	ev_timer_start(r.loop, &stop);
	ev_signal_init(&term, sig_cb, SIGTERM);
	ev_signal_start(r.loop, &term);
	ev_run(r.loop, 0);
	for (i = 0; i < conf.nchecks; i++)
		check_free(checks[i]);
	free(checks);
	chk_http_multi_free(env.http);
	conf_free(&conf);
	return 0;
}
