/*
 * daemon.c - the daemon around the sessions: builds struct nomcast, starts
 * the peers, puts the services' prefixes into each Adj-RIB-Out, and on
 * SIGTERM/SIGINT withdraws everything before it says goodbye.
 */
#include "nomcastd/daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nomcastd/control.h"
#include "nomcastd/log_io.h"
#include "nomcastd/metrics.h"
#include "nomcastd/peer_bfd.h"
#include "nomcastd/restart.h"
#include "nomad/watch.h"
#include "nomcastd/routes.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"

/* the speaker's hooks */
static void
established_hook(void *ctx, struct peer *p)
{
	routes_sync_peer(ctx, p);
	restart_peer_up(ctx, p);
}

/* offer IPv6 when this peer carries an IPv6 prefix (config checked) */
static bool
offer_ipv6_hook(void *ctx, const struct peer *p)
{
	const struct nomcast *nc = ctx;
	const struct conf *cf = &nc->conf;
	size_t i, k;

	for (i = 0; i < cf->nservices; i++) {
		const struct conf_service *s = &cf->services[i];

		if (!s->all_peers && !s->use_peer[p->idx])
			continue;
		for (k = 0; k < s->nprefixes; k++)
			if (s->prefixes[k].afi == AFI_IPV6)
				return true;
	}
	return false;
}

static void
drained_hook(void *ctx, struct peer *p)
{
	(void)p;
	services_output_drained(ctx);
}

static void
exit_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* the goodbye: withdraw, Cease/Administrative Shutdown, VIPs off, exit */
static void
daemon_goodbye(struct nomcast *nc)
{
	size_t i;

	session_listen_close(&nc->sp);
	for (i = 0; i < nc->sp.npeers; i++)
		peer_stop(nc->sp.peers[i]);
	/* the withdraws are written: now the addresses may go */
	services_vip_release(nc);
	/* one more loop turn delivers anything the kernel did not take */
	ev_timer_stop(nc->loop, &nc->exit_timer);
	ev_timer_init(&nc->exit_timer, exit_cb, 0., 0.);
	ev_timer_start(nc->loop, &nc->exit_timer);
}

static void
drain_done_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct nomcast *nc = t->data;

	(void)loop;
	(void)revents;
	log_info("msg=\"shutdown drain over: withdrawing\"");
	daemon_goodbye(nc);
}

/*
 * The hard exit: with shutdown-drain-time, first keep announcing with
 * GRACEFUL_SHUTDOWN so traffic moves away; then (or at once) withdraw from
 * every Established peer, send Cease/Administrative Shutdown and exit.
 */
static void
exit_hard(struct nomcast *nc, const char *what)
{
	uint32_t ms = nc->conf.g.shutdown_drain_ms;

	if (ms > 0 && services_drain_all(nc, ms) > 0) {
		log_info("msg=\"%s: draining for %u ms, then withdrawing\"",
		    what, ms);
		ev_timer_init(&nc->exit_timer, drain_done_cb,
		    (double)ms / 1000.0, 0.);
		nc->exit_timer.data = nc;
		ev_timer_start(nc->loop, &nc->exit_timer);
		return;
	}
	log_info("msg=\"%s: withdrawing routes and closing sessions\"", what);
	daemon_goodbye(nc);
}

/* the graceful exit is done: the loop ends next turn */
static void
left_cb(struct nomcast *nc)
{
	ev_timer_stop(nc->loop, &nc->exit_timer);
	ev_timer_init(&nc->exit_timer, exit_cb, 0., 0.);
	ev_timer_start(nc->loop, &nc->exit_timer);
}

/* the graceful exit: routes and VIPs stay */
static void
exit_graceful(struct nomcast *nc, const char *why)
{
	restart_leave(nc, why, left_cb);
}

static void
exit_decide(struct nomcast *nc, enum gr_force force, enum gr_alloc alloc)
{
	struct gr_svc *svc = calloc(nc->nsvcs ? nc->nsvcs : 1, sizeof(*svc));
	struct gr_in in;
	struct gr_out out;

	nc->restart.deciding = false;
	if (svc == NULL) {
		exit_hard(nc, "out of memory");
		return;
	}
	restart_inputs(nc, force, alloc, svc, &in);
	gr_decide(&in, &out);
	free(svc);
	log_info("msg=\"exit decided\" graceful=%s reason=%s",
	    out.graceful ? "yes" : "no", LQ(out.why));
	if (out.graceful)
		exit_graceful(nc, out.why);
	else
		exit_hard(nc, "hard exit");
}

static void
alloc_answer_cb(void *ctx, enum nomad_desired d, const char *why)
{
	struct nomcast *nc = ctx;

	if (!nc->restart.deciding)
		return;		/* a second signal went on without it */
	log_info("msg=\"nomad says\" desired=%s why=%s",
	    nomad_desired_name(d), LQ(why));
	exit_decide(nc, nc->restart.mode, d == NOMAD_DESIRED_RUN ?
	    GR_ALLOC_RUN : d == NOMAD_DESIRED_STOP ? GR_ALLOC_STOP :
	    GR_ALLOC_UNKNOWN);
}

/* how long the exit waits for Nomad's word on the alloc */
#define EXIT_ASK_MS	1000

/*
 * Leave: graceful or hard as gr_decide() says when graceful restart is
 * configured (asking Nomad first whether the alloc is stopping), else
 * hard as always.
 */
static void
exit_begin(struct nomcast *nc, enum gr_force force, const char *what)
{
	nc->sp.stopping = true;
	nc->restart.mode = force;
	if (!conf_gr_configured(&nc->conf) || force == GR_FORCE_HARD) {
		exit_hard(nc, what);
		return;
	}
	log_info("msg=\"%s: deciding how to leave\" mode=%s", what,
	    gr_force_name(force));
	if (force == GR_FORCE_NONE && nc->check_env.nomad != NULL &&
	    nomad_client_ask_alloc(nc->check_env.nomad, EXIT_ASK_MS,
	    alloc_answer_cb, nc) == 0) {
		nc->restart.deciding = true;
		return;
	}
	exit_decide(nc, force, GR_ALLOC_UNKNOWN);
}

/*
 * SIGTERM/SIGINT: leave as the exit mode says (nomcastctl exit-mode,
 * auto by default).  A second signal during the drain, or while Nomad is
 * asked, cuts it short with a hard exit.
 */
static void
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct nomcast *nc = w->data;
	char what[32];

	(void)loop;
	(void)revents;
	if (nc->sp.stopping) {
		if (ev_is_active(&nc->exit_timer) && !nc->restart.graceful) {
			log_info("msg=\"signal %d again: drain cut short\"",
			    w->signum);
			daemon_goodbye(nc);
		} else if (nc->restart.deciding) {
			log_info("msg=\"signal %d again: not waiting for "
			    "Nomad, hard exit\"", w->signum);
			nc->restart.deciding = false;
			exit_hard(nc, "second signal");
		}
		return;
	}
	snprintf(what, sizeof(what), "signal %d", w->signum);
	exit_begin(nc, nc->restart.mode, what);
}

int
daemon_shutdown(struct nomcast *nc, enum gr_force mode, char *err,
    size_t errlen)
{
	if (nc->sp.stopping) {
		snprintf(err, errlen, "already shutting down");
		return -1;
	}
	exit_begin(nc, mode, "nomcastctl shutdown");
	return 0;
}

static void
hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct nomcast *nc = w->data;
	char err[1024];

	(void)loop;
	(void)revents;
	if (nc->sp.stopping)
		return;
	log_info("msg=\"SIGHUP: reloading %s\"", LE(nc->conf.path));
	if (daemon_reload(nc, NULL, err, sizeof(err)) == -1)
		log_err("msg=\"reload failed, the old config stays\" "
		    "error=%s", LQ(err));
}

int
daemon_drain(struct nomcast *nc, const char *svc, bool on, char *err,
    size_t errlen)
{
	if (services_drain(nc, svc, on) == -1) {
		snprintf(err, errlen, "no such service: %s", svc ? svc : "-");
		return -1;
	}
	return 0;
}

static void
daemon_free(struct nomcast *nc)
{
	size_t i;

	restart_stop(nc);
	ctl_stop(nc);
	metrics_stop(nc);
	services_stop(nc);
	peer_bfd_stop(nc);
	for (i = 0; i < nc->sp.npeers; i++)
		peer_free(nc->sp.peers[i]);
	free(nc->sp.peers);
	session_listen_close(&nc->sp);
	conf_free(&nc->conf);
}

int
daemon_run(struct conf *conf)
{
	struct nomcast nc;
	size_t i;
	int rc = 0;

	memset(&nc, 0, sizeof(nc));
	nc.conf = *conf;
	memset(conf, 0, sizeof(*conf));
	nc.sp.listen_fd = -1;
	nc.started = time(NULL);
	nc.conf_loaded = nc.started;
	if ((nc.loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatal("msg=\"cannot initialise the event loop\"");
	nc.sp.loop = nc.loop;
	nc.sp.conf = &nc.conf.bgp;
	nc.sp.hooks.established = established_hook;
	nc.sp.hooks.drained = drained_hook;
	nc.sp.hooks.offer_ipv6 = offer_ipv6_hook;
	nc.sp.hooks.ctx = &nc;
	nc.svc_changed = routes_sync_service;
	nc.svc_verdict = restart_verdict;
	nc.ctl_ops.shutdown = daemon_shutdown;
	nc.ctl_ops.drain = daemon_drain;
	nc.ctl_ops.reload = daemon_reload;
	/* a peer closing its end must be an error return, not a signal */
	signal(SIGPIPE, SIG_IGN);
	/* from here on a stalled log reader never blocks the loop */
	log_io_start(&nc);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	nc.sp.peers = calloc(nc.conf.npeers ? nc.conf.npeers : 1,
	    sizeof(*nc.sp.peers));
	if (nc.sp.peers == NULL)
		fatal("msg=\"out of memory\"");
	for (i = 0; i < nc.conf.npeers; i++) {
		if ((nc.sp.peers[i] = peer_new(&nc.sp, &nc.conf.peers[i], i)) == NULL)
			fatal("msg=\"out of memory\"");
		nc.sp.npeers++;
	}
	if (session_listen(&nc.sp) == -1) {
		rc = 1;
		goto out;
	}
	ev_signal_init(&nc.sig_term, signal_cb, SIGTERM);
	nc.sig_term.data = &nc;
	ev_signal_start(nc.loop, &nc.sig_term);
	ev_signal_init(&nc.sig_int, signal_cb, SIGINT);
	nc.sig_int.data = &nc;
	ev_signal_start(nc.loop, &nc.sig_int);
	ev_signal_init(&nc.sig_hup, hup_cb, SIGHUP);
	nc.sig_hup.data = &nc;
	ev_signal_start(nc.loop, &nc.sig_hup);
	log_info("msg=\"nomcastd %s started\" asn=%u peers=%zu services=%zu",
	    NOMCAST_VERSION, nc.conf.bgp.asn, nc.conf.npeers,
	    nc.conf.nservices);
	if (services_start(&nc) == -1 || metrics_start(&nc) == -1) {
		rc = 1;
		goto out;
	}
	/* the first verdicts may come back any time from here on */
	restart_begin(&nc);
	(void)ctl_start(&nc);	/* logged; the sessions run without it */
	peer_bfd_start(&nc);	/* strict peers wait for BFD */
	for (i = 0; i < nc.sp.npeers; i++)
		peer_start(nc.sp.peers[i]);
	ev_run(nc.loop, 0);
	log_info("msg=\"exiting\"");
out:
	daemon_free(&nc);
	log_io_stop(&nc);
	return rc;
}
