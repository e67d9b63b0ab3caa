/*
 * link.h - the BFD control packets' UDP sockets on the event loop: the
 * receiving sockets per (family, port) and one sending socket per session.
 * Bytes only: the codec (bfd/pkt.h) and the machine are the caller's.
 *
 * Receiving (RFC 5881 4, RFC 5883): one socket per address family and
 * port in use (3784 single hop, 4784 multihop), opened with the first
 * session of its kind and closed with the last.  Each datagram goes to the
 * rx callback with its addresses, arrival interface and TTL / hop limit.
 * Single hop: only TTL 255 passes (RFC 5881 5); the rest is dropped here
 * and counted.  RFC 5881 5 lets an authenticated session accept less, but
 * nomcast and every peer it talks to send 255, so nothing is lost by the
 * stricter rule.  Multihop: the TTL goes up in bfd_rx_info, for a caller
 * that holds a session to a hop count (bfd_rx_ttl_ok()); the speaker
 * (bfd.c) holds none, as routers start multihop packets from different
 * TTLs (BIRD from 64).
 *
 * Sending: a socket per session, bound to its local address (or the
 * kernel's choice) and to a source port of 49152-65535 that no other
 * session of this link uses (RFC 5881 4), sent with TTL / hop limit 255,
 * DSCP CS6 and SO_PRIORITY 6, connected to the peer.  Sends never block;
 * a failed one is counted and the socket stays usable.
 *
 * Ownership: the link owns its sockets and every bfd_tx it opened;
 * bfd_link_free() closes those the caller has not.
 */
#ifndef NOMCAST_BFD_LINK_H
#define NOMCAST_BFD_LINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ev_loop;
struct bfd_link;
struct bfd_tx;

/* datagrams read per receiving socket per wakeup, so a flood cannot
 * starve the rest of the loop; the next wakeup reads on */
#define BFD_LINK_RX_BURST	64
/* longer is no BFD control packet (the longest is 52 bytes): dropped as
 * truncated */
#define BFD_LINK_RX_MAX		128
#define BFD_LINK_TTL		255	/* sent, and required for single hop */
#define BFD_LINK_TOS		0xc0	/* DSCP CS6, network control */
/* SO_PRIORITY: the highest a process may set without CAP_NET_ADMIN */
#define BFD_LINK_PRIORITY	6
/* descriptors: at most this many receiving sockets, plus one per session */
#define BFD_LINK_RX_FDS		4

struct bfd_rx_info {
	struct sockaddr_storage	src;	/* the sender's address and port */
	struct sockaddr_storage	dst;	/* the address sent to, and our port */
	unsigned		ifindex;	/* arrived on; 0 unknown */
	int			ttl;	/* TTL / hop limit; -1 unknown */
	bool			multihop;	/* came to the multihop port */
};

/*
 * One received datagram, len <= BFD_LINK_RX_MAX.  buf and ri are valid
 * during the call only.  The callback may open and close bfd_tx sockets,
 * but must not free the link.
 */
typedef void bfd_rx_fn(void *ctx, const uint8_t *buf, size_t len,
    const struct bfd_rx_info *ri);

/* the link's counters, for show and metrics */
struct bfd_link_stats {
	uint64_t	rx;		/* datagrams handed to the callback */
	uint64_t	rx_drop_ttl;	/* single hop, TTL not 255 */
	uint64_t	rx_drop_trunc;	/* longer than BFD_LINK_RX_MAX */
	uint64_t	rx_errors;	/* recvmsg failed */
	uint64_t	tx;		/* datagrams sent, all sessions */
	uint64_t	tx_errors;	/* sends that failed, all sessions */
};

/* one session's counters */
struct bfd_tx_stats {
	uint64_t	tx;
	uint64_t	tx_errors;	/* EAGAIN, ENOBUFS, ECONNREFUSED, ... */
	int		last_errno;	/* of the last failed send; 0 none */
};

/* What a session sends from and to. */
struct bfd_tx_conf {
	/* the peer; port 0 means the kind's (3784 or 4784); an IPv6
	 * link-local address carries its sin6_scope_id, here and in local */
	const struct sockaddr	*peer;
	/* our address (port ignored); NULL: the kernel picks by route */
	const struct sockaddr	*local;
	/* bind to this interface (SO_BINDTODEVICE, needs CAP_NET_RAW); or
	 * NULL */
	const char		*ifname;
	bool			multihop;
	/* the source port to try first (a session taken over from the
	 * previous process keeps its port, RFC 5881 4); 0: any */
	uint16_t		sport;
};

/* A link on loop delivering to rx(ctx, ...); no socket is open yet.
 * NULL only when out of memory. */
struct bfd_link	*bfd_link_new(struct ev_loop *loop, bfd_rx_fn *rx,
		    void *ctx);
/* closes every socket and every bfd_tx still open; NULL is a no-op */
void		 bfd_link_free(struct bfd_link *l);
/*
 * The ports to listen on and send to (default 3784 and 4784), for tests
 * beside a running daemon.  Takes effect for sockets opened afterwards.
 */
void		 bfd_link_set_ports(struct bfd_link *l, uint16_t single,
		    uint16_t multi);
const struct bfd_link_stats *bfd_link_stats(const struct bfd_link *l);
/* receiving sockets open now (0-4), for tests and the descriptor count */
unsigned	 bfd_link_rx_open(const struct bfd_link *l);

/*
 * A session's sending socket, connected to c->peer, and a reference on
 * the receiving socket of its family and kind (opened if it is the
 * first).  NULL: *err names the step that failed and errno says why;
 * EMFILE or ENFILE (out of descriptors, logged once until a socket opens
 * again) and EADDRINUSE (no free source port) are worth retrying later
 * from a timer, never at once.
 */
struct bfd_tx	*bfd_link_open_tx(struct bfd_link *l,
		    const struct bfd_tx_conf *c, const char **err);
/*
 * Sends one datagram without blocking.  0, or -1 with errno (counted; the
 * socket stays usable: an ECONNREFUSED from a peer's ICMP is reported
 * once and the next send goes out).
 */
int		 bfd_tx_send(struct bfd_tx *t, const uint8_t *buf, size_t len);
/* the source port the session sends from (host order) */
uint16_t	 bfd_tx_port(const struct bfd_tx *t);
const struct bfd_tx_stats *bfd_tx_stats(const struct bfd_tx *t);
/* closes the socket and drops the receive reference; NULL is a no-op */
void		 bfd_tx_close(struct bfd_tx *t);

/*
 * RFC 5883: a multihop packet passes when it crossed at most max_hops
 * routers (TTL >= 256 - max_hops); max_hops 0 disables the check.  Single
 * hop packets were already held to 255 by the link.
 */
static inline bool
bfd_rx_ttl_ok(const struct bfd_rx_info *ri, unsigned max_hops)
{
	if (!ri->multihop)
		return ri->ttl == BFD_LINK_TTL;
	if (max_hops == 0)
		return true;
	if (max_hops > 255)
		max_hops = 255;
	return ri->ttl >= 0 && ri->ttl >= 256 - (int)max_hops;
}

#endif
