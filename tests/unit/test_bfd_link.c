/*
 * test_bfd_link.c - the BFD sockets on a real loop with real datagrams on
 * 127.0.0.1 and ::1.  The link listens on free ports the test picks, so
 * it runs beside a daemon on 3784.  link.c is included to read a
 * session's descriptor and check its options.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "bfd/link.c"

#define RX_KEEP		4	/* datagrams kept for inspection */
#define WAIT_S		3.0	/* generous: four helpers share 2 cores */

struct fix {
	struct ev_loop		*loop;
	struct bfd_link		*link;
	uint16_t		 port_single, port_multi;
	unsigned		 n;		/* datagrams delivered */
	uint8_t			 buf[RX_KEEP][BFD_LINK_RX_MAX];
	size_t			 len[RX_KEEP];
	struct bfd_rx_info	 ri[RX_KEEP];
	struct bfd_tx		*close_in_rx;	/* closed by the callback */
	ev_timer		 deadline;
	bool			 timed_out;
};

static void
on_rx(void *ctx, const uint8_t *buf, size_t len, const struct bfd_rx_info *ri)
{
	struct fix *f = ctx;

	if (f->n < RX_KEEP) {
		memcpy(f->buf[f->n], buf, len);
		f->len[f->n] = len;
		f->ri[f->n] = *ri;
	}
	f->n++;
	if (f->close_in_rx != NULL) {
		bfd_tx_close(f->close_in_rx);
		f->close_in_rx = NULL;
	}
}

static void
on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fix *f = w->data;

	(void)loop;
	(void)revents;
	f->timed_out = true;
}

/* one loop iteration at a time until n datagrams came, or WAIT_S */
static void
run_until(struct fix *f, unsigned n)
{
	f->timed_out = false;
	ev_timer_set(&f->deadline, WAIT_S, 0.);
	ev_timer_start(f->loop, &f->deadline);
	while (f->n < n && !f->timed_out)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &f->deadline);
}

/* run the loop for secs whatever comes */
static void
run_for(struct fix *f, double secs)
{
	f->timed_out = false;
	ev_timer_set(&f->deadline, secs, 0.);
	ev_timer_start(f->loop, &f->deadline);
	while (!f->timed_out)
		ev_run(f->loop, EVRUN_ONCE);
}

/* a UDP port free on both families now (a dual-stack socket holds both
 * while the caller picks another) */
static int
hold_free_port(uint16_t *port)
{
	struct sockaddr_in6 s;
	socklen_t sl = sizeof(s);
	int fd, off = 0;

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)), 0);
	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_addr = in6addr_any;
	assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof(s)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&s, &sl), 0);
	*port = ntohs(s.sin6_port);
	return fd;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	int a, b;

	assert_non_null(f);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	f->link = bfd_link_new(f->loop, on_rx, f);
	assert_non_null(f->link);
	a = hold_free_port(&f->port_single);
	b = hold_free_port(&f->port_multi);
	close(a);
	close(b);
	bfd_link_set_ports(f->link, f->port_single, f->port_multi);
	ev_timer_init(&f->deadline, on_deadline, WAIT_S, 0.);
	f->deadline.data = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	bfd_link_free(f->link);
	ev_loop_destroy(f->loop);
	free(f);
	return 0;
}

static struct sockaddr_storage
sa(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') == NULL) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, addr, &s->sin_addr), 1);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, addr, &s->sin6_addr), 1);
	}
	return ss;
}

static struct bfd_tx *
open_tx(struct fix *f, const char *peer, uint16_t peer_port,
    const char *local, bool multihop)
{
	struct sockaddr_storage p = sa(peer, peer_port), lo;
	struct bfd_tx_conf c = { .peer = (struct sockaddr *)&p,
	    .multihop = multihop };
	struct bfd_tx *t;
	const char *err = NULL;

	if (local != NULL) {
		lo = sa(local, 0);
		c.local = (struct sockaddr *)&lo;
	}
	t = bfd_link_open_tx(f->link, &c, &err);
	if (t == NULL)
		fail_msg("open_tx %s: %s: %s", peer, err, strerror(errno));
	return t;
}

/* a datagram from a plain socket with the given TTL / hop limit */
static void
send_plain(const char *to, uint16_t port, int ttl, const void *buf,
    size_t len)
{
	struct sockaddr_storage d = sa(to, port);
	int fd = socket(d.ss_family, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	if (d.ss_family == AF_INET)
		assert_int_equal(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
		    sizeof(ttl)), 0);
	else
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6,
		    IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)), 0);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&d,
	    sa_len(d.ss_family)), (ssize_t)len);
	close(fd);
}

static const uint8_t pkt[24] = { 0x20, 0x40, 3, 24, 0, 0, 0, 1 };

static void
check_delivery(struct fix *f, const char *addr, int family)
{
	struct bfd_tx *t = open_tx(f, addr, 0, addr, false);
	struct sockaddr_storage want = sa(addr, 0);
	const struct bfd_rx_info *ri = &f->ri[0];

	assert_int_equal(bfd_link_rx_open(f->link), 1);
	assert_int_equal(bfd_tx_send(t, pkt, sizeof(pkt)), 0);
	run_until(f, 1);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->len[0], sizeof(pkt));
	assert_memory_equal(f->buf[0], pkt, sizeof(pkt));
	assert_int_equal(ri->ttl, 255);
	assert_false(ri->multihop);
	assert_int_equal(ri->ifindex, if_nametoindex("lo"));
	assert_int_equal(ri->src.ss_family, family);
	assert_int_equal(ri->dst.ss_family, family);
	if (family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&ri->src;
		const struct sockaddr_in *d = (const void *)&ri->dst;
		const struct sockaddr_in *w = (const void *)&want;

		assert_int_equal(s->sin_addr.s_addr, w->sin_addr.s_addr);
		assert_int_equal(d->sin_addr.s_addr, w->sin_addr.s_addr);
		assert_int_equal(ntohs(s->sin_port), bfd_tx_port(t));
		assert_int_equal(ntohs(d->sin_port), f->port_single);
	} else {
		const struct sockaddr_in6 *s = (const void *)&ri->src;
		const struct sockaddr_in6 *d = (const void *)&ri->dst;
		const struct sockaddr_in6 *w = (const void *)&want;

		assert_memory_equal(&s->sin6_addr, &w->sin6_addr, 16);
		assert_memory_equal(&d->sin6_addr, &w->sin6_addr, 16);
		assert_int_equal(ntohs(s->sin6_port), bfd_tx_port(t));
		assert_int_equal(ntohs(d->sin6_port), f->port_single);
	}
	assert_int_equal(bfd_link_stats(f->link)->rx, 1);
	assert_int_equal(bfd_link_stats(f->link)->tx, 1);
	assert_int_equal(bfd_tx_stats(t)->tx, 1);
	bfd_tx_close(t);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
}

static void
test_link_v4_datagram_reaches_rx_with_addrs_port_ttl_255(
    void **state)
{
	check_delivery(*state, "127.0.0.1", AF_INET);
}

static void
test_link_v6_datagram_reaches_rx_with_addrs_port_hops_255(
    void **state)
{
	check_delivery(*state, "::1", AF_INET6);
}

static int
getopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t sl = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &sl), 0);
	return v;
}

static void
test_link_tx_sets_ttl_255_cs6_and_priority_6(void **state)
{
	struct fix *f = *state;
	struct bfd_tx *t4 = open_tx(f, "127.0.0.1", 0, NULL, false);
	struct bfd_tx *t6 = open_tx(f, "::1", 0, NULL, false);

	assert_int_equal(getopt_int(t4->fd, IPPROTO_IP, IP_TTL), 255);
	assert_int_equal(getopt_int(t4->fd, IPPROTO_IP, IP_TOS), 0xc0);
	assert_int_equal(getopt_int(t4->fd, SOL_SOCKET, SO_PRIORITY), 6);
	assert_int_equal(getopt_int(t6->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS),
	    255);
	assert_int_equal(getopt_int(t6->fd, IPPROTO_IPV6, IPV6_TCLASS), 0xc0);
	assert_int_equal(getopt_int(t6->fd, SOL_SOCKET, SO_PRIORITY), 6);
	assert_int_equal(bfd_link_rx_open(f->link), 2);
}

static void
test_link_source_ports_in_range_and_distinct(void **state)
{
	struct fix *f = *state;
	struct bfd_tx *a = open_tx(f, "127.0.0.1", 0, "127.0.0.1", false);
	struct bfd_tx *b = open_tx(f, "127.0.0.1", 0, "127.0.0.1", false);
	struct bfd_tx *c = open_tx(f, "::1", 0, NULL, true);

	assert_in_range(bfd_tx_port(a), 49152, 65535);
	assert_in_range(bfd_tx_port(b), 49152, 65535);
	assert_in_range(bfd_tx_port(c), 49152, 65535);
	assert_int_not_equal(bfd_tx_port(a), bfd_tx_port(b));
	assert_int_not_equal(bfd_tx_port(a), bfd_tx_port(c));
	assert_int_not_equal(bfd_tx_port(b), bfd_tx_port(c));
	/* one receiving socket per family and kind, held by its sessions */
	assert_int_equal(bfd_link_rx_open(f->link), 2);
	bfd_tx_close(a);
	assert_int_equal(bfd_link_rx_open(f->link), 2);
	bfd_tx_close(b);
	assert_int_equal(bfd_link_rx_open(f->link), 1);
	bfd_tx_close(c);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
}

static void
check_ttl_254_dropped(struct fix *f, const char *addr)
{
	static const uint8_t bad[24] = { 0x20, 0x40, 3, 24, 0xba, 0xd0 };

	(void)open_tx(f, addr, 0, NULL, false);
	send_plain(addr, f->port_single, 254, bad, sizeof(bad));
	send_plain(addr, f->port_single, 255, pkt, sizeof(pkt));
	/* one socket's queue is in order: once the second came, the first
	 * was read */
	run_until(f, 1);
	run_for(f, 0.05);
	/* the 255 one came, the 254 one did not */
	assert_int_equal(f->n, 1);
	assert_memory_equal(f->buf[0], pkt, sizeof(pkt));
	assert_int_equal(bfd_link_stats(f->link)->rx_drop_ttl, 1);
	assert_int_equal(bfd_link_stats(f->link)->rx, 1);
}

static void
test_link_v4_ttl_254_single_hop_dropped_and_counted(void **state)
{
	check_ttl_254_dropped(*state, "127.0.0.1");
}

static void
test_link_v6_hop_limit_254_single_hop_dropped_and_counted(void **state)
{
	check_ttl_254_dropped(*state, "::1");
}

static void
test_link_oversize_datagram_dropped_as_truncated(void **state)
{
	struct fix *f = *state;
	uint8_t big[BFD_LINK_RX_MAX + 1];

	memset(big, 0x20, sizeof(big));
	(void)open_tx(f, "127.0.0.1", 0, NULL, false);
	send_plain("127.0.0.1", f->port_single, 255, big, sizeof(big));
	send_plain("127.0.0.1", f->port_single, 255, big, BFD_LINK_RX_MAX);
	run_until(f, 1);
	run_for(f, 0.05);
	/* exactly the buffer's size passes, one byte more does not */
	assert_int_equal(f->n, 1);
	assert_int_equal(f->len[0], BFD_LINK_RX_MAX);
	assert_int_equal(bfd_link_stats(f->link)->rx_drop_trunc, 1);
}

static void
test_link_flood_read_in_bounded_bursts_per_wakeup(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage d;
	unsigned i, before, most = 0, iterations = 0;
	int fd, ttl = 255;

	(void)open_tx(f, "127.0.0.1", 0, NULL, false);
	d = sa("127.0.0.1", f->port_single);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
	    sizeof(ttl)), 0);
	/* what the receive queue cannot hold is lost, as on a real flood */
	for (i = 0; i < 1000; i++)
		(void)sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&d,
		    sizeof(struct sockaddr_in));
	close(fd);
	/* one iteration at a time: each reads at most one burst, so a
	 * timer due meanwhile runs between bursts */
	f->timed_out = false;
	ev_timer_set(&f->deadline, 0.5, 0.);
	ev_timer_start(f->loop, &f->deadline);
	while (!f->timed_out) {
		before = f->n;
		ev_run(f->loop, EVRUN_ONCE);
		if (f->n - before > most)
			most = f->n - before;
		if (f->n != before)
			iterations++;
	}
	/* the queue held more than one burst, or the bound went unused */
	assert_true(f->n > BFD_LINK_RX_BURST);
	assert_true(most <= BFD_LINK_RX_BURST);
	assert_true(iterations >= 2);
	assert_int_equal(bfd_link_stats(f->link)->rx, f->n);
	if (getenv("BFD_LINK_FIGURES") != NULL)
		printf("flood: %u of 1000 queued, %u iterations, at most %u "
		    "per iteration\n", f->n, iterations, most);
}

static void
test_link_multihop_port_delivers_and_passes_ttl_up(void **state)
{
	struct fix *f = *state;
	struct bfd_tx *t = open_tx(f, "127.0.0.1", 0, NULL, true);
	const struct sockaddr_in *d = (const void *)&f->ri[0].dst;

	assert_int_equal(bfd_tx_send(t, pkt, sizeof(pkt)), 0);
	run_until(f, 1);
	assert_int_equal(f->n, 1);
	assert_true(f->ri[0].multihop);
	assert_int_equal(f->ri[0].ttl, 255);
	assert_int_equal(ntohs(d->sin_port), f->port_multi);
	/* two hops away: delivered, and the caller's check decides */
	send_plain("127.0.0.1", f->port_multi, 254, pkt, sizeof(pkt));
	run_until(f, 2);
	assert_int_equal(f->n, 2);
	assert_int_equal(f->ri[1].ttl, 254);
	assert_int_equal(bfd_link_stats(f->link)->rx_drop_ttl, 0);
	assert_false(bfd_rx_ttl_ok(&f->ri[1], 1));
	assert_true(bfd_rx_ttl_ok(&f->ri[1], 2));
	assert_true(bfd_rx_ttl_ok(&f->ri[1], 0));
	assert_true(bfd_rx_ttl_ok(&f->ri[0], 1));
}

static void
test_link_econnrefused_counted_and_next_send_goes_out(void **state)
{
	struct fix *f = *state;
	uint16_t port;
	int hold = hold_free_port(&port), lfd, e;
	struct sockaddr_storage ls;
	struct bfd_tx *t;
	uint8_t got[64];

	close(hold);
	/* nobody on port: the first packet draws a port unreachable */
	t = open_tx(f, "127.0.0.1", port, NULL, false);
	assert_int_equal(bfd_tx_send(t, pkt, sizeof(pkt)), 0);
	e = 0;
	if (bfd_tx_send(t, pkt, sizeof(pkt)) == -1)
		e = errno;
	assert_int_equal(e, ECONNREFUSED);
	assert_int_equal(bfd_tx_stats(t)->tx_errors, 1);
	assert_int_equal(bfd_tx_stats(t)->last_errno, ECONNREFUSED);
	assert_int_equal(bfd_link_stats(f->link)->tx_errors, 1);
	/* now someone listens: the same socket reaches it */
	lfd = socket(AF_INET, SOCK_DGRAM, 0);
	ls = sa("127.0.0.1", port);
	assert_int_equal(bind(lfd, (struct sockaddr *)&ls,
	    sizeof(struct sockaddr_in)), 0);
	assert_int_equal(bfd_tx_send(t, pkt, sizeof(pkt)), 0);
	assert_int_equal(recv(lfd, got, sizeof(got), 0), (ssize_t)sizeof(pkt));
	assert_int_equal(bfd_tx_stats(t)->tx, 2);
	close(lfd);
}

static void
test_link_callback_may_close_the_last_session(void **state)
{
	struct fix *f = *state;
	unsigned i;

	f->close_in_rx = open_tx(f, "127.0.0.1", 0, NULL, false);
	for (i = 0; i < 5; i++)
		send_plain("127.0.0.1", f->port_single, 255, pkt, sizeof(pkt));
	run_for(f, 0.2);
	/* the receiving socket went with its last session, unread rest and
	 * all */
	assert_int_equal(f->n, 1);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
	assert_int_equal(bfd_link_stats(f->link)->rx_errors, 0);
}

static void
test_link_out_of_descriptors_fails_then_retry_works(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage p = sa("127.0.0.1", 0);
	struct bfd_tx_conf c = { .peer = (struct sockaddr *)&p };
	struct rlimit old, low;
	const char *err = NULL;
	struct bfd_tx *t;
	int lowest, e;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* the lowest free descriptor: the limit leaves none beyond it */
	lowest = open("/dev/null", O_RDONLY);
	assert_true(lowest >= 0);
	close(lowest);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	t = bfd_link_open_tx(f->link, &c, &err);
	e = errno;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(t);
	assert_int_equal(e, EMFILE);
	assert_non_null(err);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
	t = bfd_link_open_tx(f->link, &c, &err);
	assert_non_null(t);
	assert_int_equal(bfd_link_rx_open(f->link), 1);
}

static void
test_link_bad_conf_rejected(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage p = sa("127.0.0.1", 0), lo = sa("::1", 0);
	struct bfd_tx_conf c = { .peer = (struct sockaddr *)&p,
	    .local = (struct sockaddr *)&lo };
	const char *err = NULL;

	assert_null(bfd_link_open_tx(f->link, &c, &err));
	assert_int_equal(errno, EINVAL);
	assert_non_null(err);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
}

static void
test_link_bound_to_an_interface(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage p = sa("127.0.0.1", 0);
	struct bfd_tx_conf c = { .peer = (struct sockaddr *)&p,
	    .ifname = "nomcast-none0" };
	const char *err = NULL;
	struct bfd_tx *t;

	/* no such interface (or no right to bind one): refused, no leak */
	assert_null(bfd_link_open_tx(f->link, &c, &err));
	assert_non_null(err);
	assert_int_equal(bfd_link_rx_open(f->link), 0);
	if (geteuid() != 0)
		skip();	/* SO_BINDTODEVICE needs CAP_NET_RAW */
	c.ifname = "lo";
	t = bfd_link_open_tx(f->link, &c, &err);
	assert_non_null(t);
	assert_int_equal(bfd_tx_send(t, pkt, sizeof(pkt)), 0);
	run_until(f, 1);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->ri[0].ifindex, if_nametoindex("lo"));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_link_v4_datagram_reaches_rx_with_addrs_port_ttl_255),
		T(test_link_v6_datagram_reaches_rx_with_addrs_port_hops_255),
		T(test_link_tx_sets_ttl_255_cs6_and_priority_6),
		T(test_link_source_ports_in_range_and_distinct),
		T(test_link_v4_ttl_254_single_hop_dropped_and_counted),
		T(test_link_v6_hop_limit_254_single_hop_dropped_and_counted),
		T(test_link_oversize_datagram_dropped_as_truncated),
		T(test_link_flood_read_in_bounded_bursts_per_wakeup),
		T(test_link_multihop_port_delivers_and_passes_ttl_up),
		T(test_link_econnrefused_counted_and_next_send_goes_out),
		T(test_link_callback_may_close_the_last_session),
		T(test_link_out_of_descriptors_fails_then_retry_works),
		T(test_link_bad_conf_rejected),
		T(test_link_bound_to_an_interface),
	};

	log_init(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
