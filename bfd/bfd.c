/*
 * bfd.c - the BFD speaker on libev (see bfd.h): the session table, one
 * timer per session, and the glue of fsm.h's loop around the codec and
 * the sockets.
 *
 * Its own thread.  BFD's deadlines are tens of milliseconds, and the
 * daemon's loop is not always that quick: under a burst of control
 * clients, a reload or a slow log reader, one of its iterations has
 * taken 150-200 ms, as long as a 50 ms x 3 detection time (measured
 * with tests/bench/soak: docs/design-notes.md).  So the speaker runs its
 * own loop in a thread of its own, and the owner's loop only hears of
 * state changes.  One mutex guards the speaker: the thread holds it
 * while it runs its callbacks and lets go of it while it waits in poll
 * (libev's loop release callbacks); every function of bfd.h takes it,
 * changes what it needs (timers included) and wakes the thread to look
 * again.  State changes are queued per session and delivered on the
 * owner's loop (an ev_async), where the bfd_state_fn runs.
 *
 * The clock.  Every time handed to the machine is read now from
 * CLOCK_MONOTONIC, not taken from ev_now(): ev_now() is the time the loop
 * iteration began, and a long callback before ours (a reload, a burst of
 * control traffic) makes it stale.  A stale receive time would put the
 * Detection Time's start too early and declare a live peer dead; a stale
 * send time would put the next send early.  A timer armed from a stale
 * loop time only fires early; the callback then finds nothing due and
 * re-arms for the rest.
 */
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bfd/bfd.h"
#include "bfd/link.h"
#include "bfd/pkt.h"
#include "lib/log.h"

/*
 * AdminDown packets sent back to back when a session goes away: one lost
 * packet must not leave the remote to find out by its Detection Time,
 * which it would count as a failure.
 */
#define BFD_ADMIN_DOWN_PKTS	3

/* the BFD thread's nice, if the daemon may lower it (see thread_main) */
#define BFD_THREAD_NICE		-10

/* state changes a session may queue for the owner before they merge */
#define BFD_PEND_MAX		16

struct bfd_ev {
	uint8_t		 old, state;
	bool		 failed;
};

struct bfd_session {
	struct bfd	*b;
	char		*name;
	struct addr	 peer, local;
	bool		 multihop;
	uint8_t		 max_hops;
	bool		 keyed;
	struct bfd_key	 key;
	struct bfd_sess	 fsm;
	struct bfd_tx	*tx;
	ev_timer	 tm;
	bfd_state_fn	*fn;
	void		*ctx;
	uint64_t	 last_tx_up_us;	/* the last send while Up, or 0 */
	uint64_t	 tx_gap_max_us;
	uint64_t	 tx_errors;
	uint64_t	 downs;
	uint8_t		 remote_diag;	/* of the last packet accepted */
	struct log_rl	 rl;		/* send errors, bad digests */
	uint64_t	 id;		/* unique: a queued change finds it */
	uint64_t	 created_us;	/* "since" until its first change */
	struct bfd_ev	 pend[BFD_PEND_MAX];	/* for the owner, in order */
	size_t		 npend;
	bool		 handed;	/* given to the next process: silent */
};

struct bfd {
	struct ev_loop	 *loop;		/* the thread's own */
	struct ev_loop	 *main;		/* the owner's: state changes go there */
	pthread_t	  thr;
	pthread_mutex_t	  lock;		/* recursive: see the top */
	ev_async	  wake;		/* on loop: look again, or stop */
	ev_async	  notify;	/* on main: changes to deliver */
	bool		  stop;
	uint64_t	  next_id;
	struct bfd_link	 *link;
	struct bfd_session **s;
	size_t		  n, cap;
	uint16_t	  peer_port[2];	/* single, multi; 0 the standard */
	struct bfd_drops  drops;
};

#define bfd_log(s, lvl, ...) \
	do { if (log_enabled(lvl)) log_obj((lvl), "bfd", (s)->name, NULL, \
	    __VA_ARGS__); } while (0)
#define bfd_log_rl(s, lvl, ...) \
	log_obj((lvl), "bfd", (s)->name, &(s)->rl, __VA_ARGS__)

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* random() gives 31 bits: two draws for 32 */
static uint32_t
rnd32(void)
{
	return ((uint32_t)random() << 16) ^ (uint32_t)random();
}

static struct bfd_session *
find_discr(const struct bfd *b, uint32_t discr)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->s[i]->fsm.local_discr == discr)
			return b->s[i];
	return NULL;
}

static struct bfd_session *
find_peer(const struct bfd *b, const struct addr *src, bool multihop)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->s[i]->multihop == multihop &&
		    addr_equal(&b->s[i]->peer, src))
			return b->s[i];
	return NULL;
}

/* ---- sending ---- */

static void
send_pkt(struct bfd_session *s, uint64_t now)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt p;
	size_t n;

	if (s->fsm.state == BFD_UP) {
		if (s->last_tx_up_us != 0 && now - s->last_tx_up_us >
		    s->tx_gap_max_us)
			s->tx_gap_max_us = now - s->last_tx_up_us;
		s->last_tx_up_us = now;
	} else
		s->last_tx_up_us = 0;
	bfd_sess_build(&s->fsm, &p, now, rnd32());
	if ((n = bfd_pkt_encode(&p, buf, sizeof(buf))) == 0) {
		/* the key passed bfd_key_set: cannot happen */
		bfd_log_rl(s, LOG_LVL_ERR, "msg=\"cannot encode a packet\"");
		return;
	}
	if (s->keyed)
		bfd_auth_sign(buf, n, &s->key);
	if (bfd_tx_send(s->tx, buf, n) == 0)
		return;
	s->tx_errors++;
	if (errno == ECONNREFUSED) {
		/* an earlier packet's port unreachable: nobody listens
		 * there yet (a router not configured, a peer restarting).
		 * This packet was not sent: once more, so an AdminDown
		 * sent three times goes out three times */
		bfd_log_rl(s, LOG_LVL_INFO, "msg=\"the peer's BFD port is "
		    "unreachable\"");
		if (bfd_tx_send(s->tx, buf, n) == 0)
			return;
		s->tx_errors++;
	}
	bfd_log_rl(s, LOG_LVL_WARN, "msg=\"cannot send: %s\"",
	    LE(strerror(errno)));
}

/* the earlier of the next send and the machine's deadline (fsm.h) */
static void
arm(struct bfd_session *s)
{
	struct ev_loop *loop = s->b->loop;
	uint64_t next = bfd_sess_next_tx(&s->fsm), now;
	uint64_t dl = bfd_sess_deadline(&s->fsm);

	ev_timer_stop(loop, &s->tm);
	if (dl < next)
		next = dl;
	if (next == UINT64_MAX)
		return;
	now = now_us();
	ev_timer_set(&s->tm, next > now ? (double)(next - now) / 1e6 : 0.,
	    0.);
	ev_timer_start(loop, &s->tm);
}

/*
 * A change for the owner's loop.  A session that changes more often than
 * the owner's loop turns merges its last ones, keeping the first old
 * state and any failure, so that no failure goes unreported.
 */
static void
queue_change(struct bfd_session *s, uint8_t old, uint8_t state, bool failed)
{
	struct bfd_ev *e;

	if (s->npend == BFD_PEND_MAX) {
		e = &s->pend[BFD_PEND_MAX - 1];
		e->state = state;
		e->failed |= failed;
	} else {
		e = &s->pend[s->npend++];
		e->old = old;
		e->state = state;
		e->failed = failed;
	}
	ev_async_send(s->b->main, &s->b->notify);
}

/* the change is logged and queued for the owner */
static void
changed(struct bfd_session *s, uint8_t old)
{
	uint8_t state = s->fsm.state;
	bool failed;

	/* RFC 5882 3.2: the remote's AdminDown is no path failure */
	failed = old == BFD_UP && state == BFD_DOWN &&
	    !bfd_sess_remote_admin_down(&s->fsm);
	if (failed)
		s->downs++;
	bfd_log(s, failed ? LOG_LVL_WARN : LOG_LVL_INFO,
	    "peer=%s state=%s->%s diag=%s remote_diag=%s failed=%s",
	    LV(addr_str(&s->peer, (char [PREFIX_STRLEN]){ 0 },
	    PREFIX_STRLEN)), bfd_state_name(old), bfd_state_name(state),
	    LV(bfd_diag_name(s->fsm.local_diag)),
	    LV(bfd_diag_name(s->remote_diag)),
	    failed ? "yes" : "no");
	queue_change(s, old, state, failed);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bfd_session *s = w->data;
	uint8_t old = s->fsm.state;
	uint64_t now = now_us();
	bool ch;

	(void)loop;
	(void)revents;
	if (s->handed)
		return;
	ch = bfd_sess_timeout(&s->fsm, now);
	if (now >= bfd_sess_next_tx(&s->fsm))
		send_pkt(s, now);
	arm(s);
	if (ch)
		changed(s, old);
}

/* ---- receiving ---- */

static void
rx_cb(void *ctx, const uint8_t *buf, size_t len, const struct bfd_rx_info *ri)
{
	struct bfd *b = ctx;
	struct bfd_session *s;
	struct bfd_rx_result r;
	struct bfd_pkt p;
	struct addr src;
	const char *why;
	uint8_t old;
	uint64_t now;

	if (bfd_pkt_decode(buf, len, &p, &why) == -1) {
		b->drops.decode++;
		return;
	}
	addr_from_sockaddr(&ri->src, &src);
	if (p.your_disc != 0)
		s = find_discr(b, p.your_disc);
	else
		s = find_peer(b, &src, ri->multihop);
	/* a discriminator is no licence to speak for another peer, nor to
	 * cross from one port to the other */
	if (s == NULL || s->multihop != ri->multihop ||
	    !addr_equal(&s->peer, &src)) {
		b->drops.no_session++;
		return;
	}
	/*
	 * Single hop: the link took TTL 255 only (RFC 5881).  Multihop: no
	 * TTL bound, as senders start from different values (BIRD 64,
	 * others 255) over a path of unknown length; RFC 5883 leaves the
	 * check to configuration, and authentication is what protects it.
	 */
	if (s->handed)
		return;		/* the next process answers */
	if (s->keyed && bfd_auth_verify(buf, len, &p, &s->key, &why) == -1) {
		b->drops.auth++;
		bfd_log_rl(s, LOG_LVL_WARN, "msg=\"packet dropped: %s\"",
		    LE(why));
		return;
	}
	old = s->fsm.state;
	now = now_us();
	r = bfd_sess_rx(&s->fsm, &p, now);
	if (r.discard == BFD_DISC_NONE)
		s->remote_diag = p.diag;
	if (r.send_now)
		send_pkt(s, now);
	arm(s);
	if (r.changed)
		changed(s, old);
}

/* ---- the thread ---- */

static void
lock(struct bfd *b)
{
	pthread_mutex_lock(&b->lock);
}

/* changes made: the thread re-reads its timers */
static void
unlock_wake(struct bfd *b)
{
	ev_async_send(b->loop, &b->wake);
	pthread_mutex_unlock(&b->lock);
}

static void
l_release(struct ev_loop *loop)
{
	struct bfd *b = ev_userdata(loop);

	pthread_mutex_unlock(&b->lock);
}

static void
l_acquire(struct ev_loop *loop)
{
	struct bfd *b = ev_userdata(loop);

	pthread_mutex_lock(&b->lock);
}

static void
wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct bfd *b = w->data;

	(void)revents;
	if (b->stop)
		ev_break(loop, EVBREAK_ALL);
}

static void *
thread_main(void *arg)
{
	struct bfd *b = arg;

	/*
	 * Ahead of the daemon's other work for a core, where allowed
	 * (CAP_SYS_NICE, or root): a nice of its own, this thread only.
	 * Without it BFD still never waits for the daemon's loop.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), BFD_THREAD_NICE);
	pthread_mutex_lock(&b->lock);
	ev_run(b->loop, 0);
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static struct bfd_session *
find_id(const struct bfd *b, const struct bfd_session *s, uint64_t id)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->s[i] == s && s->id == id)
			return b->s[i];
	return NULL;
}

/*
 * On the owner's loop: each queued change, in order, to its session's
 * bfd_state_fn.  The lock is not held across the call, which may delete
 * the session (the table is changed only on this thread, so reading it
 * here needs no lock).
 */
static void
notify_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct bfd *b = w->data;
	struct bfd_session *s;
	struct bfd_ev e;
	uint64_t id;
	size_t i;

	(void)loop;
	(void)revents;
	for (;;) {
		lock(b);
		for (i = 0, s = NULL; i < b->n && s == NULL; i++)
			if (b->s[i]->npend > 0)
				s = b->s[i];
		if (s == NULL) {
			pthread_mutex_unlock(&b->lock);
			return;
		}
		e = s->pend[0];
		memmove(&s->pend[0], &s->pend[1], --s->npend *
		    sizeof(s->pend[0]));
		id = s->id;
		pthread_mutex_unlock(&b->lock);
		if (find_id(b, s, id) != NULL && s->fn != NULL)
			s->fn(s->ctx, s, e.old, e.state, e.failed);
	}
}

/* ---- the speaker ---- */

struct bfd *
bfd_new(struct ev_loop *loop)
{
	pthread_mutexattr_t ma;
	sigset_t all, old;
	struct bfd *b;
	int rc;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->main = loop;
	if ((b->loop = ev_loop_new(EVFLAG_AUTO)) == NULL) {
		free(b);
		return NULL;
	}
	if ((b->link = bfd_link_new(b->loop, rx_cb, b)) == NULL) {
		ev_loop_destroy(b->loop);
		free(b);
		return NULL;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&b->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	ev_async_init(&b->wake, wake_cb);
	b->wake.data = b;
	ev_async_start(b->loop, &b->wake);
	ev_async_init(&b->notify, notify_cb);
	b->notify.data = b;
	ev_async_start(b->main, &b->notify);
	ev_set_userdata(b->loop, b);
	ev_set_loop_release_cb(b->loop, l_release, l_acquire);
	/* signals are the owner's loop's business (SIGCHLD, SIGTERM...) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&b->thr, NULL, thread_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ev_async_stop(b->main, &b->notify);
		bfd_link_free(b->link);
		ev_loop_destroy(b->loop);
		pthread_mutex_destroy(&b->lock);
		free(b);
		errno = rc;
		return NULL;
	}
	return b;
}

void
bfd_set_ports(struct bfd *b, uint16_t single, uint16_t multi,
    uint16_t peer_single, uint16_t peer_multi)
{
	lock(b);
	bfd_link_set_ports(b->link, single != 0 ? single : BFD_PORT_SINGLE,
	    multi != 0 ? multi : BFD_PORT_MULTI);
	b->peer_port[0] = peer_single;
	b->peer_port[1] = peer_multi;
	unlock_wake(b);
}

void
bfd_freeze(struct bfd *b, bool frozen)
{
	/* the lock is the thread's licence to run: keeping it stops it */
	if (frozen)
		lock(b);
	else
		unlock_wake(b);
}

/* AdminDown, told the remote, and closed; the table is the caller's */
static void
sess_close(struct bfd_session *s)
{
	uint64_t now = now_us();
	int i;

	/* a handed-over session lives on in the next process */
	if (!s->handed) {
		bfd_sess_admin_down(&s->fsm, now);
		for (i = 0; i < BFD_ADMIN_DOWN_PKTS; i++)
			send_pkt(s, now);
	}
	bfd_log(s, LOG_LVL_INFO, "msg=\"session removed\"%s",
	    s->handed ? " handed_over=yes" : "");
	ev_timer_stop(s->b->loop, &s->tm);
	bfd_tx_close(s->tx);
	free(s->name);
	explicit_bzero(&s->key, sizeof(s->key));
	explicit_bzero(&s->fsm.key, sizeof(s->fsm.key));
	free(s);
}

void
bfd_free(struct bfd *b)
{
	size_t i;

	if (b == NULL)
		return;
	lock(b);
	for (i = 0; i < b->n; i++)
		sess_close(b->s[i]);
	b->n = 0;
	b->stop = true;
	unlock_wake(b);
	pthread_join(b->thr, NULL);
	ev_async_stop(b->main, &b->notify);
	free(b->s);
	bfd_link_free(b->link);
	ev_async_stop(b->loop, &b->wake);
	ev_loop_destroy(b->loop);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static struct bfd_session *
session_add(struct bfd *b, const char *name, const struct addr *peer,
    const struct addr *local, const struct conf_bfd *cf, bfd_state_fn *fn,
    void *ctx, const struct bfd_handover *h, const char **err)
{
	struct sockaddr_storage pss, lss;
	struct bfd_tx_conf tc;
	struct bfd_session *s;
	uint32_t discr;

	*err = NULL;
	if (!addr_is_set(peer) || (local != NULL && addr_is_set(local) &&
	    local->afi != peer->afi) || cf->timers.detect_mult == 0) {
		*err = "bad peer or local address, or timers";
		errno = EINVAL;
		return NULL;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bfd_session **ns = realloc(b->s, cap * sizeof(*ns));

		if (ns == NULL)
			goto nomem;
		b->s = ns;
		b->cap = cap;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	if ((s->name = strdup(name)) == NULL) {
		free(s);
		goto nomem;
	}
	s->b = b;
	s->peer = *peer;
	if (local != NULL)
		s->local = *local;
	s->multihop = cf->max_hops != 0;
	s->max_hops = cf->max_hops;
	s->keyed = cf->keyed;
	if (cf->keyed)
		s->key = cf->key;
	s->fn = fn;
	s->ctx = ctx;
	s->id = ++b->next_id;
	s->created_us = now_us();

	memset(&tc, 0, sizeof(tc));
	addr_to_sockaddr(peer, b->peer_port[s->multihop], &pss);
	tc.peer = (struct sockaddr *)&pss;
	if (addr_is_set(&s->local)) {
		addr_to_sockaddr(&s->local, 0, &lss);
		tc.local = (struct sockaddr *)&lss;
	}
	tc.multihop = s->multihop;
	tc.sport = h != NULL ? h->src_port : 0;
	if ((s->tx = bfd_link_open_tx(b->link, &tc, err)) == NULL) {
		int e = errno;

		free(s->name);
		free(s);
		errno = e;
		return NULL;
	}

	/* 6.8.1: nonzero and unique among ours; random, so that a restart
	 * does not look like the old session to the remote */
	if (h != NULL && h->local_discr != 0 &&
	    find_discr(b, h->local_discr) == NULL)
		bfd_sess_resume(&s->fsm, &cf->timers, cf->keyed ? &cf->key :
		    NULL, h, now_us());
	else {
		do
			discr = rnd32();
		while (discr == 0 || find_discr(b, discr) != NULL);
		bfd_sess_init(&s->fsm, &cf->timers, discr, cf->keyed ?
		    &cf->key : NULL, rnd32());
	}
	ev_init(&s->tm, timer_cb);
	s->tm.data = s;
	/* as the receiving sockets: BFD's deadlines are the shortest */
	ev_set_priority(&s->tm, EV_MAXPRI);
	b->s[b->n++] = s;
	bfd_log(s, LOG_LVL_INFO, "peer=%s multihop=%s src_port=%u "
	    "msg=\"session %s\"", LV(addr_str(peer,
	    (char [PREFIX_STRLEN]){ 0 }, PREFIX_STRLEN)),
	    s->multihop ? "yes" : "no", bfd_tx_port(s->tx),
	    s->fsm.state == BFD_UP ? "taken over Up from the previous "
	    "process" : "added");
	arm(s);
	return s;
nomem:
	*err = "out of memory";
	errno = ENOMEM;
	return NULL;
}

struct bfd_session *
bfd_session_resume(struct bfd *b, const char *name, const struct addr *peer,
    const struct addr *local, const struct conf_bfd *cf, bfd_state_fn *fn,
    void *ctx, const struct bfd_handover *h, const char **err)
{
	struct bfd_session *s;
	int e;

	lock(b);
	s = session_add(b, name, peer, local, cf, fn, ctx, h, err);
	e = errno;
	unlock_wake(b);
	errno = e;
	return s;
}

struct bfd_session *
bfd_session_add(struct bfd *b, const char *name, const struct addr *peer,
    const struct addr *local, const struct conf_bfd *cf, bfd_state_fn *fn,
    void *ctx, const char **err)
{
	return bfd_session_resume(b, name, peer, local, cf, fn, ctx, NULL,
	    err);
}

void
bfd_session_handover_begin(struct bfd_session *s, uint64_t detect_us)
{
	struct bfd_timers t;

	lock(s->b);
	t = s->fsm.cfg;
	t.desired_min_tx_us = bfd_sess_slow_tx(&s->fsm, detect_us);
	bfd_sess_set_timers(&s->fsm, &t);
	bfd_log(s, LOG_LVL_INFO, "interval_ms=%u msg=\"slowing down for a "
	    "graceful restart\"", t.desired_min_tx_us / 1000);
	arm(s);
	unlock_wake(s->b);
}

int
bfd_session_handover_take(struct bfd_session *s, struct bfd_handover *h)
{
	int rc = -1;

	lock(s->b);
	if (!s->handed && bfd_sess_handover(&s->fsm, h)) {
		h->src_port = bfd_tx_port(s->tx);
		s->handed = true;
		ev_timer_stop(s->b->loop, &s->tm);
		rc = 0;
	}
	unlock_wake(s->b);
	return rc;
}

void
bfd_session_del(struct bfd_session *s)
{
	struct bfd *b = s->b;
	size_t i;

	lock(b);
	for (i = 0; i < b->n; i++)
		if (b->s[i] == s) {
			b->s[i] = b->s[--b->n];
			break;
		}
	sess_close(s);
	unlock_wake(b);
}

void
bfd_session_set_conf(struct bfd_session *s, const struct conf_bfd *cf)
{
	lock(s->b);
	bfd_sess_set_timers(&s->fsm, &cf->timers);
	bfd_log(s, LOG_LVL_INFO, "interval_ms=%u min_rx_ms=%u multiplier=%u "
	    "msg=\"new timers\"", cf->timers.desired_min_tx_us / 1000,
	    cf->timers.required_min_rx_us / 1000, cf->timers.detect_mult);
	arm(s);
	unlock_wake(s->b);
}

void
bfd_session_admin(struct bfd_session *s, bool down)
{
	uint8_t old;
	uint64_t now = now_us();
	int i;

	lock(s->b);
	old = s->fsm.state;
	if (down) {
		bfd_sess_admin_down(&s->fsm, now);
		if (s->fsm.state != old)
			for (i = 0; i < BFD_ADMIN_DOWN_PKTS; i++)
				send_pkt(s, now);
	} else
		bfd_sess_admin_up(&s->fsm, now);
	arm(s);
	if (s->fsm.state != old)
		changed(s, old);
	unlock_wake(s->b);
}

/* ---- show ---- */

void
bfd_session_info(const struct bfd_session *s, struct bfd_session_info *si)
{
	const struct bfd_sess *f = &s->fsm;

	pthread_mutex_lock(&s->b->lock);
	memset(si, 0, sizeof(*si));
	si->name = s->name;
	si->peer = s->peer;
	si->local = s->local;
	si->src_port = bfd_tx_port(s->tx);
	si->multihop = s->multihop;
	si->state = f->state;
	si->remote_state = f->remote_state;
	si->local_diag = f->local_diag;
	si->remote_diag = s->remote_diag;
	si->remote_discr = f->remote_discr;
	si->local_discr = f->local_discr;
	si->tx_interval_us = bfd_sess_tx_interval(f);
	si->rx_interval_us = f->rx_in_effect > f->remote_desired_min_tx ?
	    f->rx_in_effect : f->remote_desired_min_tx;
	si->detect_time_us = bfd_sess_detect_time(f);
	si->detect_mult = f->detect_mult;
	si->remote_detect_mult = f->remote_detect_mult;
	si->auth_type = f->auth_type;
	/* the machine's times are CLOCK_MONOTONIC, as mono_ms() */
	si->up_since_ms = f->up_since_us / 1000;
	si->changed_ms = (f->changed_us != 0 ? f->changed_us :
	    s->created_us) / 1000;
	si->cnt = f->cnt;
	si->tx_errors = s->tx_errors;
	si->tx_gap_max_us = s->tx_gap_max_us;
	si->downs = s->downs;
	pthread_mutex_unlock(&s->b->lock);
}

size_t
bfd_nsessions(const struct bfd *b)
{
	return b->n;
}

struct bfd_session *
bfd_session_at(const struct bfd *b, size_t i)
{
	return i < b->n ? b->s[i] : NULL;
}

void
bfd_drops(struct bfd *b, struct bfd_drops *d)
{
	const struct bfd_link_stats *ls;

	lock(b);
	ls = bfd_link_stats(b->link);
	*d = b->drops;
	d->ttl += ls->rx_drop_ttl;
	d->truncated = ls->rx_drop_trunc;
	pthread_mutex_unlock(&b->lock);
}
