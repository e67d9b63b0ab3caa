/*
 * test_bfd.c - the BFD speaker: two speakers in one process, each on a
 * loop of its own, talking over loopback (127.0.0.1 and ::1) on ports of
 * the test's choosing.  The test runs both loops in turn; stopping one
 * loop silences that speaker without a goodbye, as a dead node would.
 *
 * Four helpers share two cores: timing bounds have honest margins, and
 * lower bounds are taken from times that cannot be late.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "bfd/bfd.h"
#include "lib/log.h"

#define MS	1000u

/* what the owner was told about one session */
struct rec {
	int		 n;		/* callbacks */
	int		 n_failed;
	uint8_t		 old, state;
	bool		 failed;
	uint64_t	 t_us;		/* of the last callback */
	bool		 ever_up;
};

struct side {
	struct ev_loop	   *loop;
	struct bfd	   *b;
	struct bfd_session *s4, *s6;
	struct rec	    r4, r6;
};

struct fx {
	struct side	 a, b;
	uint16_t	 port;		/* A's single hop port */
	bool		 b_frozen;	/* B's speaker held still */
	uint64_t	 t_frozen;	/* when */
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
state_cb(void *ctx, struct bfd_session *s, uint8_t old, uint8_t state,
    bool failed)
{
	struct rec *r = ctx;

	(void)s;
	r->n++;
	r->n_failed += failed;
	r->old = old;
	r->state = state;
	r->failed = failed;
	r->t_us = now_us();
	if (state == BFD_UP)
		r->ever_up = true;
}

static struct conf_bfd
conf(uint32_t interval_ms)
{
	struct conf_bfd c;

	memset(&c, 0, sizeof(c));
	c.enabled = true;
	c.timers.desired_min_tx_us = interval_ms * MS;
	c.timers.required_min_rx_us = interval_ms * MS;
	c.timers.detect_mult = 3;
	return c;
}

static struct conf_bfd
conf_keyed(uint32_t interval_ms, uint8_t type, const char *secret)
{
	struct conf_bfd c = conf(interval_ms);
	const char *why;

	c.keyed = true;
	assert_int_equal(bfd_key_set(&c.key, type, 7, secret, &why), 0);
	return c;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	/* ports of our own, away from a running daemon's and from another
	 * test process's */
	uint16_t base = (uint16_t)(30000 + (getpid() % 4000) * 4);

	assert_non_null(f);
	log_init(LOG_LVL_WARN);
	srandom((unsigned)getpid());
	f->a.loop = ev_loop_new(EVFLAG_AUTO);
	f->b.loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->a.loop);
	assert_non_null(f->b.loop);
	f->a.b = bfd_new(f->a.loop);
	f->b.b = bfd_new(f->b.loop);
	assert_non_null(f->a.b);
	assert_non_null(f->b.b);
	bfd_set_ports(f->a.b, base, (uint16_t)(base + 1), (uint16_t)(base + 2),
	    (uint16_t)(base + 3));
	bfd_set_ports(f->b.b, (uint16_t)(base + 2), (uint16_t)(base + 3), base,
	    (uint16_t)(base + 1));
	f->port = base;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f->b_frozen)
		bfd_freeze(f->b.b, false);
	bfd_free(f->a.b);
	bfd_free(f->b.b);
	ev_loop_destroy(f->a.loop);
	ev_loop_destroy(f->b.loop);
	free(f);
	return 0;
}

static struct bfd_session *
add(struct side *sd, const char *peer, const struct conf_bfd *c,
    struct rec *r)
{
	struct bfd_session *s;
	struct addr a;
	const char *err = NULL;

	assert_int_equal(addr_parse(peer, &a), 0);
	s = bfd_session_add(sd->b, peer, &a, NULL, c, state_cb, r, &err);
	if (s == NULL)
		fprintf(stderr, "bfd_session_add %s: %s: %s\n", peer, err,
		    strerror(errno));
	assert_non_null(s);
	return s;
}

/* both sides, v4 and v6, with confs ca (A's) and cb (B's) */
static void
add_all(struct fx *f, const struct conf_bfd *ca, const struct conf_bfd *cb)
{
	f->a.s4 = add(&f->a, "127.0.0.1", ca, &f->a.r4);
	f->a.s6 = add(&f->a, "::1", ca, &f->a.r6);
	f->b.s4 = add(&f->b, "127.0.0.1", cb, &f->b.r4);
	f->b.s6 = add(&f->b, "::1", cb, &f->b.r6);
}

static struct bfd_session_info
info(const struct bfd_session *s)
{
	struct bfd_session_info si;

	bfd_session_info(s, &si);
	return si;
}

typedef bool cond_fn(struct fx *f);

/*
 * Run the owners' loops, which hear of the speakers' state changes (each
 * speaker runs in a thread of its own), for up to ms or until cond holds
 * (cond NULL: the whole time).
 */
static bool
drive(struct fx *f, unsigned ms, cond_fn *cond)
{
	uint64_t end = now_us() + (uint64_t)ms * MS;
	struct timespec nap = { 0, 200000 };

	for (;;) {
		if (cond != NULL && cond(f))
			return true;
		if (now_us() >= end)
			return false;
		ev_run(f->a.loop, EVRUN_NOWAIT);
		ev_run(f->b.loop, EVRUN_NOWAIT);
		nanosleep(&nap, NULL);
	}
}

/* the states as the owners were told (delivered on their loops) */
static bool
all_up(struct fx *f)
{
	return f->a.r4.state == BFD_UP && f->a.r6.state == BFD_UP &&
	    f->b.r4.state == BFD_UP && f->b.r6.state == BFD_UP;
}

static bool
a4_down(struct fx *f)
{
	return f->a.r4.state != BFD_UP;
}

static bool
a4_up(struct fx *f)
{
	return f->a.r4.state == BFD_UP && f->b.r4.state == BFD_UP;
}

/* the handshake, both families: Up well within a few slow intervals */
static void
test_up(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session_info a4, b4, a6;
	uint64_t t0 = now_us();

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	assert_true(now_us() - t0 < 3 * 1000000u);
	/* the Poll of the fast timers settles */
	drive(f, 300, NULL);
	a4 = info(f->a.s4);
	b4 = info(f->b.s4);
	a6 = info(f->a.s6);
	assert_int_equal(a4.remote_discr, b4.local_discr);
	assert_int_equal(b4.remote_discr, a4.local_discr);
	assert_int_not_equal(a4.local_discr, a6.local_discr);
	assert_int_not_equal(a4.local_discr, 0);
	assert_int_equal(a4.remote_state, BFD_UP);
	assert_int_equal(a4.tx_interval_us, 20 * MS);
	assert_int_equal(a4.rx_interval_us, 20 * MS);
	assert_int_equal(a4.detect_time_us, 60 * MS);
	assert_false(a4.multihop);
	assert_true(a4.src_port >= 49152);
	assert_true(a4.up_since_ms > 0);
	/* Down -> Up (or Down -> Init -> Up): no failure */
	assert_true(f->a.r4.ever_up && f->a.r6.ever_up);
	assert_true(f->b.r4.ever_up && f->b.r6.ever_up);
	assert_int_equal(f->a.r4.n_failed + f->b.r4.n_failed, 0);
	assert_int_equal(bfd_nsessions(f->a.b), 2);
	assert_ptr_equal(bfd_session_at(f->a.b, 2), NULL);
}

/* one second Up at 20 ms on an idle loop: no send came late */
static void
test_tx_gap(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session_info a4;
	uint64_t tx0;

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	tx0 = info(f->a.s4).cnt.tx;
	drive(f, 1000, NULL);
	a4 = info(f->a.s4);
	fprintf(stderr, "tx_gap_max_us=%llu packets/s=%llu\n",
	    (unsigned long long)a4.tx_gap_max_us,
	    (unsigned long long)(a4.cnt.tx - tx0));
	assert_true(a4.tx_gap_max_us > 0);
	assert_true(a4.tx_gap_max_us < 60 * MS);
	/* 75-100% of 20 ms: 50 to 67 a second */
	assert_in_range(a4.cnt.tx - tx0, 40, 70);
	assert_int_equal(a4.downs, 0);
}

/* B's speaker hangs */
static void
freeze_b(struct fx *f)
{
	bfd_freeze(f->b.b, true);
	f->b_frozen = true;
	f->t_frozen = now_us();
}

/*
 * B falls silent: A sees Down, failed, after its detection time.  B's
 * last packet went at most one interval (20 ms) before it froze, so from
 * then the detection time (60 ms) is at least 40 ms.
 */
static void
test_detect(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session_info a4;
	uint64_t dt;

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	drive(f, 200, NULL);
	f->a.r4.n = 0;
	freeze_b(f);
	assert_true(drive(f, 1000, a4_down));
	dt = f->a.r4.t_us - f->t_frozen;
	fprintf(stderr, "detected in %llu us (detect time 60000)\n",
	    (unsigned long long)dt);
	assert_int_equal(f->a.r4.n, 1);
	assert_int_equal(f->a.r4.old, BFD_UP);
	assert_int_equal(f->a.r4.state, BFD_DOWN);
	assert_true(f->a.r4.failed);
	a4 = info(f->a.s4);
	assert_int_equal(a4.local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(a4.downs, 1);
	assert_true(dt >= 40 * MS);
	assert_true(dt <= 60 * MS + 50 * MS);
	/* v6 too (same silence) */
	drive(f, 300, NULL);
	assert_int_equal(info(f->a.s6).state, BFD_DOWN);
	assert_true(f->a.r6.failed);
}

/* B deletes its session: AdminDown, no failure; v6 untouched */
static void
test_admin_down(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session_info a4;

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	drive(f, 100, NULL);
	f->a.r4.n = 0;
	bfd_session_del(f->b.s4);
	f->b.s4 = NULL;
	assert_true(drive(f, 500, a4_down));
	assert_int_equal(f->a.r4.n, 1);
	assert_int_equal(f->a.r4.old, BFD_UP);
	assert_int_equal(f->a.r4.state, BFD_DOWN);
	assert_false(f->a.r4.failed);
	a4 = info(f->a.s4);
	assert_int_equal(a4.remote_state, BFD_ADMIN_DOWN);
	assert_int_equal(a4.remote_diag, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(a4.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	/* and the detection time passing later is no failure either */
	drive(f, 300, NULL);
	assert_int_equal(f->a.r4.n, 1);
	assert_int_equal(info(f->a.s4).downs, 0);
	assert_int_equal(info(f->a.s6).state, BFD_UP);
	assert_int_equal(f->a.r6.n_failed, 0);
	assert_int_equal(bfd_nsessions(f->b.b), 1);
}

/* AdminDown on purpose and back: the remote is told, never failed */
static void
test_admin(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	f->b.r4.n = 0;
	bfd_session_admin(f->b.s4, true);
	/* the owner hears of its own change on its loop, as of any */
	drive(f, 20, NULL);
	assert_int_equal(f->b.r4.n, 1);
	assert_int_equal(f->b.r4.state, BFD_ADMIN_DOWN);
	assert_false(f->b.r4.failed);
	assert_true(drive(f, 500, a4_down));
	assert_false(f->a.r4.failed);
	assert_int_equal(info(f->a.s4).remote_state, BFD_ADMIN_DOWN);
	/* held there: the remote's Down packets do not bring it back */
	drive(f, 300, NULL);
	assert_int_equal(info(f->b.s4).state, BFD_ADMIN_DOWN);
	assert_int_equal(info(f->a.s4).state, BFD_DOWN);
	bfd_session_admin(f->b.s4, false);
	/* AdminDown -> Down, told, then on to Up with A */
	drive(f, 20, NULL);
	assert_true(f->b.r4.n >= 2);
	assert_int_not_equal(f->b.r4.state, BFD_ADMIN_DOWN);
	assert_true(drive(f, 3000, a4_up));
	assert_int_equal(f->a.r4.n_failed + f->b.r4.n_failed, 0);
}

static void
test_keyed(void **state)
{
	struct fx *f = *state;
	struct conf_bfd ca = conf_keyed(20, BFD_AUTH_SHA1, "s3cret");
	struct conf_bfd cm = conf_keyed(20, BFD_AUTH_MET_SHA1, "s3cret");
	struct bfd_drops d;

	add_all(f, &ca, &ca);
	assert_true(drive(f, 3000, all_up));
	drive(f, 300, NULL);
	assert_true(all_up(f));
	assert_int_equal(info(f->a.s4).auth_type, BFD_AUTH_SHA1);
	bfd_drops(f->a.b, &d);
	assert_int_equal(d.auth, 0);
	assert_int_equal(d.decode, 0);
	assert_int_equal(d.no_session, 0);
	/* meticulous too, on fresh sessions */
	bfd_session_del(f->a.s4);
	bfd_session_del(f->b.s4);
	f->b.s4 = NULL;
	f->a.s4 = add(&f->a, "127.0.0.1", &cm, &f->a.r4);
	f->b.s4 = add(&f->b, "127.0.0.1", &cm, &f->b.r4);
	assert_true(drive(f, 3000, a4_up));
	drive(f, 300, NULL);
	assert_true(a4_up(f));
	bfd_drops(f->a.b, &d);
	assert_int_equal(d.auth, 0);
}

static void
test_keyed_mismatch(void **state)
{
	struct fx *f = *state;
	struct conf_bfd ca = conf_keyed(20, BFD_AUTH_SHA1, "s3cret");
	struct conf_bfd cb = conf_keyed(20, BFD_AUTH_SHA1, "other");
	struct bfd_drops da, db;

	add_all(f, &ca, &cb);
	/* the slow rate: a few packets each way in 2.5 s */
	drive(f, 2500, NULL);
	assert_int_equal(info(f->a.s4).state, BFD_DOWN);
	assert_int_equal(info(f->b.s4).state, BFD_DOWN);
	assert_int_equal(info(f->a.s6).state, BFD_DOWN);
	assert_false(f->a.r4.ever_up || f->b.r4.ever_up);
	assert_int_equal(f->a.r4.n + f->b.r4.n + f->a.r6.n + f->b.r6.n, 0);
	bfd_drops(f->a.b, &da);
	bfd_drops(f->b.b, &db);
	assert_true(da.auth >= 4);	/* 2+ per family */
	assert_true(db.auth >= 4);
	assert_int_equal(info(f->a.s4).cnt.rx, 0);
}

static bool
a4_slow(struct fx *f)
{
	return info(f->a.s4).tx_interval_us == 50 * MS &&
	    info(f->b.s4).detect_time_us == 150 * MS;
}

/* new timers while Up: a Poll, no flap, and the new rate holds */
static void
test_set_conf(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20), slow = conf(50);
	uint64_t tx0;
	int na, nb;

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	drive(f, 200, NULL);
	na = f->a.r4.n;
	nb = f->b.r4.n;
	bfd_session_set_conf(f->a.s4, &slow);
	assert_true(drive(f, 1000, a4_slow));
	tx0 = info(f->a.s4).cnt.tx;
	drive(f, 1000, NULL);
	/* 75-100% of 50 ms: 20 to 27 a second (at 20 ms: 50 or more) */
	assert_in_range(info(f->a.s4).cnt.tx - tx0, 15, 30);
	/* its own Required Min RX went to 50 ms too */
	assert_int_equal(info(f->a.s4).detect_time_us, 150 * MS);
	/* and back to fast */
	bfd_session_set_conf(f->a.s4, &c);
	drive(f, 500, NULL);
	assert_int_equal(info(f->a.s4).tx_interval_us, 20 * MS);
	assert_int_equal(info(f->b.s4).detect_time_us, 60 * MS);
	assert_int_equal(f->a.r4.n, na);
	assert_int_equal(f->b.r4.n, nb);
	assert_true(a4_up(f));
}

/* a raw datagram to one of A's ports from src */
static void
raw_send_ttl(uint16_t port, const char *src, const uint8_t *buf, size_t len,
    int ttl)
{
	struct sockaddr_in to, from;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
	    sizeof(ttl)), 0);
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, src, &from.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)len);
	close(fd);
}

static void
raw_send(uint16_t port, const char *src, const uint8_t *buf, size_t len)
{
	raw_send_ttl(port, src, buf, len, 255);
}

/* what matches no session is dropped and counted, not handed to one */
static void
test_drops(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session_info a4;
	struct bfd_drops d, d0;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX], junk[10] = { 0xff };
	size_t n;
	uint64_t rx0;

	add_all(f, &c, &c);
	assert_true(drive(f, 3000, all_up));
	/* B's packets still on their way are read first */
	freeze_b(f);
	drive(f, 5, NULL);
	a4 = info(f->a.s4);
	rx0 = a4.cnt.rx;
	bfd_drops(f->a.b, &d0);
	assert_int_equal(d0.no_session + d0.decode, 0);
	memset(&p, 0, sizeof(p));
	p.vers = BFD_VERSION;
	p.state = BFD_UP;
	p.detect_mult = 3;
	p.my_disc = a4.remote_discr;
	p.your_disc = a4.local_discr;
	p.desired_min_tx = 20 * MS;
	p.required_min_rx = 20 * MS;
	assert_true((n = bfd_pkt_encode(&p, buf, sizeof(buf))) > 0);
	/* A's discriminator, but not from A's peer */
	raw_send(f->port, "127.0.0.2", buf, n);
	/* nobody's discriminator */
	p.your_disc = a4.local_discr ^ 0x5a5a5a5a;
	assert_true((n = bfd_pkt_encode(&p, buf, sizeof(buf))) > 0);
	raw_send(f->port, "127.0.0.1", buf, n);
	raw_send(f->port, "127.0.0.1", junk, sizeof(junk));
	drive(f, 30, NULL);
	bfd_drops(f->a.b, &d);
	assert_int_equal(d.no_session, 2);
	assert_int_equal(d.decode, 1);
	assert_int_equal(info(f->a.s4).cnt.rx, rx0);
}

/* multihop: any TTL, matched by address on the multihop port (RFC 5883) */
static void
test_multihop_ttl(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct bfd_session *s;
	struct bfd_drops d;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	size_t n;

	c.max_hops = 2;
	s = add(&f->a, "127.0.0.1", &c, &f->a.r4);
	assert_true(info(s).multihop);
	memset(&p, 0, sizeof(p));
	p.vers = BFD_VERSION;
	p.state = BFD_DOWN;
	p.detect_mult = 3;
	p.my_disc = 0x1234;
	p.desired_min_tx = 1000 * MS;
	p.required_min_rx = 1000 * MS;
	assert_true((n = bfd_pkt_encode(&p, buf, sizeof(buf))) > 0);
	/*
	 * No TTL bound on the multihop port: BIRD sends from 64, others
	 * from 255, over a path of unknown length
	 */
	raw_send_ttl((uint16_t)(f->port + 1), "127.0.0.1", buf, n, 63);
	drive(f, 30, NULL);
	bfd_drops(f->a.b, &d);
	assert_int_equal(d.ttl, 0);
	assert_int_equal(info(s).cnt.rx, 1);
	assert_int_equal(info(s).state, BFD_INIT);
	assert_int_equal(info(s).remote_discr, 0x1234);
}

/* no descriptor: NULL and why; the owner's retry works once one frees */
static void
test_emfile(void **state)
{
	struct fx *f = *state;
	struct conf_bfd c = conf(20);
	struct rlimit old, low;
	struct addr a;
	const char *err = NULL;
	int fd;

	assert_int_equal(addr_parse("127.0.0.1", &a), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* the lowest free descriptor: every one below it is in use */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_null(bfd_session_add(f->a.b, "p", &a, NULL, &c, state_cb,
	    &f->a.r4, &err));
	assert_int_equal(errno, EMFILE);
	assert_non_null(err);
	assert_int_equal(bfd_nsessions(f->a.b), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	f->a.s4 = bfd_session_add(f->a.b, "p", &a, NULL, &c, state_cb,
	    &f->a.r4, &err);
	assert_non_null(f->a.s4);
	assert_int_equal(bfd_nsessions(f->a.b), 1);
}

int
main(void)
{
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_up),
		T(test_tx_gap),
		T(test_detect),
		T(test_admin_down),
		T(test_admin),
		T(test_keyed),
		T(test_keyed_mismatch),
		T(test_set_conf),
		T(test_emfile),
		T(test_drops),
		T(test_multihop_ttl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
