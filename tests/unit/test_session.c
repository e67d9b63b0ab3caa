/*
 * test_session.c - the session adapter (bgpd/session.c) on a real libev
 * loop, against a scripted fake peer over loopback TCP (127.0.0.2 plays
 * the peer, 127.0.0.1 the speaker, ports ephemeral).
 *
 * Time: the test defines clock_gettime(), so that CLOCK_MONOTONIC, which
 * libev reads for its timers, runs ahead of the real clock by an offset
 * the test moves forward.  A 240 s hold timer then expires in a few
 * hundred loop iterations and the whole file takes well under a second.
 * The loop is only ever run with EVRUN_NOWAIT (or, to watch for a busy
 * loop, for a real 100 ms), so no real wait follows the virtual clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bgpd/notif.h"
#include "bgpd/session.h"

/* ---- the virtual clock ---- */

static int64_t clock_ahead_ns;	/* how far CLOCK_MONOTONIC runs ahead */

/*
 * Interposes the C library's function for everyone in this process,
 * libev included; the kernel is asked directly for the real time.
 */
int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t ns;

	if (syscall(SYS_clock_gettime, id, ts) != 0)
		return -1;
	if (id != CLOCK_MONOTONIC || clock_ahead_ns == 0)
		return 0;
	ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + clock_ahead_ns;
	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
	return 0;
}

/* ---- constants of the scenario ---- */

#define LOCAL_AS	4200000000u	/* 4 octets: AS_TRANS in My AS */
#define PEER_AS		4200000001u
#define LOCAL_ID	0x0a000005u	/* 10.0.0.5 */
#define ID_LOWER	0x0a000001u	/* a peer identifier below ours */
#define ID_HIGHER	0x0a000009u	/* and one above */
#define PEER_ADDR	"127.0.0.2"
#define LOCAL_ADDR	"127.0.0.1"
#define HOLD_OURS	90
#define RETRY_SECS	5
#define SEND_HOLD	480	/* RFC 9687's 8 minutes */

/* ---- the fake peer's side of one connection ---- */

struct fconn {
	int		 fd;
	uint8_t		*buf;		/* bytes received, not yet taken */
	size_t		 off, len, cap;
	bool		 eof;
};

struct msg {
	uint8_t		 type;
	size_t		 len;
	uint8_t		 b[BGP_MAX_MSG];
};

struct t {
	struct ev_loop	*loop;
	struct conf_bgp	 conf;
	struct conf_peer cpeer;
	bool		 offer_v6;	/* what the offer_ipv6 hook says */
	struct bgp_speaker sp;
	struct peer	*peers[1];
	struct peer	*p;
	int		 lfd;		/* the fake peer's listener */
	uint16_t	 lport;
	struct fconn	 a;		/* connection the speaker opened */
	struct fconn	 b;		/* connection the fake peer opened */
	unsigned	 n_established, n_idle, n_drained;
	size_t		 pending_at_drain;
	bool		 flush_on_established;
};

static void
on_established(void *ctx, struct peer *p)
{
	struct t *t = ctx;

	assert_ptr_equal(p, t->p);
	assert_true(peer_is_established(p));
	t->n_established++;
	if (t->flush_on_established)
		peer_flush(p);
}

static void
on_idle(void *ctx, struct peer *p)
{
	struct t *t = ctx;

	assert_ptr_equal(p, t->p);
	assert_false(peer_is_established(p));
	t->n_idle++;
}

static void
on_drained(void *ctx, struct peer *p)
{
	struct t *t = ctx;

	t->n_drained++;
	t->pending_at_drain = peer_pending_output(p);
	/* "its output queue emptied", every time */
	assert_int_equal(t->pending_at_drain, 0);
}

static bool
on_offer_ipv6(void *ctx, const struct peer *p)
{
	struct t *t = ctx;

	(void)p;
	return t->offer_v6;
}

static void
fc_init(struct fconn *c, int fd)
{
	int one = 1;

	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	/* each message the fake peer sends goes out at once */
	assert_int_equal(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)), 0);
}

static void
fc_close(struct fconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* read what the socket has now; returns the number of bytes read */
static size_t
fc_fill(struct fconn *c)
{
	size_t got = 0;
	ssize_t n;

	while (c->fd != -1 && !c->eof) {
		if (c->cap - c->len < 65536) {
			if (c->off > 0) {
				memmove(c->buf, c->buf + c->off,
				    c->len - c->off);
				c->len -= c->off;
				c->off = 0;
			}
			if (c->cap - c->len < 65536) {
				c->cap = c->cap ? c->cap * 2 : 262144;
				c->buf = realloc(c->buf, c->cap);
				assert_non_null(c->buf);
			}
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len,
		    MSG_DONTWAIT);
		if (n > 0) {
			c->len += (size_t)n;
			got += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true;	/* closed, or reset */
		break;
	}
	return got;
}

/* one whole message out of the buffer, if there is one */
static bool
fc_take(struct fconn *c, struct msg *m)
{
	size_t have = c->len - c->off;
	uint16_t mlen;
	uint8_t type;
	struct bgp_err e;

	if (have < BGP_HDR_LEN)
		return false;
	assert_int_equal(msg_hdr_decode(c->buf + c->off, have, &mlen, &type,
	    &e), 0);
	if (have < mlen)
		return false;
	m->type = type;
	m->len = mlen;
	memcpy(m->b, c->buf + c->off, mlen);
	c->off += mlen;
	return true;
}

static void
run(struct t *t)
{
	ev_run(t->loop, EVRUN_NOWAIT);
	ev_run(t->loop, EVRUN_NOWAIT);
}

/*
 * The next message the speaker sent on c: its type, or 0 if none came
 * within about a second, or -1 if the connection was closed first.
 */
static int
fc_next(struct t *t, struct fconn *c, struct msg *m)
{
	struct pollfd pfd;
	int i;

	for (i = 0; i < 500; i++) {
		if (fc_take(c, m))
			return m->type;
		if (c->eof)
			return -1;
		run(t);
		if (fc_fill(c) == 0 && !c->eof) {
			pfd.fd = c->fd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, 2);
		}
	}
	return 0;
}

static void
fc_expect(struct t *t, struct fconn *c, uint8_t type, struct msg *m)
{
	struct msg tmp;

	if (m == NULL)
		m = &tmp;
	assert_int_equal(fc_next(t, c, m), type);
}

/* the speaker closed c (after whatever it still had to say) */
static void
fc_expect_eof(struct t *t, struct fconn *c)
{
	struct msg m;

	assert_int_equal(fc_next(t, c, &m), -1);
}

/* nothing arrived on c (what is in the socket now is read, not waited for) */
static void
fc_expect_quiet(struct t *t, struct fconn *c)
{
	struct msg m;

	run(t);
	(void)fc_fill(c);
	assert_false(fc_take(c, &m));
	assert_false(c->eof);
}

static void
fc_send(struct fconn *c, const uint8_t *b, size_t len)
{
	assert_int_equal(send(c->fd, b, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
fc_send_open(struct fconn *c, const struct bgp_open *o)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, o), 0);
	assert_false(w.err);
	fc_send(c, buf, wr_mark(&w));
}

static void
fc_send_keepalive(struct fconn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_keepalive_encode(&w), 0);
	fc_send(c, buf, wr_mark(&w));
}

/* an UPDATE with this body */
static void
fc_send_update(struct fconn *c, const uint8_t *body, size_t blen)
{
	uint8_t buf[BGP_MAX_MSG];

	assert_true(blen + BGP_HDR_LEN <= sizeof(buf));
	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)((blen + BGP_HDR_LEN) >> 8);
	buf[17] = (uint8_t)(blen + BGP_HDR_LEN);
	buf[18] = BGP_UPDATE;
	memcpy(buf + BGP_HDR_LEN, body, blen);
	fc_send(c, buf, blen + BGP_HDR_LEN);
}

/* the OPEN a well-behaved peer sends */
static struct bgp_open
peer_open(uint32_t id, uint16_t hold)
{
	struct bgp_open o;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.hold_time = hold;
	o.bgp_id = id;
	o.cap_as4 = true;
	o.as4 = PEER_AS;
	o.cap_mp_ipv4 = true;
	o.cap_mp_ipv6 = true;
	o.cap_route_refresh = true;
	return o;
}

static void
expect_notif(struct t *t, struct fconn *c, uint8_t code, uint8_t subcode)
{
	struct msg m;
	struct bgp_notif n;

	fc_expect(t, c, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, code);
	assert_int_equal(n.subcode, subcode);
}

/* ---- virtual time ---- */

/*
 * The virtual monotonic time libev's timers run on.  Not ev_now(): that
 * is wall-clock time, which libev re-reads when the monotonic clock jumps.
 */
static double
vnow(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* move the clock by secs and let the loop see it */
static void
advance(struct t *t, double secs)
{
	clock_ahead_ns += (int64_t)(secs * 1e9);
	run(t);
}

/* the event loop's iterations over 100 ms of real time */
static void
break_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

static unsigned
iterations_in_100ms(struct t *t)
{
	ev_timer brk;
	unsigned before = ev_iteration(t->loop);

	ev_timer_init(&brk, break_cb, 0.1, 0.);
	ev_now_update(t->loop);
	ev_timer_start(t->loop, &brk);
	ev_run(t->loop, 0);
	ev_timer_stop(t->loop, &brk);
	return ev_iteration(t->loop) - before;
}

/* ---- fixture ---- */

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	assert_non_null(t);
	t->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(t->loop);

	t->conf.asn = LOCAL_AS;
	t->conf.router_id = LOCAL_ID;
	snprintf(t->conf.shutdown_message,
	    sizeof(t->conf.shutdown_message), "test over");
	snprintf(t->cpeer.name, sizeof(t->cpeer.name), "fake");
	assert_int_equal(addr_parse(PEER_ADDR, &t->cpeer.addr), 0);
	t->cpeer.asn = PEER_AS;
	t->cpeer.hold_time = HOLD_OURS;
	t->cpeer.connect_retry = RETRY_SECS;
	/* the owner has IPv6 to announce: the speaker offers IPv6 too */
	t->offer_v6 = true;

	/* the fake peer listens where the speaker will connect */
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(t->lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, PEER_ADDR, &sin.sin_addr), 1);
	assert_int_equal(bind(t->lfd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_equal(listen(t->lfd, 8), 0);
	assert_int_equal(getsockname(t->lfd, (struct sockaddr *)&sin, &sl), 0);
	t->lport = ntohs(sin.sin_port);
	t->cpeer.port = t->lport;

	t->sp.loop = t->loop;
	t->sp.conf = &t->conf;
	t->sp.listen_fd = -1;
	t->sp.hooks.established = on_established;
	t->sp.hooks.idle = on_idle;
	t->sp.hooks.drained = on_drained;
	t->sp.hooks.offer_ipv6 = on_offer_ipv6;
	t->sp.hooks.ctx = t;
	t->p = peer_new(&t->sp, &t->cpeer, 0);
	assert_non_null(t->p);
	t->peers[0] = t->p;
	t->sp.peers = t->peers;
	t->sp.npeers = 1;
	t->a.fd = t->b.fd = -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	peer_free(t->p);
	session_listen_close(&t->sp);
	fc_close(&t->a);
	fc_close(&t->b);
	close(t->lfd);
	ev_loop_destroy(t->loop);
	free(t);
	return 0;
}

/* the speaker's next connection to the fake peer's listener, or -1 */
static int
try_accept(struct t *t)
{
	run(t);
	return accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static void
accept_a(struct t *t)
{
	int fd = -1, i;

	for (i = 0; i < 200 && fd == -1; i++) {
		fd = try_accept(t);
		if (fd == -1)
			usleep(1000);
	}
	assert_true(fd >= 0);
	fc_init(&t->a, fd);
}

/* the session's listener on 127.0.0.1, any port; the fake peer dials it */
static void
connect_b(struct t *t)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd;

	assert_int_equal(getsockname(t->sp.listen_fd, (struct sockaddr *)&sin,
	    &sl), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	{
		struct sockaddr_in me;

		memset(&me, 0, sizeof(me));
		me.sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, PEER_ADDR, &me.sin_addr),
		    1);
		assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)),
		    0);
	}
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sl), 0);
	fc_init(&t->b, fd);
}

static void
listen_local(struct t *t)
{
	t->conf.listen = true;
	assert_int_equal(addr_parse(LOCAL_ADDR, &t->conf.listen_addr), 0);
	t->conf.listen_port = 0;
	assert_int_equal(session_listen(&t->sp), 0);
	assert_true(t->sp.listen_fd >= 0);
}

/*
 * n End-of-RIB markers (RFC 4724 2) from the speaker; returns how many
 * of each family, IPv4 in the low nibble, IPv6 in the next.
 */
static unsigned
expect_eors(struct t *t, struct fconn *c, unsigned n)
{
	struct upd_opts o = { .as4 = true };
	struct upd_result res;
	struct bgp_err e;
	struct msg m;
	unsigned v4 = 0, v6 = 0, i;

	for (i = 0; i < n; i++) {
		fc_expect(t, c, BGP_UPDATE, &m);
		memset(&res, 0, sizeof(res));
		assert_int_equal(msg_update_check(m.b + BGP_HDR_LEN,
		    m.len - BGP_HDR_LEN, &o, &res, &e), UPD_OK);
		assert_true(res.eor);
		assert_int_equal(res.announced + res.withdrawn, 0);
		if (res.eor_afi == AFI_IPV4)
			v4++;
		else if (res.eor_afi == AFI_IPV6)
			v6++;
	}
	return v4 | v6 << 4;
}

/*
 * From peer_start() to Established on connection a, the speaker's OPEN
 * returned in *ours; nothing read after the OPEN's KEEPALIVE.
 */
static void
open_to_established(struct t *t, const struct bgp_open *theirs,
    struct bgp_open *ours)
{
	struct msg m;
	struct bgp_err e;

	peer_start(t->p);
	accept_a(t);
	fc_expect(t, &t->a, BGP_OPEN, &m);
	assert_int_equal(msg_open_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, ours, &e), 0);
	fc_send_open(&t->a, theirs);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENCONFIRM);
	assert_int_equal(t->n_established, 0);
	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
}

/* the same, and the End-of-RIB markers read too */
static void
establish(struct t *t, const struct bgp_open *theirs, struct bgp_open *ours)
{
	struct bgp_open tmp;

	open_to_established(t, theirs, ours != NULL ? ours : &tmp);
	(void)expect_eors(t, &t->a, (t->p->afi_ok[AFI_IPV4] ? 1u : 0u) +
	    (t->p->afi_ok[AFI_IPV6] ? 1u : 0u));
}

/* ---- the clock itself ---- */

static void
fired_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	*(bool *)w->data = true;
}

/*
 * Everything below relies on libev reading CLOCK_MONOTONIC through the
 * C library (so through the clock_gettime() above): a libev built to
 * make the system call itself would make every timer test wait for real.
 */
static void
test_virtual_clock_drives_libev_timers(void **state)
{
	struct t *t = *state;
	ev_timer tm;
	bool fired = false;
	double before = vnow();

	ev_timer_init(&tm, fired_cb, 100., 0.);
	tm.data = &fired;
	ev_now_update(t->loop);
	ev_timer_start(t->loop, &tm);
	advance(t, 99);
	assert_false(fired);
	advance(t, 1.01);
	assert_true(fired);
	assert_true(vnow() - before >= 100);
	ev_timer_stop(t->loop, &tm);
}

/* ---- OPEN exchange ---- */

static void
test_open_exchange_reaches_established(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30), ours;
	struct msg m;

	peer_start(t->p);
	accept_a(t);
	fc_expect(t, &t->a, BGP_OPEN, &m);
	{
		struct bgp_err e;

		assert_int_equal(msg_open_decode(m.b + BGP_HDR_LEN,
		    m.len - BGP_HDR_LEN, &ours, &e), 0);
	}
	/* what the speaker offers: RFC 6793 AS_TRANS + AS4, IPv4 and IPv6 */
	assert_int_equal(ours.version, 4);
	assert_int_equal(ours.my_as, AS_TRANS);
	assert_true(ours.cap_as4);
	assert_int_equal(ours.as4, LOCAL_AS);
	assert_int_equal(msg_open_peer_as(&ours), LOCAL_AS);
	assert_int_equal(ours.hold_time, HOLD_OURS);
	assert_int_equal(ours.bgp_id, LOCAL_ID);
	assert_true(ours.cap_mp_ipv4);
	assert_true(ours.cap_mp_ipv6);
	assert_true(ours.cap_route_refresh);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENSENT);

	fc_send_open(&t->a, &theirs);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENCONFIRM);
	assert_int_equal(t->n_established, 0);
	/* negotiated: the smaller hold time, AS4, both families */
	assert_int_equal(t->p->hold_time, 30);
	assert_true(t->p->opts.as4);
	assert_false(t->p->opts.ibgp);
	assert_true(t->p->afi_ok[AFI_IPV4]);
	assert_true(t->p->afi_ok[AFI_IPV6]);

	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	assert_int_equal(t->n_idle, 0);
	/* RFC 4724: one End-of-RIB per family */
	assert_int_equal(expect_eors(t, &t->a, 2), 0x11);
	fc_expect_quiet(t, &t->a);
	/* an idle session sleeps in the loop: no watcher left spinning */
	assert_in_range(iterations_in_100ms(t), 1, 5);

	/* more KEEPALIVEs keep the session; the hook is not called again */
	fc_send_keepalive(&t->a);
	advance(t, 11);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	assert_int_equal(t->n_idle, 0);
}

/* a peer without capabilities: IPv4 implied (RFC 4760 8), 2-octet AS_PATH */
static void
test_open_without_capabilities_gives_ipv4_only(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs;

	t->cpeer.asn = 65001;
	memset(&theirs, 0, sizeof(theirs));
	theirs.my_as = 65001;
	theirs.hold_time = 180;
	theirs.bgp_id = ID_LOWER;
	establish(t, &theirs, NULL);
	assert_int_equal(t->p->hold_time, HOLD_OURS);
	assert_false(t->p->opts.as4);
	assert_true(t->p->afi_ok[AFI_IPV4]);
	assert_false(t->p->afi_ok[AFI_IPV6]);
	/* establish() read exactly one End-of-RIB; nothing else follows */
	fc_expect_quiet(t, &t->a);
}

/* a peer offering only IPv6: no IPv4 End-of-RIB, IPv4 routes held back */
static void
test_open_ipv6_only_peer(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 90);
	struct prefix pfx;
	struct bgp_attrs at;

	theirs.cap_mp_ipv4 = false;
	establish(t, &theirs, NULL);
	assert_false(t->p->afi_ok[AFI_IPV4]);
	assert_true(t->p->afi_ok[AFI_IPV6]);
	memset(&at, 0, sizeof(at));
	at.origin = ORIGIN_IGP;
	at.aspath_len = 1;
	at.aspath[0] = LOCAL_AS;
	assert_int_equal(addr_parse(LOCAL_ADDR, &at.nh4), 0);
	assert_int_equal(prefix_parse("203.0.113.0/24", &pfx), 0);
	assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	peer_flush(t->p);
	fc_expect_quiet(t, &t->a);
}

/* ---- timers ---- */

static void
test_keepalive_every_third_of_hold(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);
	double start, last = 0, tnow, next_ka;
	unsigned n = 0;
	bool short_gap = false;
	struct msg m;

	establish(t, &theirs, NULL);
	start = next_ka = vnow();
	while ((tnow = vnow()) < start + 65) {
		/* the fake peer keeps the hold timer fed */
		if (tnow >= next_ka) {
			fc_send_keepalive(&t->a);
			next_ka += 9;
		}
		advance(t, 0.25);
		(void)fc_fill(&t->a);
		while (fc_take(&t->a, &m)) {
			assert_int_equal(m.type, BGP_KEEPALIVE);
			tnow = vnow();
			/* RFC 4271 10: jittered to 75..100% of a third */
			if (n > 0) {
				assert_true(tnow - last > 7.5 - 0.3);
				assert_true(tnow - last < 10 + 0.3);
				if (tnow - last < 9.7)
					short_gap = true;
			}
			last = tnow;
			n++;
		}
	}
	/* hold 30: one every 7.5..10 s, the first that long after the OPEN */
	assert_in_range(n, 6, 9);
	/* jittered: not all at the full 10 s */
	assert_true(short_gap);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_idle, 0);
}

/*
 * The peer goes silent: Hold Timer Expired after the negotiated hold
 * time, the idle hook, then a reconnect after the backoff (one failure
 * from Established: ConnectRetry 5 s doubled, jittered to 75..100%).
 * The second try gets no answer to its OPEN: the large hold timer of
 * OpenSent (4 min) expires, and the next backoff is doubled again.
 */
static void
test_hold_timer_expiry_then_backoff(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 9);
	double start, t_idle, t_conn;
	int fd = -1;
	struct msg m;
	unsigned kas = 0;

	establish(t, &theirs, NULL);
	start = vnow();
	while (vnow() < start + 8.9) {
		advance(t, 0.1);
		(void)fc_fill(&t->a);
		while (fc_take(&t->a, &m)) {
			assert_int_equal(m.type, BGP_KEEPALIVE);
			kas++;
		}
	}
	assert_true(peer_is_established(t->p));
	/* every 2.25..3 s (jittered) */
	assert_in_range(kas, 2, 3);
	assert_int_equal(t->n_idle, 0);
	advance(t, 0.3);
	/* a KEEPALIVE due about now may come first, and only it */
	assert_in_range(fc_next(t, &t->a, &m), BGP_NOTIFICATION,
	    BGP_KEEPALIVE);
	if (m.type == BGP_KEEPALIVE)
		fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(m.b[BGP_HDR_LEN], NOTIF_HOLD_TIMER);
	assert_int_equal(m.b[BGP_HDR_LEN + 1], 0);
	fc_expect_eof(t, &t->a);
	assert_int_equal(t->n_idle, 1);
	assert_false(peer_is_established(t->p));
	assert_int_equal(t->p->st.flaps, 1);
	assert_int_equal(t->p->last_err.code, NOTIF_HOLD_TIMER);
	assert_false(t->p->last_err_rcvd);

	/* backoff: 10 s jittered, no sooner than 7.5 s */
	t_idle = vnow();
	while ((fd = try_accept(t)) == -1 && vnow() < t_idle + 30)
		advance(t, 0.1);
	t_conn = vnow();
	assert_true(fd >= 0);
	assert_true(t_conn - t_idle >= 7.5 - 0.01);
	assert_true(t_conn - t_idle <= 10 + 0.2);
	fc_init(&t->a, fd);

	/* OpenSent, and the peer never answers: 240 s, then 4/0 */
	fc_expect(t, &t->a, BGP_OPEN, NULL);
	start = vnow();
	advance(t, 239);
	fc_expect_quiet(t, &t->a);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENSENT);
	advance(t, 1.1);
	expect_notif(t, &t->a, NOTIF_HOLD_TIMER, 0);
	fc_expect_eof(t, &t->a);
	assert_int_equal(t->n_idle, 2);
	assert_int_equal(t->n_established, 1);

	/* two failures in a row: 20 s jittered */
	t_idle = vnow();
	while ((fd = try_accept(t)) == -1 && vnow() < t_idle + 40)
		advance(t, 0.1);
	t_conn = vnow();
	assert_true(fd >= 0);
	assert_true(t_conn - t_idle >= 15 - 0.01);
	assert_true(t_conn - t_idle <= 20 + 0.2);
	fc_init(&t->a, fd);
	fc_expect(t, &t->a, BGP_OPEN, NULL);
}

/* the speaker's next connection, the clock moving; seconds waited */
static double
await_connection(struct t *t, double limit)
{
	double t0 = vnow();
	int fd;

	while ((fd = try_accept(t)) == -1) {
		assert_true(vnow() - t0 < limit);
		advance(t, 0.25);
	}
	fc_init(&t->a, fd);
	return vnow() - t0;
}

/* RFC 4271 10 jitter: within 75..100% of secs (and the 0.25 s steps) */
static void
assert_backoff(double waited, double secs)
{
	if (waited < 0.75 * secs - 0.3 || waited > secs + 0.3)
		fail_msg("waited %.2f s, want %.2f..%.2f s", waited,
		    0.75 * secs, secs);
}

/*
 * A peer that accepts the connection and closes it at once, again and
 * again: each failure after the TCP connect doubles the connect retry,
 * 5 s up to the 120 s cap (DampPeerOscillations, RFC 4271 8.1.1).
 */
static void
test_post_connect_failures_back_off(void **state)
{
	static const double want[] = { 10, 20, 40, 80, 120, 120 };
	struct t *t = *state;
	double waited;
	size_t k;

	peer_start(t->p);
	accept_a(t);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		fc_expect(t, &t->a, BGP_OPEN, NULL);
		fc_close(&t->a);
		run(t);
		run(t);
		waited = await_connection(t, 200);
		assert_backoff(waited, want[k]);
	}
	assert_int_equal(t->n_established, 0);
}

/* from the speaker's reconnect to Established on a */
static void
reestablish(struct t *t, const struct bgp_open *theirs)
{
	unsigned est = t->n_established;

	fc_expect(t, &t->a, BGP_OPEN, NULL);
	fc_send_open(&t->a, theirs);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, est + 1);
}

/*
 * A router that takes the session down right after it comes up (say it
 * rejects an UPDATE): each flap doubles the wait before the next try,
 * until a session stays up for five minutes; the next flap after that
 * starts again from the base.
 */
static void
test_flapping_session_backs_off_until_stable(void **state)
{
	static const double want[] = { 10, 20, 40, 80 };
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 90);
	double waited;
	size_t k;
	int i;

	establish(t, &theirs, NULL);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		advance(t, 1);
		fc_close(&t->a);
		run(t);
		run(t);
		assert_false(peer_is_established(t->p));
		waited = await_connection(t, 200);
		assert_backoff(waited, want[k]);
		reestablish(t, &theirs);
	}
	assert_int_equal(t->p->st.flaps, 4);
	/* stable for 5 minutes (KEEPALIVEs both ways), then one flap */
	for (i = 0; i < 11; i++) {
		fc_send_keepalive(&t->a);
		advance(t, 30);
		(void)fc_fill(&t->a);
	}
	assert_true(peer_is_established(t->p));
	fc_close(&t->a);
	run(t);
	run(t);
	waited = await_connection(t, 200);
	assert_backoff(waited, 10);
}

/* hold time 0 negotiated (RFC 4271 4.4): no KEEPALIVEs, no hold timer */
static void
test_hold_time_zero_sends_no_keepalives(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 0);

	establish(t, &theirs, NULL);
	assert_int_equal(t->p->hold_time, 0);
	advance(t, 1000);
	advance(t, 1000);
	fc_expect_quiet(t, &t->a);
	assert_true(peer_is_established(t->p));
}

/* ---- bad OPENs ---- */

static void
bad_open(struct t *t, const struct bgp_open *o, uint8_t subcode,
    const uint8_t *data, size_t dlen)
{
	struct msg m;
	struct bgp_notif n;

	peer_start(t->p);
	accept_a(t);
	fc_expect(t, &t->a, BGP_OPEN, NULL);
	fc_send_open(&t->a, o);
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_OPEN);
	assert_int_equal(n.subcode, subcode);
	assert_int_equal(n.datalen, dlen);
	if (dlen > 0)
		assert_memory_equal(n.data, data, dlen);
	fc_expect_eof(t, &t->a);
	assert_int_equal(t->n_established, 0);
	assert_int_equal(t->n_idle, 1);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	assert_int_equal(t->p->last_err.code, NOTIF_OPEN);
	assert_int_equal(t->p->last_err.subcode, subcode);
}

static void
test_bad_open_wrong_as_is_2_2(void **state)
{
	struct bgp_open o = peer_open(ID_LOWER, 90);

	o.as4 = PEER_AS + 1;
	bad_open(*state, &o, NOTIF_OPEN_BAD_PEER_AS, NULL, 0);
}

static void
test_bad_open_version_3_is_2_1_with_4(void **state)
{
	static const uint8_t v4[] = { 0, 4 };
	struct bgp_open o = peer_open(ID_LOWER, 90);

	o.version = 3;
	bad_open(*state, &o, NOTIF_OPEN_UNSUPPORTED_VERSION, v4, sizeof(v4));
}

static void
test_bad_open_hold_time_2_is_2_6(void **state)
{
	struct bgp_open o = peer_open(ID_LOWER, 2);

	bad_open(*state, &o, NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME, NULL, 0);
}

static void
test_bad_open_bgp_id_zero_is_2_3(void **state)
{
	struct bgp_open o = peer_open(0, 90);

	bad_open(*state, &o, NOTIF_OPEN_BAD_BGP_ID, NULL, 0);
}

/* ---- malformed UPDATEs (RFC 7606) ---- */

#define AS_PATH_PEER	0x40, 0x02, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01
#define NEXT_HOP	0x40, 0x03, 0x04, 0x7f, 0x00, 0x00, 0x02
#define NLRI_198_51_100	0x18, 0xc6, 0x33, 0x64

/* an undefined ORIGIN value: treat-as-withdraw, the session stays */
static void
test_update_bad_origin_is_treat_as_withdraw(void **state)
{
	static const uint8_t body[] = { 0, 0, 0, 20,
	    0x40, 0x01, 0x01, 0x07, AS_PATH_PEER, NEXT_HOP,
	    NLRI_198_51_100 };
	static const uint8_t good[] = { 0, 0, 0, 20,
	    0x40, 0x01, 0x01, 0x00, AS_PATH_PEER, NEXT_HOP,
	    NLRI_198_51_100 };
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);

	establish(t, &theirs, NULL);
	fc_send_update(&t->a, good, sizeof(good));
	fc_send_update(&t->a, body, sizeof(body));
	run(t);
	fc_expect_quiet(t, &t->a);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->p->st.updates_in, 2);
	/* and it goes on: KEEPALIVEs both ways */
	fc_send_keepalive(&t->a);
	advance(t, 10.1);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_idle, 0);
}

/*
 * A peer dials again and again while its session is up (each extra
 * connection refused and logged, rate-limited), then sends UPDATEs with
 * a NEXT_HOP of 0.0.0.0: treat-as-withdraw, counted, and the warning is
 * logged, whatever the refusals took from their own bucket.
 */
static void
test_update_warnings_survive_refusal_burst(void **state)
{
	static const uint8_t body[] = { 0, 0, 0, 20,
	    0x40, 0x01, 0x01, 0x00, AS_PATH_PEER,
	    0x40, 0x03, 0x04, 0, 0, 0, 0, NLRI_198_51_100 };
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 30);
	char path[] = "/tmp/test_session_log.XXXXXX", line[512];
	int fd, saved, i;
	unsigned refused = 0, warned = 0;
	FILE *f;

	listen_local(t);
	establish(t, &theirs, NULL);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init(LOG_LVL_INFO);
	for (i = 0; i < 12; i++) {
		connect_b(t);
		expect_notif(t, &t->b, NOTIF_CEASE,
		    NOTIF_CEASE_CONNECTION_REJECTED);
		fc_expect_eof(t, &t->b);
	}
	for (i = 0; i < 3; i++)
		fc_send_update(&t->a, body, sizeof(body));
	run(t);
	fc_expect_quiet(t, &t->a);
	fflush(stderr);
	log_init((enum log_level)(LOG_LVL_ERR + 1));
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->p->st.updates_treat_as_withdraw, 3);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "inbound connection rejected") != NULL)
			refused++;
		if (strstr(line, "action=treat-as-withdraw") != NULL &&
		    strstr(line, "NEXT_HOP 0.0.0.0") != NULL)
			warned++;
	}
	fclose(f);
	unlink(path);
	/* the refusals were rate-limited: the burst, not all 12 */
	assert_in_range(refused, 1, 6);
	assert_int_equal(warned, 3);
}

/* an unrecognised well-known attribute: 3/2 with the attribute as data */
static void
test_update_unrecognised_wellknown_resets_3_2(void **state)
{
	static const uint8_t attr[] = { 0x40, 0x63, 0x02, 0xab, 0xcd };
	static const uint8_t body[] = { 0, 0, 0, 25,
	    0x40, 0x01, 0x01, 0x00, AS_PATH_PEER, NEXT_HOP,
	    0x40, 0x63, 0x02, 0xab, 0xcd, NLRI_198_51_100 };
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);
	struct msg m;
	struct bgp_notif n;

	establish(t, &theirs, NULL);
	fc_send_update(&t->a, body, sizeof(body));
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_UPDATE);
	assert_int_equal(n.subcode, NOTIF_UPDATE_UNRECOGNIZED_WELLKNOWN);
	assert_int_equal(n.datalen, sizeof(attr));
	assert_memory_equal(n.data, attr, sizeof(attr));
	fc_expect_eof(t, &t->a);
	assert_int_equal(t->n_idle, 1);
	assert_int_equal(t->p->st.flaps, 1);
}

/* a Withdrawn Routes Length past the message: 3/1 */
static void
test_update_withdrawn_overrun_resets_3_1(void **state)
{
	static const uint8_t body[] = { 0, 9, 0x18, 0xc6, 0x33, 0x64, 0, 0 };
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);

	establish(t, &theirs, NULL);
	fc_send_update(&t->a, body, sizeof(body));
	expect_notif(t, &t->a, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	fc_expect_eof(t, &t->a);
	assert_int_equal(t->n_idle, 1);
}

/* ---- connection collision (RFC 4271 6.8) ---- */

/* the speaker dials a, and a reaches OpenConfirm on the peer's OPEN */
static void
a_to_openconfirm(struct t *t, const struct bgp_open *theirs)
{
	listen_local(t);
	peer_start(t->p);
	accept_a(t);
	fc_expect(t, &t->a, BGP_OPEN, NULL);
	fc_send_open(&t->a, theirs);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
}

/*
 * The speaker's connection a is in OpenConfirm when the peer's own
 * connection b arrives and sends an OPEN: the connection opened by the
 * side with the higher BGP Identifier stays, the other gets Cease 6/7 and
 * is closed, and the survivor goes on to Established, once.
 */
static void
collide(struct t *t, uint32_t peer_id)
{
	struct bgp_open theirs = peer_open(peer_id, 90);
	bool local_wins = LOCAL_ID > peer_id;
	struct fconn *winner = local_wins ? &t->a : &t->b;
	struct fconn *loser = local_wins ? &t->b : &t->a;

	a_to_openconfirm(t, &theirs);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENCONFIRM);

	/* the peer dials too; the speaker answers with its OPEN on b */
	connect_b(t);
	fc_expect(t, &t->b, BGP_OPEN, NULL);
	fc_send_open(&t->b, &theirs);
	expect_notif(t, loser, NOTIF_CEASE, NOTIF_CEASE_COLLISION_RESOLUTION);
	fc_expect_eof(t, loser);
	assert_int_equal(t->n_established, 0);

	/* b needs the speaker's KEEPALIVE for its OPEN; a had it already */
	if (winner == &t->b)
		fc_expect(t, &t->b, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(winner);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	(void)expect_eors(t, winner, 2);
	/* the survivor carries the session on */
	fc_send_keepalive(winner);
	advance(t, 30.1);
	fc_expect(t, winner, BGP_KEEPALIVE, NULL);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	assert_null(t->p->coll);
}

static void
test_collision_local_id_higher_keeps_outbound(void **state)
{
	collide(*state, ID_LOWER);
}

static void
test_collision_peer_id_higher_keeps_inbound(void **state)
{
	collide(*state, ID_HIGHER);
}

/* a connection while Established is refused: Cease 6/5, session stays */
static void
test_inbound_while_established_rejected(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 30);

	listen_local(t);
	establish(t, &theirs, NULL);
	connect_b(t);
	expect_notif(t, &t->b, NOTIF_CEASE, NOTIF_CEASE_CONNECTION_REJECTED);
	fc_expect_eof(t, &t->b);
	fc_send_keepalive(&t->a);
	advance(t, 10.1);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	assert_int_equal(t->n_idle, 0);
}

/*
 * The second connection b arrives while a is in OpenConfirm, then a comes
 * up before b's OPEN: the Established session stays whatever the BGP
 * Identifiers say (CollisionDetectEstablishedState FALSE), b gets Cease
 * 6/7 and is closed, and the peer is never taken down.
 */
static void
test_collision_after_established_keeps_session(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);

	a_to_openconfirm(t, &theirs);
	connect_b(t);
	fc_expect(t, &t->b, BGP_OPEN, NULL);
	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	(void)expect_eors(t, &t->a, 2);

	/* the peer's Identifier is higher: b would win before Established */
	fc_send_open(&t->b, &theirs);
	expect_notif(t, &t->b, NOTIF_CEASE, NOTIF_CEASE_COLLISION_RESOLUTION);
	fc_expect_eof(t, &t->b);
	assert_null(t->p->coll);
	fc_send_keepalive(&t->a);
	advance(t, 30.1);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, 1);
	assert_int_equal(t->n_idle, 0);
}

/*
 * The second connection b closes before its OPEN: the candidate goes
 * away at once, so that the peer's next connection is a candidate again,
 * not refused as an extra one (Cease 6/5) until a's session settles.
 */
static void
test_collision_candidate_that_fails_goes_away(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);
	int i;

	a_to_openconfirm(t, &theirs);
	for (i = 0; i < 2; i++) {
		connect_b(t);
		fc_expect(t, &t->b, BGP_OPEN, NULL);
		assert_non_null(t->p->coll);
		fc_close(&t->b);
		run(t);
		run(t);
		assert_null(t->p->coll);
	}
	/* a was never disturbed */
	assert_int_equal(t->p->c.fsm.state, FSM_OPENCONFIRM);
	assert_int_equal(t->n_idle, 0);
}

/* ---- passive establishment ---- */

/* the fake peer dials in on b and brings the session to Established */
static void
establish_b(struct t *t, const struct bgp_open *theirs)
{
	unsigned est = t->n_established;

	connect_b(t);
	fc_expect(t, &t->b, BGP_OPEN, NULL);
	fc_send_open(&t->b, theirs);
	fc_expect(t, &t->b, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(&t->b);
	run(t);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_established, est + 1);
	(void)expect_eors(t, &t->b, 2);
}

/*
 * A router resets the session and dials back at once: the speaker, in
 * Idle waiting out its restart delay, takes the connection (passive TCP
 * establishment) instead of refusing it, so the session is back without
 * any wait on either side's timer.  An administratively stopped peer is
 * still refused.
 */
static void
test_idle_accepts_peer_reconnect(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);
	double t_drop;

	t->cpeer.passive = true;
	listen_local(t);
	peer_start(t->p);
	establish_b(t, &theirs);

	/* the router restarts: its side of the connection goes away */
	fc_close(&t->b);
	run(t);
	run(t);
	assert_int_equal(t->n_idle, 1);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	t_drop = vnow();

	/* and comes back at once: accepted, Established, no clock moved */
	establish_b(t, &theirs);
	assert_true(vnow() - t_drop < 1);
	assert_int_equal(t->p->st.flaps, 1);
	fc_send_keepalive(&t->b);
	advance(t, 30.1);
	fc_expect(t, &t->b, BGP_KEEPALIVE, NULL);
	assert_true(peer_is_established(t->p));

	/* stopped by the operator: Idle, and it stays so */
	peer_stop(t->p);
	expect_notif(t, &t->b, NOTIF_CEASE, NOTIF_CEASE_ADMIN_SHUTDOWN);
	fc_expect_eof(t, &t->b);
	connect_b(t);
	fc_expect_eof(t, &t->b);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	assert_int_equal(t->n_established, 2);
}

/*
 * BFD closes the gate on an Established passive session: Cease/BFD Down
 * (RFC 9384) at once, Idle, the router's reconnects refused and no
 * restart however long it waits; the gate opens: the session comes back
 * on the router's next try.  peer_start while gated (a reload) starts
 * nothing.
 */
static void
test_gate_holds_session_idle(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);

	t->cpeer.passive = true;
	listen_local(t);
	peer_start(t->p);
	establish_b(t, &theirs);

	peer_gate(t->p, false, NOTIF_CEASE_BFD_DOWN);
	expect_notif(t, &t->b, NOTIF_CEASE, NOTIF_CEASE_BFD_DOWN);
	fc_expect_eof(t, &t->b);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	advance(t, 300);
	connect_b(t);
	fc_expect_eof(t, &t->b);
	peer_start(t->p);
	connect_b(t);
	fc_expect_eof(t, &t->b);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	assert_int_equal(t->n_established, 1);

	peer_gate(t->p, true, 0);
	establish_b(t, &theirs);
	assert_int_equal(t->n_established, 2);
	/* closed again, and again on an Idle peer: Idle it stays */
	peer_gate(t->p, false, NOTIF_CEASE_BFD_DOWN);
	expect_notif(t, &t->b, NOTIF_CEASE, NOTIF_CEASE_BFD_DOWN);
	fc_expect_eof(t, &t->b);
	peer_gate(t->p, false, NOTIF_CEASE_BFD_DOWN);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
}

/*
 * The router's operator clears the session twice in a row (Cease 6/4):
 * deliberate, not an oscillation, so each reconnect is taken at once.
 * The same two drops as bare TCP closes are a flapping peer: the second
 * reconnect waits out the backoff (refused in Idle).
 */
static void
test_admin_resets_are_not_flaps(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);
	uint8_t buf[64];
	struct wr w;
	int i;

	t->cpeer.passive = true;
	listen_local(t);
	peer_start(t->p);
	establish_b(t, &theirs);
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode(&w, NOTIF_CEASE,
	    NOTIF_CEASE_ADMIN_RESET, NULL, 0), 0);
	for (i = 0; i < 3; i++) {
		fc_send(&t->b, buf, wr_mark(&w));
		fc_expect_eof(t, &t->b);
		assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
		fc_close(&t->b);
		establish_b(t, &theirs);
	}
	assert_int_equal(t->p->st.flaps, 3);

	/* now two bare drops: the first is taken back, the second not */
	fc_close(&t->b);
	run(t);
	run(t);
	establish_b(t, &theirs);
	fc_close(&t->b);
	run(t);
	run(t);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	connect_b(t);
	fc_expect_eof(t, &t->b);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
}

/*
 * GTSM with the peer dialing in (RFC 5082): the SYN-ACK leaves with the
 * listener's TTL, so the listener sends 255 when a peer has ttl-security,
 * and the accepted socket takes only what arrives with 254 or more.
 */
static void
test_gtsm_passive_listener_sends_255(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_HIGHER, 90);
	int ttl = 0, fd;
	socklen_t sl = sizeof(ttl);

	t->cpeer.passive = true;
	t->cpeer.ttl_security = true;
	listen_local(t);
	assert_int_equal(getsockopt(t->sp.listen_fd, IPPROTO_IP, IP_TTL, &ttl,
	    &sl), 0);
	assert_int_equal(ttl, 255);
	peer_start(t->p);
	/* the fake peer is a GTSM router too: it sends with TTL 255 */
	connect_b(t);
	ttl = 255;
	assert_int_equal(setsockopt(t->b.fd, IPPROTO_IP, IP_TTL, &ttl,
	    sizeof(ttl)), 0);
	fc_expect(t, &t->b, BGP_OPEN, NULL);
	fd = t->p->c.fd;
	sl = sizeof(ttl);
	assert_int_equal(getsockopt(fd, IPPROTO_IP, IP_MINTTL, &ttl, &sl), 0);
	assert_int_equal(ttl, 254);
	sl = sizeof(ttl);
	assert_int_equal(getsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, &sl), 0);
	assert_int_equal(ttl, 255);
	fc_send_open(&t->b, &theirs);
	fc_expect(t, &t->b, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(&t->b);
	run(t);
	assert_true(peer_is_established(t->p));
}

/* no peer with ttl-security: the listener keeps the system's TTL */
static void
test_listener_ttl_default_without_gtsm(void **state)
{
	struct t *t = *state;
	int ttl = 0;
	socklen_t sl = sizeof(ttl);

	listen_local(t);
	assert_int_equal(getsockopt(t->sp.listen_fd, IPPROTO_IP, IP_TTL, &ttl,
	    &sl), 0);
	assert_true(ttl < 255);
}

/* ---- descriptors run out ---- */

/* the soft limit to the lowest free descriptor: the next one fails */
static void
fd_limit_lower(struct rlimit *saved)
{
	struct rlimit rl;
	int lowest = dup(STDIN_FILENO);

	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, saved), 0);
	rl = *saved;
	rl.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/*
 * The peer dials in while the process has no descriptor left: the
 * listener does not spin on the connection it cannot accept (it rests
 * and retries), and takes it once descriptors are free again.  An
 * outbound connect that cannot get a socket fails into the backoff and
 * succeeds on a later try.
 */
static void
test_descriptor_shortage_pauses_listener(void **state)
{
	struct t *t = *state;
	struct rlimit saved;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	unsigned its;
	int fd;

	t->cpeer.passive = true;
	listen_local(t);
	peer_start(t->p);
	/* the fake peer's socket first: the speaker is the one to run out */
	assert_int_equal(getsockname(t->sp.listen_fd, (struct sockaddr *)&sin,
	    &sl), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	{
		struct sockaddr_in me;

		memset(&me, 0, sizeof(me));
		me.sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, PEER_ADDR, &me.sin_addr),
		    1);
		assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)),
		    0);
	}
	fd_limit_lower(&saved);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sl), 0);
	its = iterations_in_100ms(t);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	/* a spinning listener runs thousands of iterations in 100 ms */
	assert_in_range(its, 1, 20);
	assert_int_equal(t->p->c.fsm.state, FSM_ACTIVE);
	assert_true(t->sp.listen_paused);
	/* descriptors again: taken within the pause */
	fc_init(&t->b, fd);
	advance(t, 1);
	fc_expect(t, &t->b, BGP_OPEN, NULL);
	assert_false(t->sp.listen_paused);
	assert_int_equal(t->p->c.fsm.state, FSM_OPENSENT);
}

static void
test_descriptor_shortage_outbound_retries(void **state)
{
	struct t *t = *state;
	struct rlimit saved;

	char path[] = "/tmp/test_session_log.XXXXXX", line[512];
	int fd, saved_err;
	bool said = false;
	FILE *f;

	/* the log goes to a file, opened before descriptors run out */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_err = dup(STDERR_FILENO);
	assert_true(saved_err >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init(LOG_LVL_INFO);
	fd_limit_lower(&saved);
	peer_start(t->p);
	run(t);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	fflush(stderr);
	log_init((enum log_level)(LOG_LVL_ERR + 1));
	assert_int_equal(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
	close(saved_err);
	close(fd);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "cannot open a socket") != NULL &&
		    strstr(line, "reason=descriptors") != NULL &&
		    strstr(line, " limit=") != NULL)
			said = true;
	fclose(f);
	unlink(path);
	assert_true(said);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
	assert_int_equal(try_accept(t), -1);
	/* the restart backoff (5 s jittered) tries again, and gets one */
	(void)await_connection(t, 10);
	fc_expect(t, &t->a, BGP_OPEN, NULL);
}

/* ---- routes, back-pressure, drained ---- */

static void
route_attrs(struct bgp_attrs *at)
{
	memset(at, 0, sizeof(*at));
	at->origin = ORIGIN_IGP;
	at->aspath_len = 1;
	at->aspath[0] = LOCAL_AS;
	assert_int_equal(addr_parse(LOCAL_ADDR, &at->nh4), 0);
}

/* the i-th host route of 10.0.0.0/8 */
static void
nth_prefix(uint32_t i, struct prefix *pfx)
{
	memset(pfx, 0, sizeof(*pfx));
	pfx->afi = AFI_IPV4;
	pfx->len = 32;
	pfx->b[0] = 10;
	pfx->b[1] = (uint8_t)(i >> 16);
	pfx->b[2] = (uint8_t)(i >> 8);
	pfx->b[3] = (uint8_t)i;
}

/*
 * Walk an IPv4 UPDATE: count each /32 of 10/8 announced or withdrawn in
 * seen[] (+1 announce, +0x100 withdraw).
 */
static void
tally_update(const struct msg *m, uint32_t *seen, uint32_t n,
    uint32_t *nwd)
{
	struct rd r, wd, nl;
	uint16_t wlen, alen;
	uint8_t plen, b[4];
	uint32_t idx;
	int pass;

	rd_init(&r, m->b + BGP_HDR_LEN, m->len - BGP_HDR_LEN);
	assert_int_equal(rd_u16(&r, &wlen), 0);
	assert_int_equal(rd_sub(&r, wlen, &wd), 0);
	assert_int_equal(rd_u16(&r, &alen), 0);
	assert_int_equal(rd_skip(&r, alen), 0);
	nl = r;
	for (pass = 0; pass < 2; pass++) {
		struct rd *v = pass == 0 ? &wd : &nl;

		while (rd_left(v) > 0) {
			assert_int_equal(rd_u8(v, &plen), 0);
			assert_int_equal(plen, 32);
			assert_int_equal(rd_bytes(v, b, 4), 0);
			assert_int_equal(b[0], 10);
			idx = (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
			assert_true(idx < n);
			seen[idx] += pass == 0 ? 0x100 : 1;
			if (pass == 0 && nwd != NULL)
				(*nwd)++;
		}
	}
}

/* the withdraw of one route goes out, and the drained hook says so */
static void
test_drained_after_withdraw(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);
	struct bgp_attrs at;
	struct prefix pfx;
	struct msg m;
	uint32_t seen[2] = { 0, 0 };

	route_attrs(&at);
	nth_prefix(0, &pfx);
	assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	nth_prefix(1, &pfx);
	assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	/* as the daemon does: the routes go out from the established hook */
	t->flush_on_established = true;
	peer_start(t->p);
	accept_a(t);
	fc_expect(t, &t->a, BGP_OPEN, NULL);
	fc_send_open(&t->a, &theirs);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);
	fc_send_keepalive(&t->a);
	run(t);
	assert_true(peer_is_established(t->p));
	fc_expect(t, &t->a, BGP_UPDATE, &m);
	tally_update(&m, seen, 2, NULL);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	/* the End-of-RIB markers come after the routes (RFC 4724 2) */
	(void)expect_eors(t, &t->a, 2);
	assert_int_equal(peer_pending_output(t->p), 0);

	t->n_drained = 0;
	t->pending_at_drain = 12345;
	ribout_unset(t->p->ro, &pfx);
	peer_flush(t->p);
	/* written at once: the hook ran inside peer_flush(), queue empty */
	assert_int_equal(t->n_drained, 1);
	assert_int_equal(t->pending_at_drain, 0);
	/* and the withdraw is in the kernel: read without running the loop */
	(void)fc_fill(&t->a);
	assert_true(fc_take(&t->a, &m));
	assert_int_equal(m.type, BGP_UPDATE);
	seen[0] = seen[1] = 0;
	tally_update(&m, seen, 2, NULL);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 0x100);
	fc_expect_quiet(t, &t->a);
	assert_int_equal(ribout_sent_count(t->p->ro), 1);
	/* an empty queue is not drained again and again */
	assert_int_equal(t->n_drained, 1);
}

#define NROUTES	20000

/* what the speaker may queue for one peer, at most (session.c WQ_HIGH) */
#define QUEUE_BOUND	(17 * BGP_MAX_MSG)

/*
 * The peer stops reading while a large table is announced: the speaker
 * queues a bounded part of it and leaves the rest pending in the
 * Adj-RIB-Out, waits for writability without spinning, loses and
 * reorders nothing, and says drained only once the peer has read
 * everything, withdraws included.  A route withdrawn before its turn
 * came is never sent at all.
 */
static void
test_backpressure_keeps_everything(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 90);
	struct bgp_attrs at;
	struct prefix pfx;
	struct msg m;
	uint32_t *seen, i, nwd = 0, n_ann;
	size_t queued, queued2;
	unsigned drained, its, upd = 0, kas = 0, wd_msgs = 0;
	int small = 4096;
	bool withdraws_started = false;

	/*
	 * Small socket buffers on both ends, so that the kernel holds a few
	 * kilobytes of the table and the rest waits in the speaker's queue
	 * (loopback would otherwise take megabytes).
	 */
	assert_int_equal(setsockopt(t->lfd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	establish(t, &theirs, NULL);
	assert_int_equal(setsockopt(t->p->c.fd, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	seen = calloc(NROUTES, sizeof(*seen));
	assert_non_null(seen);
	route_attrs(&at);
	for (i = 0; i < NROUTES; i++) {
		nth_prefix(i, &pfx);
		assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	}
	peer_flush(t->p);
	queued = peer_pending_output(t->p);
	assert_true(queued > 0);
	assert_true(queued <= QUEUE_BOUND);
	/*
	 * The first UPDATEs fit in the socket: the queue emptied after each,
	 * and the drained hook ran then (it checks the queue was empty).
	 * From here on nothing is written until the peer reads, and the
	 * rest of the table waits in the Adj-RIB-Out.
	 */
	drained = t->n_drained;
	assert_true(ribout_sent_count(t->p->ro) < NROUTES);
	assert_true(ribout_is_pending(t->p->ro));

	/* blocked on the socket: the loop sleeps, it does not spin */
	its = iterations_in_100ms(t);
	assert_in_range(its, 1, 20);
	assert_true(peer_pending_output(t->p) > 0);
	assert_int_equal(t->n_drained, drained);

	/* a KEEPALIVE is due meanwhile (30 s): it queues behind the routes */
	fc_send_keepalive(&t->a);
	advance(t, 31);
	assert_true(peer_is_established(t->p));
	queued = peer_pending_output(t->p);
	assert_true(queued > 0);

	/* and every route is withdrawn, still blocked */
	ribout_unset_all(t->p->ro);
	peer_flush(t->p);
	queued2 = peer_pending_output(t->p);
	assert_true(queued2 >= queued);
	assert_true(queued2 <= QUEUE_BOUND);
	assert_int_equal(t->n_drained, drained);

	/*
	 * The peer reads again: everything arrives, once, in order.  Read
	 * until the last withdraw is in, the queue is empty and the
	 * drained hook has said so.
	 */
	for (i = 0; i < 5000 && (ribout_sent_count(t->p->ro) > 0 ||
	    peer_pending_output(t->p) > 0 || t->n_drained == drained); i++) {
		assert_true(peer_pending_output(t->p) <= QUEUE_BOUND);
		run(t);
		if (fc_fill(&t->a) == 0) {
			struct pollfd pfd = { .fd = t->a.fd, .events = POLLIN };

			(void)poll(&pfd, 1, 1);
		}
		while (fc_take(&t->a, &m)) {
			if (m.type == BGP_KEEPALIVE) {
				kas++;
				continue;
			}
			assert_int_equal(m.type, BGP_UPDATE);
			upd++;
			tally_update(&m, seen, NROUTES, &nwd);
			/* withdraw-only messages come after all announces */
			if (m.b[BGP_HDR_LEN] != 0 || m.b[BGP_HDR_LEN + 1] != 0) {
				withdraws_started = true;
				wd_msgs++;
			} else
				assert_false(withdraws_started);
		}
	}
	assert_int_equal(peer_pending_output(t->p), 0);
	assert_true(t->n_drained > drained);
	fc_expect_quiet(t, &t->a);
	/* each route announced once then withdrawn once, or never sent */
	for (i = 0, n_ann = 0; i < NROUTES; i++) {
		if (seen[i] != 0x101 && seen[i] != 0)
			fail_msg("route %u: %#x", i, seen[i]);
		n_ann += seen[i] != 0;
	}
	assert_int_equal(nwd, n_ann);
	assert_true(n_ann > NROUTES / 4);
	assert_true(kas >= 1);
	assert_true(wd_msgs > 0);
	assert_true(upd > wd_msgs);
	assert_true(peer_is_established(t->p));
	assert_int_equal(t->n_idle, 0);
	free(seen);
}

/* send all of b on the non-blocking c, letting the speaker read meanwhile */
static void
fc_send_all(struct t *t, struct fconn *c, const uint8_t *b, size_t len)
{
	ssize_t n;
	int spins = 0;

	while (len > 0) {
		n = send(c->fd, b, len, MSG_NOSIGNAL);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		assert_true(n == -1 && (errno == EAGAIN || errno == EINTR));
		assert_true(++spins < 100000);
		run(t);
	}
}

#define NREFRESH	20000

/*
 * RFC 9687 and a bounded queue: the peer asks for the table 20,000 times
 * (ROUTE-REFRESH) and reads nothing, while its KEEPALIVEs keep the hold
 * timer fed.  The speaker's queue stays bounded (the requests coalesce
 * in the Adj-RIB-Out), and once nothing has been read for the send hold
 * time (8 minutes: twice the hold time of 90 s is less) the session is
 * torn down with Send Hold Timer Expired (8/0).
 */
static void
test_unread_route_refresh_flood_bounded_then_send_hold(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 90);
	struct bgp_attrs at;
	struct prefix pfx;
	uint8_t rr[32], burst[100 * 32];
	size_t rrlen, max_queued = 0, q;
	struct wr w;
	double t_blocked, t_down = 0, tnow;
	uint32_t i;
	int small = 4096, j;

	assert_int_equal(setsockopt(t->lfd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	establish(t, &theirs, NULL);
	assert_int_equal(setsockopt(t->p->c.fd, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	route_attrs(&at);
	for (i = 0; i < 2000; i++) {
		nth_prefix(i, &pfx);
		assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	}
	peer_flush(t->p);
	wr_init(&w, rr, sizeof(rr));
	assert_int_equal(msg_rr_encode(&w, AFI_IPV4, SAFI_UNICAST), 0);
	rrlen = wr_mark(&w);
	for (j = 0; j < 100; j++)
		memcpy(burst + (size_t)j * rrlen, rr, rrlen);
	for (i = 0; i < NREFRESH / 100; i++) {
		fc_send_all(t, &t->a, burst, 100 * rrlen);
		run(t);
		q = peer_pending_output(t->p);
		if (q > max_queued)
			max_queued = q;
		assert_true(q <= QUEUE_BOUND);
	}
	/* let the speaker read the last of them */
	for (j = 0; j < 50; j++)
		run(t);
	assert_true(peer_is_established(t->p));
	assert_true(max_queued > 0);
	assert_true(peer_pending_output(t->p) <= QUEUE_BOUND);

	/* no progress from here: the send hold timer runs out */
	t_blocked = vnow();
	while ((tnow = vnow()) < t_blocked + 600) {
		fc_send_keepalive(&t->a);
		advance(t, 5);
		if (!peer_is_established(t->p)) {
			t_down = vnow();
			break;
		}
		assert_true(peer_pending_output(t->p) <= QUEUE_BOUND);
	}
	assert_true(t_down > 0);
	/* blocked since the flood at the latest: at most 480 s after it */
	assert_true(t_down - t_blocked >= SEND_HOLD - 5.5);
	assert_true(t_down - t_blocked <= SEND_HOLD + 5.5);
	assert_int_equal(t->p->last_err.code, NOTIF_SEND_HOLD_TIMER);
	assert_int_equal(t->p->last_err.subcode, 0);
	assert_false(t->p->last_err_rcvd);
	assert_int_equal(t->p->st.send_hold_expired, 1);
	assert_int_equal(t->n_idle, 1);
	assert_int_equal(t->p->st.flaps, 1);
	assert_int_equal(peer_pending_output(t->p), 0);
}

/*
 * The send hold timer counts from the last progress: a peer that reads,
 * slowly, keeps its session however long the table takes.
 */
static void
test_slow_reader_keeps_session(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 90);
	struct bgp_attrs at;
	struct prefix pfx;
	struct msg m;
	uint32_t i;
	int small = 4096, k;

	assert_int_equal(setsockopt(t->lfd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	establish(t, &theirs, NULL);
	assert_int_equal(setsockopt(t->p->c.fd, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)), 0);
	route_attrs(&at);
	for (i = 0; i < 2 * NROUTES; i++) {
		nth_prefix(i, &pfx);
		assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	}
	peer_flush(t->p);
	/*
	 * The peer reads what the socket holds every 50 s, 750 s in all;
	 * the speaker writes more a second later, so that its progress and
	 * a send hold timer left running never fall in one loop iteration.
	 */
	for (k = 0; k < 15; k++) {
		fc_send_keepalive(&t->a);
		advance(t, 1);
		advance(t, 49);
		assert_true(peer_is_established(t->p));
		/* blocked for longer than the send hold time in all */
		if (k < 10)
			assert_true(peer_pending_output(t->p) > 0);
		(void)fc_fill(&t->a);
		while (fc_take(&t->a, &m))
			;
	}
	assert_int_equal(t->p->st.send_hold_expired, 0);
	assert_int_equal(t->n_idle, 0);
}

/* peer_stop(): the routes are withdrawn before the Cease goes out */
static void
test_stop_withdraws_then_ceases(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = peer_open(ID_LOWER, 30);
	struct bgp_attrs at;
	struct prefix pfx;
	struct msg m;
	struct bgp_notif n;
	uint32_t seen[1] = { 0 };

	establish(t, &theirs, NULL);
	route_attrs(&at);
	nth_prefix(0, &pfx);
	assert_int_equal(ribout_set(t->p->ro, &pfx, &at), 0);
	peer_flush(t->p);
	fc_expect(t, &t->a, BGP_UPDATE, &m);
	tally_update(&m, seen, 1, NULL);
	assert_int_equal(seen[0], 1);
	peer_stop(t->p);
	fc_expect(t, &t->a, BGP_UPDATE, &m);
	tally_update(&m, seen, 1, NULL);
	assert_int_equal(seen[0], 0x101);
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_ADMIN_SHUTDOWN);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "test over");
	fc_expect_eof(t, &t->a);
	/* stopped: no reconnect, however long */
	advance(t, 600);
	assert_int_equal(try_accept(t), -1);
	assert_int_equal(t->p->c.fsm.state, FSM_IDLE);
}

/* ---- graceful restart (RFC 4724, RFC 8538) ---- */

/* the OPEN of a peer that helps with graceful restart, N bit or not */
static struct bgp_open
gr_peer_open(bool notification)
{
	struct bgp_open o = peer_open(ID_LOWER, 30);

	o.cap_gr = true;
	o.gr.notification = notification;
	o.gr.time = 120;
	o.gr.af[AFI_IPV4] = o.gr.af[AFI_IPV6] = true;
	return o;
}

/*
 * Coming back from a graceful exit: R and F set, and no End-of-RIB at
 * Established: the routes the peer keeps stay until the owner's first
 * verdicts, then peer_send_eor() (restart.c's deferral) ends it.
 */
static void
test_gr_restarting_defers_end_of_rib(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = gr_peer_open(true), ours;
	struct peer_info pi;
	struct msg m;
	struct bgp_notif n;

	t->cpeer.graceful_restart = true;
	t->cpeer.restart_time = 45;
	t->sp.gr_restarting = true;
	t->sp.gr_eor_held = true;
	open_to_established(t, &theirs, &ours);
	assert_true(ours.cap_gr);
	assert_true(ours.gr.restarting);
	assert_true(ours.gr.notification);
	assert_int_equal(ours.gr.time, 45);
	assert_true(ours.gr.af[AFI_IPV4] && ours.gr.af[AFI_IPV6]);
	assert_true(ours.gr.fwd[AFI_IPV4] && ours.gr.fwd[AFI_IPV6]);
	assert_true(t->p->gr_ok);
	assert_true(t->p->gr_notif);
	/* deferred: nothing, however long (the owner's timer bounds it) */
	advance(t, 11);
	fc_expect(t, &t->a, BGP_KEEPALIVE, NULL);	/* a third of 30 s */
	fc_expect_quiet(t, &t->a);
	fc_send_keepalive(&t->a);
	run(t);
	peer_info(t->p, &pi);
	assert_false(pi.eor_sent);
	assert_int_equal(pi.gr_peer_time, 120);
	/* the first verdicts are in */
	peer_send_eor(t->p);
	assert_int_equal(expect_eors(t, &t->a, 2), 0x11);
	assert_int_equal(t->p->st.eor_sent, 2);
	/* once per session */
	peer_send_eor(t->p);
	fc_expect_quiet(t, &t->a);
	/* a graceful exit with N: Cease/Administrative Reset, no Hard Reset */
	peer_stop_graceful(t->p);
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_ADMIN_RESET);
	assert_false(n.hard_reset);
	fc_expect_eof(t, &t->a);
}

/*
 * The first verdicts were in before the session came up: the OPEN still
 * says Restart State (the peer holds our routes), End-of-RIB at once.
 */
static void
test_gr_restarting_verdicts_in_first(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = gr_peer_open(false), ours;

	t->cpeer.graceful_restart = true;
	t->sp.gr_restarting = true;
	open_to_established(t, &theirs, &ours);
	assert_true(ours.gr.restarting);
	assert_true(ours.gr.fwd[AFI_IPV4] && ours.gr.fwd[AFI_IPV6]);
	assert_int_equal(expect_eors(t, &t->a, 2), 0x11);
}

/* a plain start: R and F clear, End-of-RIB at once; a stop is a Hard Reset */
static void
test_gr_plain_start_and_hard_stop(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = gr_peer_open(true), ours;
	struct msg m;
	struct bgp_notif n;

	t->cpeer.graceful_restart = true;
	t->cpeer.restart_time = 30;
	open_to_established(t, &theirs, &ours);
	assert_true(ours.cap_gr);
	assert_false(ours.gr.restarting);
	assert_false(ours.gr.fwd[AFI_IPV4] || ours.gr.fwd[AFI_IPV6]);
	assert_int_equal(expect_eors(t, &t->a, 2), 0x11);
	/* RFC 8538 3: with N, a Cease that must end the routes says so */
	peer_stop(t->p);
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_HARD_RESET);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_code, NOTIF_CEASE);
	assert_int_equal(n.inner_subcode, NOTIF_CEASE_ADMIN_SHUTDOWN);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "test over");
	fc_expect_eof(t, &t->a);
}

/* without N (BIRD): a graceful exit sends no NOTIFICATION (RFC 4724 4) */
static void
test_gr_without_n_bit_closes_silently(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = gr_peer_open(false), ours;

	t->cpeer.graceful_restart = true;
	open_to_established(t, &theirs, &ours);
	(void)expect_eors(t, &t->a, 2);
	assert_true(t->p->gr_ok);
	assert_false(t->p->gr_notif);
	peer_stop_graceful(t->p);
	fc_expect_eof(t, &t->a);
}

/* graceful-restart off: no capability, whatever the peer offers */
static void
test_gr_off_offers_nothing(void **state)
{
	struct t *t = *state;
	struct bgp_open theirs = gr_peer_open(true), ours;
	struct msg m;
	struct bgp_notif n;

	open_to_established(t, &theirs, &ours);
	assert_false(ours.cap_gr);
	assert_false(t->p->gr_ok);
	(void)expect_eors(t, &t->a, 2);
	peer_stop(t->p);
	fc_expect(t, &t->a, BGP_NOTIFICATION, &m);
	assert_int_equal(msg_notif_decode(m.b + BGP_HDR_LEN,
	    m.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.subcode, NOTIF_CEASE_ADMIN_SHUTDOWN);
	assert_false(n.hard_reset);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_virtual_clock_drives_libev_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_exchange_reaches_established, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_without_capabilities_gives_ipv4_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_ipv6_only_peer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_keepalive_every_third_of_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_hold_timer_expiry_then_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_hold_time_zero_sends_no_keepalives, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_post_connect_failures_back_off, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_flapping_session_backs_off_until_stable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_open_wrong_as_is_2_2,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_open_version_3_is_2_1_with_4, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_open_hold_time_2_is_2_6, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_open_bgp_id_zero_is_2_3, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_update_bad_origin_is_treat_as_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_update_warnings_survive_refusal_burst, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_update_unrecognised_wellknown_resets_3_2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_update_withdrawn_overrun_resets_3_1, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_collision_local_id_higher_keeps_outbound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_collision_peer_id_higher_keeps_inbound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_inbound_while_established_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_collision_after_established_keeps_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_collision_candidate_that_fails_goes_away, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_idle_accepts_peer_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_holds_session_idle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_admin_resets_are_not_flaps, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gtsm_passive_listener_sends_255, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_listener_ttl_default_without_gtsm, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_descriptor_shortage_pauses_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_descriptor_shortage_outbound_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drained_after_withdraw,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_backpressure_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unread_route_refresh_flood_bounded_then_send_hold,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_keeps_session,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gr_restarting_defers_end_of_rib, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gr_restarting_verdicts_in_first, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gr_plain_start_and_hard_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gr_without_n_bit_closes_silently, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gr_off_offers_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_withdraws_then_ceases,
		    setup, teardown),
	};
	const char *dbg = getenv("TEST_SESSION_DEBUG");

	/* debug logging runs msg_describe() over every message too */
	log_init(dbg != NULL && dbg[0] == '1' ? LOG_LVL_DEBUG :
	    (enum log_level)(LOG_LVL_ERR + 1));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
