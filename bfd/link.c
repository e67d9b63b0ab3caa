/*
 * link.c - the BFD UDP sockets on libev (see link.h).
 */
#include <errno.h>
#include <ev.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bfd/link.h"
#include "lib/log.h"

#define BFD_SPORT_MIN		49152	/* RFC 5881 4: the source ports */
#define BFD_SPORT_MAX		65535
#define BFD_SPORT_N		(BFD_SPORT_MAX - BFD_SPORT_MIN + 1)
/* room for many sessions' packets between two wakeups of a busy loop */
#define BFD_RX_RCVBUF		(256 * 1024)

enum { FAM_V4, FAM_V6, FAM_N };
enum { KIND_SINGLE, KIND_MULTI, KIND_N };

struct rxsock {
	struct bfd_link	*link;
	ev_io		 io;
	int		 fd;		/* -1 closed */
	unsigned	 refs;		/* sessions of this family and kind */
	uint16_t	 port;		/* bound to, host order */
	bool		 multihop;
	int		 family;
};

struct bfd_tx {
	struct bfd_link		*link;
	struct bfd_tx		*next;
	int			 fd;
	int			 fam, kind;
	uint16_t		 sport;
	struct bfd_tx_stats	 st;
};

struct bfd_link {
	struct ev_loop		*loop;
	bfd_rx_fn		*rx;
	void			*ctx;
	uint16_t		 port[KIND_N];
	struct rxsock		 rs[FAM_N][KIND_N];
	struct bfd_tx		*txs;		/* every open bfd_tx */
	uint8_t			 sport_used[BFD_SPORT_N / 8];
	unsigned		 sport_next;	/* next search starts here */
	struct bfd_link_stats	 st;
	bool			 fd_short_logged;
	struct log_rl		 rl_rx;
};

static bool
fd_shortage(int e)
{
	return e == EMFILE || e == ENFILE;
}

/* out of descriptors: one line until a socket opens again */
static void
note_socket_errno(struct bfd_link *l, int e)
{
	if (!fd_shortage(e) || l->fd_short_logged)
		return;
	l->fd_short_logged = true;
	log_warn("bfd=link msg=\"cannot open a socket: %s; "
	    "sessions retry later\"", LE(strerror(e)));
}

static int
fam_index(int family)
{
	return family == AF_INET6 ? FAM_V6 : FAM_V4;
}

/* ---- receiving ---- */

static void
rx_parse_cmsg(struct msghdr *msg, int family, struct bfd_rx_info *ri)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (family == AF_INET && cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_TTL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&ri->ttl, CMSG_DATA(cm), sizeof(int));
		} else if (family == AF_INET && cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			struct sockaddr_in *d = (void *)&ri->dst;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ri->ifindex = (unsigned)pi.ipi_ifindex;
			d->sin_addr = pi.ipi_addr;	/* the header's */
		} else if (family == AF_INET6 &&
		    cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&ri->ttl, CMSG_DATA(cm), sizeof(int));
		} else if (family == AF_INET6 &&
		    cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *d = (void *)&ri->dst;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ri->ifindex = pi.ipi6_ifindex;
			d->sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				d->sin6_scope_id = pi.ipi6_ifindex;
		}
	}
}

/* one datagram: 1 read (delivered or dropped), 0 nothing left, -1 error */
static int
rx_one(struct rxsock *rs)
{
	struct bfd_link *l = rs->link;
	uint8_t buf[BFD_LINK_RX_MAX];
	union {
		struct cmsghdr	h;
		uint8_t		b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(int)) + 64];
	} cbuf;
	struct bfd_rx_info ri;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg;
	ssize_t n;

	memset(&ri, 0, sizeof(ri));
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ri.src;
	msg.msg_namelen = sizeof(ri.src);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.b;
	msg.msg_controllen = sizeof(cbuf.b);
	n = recvmsg(rs->fd, &msg, MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			return 1;
		l->st.rx_errors++;
		log_rl(&l->rl_rx, LOG_LVL_WARN, "bfd=link port=%u "
		    "msg=\"cannot read: %s\"", rs->port, LE(strerror(errno)));
		return -1;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		l->st.rx_drop_trunc++;
		return 1;
	}
	ri.ttl = -1;
	ri.multihop = rs->multihop;
	ri.dst.ss_family = (sa_family_t)rs->family;
	if (rs->family == AF_INET)
		((struct sockaddr_in *)&ri.dst)->sin_port = htons(rs->port);
	else
		((struct sockaddr_in6 *)&ri.dst)->sin6_port = htons(rs->port);
	rx_parse_cmsg(&msg, rs->family, &ri);
	/* RFC 5881 5: one hop only; a TTL we could not read fails too */
	if (!rs->multihop && ri.ttl != BFD_LINK_TTL) {
		l->st.rx_drop_ttl++;
		return 1;
	}
	l->st.rx++;
	l->rx(l->ctx, buf, (size_t)n, &ri);
	return 1;
}

static void
rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rxsock *rs = w->data;
	int i;

	(void)loop;
	(void)revents;
	/* bounded, so a flood leaves the loop its timers; the watcher is
	 * level-triggered and comes back for the rest */
	for (i = 0; i < BFD_LINK_RX_BURST; i++) {
		if (rx_one(rs) <= 0)
			break;
		/* the callback closed the last session of this kind */
		if (rs->fd == -1)
			break;
	}
}

static int
rx_setopts(int fd, int family)
{
	int on = 1, rcvbuf = BFD_RX_RCVBUF;

	/* a bigger queue helps, but the system's cap is no error */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on,
		    sizeof(on)) == -1 || setsockopt(fd, IPPROTO_IP,
		    IP_PKTINFO, &on, sizeof(on)) == -1 ? -1 : 0;
	/* the v4 socket takes IPv4: no mapped addresses here */
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)) == -1 || setsockopt(fd, IPPROTO_IPV6,
	    IPV6_RECVHOPLIMIT, &on, sizeof(on)) == -1 || setsockopt(fd,
	    IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) == -1 ? -1 : 0;
}

static int
rx_open(struct bfd_link *l, struct rxsock *rs, int family, int kind,
    const char **err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, e;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_ANY);
		s->sin_port = htons(l->port[kind]);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_any;
		s->sin6_port = htons(l->port[kind]);
		sl = sizeof(*s);
	}
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		e = errno;
		note_socket_errno(l, e);
		*err = "cannot open the receiving socket";
		errno = e;
		return -1;
	}
	if (rx_setopts(fd, family) == -1) {
		*err = "cannot set the receiving socket's options";
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
		*err = "cannot bind the receiving port";
		goto fail;
	}
	l->fd_short_logged = false;
	rs->link = l;
	rs->fd = fd;
	rs->port = l->port[kind];
	rs->multihop = kind == KIND_MULTI;
	rs->family = family;
	ev_io_init(&rs->io, rx_cb, fd, EV_READ);
	rs->io.data = rs;
	/* BFD first among the events of one iteration: its deadlines are
	 * the shortest the daemon has */
	ev_set_priority(&rs->io, EV_MAXPRI);
	ev_io_start(l->loop, &rs->io);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static void
rx_close(struct bfd_link *l, struct rxsock *rs)
{
	if (rs->fd == -1)
		return;
	ev_io_stop(l->loop, &rs->io);
	close(rs->fd);
	rs->fd = -1;
	rs->refs = 0;
}

static int
rx_ref(struct bfd_link *l, int fam, int kind, const char **err)
{
	struct rxsock *rs = &l->rs[fam][kind];

	if (rs->refs == 0 && rx_open(l, rs, fam == FAM_V6 ? AF_INET6 :
	    AF_INET, kind, err) == -1)
		return -1;
	rs->refs++;
	return 0;
}

static void
rx_unref(struct bfd_link *l, int fam, int kind)
{
	struct rxsock *rs = &l->rs[fam][kind];

	if (rs->refs > 0 && --rs->refs == 0)
		rx_close(l, rs);
}

/* ---- the link ---- */

struct bfd_link *
bfd_link_new(struct ev_loop *loop, bfd_rx_fn *rx, void *ctx)
{
	struct bfd_link *l;
	int f, k;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->loop = loop;
	l->rx = rx;
	l->ctx = ctx;
	l->port[KIND_SINGLE] = 3784;	/* RFC 5881 4 */
	l->port[KIND_MULTI] = 4784;	/* RFC 5883 */
	for (f = 0; f < FAM_N; f++)
		for (k = 0; k < KIND_N; k++)
			l->rs[f][k].fd = -1;
	/* start the search at a random place, so a restarted daemon does
	 * not reuse the ports its previous sessions had */
	l->sport_next = (unsigned)random() % BFD_SPORT_N;
	return l;
}

void
bfd_link_free(struct bfd_link *l)
{
	int f, k;

	if (l == NULL)
		return;
	while (l->txs != NULL)
		bfd_tx_close(l->txs);
	for (f = 0; f < FAM_N; f++)
		for (k = 0; k < KIND_N; k++)
			rx_close(l, &l->rs[f][k]);
	free(l);
}

void
bfd_link_set_ports(struct bfd_link *l, uint16_t single, uint16_t multi)
{
	l->port[KIND_SINGLE] = single;
	l->port[KIND_MULTI] = multi;
}

const struct bfd_link_stats *
bfd_link_stats(const struct bfd_link *l)
{
	return &l->st;
}

unsigned
bfd_link_rx_open(const struct bfd_link *l)
{
	unsigned n = 0;
	int f, k;

	for (f = 0; f < FAM_N; f++)
		for (k = 0; k < KIND_N; k++)
			n += l->rs[f][k].fd != -1;
	return n;
}

/* ---- sending ---- */

static bool
sport_used(const struct bfd_link *l, unsigned i)
{
	return (l->sport_used[i / 8] >> (i % 8)) & 1;
}

static void
sport_mark(struct bfd_link *l, unsigned i, bool used)
{
	if (used)
		l->sport_used[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		l->sport_used[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static void
sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t
sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static socklen_t
sa_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/*
 * RFC 5881 4: a source port of the range that no other session of ours
 * has; the kernel refuses one another program holds (EADDRINUSE).
 * Returns the port's index, or -1 (errno EADDRINUSE: none free).
 */
static int
tx_bind_sport(struct bfd_link *l, int fd, struct sockaddr_storage *local)
{
	unsigned n, i;

	for (n = 0; n < BFD_SPORT_N; n++) {
		i = (l->sport_next + n) % BFD_SPORT_N;
		if (sport_used(l, i))
			continue;
		sa_set_port(local, (uint16_t)(BFD_SPORT_MIN + i));
		if (bind(fd, (struct sockaddr *)local,
		    sa_len(local->ss_family)) == 0) {
			l->sport_next = (i + 1) % BFD_SPORT_N;
			return (int)i;
		}
		if (errno != EADDRINUSE)
			return -1;
	}
	errno = EADDRINUSE;
	return -1;
}

static int
tx_setopts(int fd, int family, const char *ifname)
{
	int ttl = BFD_LINK_TTL, tos = BFD_LINK_TOS, prio = BFD_LINK_PRIORITY;
	int rcvbuf = 1;

	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
		    sizeof(ttl)) == -1 || setsockopt(fd, IPPROTO_IP, IP_TOS,
		    &tos, sizeof(tos)) == -1)
			return -1;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl)) == -1 || setsockopt(fd, IPPROTO_IPV6,
		    IPV6_TCLASS, &tos, sizeof(tos)) == -1)
			return -1;
	}
	/* the qdisc's band for network control, beside the DSCP the
	 * routers see */
	if (setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)) == -1)
		return -1;
	/* nothing is read here (peers send to 3784 / 4784): the kernel's
	 * smallest queue bounds what a stray sender can park on it; ICMP
	 * errors do not use the queue */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (ifname != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    ifname, (socklen_t)strlen(ifname)) == -1)
		return -1;
	return 0;
}

struct bfd_tx *
bfd_link_open_tx(struct bfd_link *l, const struct bfd_tx_conf *c,
    const char **err)
{
	struct sockaddr_storage peer, local;
	struct bfd_tx *t = NULL;
	int fam, kind, fd = -1, idx, e;
	bool ref = false;

	*err = NULL;
	if (c->peer == NULL || (c->peer->sa_family != AF_INET &&
	    c->peer->sa_family != AF_INET6) || (c->local != NULL &&
	    c->local->sa_family != c->peer->sa_family) ||
	    (c->ifname != NULL && strlen(c->ifname) >= IFNAMSIZ)) {
		*err = "bad peer, local address or interface";
		errno = EINVAL;
		return NULL;
	}
	fam = fam_index(c->peer->sa_family);
	kind = c->multihop ? KIND_MULTI : KIND_SINGLE;
	memset(&peer, 0, sizeof(peer));
	memcpy(&peer, c->peer, sa_len(c->peer->sa_family));
	if (sa_port(&peer) == 0)
		sa_set_port(&peer, l->port[kind]);
	memset(&local, 0, sizeof(local));
	if (c->local != NULL)
		memcpy(&local, c->local, sa_len(c->local->sa_family));
	else
		local.ss_family = c->peer->sa_family;	/* any address */

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		*err = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	if (rx_ref(l, fam, kind, err) == -1)
		goto fail;
	ref = true;
	fd = socket(c->peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		note_socket_errno(l, errno);
		*err = "cannot open the sending socket";
		goto fail;
	}
	if (tx_setopts(fd, c->peer->sa_family, c->ifname) == -1) {
		*err = "cannot set the sending socket's options";
		goto fail;
	}
	if (c->sport >= BFD_SPORT_MIN &&
	    !sport_used(l, (unsigned)(c->sport - BFD_SPORT_MIN)))
		l->sport_next = (unsigned)(c->sport - BFD_SPORT_MIN);
	if ((idx = tx_bind_sport(l, fd, &local)) == -1) {
		*err = "cannot bind a source port";
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&peer,
	    sa_len(peer.ss_family)) == -1) {
		*err = "cannot connect to the peer";
		goto fail;
	}
	l->fd_short_logged = false;
	sport_mark(l, (unsigned)idx, true);
	t->link = l;
	t->fd = fd;
	t->fam = fam;
	t->kind = kind;
	t->sport = (uint16_t)(BFD_SPORT_MIN + idx);
	t->next = l->txs;
	l->txs = t;
	return t;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	if (ref)
		rx_unref(l, fam, kind);
	free(t);
	errno = e;
	return NULL;
}

int
bfd_tx_send(struct bfd_tx *t, const uint8_t *buf, size_t len)
{
	struct bfd_link *l = t->link;
	ssize_t n;

	n = send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n == (ssize_t)len) {
		t->st.tx++;
		l->st.tx++;
		return 0;
	}
	/* ECONNREFUSED is the peer's port unreachable of an earlier
	 * packet, reported once; this one was not sent, the next will be */
	if (n >= 0)
		errno = EMSGSIZE;
	t->st.tx_errors++;
	t->st.last_errno = errno;
	l->st.tx_errors++;
	return -1;
}

uint16_t
bfd_tx_port(const struct bfd_tx *t)
{
	return t->sport;
}

const struct bfd_tx_stats *
bfd_tx_stats(const struct bfd_tx *t)
{
	return &t->st;
}

void
bfd_tx_close(struct bfd_tx *t)
{
	struct bfd_link *l;
	struct bfd_tx **pp;

	if (t == NULL)
		return;
	l = t->link;
	for (pp = &l->txs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	close(t->fd);
	sport_mark(l, (unsigned)(t->sport - BFD_SPORT_MIN), false);
	rx_unref(l, t->fam, t->kind);
	free(t);
}
