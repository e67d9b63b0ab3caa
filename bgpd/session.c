/*
 * session.c - the session adapter: sockets and libev watchers around the
 * pure FSM and codec.  Everything here turns an I/O happening into an FSM
 * event, or carries out the FSM's actions; protocol decisions live in
 * fsm.c and msg.c.
 */
#include "bgpd/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgpd/notif.h"
#include "lib/mono.h"

#define HOLD_LARGE		240	/* RFC 4271 8.2.2: "4 minutes" */
#define RESTART_MAX		120	/* cap of the reconnect backoff, seconds */
/*
 * DampPeerOscillations (RFC 4271 8.1.1): failures count until a session
 * has stayed Established this long, so a session that flaps backs off.
 */
#define STABLE_SECS		300
#define GTSM_TTL		255	/* RFC 5082 */
#define SEND_HOLD_MIN		480	/* RFC 9687: at least 8 minutes */
/*
 * The output queue of one connection: UPDATEs are built from the
 * Adj-RIB-Out only while it holds less than WQ_HIGH, and building resumes
 * once the socket has taken it below WQ_LOW.  Bounds a peer that asks for
 * the table again and again but does not read it.
 */
#define WQ_HIGH			(16 * BGP_MAX_MSG)
#define WQ_LOW			(4 * BGP_MAX_MSG)
#define LISTEN_PAUSE		0.5	/* seconds the listener rests on EMFILE */


/* the peer's output is written: tell the owner (a VIP may wait on it) */
static void
peer_drained(struct peer *p)
{
	if (p->sp->hooks.drained != NULL)
		p->sp->hooks.drained(p->sp->hooks.ctx, p);
}
static void	conn_event(struct conn *c, enum fsm_event ev);
static void	conn_close(struct conn *c);
static void	read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void	write_cb(struct ev_loop *loop, ev_io *w, int revents);

/* ---- small helpers ---- */

/* the soft descriptor limit, for the line that says it was reached */
static unsigned long
fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return (unsigned long)rl.rlim_cur;
}

static bool
errno_is_fd_shortage(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

static double
jitter(double secs)
{
	/* RFC 4271 10: jitter timers by 75..100% so peers do not synchronize */
	return secs * (0.75 + 0.25 * (double)random() / (double)RAND_MAX);
}

static const char *
peer_state_name(const struct peer *p)
{
	return fsm_state_name(p->c.fsm.state);
}

/* ---- socket options: TCP-MD5, TTL, GTSM ---- */

/*
 * RFC 2385 TCP-MD5 key for the peer's address on socket fd.  On a
 * dual-stack listener an IPv4 peer's key is given as a v4-mapped address.
 */
static int
sock_set_md5(int fd, int family, const struct conf_peer *cf)
{
	struct tcp_md5sig md5;
	struct addr a = cf->addr;
	size_t klen = strlen(cf->password);

	memset(&md5, 0, sizeof(md5));
	if (family == AF_INET6 && a.afi == AFI_IPV4) {
		uint8_t v4[4];

		memcpy(v4, a.b, 4);
		memset(a.b, 0, sizeof(a.b));
		a.b[10] = a.b[11] = 0xff;
		memcpy(a.b + 12, v4, 4);
		a.afi = AFI_IPV6;
	}
	addr_to_sockaddr(&a, 0, &md5.tcpm_addr);
	md5.tcpm_keylen = (uint16_t)klen;
	memcpy(md5.tcpm_key, cf->password, klen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

/*
 * The TTL options by the peer's address family: an IPv4 peer on the
 * dual-stack listener is reached over a v4-mapped IPv6 socket, whose IPv4
 * packets follow IP_TTL and IP_MINTTL (which Linux takes on such a
 * socket), not their IPv6 counterparts.  accepted: the socket came from
 * a listener that may have sent TTL 255 for GTSM peers; an iBGP peer
 * without GTSM goes back to the default.
 */
static int
sock_set_ttl(int fd, const struct conf_peer *cf, bool ibgp, bool accepted)
{
	int ttl, minttl = 0;

	if (cf->ttl_security) {
		/* RFC 5082: send 255, accept only what crossed one hop */
		ttl = GTSM_TTL;
		minttl = GTSM_TTL - 1;
	} else if (cf->multihop > 0)
		ttl = cf->multihop;
	else if (!ibgp)
		ttl = 1;	/* eBGP peers are directly connected */
	else if (accepted)
		ttl = -1;	/* the route's default */
	else
		return 0;
	if (cf->addr.afi == AFI_IPV4) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == -1)
			return -1;
		if (minttl && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &minttl,
		    sizeof(minttl)) == -1)
			return -1;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl)) == -1)
			return -1;
		if (minttl && setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT,
		    &minttl, sizeof(minttl)) == -1)
			return -1;
	}
	return 0;
}

static int
sock_prepare(int fd, const struct peer *p, bool accepted)
{
	int one = 1;

	/* BGP messages are complete units: do not wait to coalesce them */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sock_set_ttl(fd, p->cf, conf_peer_is_ibgp(p->sp->conf, p->cf),
	    accepted) == -1) {
		peer_log(p, LOG_LVL_WARN, "msg=\"cannot set TTL: %s\"",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- output ---- */

static void	timer_set(struct conn *c, ev_timer *t, double secs);

/*
 * RFC 9687: how long the peer may leave our output unread: as configured,
 * or the larger of 8 minutes and twice the negotiated hold time.
 */
static double
send_hold_secs(const struct conn *c)
{
	double two_hold;

	if (c->peer->cf->send_hold_time != 0)
		return c->peer->cf->send_hold_time;
	two_hold = c->fsm.state >= FSM_OPENCONFIRM ?
	    2.0 * c->peer->hold_time : 0;

	return two_hold > SEND_HOLD_MIN ? two_hold : SEND_HOLD_MIN;
}

static void
conn_try_write(struct conn *c)
{
	struct peer *p = c->peer;
	bool progress = false;
	ssize_t n;

	while (c->wlen > 0) {
		n = send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL);
		if (n > 0) {
			memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
			c->wlen -= (size_t)n;
			progress = true;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		peer_log_rl(c->peer, LOG_LVL_WARN, "msg=\"write failed: %s\"",
		    n == -1 ? strerror(errno) : "closed");
		c->wlen = 0;
		conn_event(c, FSM_EV_TCP_CONNECTION_FAILS);
		return;
	}
	if (c->wlen > 0) {
		ev_io_start(p->sp->loop, &c->wio);
		/*
		 * The send hold time counts from the last progress.  One
		 * that expired in this loop iteration, its callback not run
		 * yet, is left to run.
		 */
		if (progress || (!ev_is_active(&c->send_hold) &&
		    !ev_is_pending(&c->send_hold)))
			timer_set(c, &c->send_hold, send_hold_secs(c));
	} else {
		ev_io_stop(p->sp->loop, &c->wio);
		ev_timer_stop(p->sp->loop, &c->send_hold);
		/* give back the memory of a large burst (initial table) */
		if (c->wcap > 4 * BGP_MAX_MSG) {
			free(c->wbuf);
			c->wbuf = NULL;
			c->wcap = 0;
		}
	}
	if (c != &p->c)
		return;
	if (c->wfull && c->wlen < WQ_LOW && !p->flushing) {
		/* room again: build what the Adj-RIB-Out still holds */
		c->wfull = false;
		peer_flush(p);
		if (c->wlen > 0 || c->wfull)
			return;
	}
	if (c->wlen == 0 && !c->wfull)
		peer_drained(p);
}

/*
 * Queue one message and write at once: a verdict change reaches the wire
 * in the same loop iteration, not at the next write-ready event.
 */
static int
conn_send(struct conn *c, const uint8_t *msg, size_t len)
{
	char desc[256];

	if (c->fd == -1)
		return -1;
	if (c->wlen + len > c->wcap) {
		size_t ncap = c->wcap ? c->wcap : BGP_MAX_MSG;
		uint8_t *nb;

		while (ncap < c->wlen + len)
			ncap *= 2;
		if ((nb = realloc(c->wbuf, ncap)) == NULL)
			return -1;
		c->wbuf = nb;
		c->wcap = ncap;
	}
	memcpy(c->wbuf + c->wlen, msg, len);
	c->wlen += len;
	c->peer->st.msgs_out++;
	if (len > BGP_HDR_LEN && msg[18] == BGP_UPDATE)
		c->peer->st.updates_out++;
	if (log_enabled(LOG_LVL_DEBUG)) {
		msg_describe(msg, len, desc, sizeof(desc));
		peer_log(c->peer, LOG_LVL_DEBUG, "dir=out len=%zu msg=%s",
		    len, LQ(desc));
	}
	conn_try_write(c);
	return 0;
}

static int
emit_update(void *ctx, const uint8_t *msg, size_t len)
{
	struct conn *c = ctx;

	/* the rest stays pending in the Adj-RIB-Out (conn_try_write) */
	if (c->wlen >= WQ_HIGH) {
		c->wfull = true;
		return -1;
	}
	return conn_send(c, msg, len);
}

/*
 * Graceful Restart (RFC 4724 3) with the N bit (RFC 8538 2: this side
 * sends a Hard Reset whenever a Cease must end the routes).  Restart
 * State and Forwarding State only while coming back from a graceful
 * exit: the proxy kept forwarding meanwhile.  After a crash nothing
 * says the routes the peer kept are right, so F stays clear and the
 * peer drops them when the session is back (4.2).
 */
static void
gr_offer(const struct peer *p, struct bgp_open *o)
{
	bool restarting = p->sp->gr_restarting;
	uint8_t afi;

	o->cap_gr = true;
	o->gr.restarting = restarting;
	o->gr.notification = true;
	o->gr.time = p->cf->restart_time;
	for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++) {
		o->gr.af[afi] = afi == AFI_IPV4 ? o->cap_mp_ipv4 :
		    o->cap_mp_ipv6;
		o->gr.fwd[afi] = o->gr.af[afi] && restarting;
	}
}

static void
send_open(struct conn *c)
{
	const struct bgp_speaker *sp = c->peer->sp;
	const struct conf_bgp *cf = sp->conf;
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	bool v6;

	/* offer IPv6 when this peer carries an IPv6 prefix (owner's say) */
	v6 = sp->hooks.offer_ipv6 != NULL &&
	    sp->hooks.offer_ipv6(sp->hooks.ctx, c->peer);
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = cf->asn > 0xffff ? AS_TRANS : (uint16_t)cf->asn;
	o.hold_time = c->peer->cf->hold_time;
	o.bgp_id = cf->router_id;
	o.cap_as4 = true;
	o.as4 = cf->asn;
	/* always offer IPv4 unicast so a session never lacks a family */
	o.cap_mp_ipv4 = true;
	o.cap_mp_ipv6 = v6 || c->peer->cf->addr.afi == AFI_IPV6;
	o.cap_route_refresh = true;
	if (c->peer->cf->graceful_restart)
		gr_offer(c->peer, &o);
	wr_init(&w, buf, sizeof(buf));
	if (msg_open_encode(&w, &o) == -1 || w.err)
		return;
	conn_send(c, buf, wr_mark(&w));
}

static void
send_keepalive(struct conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wr w;

	wr_init(&w, buf, sizeof(buf));
	if (msg_keepalive_encode(&w) == 0 && !w.err)
		conn_send(c, buf, wr_mark(&w));
}

static void
send_notif(struct conn *c, const struct bgp_err *e)
{
	struct peer *p = c->peer;
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	bool hard;
	int rc;

	/*
	 * RFC 8538 5: with the N bit, any NOTIFICATION but a Hard Reset
	 * makes the peer keep our routes as stale.  Every Cease of ours
	 * means the routes must go (a stop, BFD Down, a removed peer),
	 * except the one of a graceful exit.
	 */
	hard = p->gr_notif && !p->gr_closing && e->code == NOTIF_CEASE;
	wr_init(&w, buf, sizeof(buf));
	if (e->code == NOTIF_CEASE && (e->subcode == NOTIF_CEASE_ADMIN_SHUTDOWN
	    || e->subcode == NOTIF_CEASE_ADMIN_RESET))
		rc = msg_notif_encode_shutdown(&w, e->subcode, p->gr_closing ?
		    "nomcast graceful restart" : p->sp->conf->shutdown_message,
		    hard);
	else if (hard)
		rc = msg_notif_encode_hard(&w, e->code, e->subcode, e->data,
		    e->datalen);
	else
		rc = msg_notif_encode(&w, e->code, e->subcode, e->data,
		    e->datalen);
	if (rc == -1 || w.err)
		return;
	p->last_err = *e;
	p->last_err_rcvd = false;
	peer_log(p, LOG_LVL_INFO, "notif=%u/%u sent=\"%s/%s\"%s", e->code,
	    e->subcode, notif_code_name(e->code),
	    notif_subcode_name(e->code, e->subcode),
	    hard ? " as=\"Hard Reset\"" : "");
	conn_send(c, buf, wr_mark(&w));
}

/* ---- timers ---- */

static void
timer_set(struct conn *c, ev_timer *t, double secs)
{
	ev_timer_stop(c->peer->sp->loop, t);
	if (secs > 0) {
		ev_timer_set(t, secs, 0.);
		ev_timer_start(c->peer->sp->loop, t);
	}
}

static double
connect_retry_secs(const struct peer *p)
{
	double s = p->cf->connect_retry;
	uint32_t i;

	/* exponential backoff over consecutive failures, capped */
	for (i = 0; i < p->fails && s < RESTART_MAX; i++)
		s *= 2;
	if (s > RESTART_MAX)
		s = RESTART_MAX;
	return jitter(s);
}

static void
connect_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct conn *c = t->data;

	(void)loop;
	(void)revents;
	conn_event(c, FSM_EV_CONNECT_RETRY_TIMER_EXPIRES);
}

static void
hold_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct conn *c = t->data;

	(void)loop;
	(void)revents;
	conn_event(c, FSM_EV_HOLD_TIMER_EXPIRES);
}

static void
keepalive_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct conn *c = t->data;

	(void)loop;
	(void)revents;
	conn_event(c, FSM_EV_KEEPALIVE_TIMER_EXPIRES);
}

/*
 * RFC 9687: the peer has read nothing of our output for the send hold
 * time.  Send Hold Timer Expired (best effort: it queues behind what the
 * peer does not read), then the connection goes as if TCP had failed:
 * Idle from Established or OpenConfirm, counter + 1, which is what RFC
 * 9687 asks of SendHoldTimer_Expires.
 */
static void
send_hold_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct conn *c = t->data;
	struct bgp_err e;

	(void)loop;
	(void)revents;
	peer_log(c->peer, LOG_LVL_WARN, "state=%s queued=%zu msg=\"peer has "
	    "read nothing for %.0f s: send hold timer expired\"",
	    fsm_state_name(c->fsm.state), c->wlen, send_hold_secs(c));
	c->peer->st.send_hold_expired++;
	memset(&e, 0, sizeof(e));
	e.code = NOTIF_SEND_HOLD_TIMER;
	send_notif(c, &e);
	ev_timer_stop(c->peer->sp->loop, &c->send_hold);
	conn_event(c, FSM_EV_TCP_CONNECTION_FAILS);
}

/* ---- connecting ---- */

static void
connect_done_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	int err = 0;
	socklen_t elen = sizeof(err);

	(void)revents;
	ev_io_stop(loop, w);
	ev_set_cb(w, write_cb);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		err = errno;
	if (err != 0) {
		peer_log(c->peer, LOG_LVL_DEBUG, "msg=\"connect failed: %s\"",
		    strerror(err));
		conn_event(c, FSM_EV_TCP_CONNECTION_FAILS);
		return;
	}
	ev_io_start(loop, &c->rio);
	conn_event(c, FSM_EV_TCP_CR_ACKED);
}


static void
conn_attach(struct conn *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	c->fd = fd;
	c->rlen = 0;
	c->wlen = 0;
	c->wfull = false;
	c->open_rcvd = false;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		addr_from_sockaddr(&ss, &c->local);
	ev_io_init(&c->rio, read_cb, fd, EV_READ);
	c->rio.data = c;
	ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
	c->wio.data = c;
	ev_io_start(c->peer->sp->loop, &c->rio);
}

static void
conn_connect(struct conn *c)
{
	struct peer *p = c->peer;
	struct sockaddr_storage ss, ls;
	socklen_t sl, lsl;
	int fd, family = p->cf->addr.afi == AFI_IPV4 ? AF_INET : AF_INET6;

	if (c->fd != -1)
		conn_close(c);
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		/* the backoff retries it; say why, as it may last */
		peer_log_rl(p, LOG_LVL_WARN, "msg=\"cannot open a socket: %s\""
		    "%s limit=%lu", strerror(errno), errno_is_fd_shortage(errno) ?
		    " reason=descriptors" : "", fd_limit());
		goto fail;
	}
	if (sock_prepare(fd, p, false) == -1)
		goto fail;
	if (p->cf->password[0] && sock_set_md5(fd, family, p->cf) == -1) {
		peer_log_rl(p, LOG_LVL_ERR, "msg=\"cannot set TCP-MD5 key: %s\"",
		    strerror(errno));
		goto fail;
	}
	if (addr_is_set(&p->cf->local_addr)) {
		lsl = addr_to_sockaddr(&p->cf->local_addr, 0, &ls);
		if (bind(fd, (struct sockaddr *)&ls, lsl) == -1) {
			peer_log_rl(p, LOG_LVL_WARN, "msg=\"cannot bind "
			    "local-address: %s\"", strerror(errno));
			goto fail;
		}
	}
	sl = addr_to_sockaddr(&p->cf->addr, p->cf->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		peer_log(p, LOG_LVL_DEBUG, "msg=\"connect: %s\"",
		    strerror(errno));
		goto fail;
	}
	c->inbound = false;
	conn_attach(c, fd);
	/* readable too early is harmless: the first event is writability */
	ev_io_stop(p->sp->loop, &c->rio);
	ev_set_cb(&c->wio, connect_done_cb);
	ev_io_start(p->sp->loop, &c->wio);
	return;
fail:
	if (fd != -1)
		close(fd);
	/* the FSM learns of it through the event queue, not recursively */
	conn_event(c, FSM_EV_TCP_CONNECTION_FAILS);
}

static void
conn_close(struct conn *c)
{
	struct ev_loop *loop = c->peer->sp->loop;

	if (c->fd == -1)
		return;
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->send_hold);
	ev_set_cb(&c->wio, write_cb);
	/* a last NOTIFICATION is still queued: one more try to write it */
	if (c->wlen > 0)
		(void)send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL | MSG_DONTWAIT);
	c->wlen = 0;
	c->wfull = false;
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	c->fd = -1;
	c->rlen = 0;
	c->open_rcvd = false;
}

/* ---- reading and dispatch ---- */

static void
record_rcvd_notif(struct peer *p, const struct bgp_notif *n)
{
	p->last_err.code = n->code;
	p->last_err.subcode = n->subcode;
	p->last_err.datalen = 0;
	p->last_err_rcvd = true;
	if (n->hard_reset)	/* RFC 8538: name the NOTIFICATION inside */
		peer_log(p, LOG_LVL_INFO, "state=%s notif=%u/%u rcvd=\"%s/%s\" "
		    "as=\"Hard Reset\"%s%s", peer_state_name(p), n->inner_code,
		    n->inner_subcode, notif_code_name(n->inner_code),
		    notif_subcode_name(n->inner_code, n->inner_subcode),
		    n->has_shutdown_msg ? " msg=" : "",
		    n->has_shutdown_msg ? LQ(n->shutdown_msg) : "");
	else
		peer_log(p, LOG_LVL_INFO, "state=%s notif=%u/%u rcvd=\"%s/%s\"%s%s",
		    peer_state_name(p), n->code, n->subcode,
		    notif_code_name(n->code),
		    notif_subcode_name(n->code, n->subcode),
		    n->has_shutdown_msg ? " msg=" : "",
		    n->has_shutdown_msg ? LQ(n->shutdown_msg) : "");
}

/* settle what both OPENs agreed on (RFC 4271 4.2, RFC 4760, RFC 6793) */
static void
negotiate(struct conn *c)
{
	struct peer *p = c->peer;
	const struct bgp_open *o = &c->peer_open;
	bool no_mp = !o->cap_mp_ipv4 && !o->cap_mp_ipv6;

	p->hold_time = o->hold_time < p->cf->hold_time ? o->hold_time :
	    p->cf->hold_time;
	c->fsm.hold_zero = p->hold_time == 0;
	p->opts.as4 = o->cap_as4;
	p->opts.ibgp = conf_peer_is_ibgp(p->sp->conf, p->cf);
	p->opts.local_as = p->sp->conf->asn;
	/* RFC 4760 8: without the capability, IPv4 unicast is implied */
	p->afi_ok[AFI_IPV4] = o->cap_mp_ipv4 || no_mp;
	p->afi_ok[AFI_IPV6] = o->cap_mp_ipv6;
	p->gr_ok = p->cf->graceful_restart && o->cap_gr;
	p->gr_notif = p->gr_ok && o->gr.notification;
}

static void collision_resolve(struct conn *incoming);

/*
 * The router's operator reset or shut the session down (RFC 4486): a
 * deliberate act, not an oscillation, so it does not add to the backoff
 * (a router cleared twice in a row is still taken back at once).
 */
static bool
notif_is_admin_cease(const struct bgp_notif *n)
{
	if (n->code != NOTIF_CEASE)
		return false;
	/* a Hard Reset is about the NOTIFICATION inside it */
	switch (n->hard_reset && n->inner_code == NOTIF_CEASE ?
	    n->inner_subcode : n->subcode) {
	case NOTIF_CEASE_ADMIN_SHUTDOWN:
	case NOTIF_CEASE_PEER_DECONFIGURED:
	case NOTIF_CEASE_ADMIN_RESET:
	case NOTIF_CEASE_OTHER_CONFIG_CHANGE:
		return true;
	default:
		return false;
	}
}

static void
handle_open(struct conn *c, const uint8_t *body, size_t len)
{
	struct peer *p = c->peer;
	const struct conf_bgp *cf = p->sp->conf;

	if (c->fsm.state != FSM_OPENSENT) {
		conn_event(c, FSM_EV_BGP_OPEN);	/* FSM: unexpected here */
		return;
	}
	if (msg_open_decode(body, len, &c->peer_open, &c->err) == -1 ||
	    msg_open_check(&c->peer_open, p->cf->asn, cf->asn,
	    cf->router_id, &c->err) == -1) {
		conn_event(c, FSM_EV_BGP_OPEN_MSG_ERR);
		return;
	}
	c->open_rcvd = true;
	if (p->coll != NULL) {
		collision_resolve(c);
		return;
	}
	negotiate(c);
	conn_event(c, FSM_EV_BGP_OPEN);
}

static void
handle_update(struct conn *c, const uint8_t *body, size_t len)
{
	struct peer *p = c->peer;
	struct upd_result res;
	enum upd_verdict v;

	p->st.updates_in++;
	if (c->fsm.state != FSM_ESTABLISHED) {
		conn_event(c, FSM_EV_UPDATE_MSG);	/* FSM error */
		return;
	}
	memset(&res, 0, sizeof(res));
	v = msg_update_check(body, len, &p->opts, &res, &c->err);
	switch (v) {
	case UPD_SESSION_RESET:
		peer_log(p, LOG_LVL_WARN, "msg=\"malformed UPDATE: %s\"",
		    LE(res.reason));
		conn_event(c, FSM_EV_UPDATE_MSG_ERR);
		return;
	case UPD_TREAT_AS_WITHDRAW:
	case UPD_ATTR_DISCARD:
		/* RFC 7606: the session stays; say what was wrong, once */
		if (v == UPD_ATTR_DISCARD)
			p->st.updates_attr_discard++;
		else
			p->st.updates_treat_as_withdraw++;
		peer_log_upd(p, LOG_LVL_WARN, "action=%s attr=%u msg=%s",
		    v == UPD_ATTR_DISCARD ? "attribute-discard" :
		    "treat-as-withdraw", res.bad_attr, LQ(res.reason));
		break;
	case UPD_OK:
		break;
	}
	if (res.eor)
		p->st.eor_rcvd++;
	conn_event(c, FSM_EV_UPDATE_MSG);
}

static void
handle_route_refresh(struct conn *c, const uint8_t *msg, size_t len)
{
	struct peer *p = c->peer;
	struct bgp_rr rr;

	if (c->fsm.state != FSM_ESTABLISHED) {
		conn_event(c, FSM_EV_UPDATE_MSG);	/* unexpected: FSM error */
		return;
	}
	if (msg_rr_decode(msg, len, &rr, &c->err) == -1) {
		/* RFC 7313 5: a NOTIFICATION; the session cannot go on */
		conn_event(c, FSM_EV_UPDATE_MSG_ERR);
		return;
	}
	if (rr.safi != SAFI_UNICAST || rr.subtype != 0 ||
	    (rr.afi != AFI_IPV4 && rr.afi != AFI_IPV6) || !p->afi_ok[rr.afi]) {
		peer_log_rl(p, LOG_LVL_INFO, "msg=\"ROUTE-REFRESH for afi=%u "
		    "safi=%u subtype=%u ignored\"", rr.afi, rr.safi,
		    rr.subtype);
		return;
	}
	/* a peer may ask again and again: rate-limited */
	peer_log_rl(p, LOG_LVL_INFO, "msg=\"route refresh: re-sending "
	    "Adj-RIB-Out\" afi=%u", rr.afi);
	/*
	 * The whole Adj-RIB-Out is re-sent; the other family too, which is
	 * harmless (the peer replaces identical routes) and keeps the RIB-out
	 * free of per-family sent state.  Marking it unsent is the request:
	 * the UPDATEs are built as the queue has room (peer_flush), so a
	 * refresh asked while one is pending adds nothing.
	 */
	ribout_clear_sent(p->ro);
	peer_flush(p);
}

static void
dispatch(struct conn *c, const uint8_t *msg, size_t len, uint8_t type)
{
	struct peer *p = c->peer;
	const uint8_t *body = msg + BGP_HDR_LEN;	/* header checked */
	size_t blen = len - BGP_HDR_LEN;
	struct bgp_notif *n;
	char desc[256];

	p->st.msgs_in++;
	if (log_enabled(LOG_LVL_DEBUG)) {
		msg_describe(msg, len, desc, sizeof(desc));
		peer_log(p, LOG_LVL_DEBUG, "dir=in len=%zu msg=%s", len,
		    LQ(desc));
	}
	switch (type) {
	case BGP_OPEN:
		handle_open(c, body, blen);
		break;
	case BGP_UPDATE:
		handle_update(c, body, blen);
		break;
	case BGP_NOTIFICATION:
		if ((n = malloc(sizeof(*n))) != NULL) {
			if (msg_notif_decode(body, blen, n) == 0) {
				record_rcvd_notif(p, n);
				p->admin_cease_rcvd = c == &p->c &&
				    notif_is_admin_cease(n);
			}
			free(n);
		}
		/* RFC 4271 6.2: version error in OpenSent is its own event */
		conn_event(c, blen >= 2 && body[0] == NOTIF_OPEN &&
		    body[1] == NOTIF_OPEN_UNSUPPORTED_VERSION ?
		    FSM_EV_NOTIF_MSG_VER_ERR : FSM_EV_NOTIF_MSG);
		break;
	case BGP_KEEPALIVE:
		conn_event(c, FSM_EV_KEEPALIVE_MSG);
		break;
	case BGP_ROUTE_REFRESH:
		handle_route_refresh(c, msg, len);
		break;
	}
}

/*
 * Every complete message in the buffer, each taken out of the buffer
 * before it is handled: handling one can close the connection, free it
 * (a collision candidate that lost) or swap it with the other connection
 * (coll_swap, when the candidate won), and the buffer must be right in
 * each case.
 */
static void
conn_process(struct conn *c)
{
	struct peer *p = c->peer;
	bool coll = c == p->coll;
	uint8_t msg[BGP_MAX_MSG];
	uint16_t mlen;
	uint8_t type;

	while (c->fd != -1 && c->rlen >= BGP_HDR_LEN) {
		if (msg_hdr_decode(c->rbuf, c->rlen, &mlen, &type,
		    &c->err) == -1) {
			conn_event(c, FSM_EV_BGP_HEADER_ERR);
			return;
		}
		if (c->rlen < mlen)
			break;
		memcpy(msg, c->rbuf, mlen);
		memmove(c->rbuf, c->rbuf + mlen, c->rlen - mlen);
		c->rlen -= mlen;
		dispatch(c, msg, mlen, type);
		if (coll && p->coll != c) {
			/* c is gone; what it had buffered may now be p->c's */
			conn_process(&p->c);
			return;
		}
	}
}

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		peer_log(c->peer, LOG_LVL_INFO, "state=%s msg=\"connection %s\"",
		    fsm_state_name(c->fsm.state),
		    n == 0 ? "closed by peer" : strerror(errno));
		conn_event(c, FSM_EV_TCP_CONNECTION_FAILS);
		return;
	}
	c->rlen += (size_t)n;
	conn_process(c);
}

static void
write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_try_write(w->data);
}

/* ---- the FSM's actions ---- */

static void
conn_released(struct conn *c, enum fsm_state was)
{
	struct peer *p = c->peer;

	if (c != &p->c)
		return;
	ribout_clear_sent(p->ro);
	if (was == FSM_ESTABLISHED) {
		p->st.flaps++;
		/* it was stable: this failure is the first of a new series */
		if (mono_ms() - p->est_at >= STABLE_SECS * 1000)
			p->fails = 0;
	}
	if (was >= FSM_OPENSENT && !p->admin_cease_rcvd)
		p->fails++;
	p->admin_cease_rcvd = false;
}

static void
run_action(struct conn *c, const struct fsm_action *a, enum fsm_state was)
{
	struct peer *p = c->peer;
	struct bgp_err e;

	switch (a->type) {
	case FSM_ACT_CONNECT:
		conn_connect(c);
		break;
	case FSM_ACT_CLOSE:
		conn_close(c);
		break;
	case FSM_ACT_SEND_OPEN:
		send_open(c);
		break;
	case FSM_ACT_SEND_KEEPALIVE:
		send_keepalive(c);
		break;
	case FSM_ACT_SEND_NOTIF:
		memset(&e, 0, sizeof(e));
		e.code = a->code;
		e.subcode = a->subcode;
		/* RFC 4724 4: a graceful exit without the N bit says nothing */
		if (p->gr_closing && !p->gr_notif)
			break;
		/* a stop for a reason other than shutdown says which (RFC 4486) */
		if (e.code == NOTIF_CEASE &&
		    e.subcode == NOTIF_CEASE_ADMIN_SHUTDOWN && p->stop_subcode)
			e.subcode = p->stop_subcode;
		send_notif(c, &e);
		break;
	case FSM_ACT_SEND_NOTIF_ERR:
		send_notif(c, &c->err);
		break;
	case FSM_ACT_START_CONNECT_RETRY:
		timer_set(c, &c->connect_retry, connect_retry_secs(p));
		break;
	case FSM_ACT_STOP_CONNECT_RETRY:
		timer_set(c, &c->connect_retry, 0);
		break;
	case FSM_ACT_START_HOLD_LARGE:
		timer_set(c, &c->hold, HOLD_LARGE);
		break;
	case FSM_ACT_START_HOLD:
		timer_set(c, &c->hold, p->hold_time);
		break;
	case FSM_ACT_STOP_HOLD:
		timer_set(c, &c->hold, 0);
		break;
	case FSM_ACT_START_KEEPALIVE:
		/* RFC 4271 10: one third of the hold time, jittered */
		timer_set(c, &c->keepalive, jitter(p->hold_time / 3.0));
		break;
	case FSM_ACT_STOP_KEEPALIVE:
		timer_set(c, &c->keepalive, 0);
		break;
	case FSM_ACT_RELEASE:
		conn_released(c, was);
		break;
	case FSM_ACT_ESTABLISHED:
		/* fails is reset only once the session proves stable */
		p->est_at = mono_ms();
		p->eor_sent = false;
		if (p->sp->hooks.established != NULL)
			p->sp->hooks.established(p->sp->hooks.ctx, p);
		/*
		 * RFC 4724 4.1: after a graceful restart, the End-of-RIB
		 * waits for the first verdicts, or the peer would drop the
		 * routes they are about to confirm
		 */
		if (!(p->sp->gr_eor_held && p->gr_ok))
			peer_send_eor(p);
		break;
	case FSM_ACT_PROCESS_UPDATE:
		break;	/* announce-only: validated and counted, kept nowhere */
	}
}

static void
log_transition(struct conn *c, enum fsm_state from, enum fsm_event ev)
{
	struct peer *p = c->peer;
	enum fsm_state to = c->fsm.state;
	enum log_level lvl = LOG_LVL_INFO;

	if (from == to)
		return;
	if (c == &p->c) {
		p->since = time(NULL);
		p->st.transitions[to]++;
	}
	/* Connect <-> Active <-> Idle churn of an unreachable peer is noise */
	if (from <= FSM_ACTIVE && to <= FSM_ACTIVE)
		lvl = LOG_LVL_DEBUG;
	if (log_enabled(lvl))
		log_obj(lvl, "peer", p->addr_str, NULL, "%sstate=%s->%s "
		    "event=%s", c == &p->c ? "" : "conn=collision ",
		    fsm_state_name(from), fsm_state_name(to),
		    fsm_event_name(ev));
}

static void
conn_run(struct conn *c, enum fsm_event ev)
{
	struct fsm_actions acts;
	enum fsm_state from = c->fsm.state;
	unsigned i;

	fsm_step(&c->fsm, ev, &acts);
	/*
	 * The connection failed after TCP came up (OpenSent -> Active): a
	 * failure like any other, so the connect retry that follows backs
	 * off (a peer that accepts and closes at once is not redialed at
	 * the base rate forever).
	 */
	if (c == &c->peer->c && from == FSM_OPENSENT &&
	    c->fsm.state == FSM_ACTIVE)
		c->peer->fails++;
	for (i = 0; i < acts.n; i++)
		run_action(c, &acts.a[i], from);
	/* after the actions, so a NOTIFICATION sent is logged before it */
	log_transition(c, from, ev);
}

static void idle_check(struct conn *c);

/*
 * Feed one event to the connection's FSM.  Actions can raise events (a
 * failed connect, a write error); those are queued and run after the
 * current event, so the FSM never re-enters itself.
 */
static void
conn_event(struct conn *c, enum fsm_event ev)
{
	if (c->depth > 0) {
		if (c->qlen < sizeof(c->queue) / sizeof(c->queue[0]))
			c->queue[c->qlen++] = ev;
		else
			peer_log(c->peer, LOG_LVL_ERR, "msg=\"FSM event queue "
			    "full: %s dropped\"", fsm_event_name(ev));
		return;
	}
	c->depth++;
	conn_run(c, ev);
	while (c->qlen > 0) {
		ev = c->queue[0];
		c->qlen--;
		memmove(c->queue, c->queue + 1, c->qlen * sizeof(c->queue[0]));
		conn_run(c, ev);
	}
	c->depth--;
	idle_check(c);
}

/* ---- collision detection (RFC 4271 6.8) ---- */

static void
conn_init(struct conn *c, struct peer *p)
{
	memset(c, 0, sizeof(*c));
	c->peer = p;
	c->fd = -1;
	fsm_init(&c->fsm, p->cf->passive);
	ev_timer_init(&c->connect_retry, connect_retry_cb, 0., 0.);
	c->connect_retry.data = c;
	ev_timer_init(&c->hold, hold_cb, 0., 0.);
	c->hold.data = c;
	ev_timer_init(&c->keepalive, keepalive_cb, 0., 0.);
	c->keepalive.data = c;
	ev_timer_init(&c->send_hold, send_hold_cb, 0., 0.);
	c->send_hold.data = c;
	ev_io_init(&c->rio, read_cb, -1, EV_READ);
	ev_io_init(&c->wio, write_cb, -1, EV_WRITE);
}

static void
conn_stop_timers(struct conn *c)
{
	struct ev_loop *loop = c->peer->sp->loop;

	ev_timer_stop(loop, &c->connect_retry);
	ev_timer_stop(loop, &c->hold);
	ev_timer_stop(loop, &c->keepalive);
	ev_timer_stop(loop, &c->send_hold);
}

static void
coll_free(struct peer *p)
{
	if (p->coll == NULL)
		return;
	conn_close(p->coll);
	conn_stop_timers(p->coll);
	free(p->coll->wbuf);
	free(p->coll);
	p->coll = NULL;
}

/*
 * Which of a connection's watchers run, so they can be stopped while the
 * struct moves and started again where it lands: libev keeps pointers to
 * active watchers, so a watcher must never be moved while it is active.
 */
struct conn_watch {
	bool	rio, wio;
	double	connect_retry, hold, keepalive, send_hold;
					/* remaining; 0: stopped */
};

static double
timer_park(struct ev_loop *loop, ev_timer *t)
{
	double left;

	if (!ev_is_active(t))
		return 0;
	/* one that is due fires at once where it lands, not never */
	left = ev_timer_remaining(loop, t);
	ev_timer_stop(loop, t);
	return left > 1e-3 ? left : 1e-3;
}

static void
conn_park(struct conn *c, struct conn_watch *w)
{
	struct ev_loop *loop = c->peer->sp->loop;

	w->rio = ev_is_active(&c->rio);
	w->wio = ev_is_active(&c->wio);
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	w->connect_retry = timer_park(loop, &c->connect_retry);
	w->hold = timer_park(loop, &c->hold);
	w->keepalive = timer_park(loop, &c->keepalive);
	w->send_hold = timer_park(loop, &c->send_hold);
}

static void
conn_unpark(struct conn *c, const struct conn_watch *w)
{
	struct ev_loop *loop = c->peer->sp->loop;

	c->rio.data = c->wio.data = c;
	c->connect_retry.data = c->hold.data = c->keepalive.data = c;
	c->send_hold.data = c;
	if (w->rio)
		ev_io_start(loop, &c->rio);
	if (w->wio)
		ev_io_start(loop, &c->wio);
	timer_set(c, &c->connect_retry, w->connect_retry);
	timer_set(c, &c->hold, w->hold);
	timer_set(c, &c->keepalive, w->keepalive);
	timer_set(c, &c->send_hold, w->send_hold);
}

/*
 * Swap the main connection and the collision candidate, FSM state,
 * buffers, watchers and all, when the candidate won: the winner carries
 * the peer in the main slot, and the loser is left in the candidate slot,
 * where going to Idle frees it (idle_check) instead of taking the peer
 * down.
 */
static void
coll_swap(struct peer *p)
{
	struct conn tmp;
	struct conn_watch wm, wc;

	conn_park(&p->c, &wm);
	conn_park(p->coll, &wc);
	tmp = p->c;
	p->c = *p->coll;
	*p->coll = tmp;
	/* the candidate's FSM was made passive; the peer follows its config */
	p->c.fsm.passive = p->cf->passive;
	conn_unpark(&p->c, &wc);
	conn_unpark(p->coll, &wm);
}

/*
 * An OPEN arrived, on got, while two connections exist (RFC 4271 6.8).
 * The session decides which connection loses and raises OpenCollisionDump
 * in the loser's FSM, which sends Cease/Connection Collision Resolution
 * and closes it; the winner's OPEN, if got won, then goes to its FSM.
 */
static void
collision_resolve(struct conn *got)
{
	struct peer *p = got->peer;
	struct conn *other = got == p->coll ? &p->c : p->coll;
	struct conn *loser, *in, *out;
	uint32_t local = p->sp->conf->router_id;
	uint32_t remote = got->peer_open.bgp_id;
	bool got_lost;

	if (other->fsm.state == FSM_ESTABLISHED) {
		/* CollisionDetectEstablishedState FALSE: the session stays */
		loser = got;
	} else if (other->fsm.state != FSM_OPENCONFIRM && !other->open_rcvd) {
		/*
		 * Only a connection in OpenConfirm (or OpenSent with the
		 * peer's OPEN in) competes.  The other one, still waiting
		 * for an OPEN, gives way: one session per peer, and the
		 * peer learns why (Cease 6/7).
		 */
		loser = other;
	} else {
		/*
		 * The connection initiated by the speaker with the higher
		 * BGP Identifier survives; the inbound one was initiated by
		 * the peer.
		 */
		in = p->c.inbound ? &p->c : p->coll;
		out = in == &p->c ? p->coll : &p->c;
		loser = local < remote ? out : in;
		peer_log(p, LOG_LVL_INFO, "msg=\"connection collision\" "
		    "local-id=%08x remote-id=%08x kept=%s", local, remote,
		    (loser == in ? out : in)->inbound ? "inbound" : "outbound");
	}
	got_lost = loser == got;
	if (loser == &p->c)
		coll_swap(p);
	conn_event(p->coll, FSM_EV_OPEN_COLLISION_DUMP);
	if (got_lost)
		return;
	negotiate(&p->c);
	conn_event(&p->c, FSM_EV_BGP_OPEN);
}

/* ---- restart after Idle ---- */

static void
restart_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct peer *p = t->data;

	(void)loop;
	(void)revents;
	if (!p->stopping && !p->gated && p->c.fsm.state == FSM_IDLE)
		peer_start(p);
}

static void
idle_check(struct conn *c)
{
	struct peer *p = c->peer;

	if (c != &p->c) {
		/*
		 * A collision candidate that failed or lost just goes away;
		 * so does one whose connection is gone (it is passive: it
		 * would wait in Active, and refuse the peer's next try)
		 */
		if (c->fsm.state == FSM_IDLE || c->fd == -1)
			coll_free(p);
		return;
	}
	if (c->fsm.state != FSM_IDLE || p->stopping || p->gated)
		return;
	conn_stop_timers(c);
	if (!ev_is_active(&p->restart)) {
		ev_timer_set(&p->restart, connect_retry_secs(p), 0.);
		ev_timer_start(p->sp->loop, &p->restart);
	}
	if (p->sp->hooks.idle != NULL)
		p->sp->hooks.idle(p->sp->hooks.ctx, p);
	/* what was queued is gone with the connection */
	peer_drained(p);
}

/* ---- public ---- */

struct peer *
peer_new(struct bgp_speaker *sp, const struct conf_peer *cf, size_t idx)
{
	struct peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->ro = ribout_new()) == NULL) {
		free(p);
		return NULL;
	}
	p->sp = sp;
	p->cf = cf;
	p->idx = idx;
	addr_str(&cf->addr, p->addr_str, sizeof(p->addr_str));
	conn_init(&p->c, p);
	ev_timer_init(&p->restart, restart_cb, 0., 0.);
	p->restart.data = p;
	p->since = time(NULL);
	return p;
}

void
peer_rename(struct peer *p)
{
	addr_str(&p->cf->addr, p->addr_str, sizeof(p->addr_str));
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	coll_free(p);
	conn_close(&p->c);
	conn_stop_timers(&p->c);
	ev_timer_stop(p->sp->loop, &p->restart);
	free(p->c.wbuf);
	ribout_free(p->ro);
	free(p);
}

void
peer_start(struct peer *p)
{
	p->stopping = false;
	ev_timer_stop(p->sp->loop, &p->restart);
	if (p->gated)
		return;		/* peer_gate starts it when it opens */
	conn_event(&p->c, p->cf->passive ? FSM_EV_AUTOMATIC_START_PASSIVE :
	    FSM_EV_AUTOMATIC_START);
}

void
peer_stop(struct peer *p)
{
	peer_stop_reason(p, NOTIF_CEASE_ADMIN_SHUTDOWN);
}

void
peer_stop_reason(struct peer *p, uint8_t cease_subcode)
{
	p->stop_subcode = cease_subcode == NOTIF_CEASE_ADMIN_SHUTDOWN ? 0 :
	    cease_subcode;
	p->stopping = true;
	ev_timer_stop(p->sp->loop, &p->restart);
	if (p->c.fsm.state == FSM_ESTABLISHED) {
		/* withdraw first, so the routes leave before the session does */
		ribout_unset_all(p->ro);
		peer_flush(p);
	}
	coll_free(p);
	conn_event(&p->c, FSM_EV_MANUAL_STOP);
	conn_stop_timers(&p->c);
	p->stop_subcode = 0;
}

void
peer_gate(struct peer *p, bool open, uint8_t cease_subcode)
{
	if (open) {
		if (!p->gated)
			return;
		p->gated = false;
		if (!p->stopping && p->c.fsm.state == FSM_IDLE)
			peer_start(p);
		return;
	}
	if (p->gated)
		return;
	p->gated = true;
	ev_timer_stop(p->sp->loop, &p->restart);
	if (p->stopping || p->c.fsm.state == FSM_IDLE)
		return;
	p->stop_subcode = cease_subcode;
	coll_free(p);
	conn_event(&p->c, FSM_EV_MANUAL_STOP);
	conn_stop_timers(&p->c);
	p->stop_subcode = 0;
}

void
peer_stop_graceful(struct peer *p)
{
	if (!p->gr_ok || p->c.fsm.state != FSM_ESTABLISHED) {
		peer_stop(p);
		return;
	}
	peer_log(p, LOG_LVL_INFO, "msg=\"graceful restart: routes left with "
	    "the peer for %us, session closed %s\"", p->cf->restart_time,
	    p->gr_notif ? "with Cease/Administrative Reset (RFC 8538)" :
	    "without NOTIFICATION (RFC 4724)");
	p->gr_closing = true;
	p->stopping = true;
	ev_timer_stop(p->sp->loop, &p->restart);
	coll_free(p);
	p->stop_subcode = NOTIF_CEASE_ADMIN_RESET;
	conn_event(&p->c, FSM_EV_MANUAL_STOP);
	conn_stop_timers(&p->c);
	p->stop_subcode = 0;
	p->gr_closing = false;
}

void
peer_send_eor(struct peer *p)
{
	uint8_t buf[BGP_HDR_LEN + 16];
	struct wr w;
	uint8_t afi;

	if (!peer_is_established(p) || p->eor_sent)
		return;
	peer_flush(p);
	for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++) {
		if (!p->afi_ok[afi])
			continue;
		wr_init(&w, buf, sizeof(buf));
		if (msg_eor_encode(&w, afi) == 0 && !w.err &&
		    conn_send(&p->c, buf, wr_mark(&w)) == 0)
			p->st.eor_sent++;
	}
	p->eor_sent = true;
}

void
peer_withdraw_stale(struct peer *p, const struct prefix *px)
{
	struct updb b;

	if (!peer_is_established(p) || !p->afi_ok[px->afi])
		return;
	if (updb_begin(&b, px->afi == AFI_IPV4 ? UPDB_WITHDRAW4 :
	    UPDB_WITHDRAW6, NULL, &p->opts) == -1 || !updb_add(&b, px))
		return;
	conn_send(&p->c, b.buf, updb_finish(&b));
}

bool
peer_is_established(const struct peer *p)
{
	return p->c.fsm.state == FSM_ESTABLISHED;
}

void
peer_flush(struct peer *p)
{
	int r;

	/* a full queue: the socket's progress resumes the flush */
	if (!peer_is_established(p) || p->c.wfull || p->flushing)
		return;
	/* show routes says when each route went out */
	ribout_set_time(p->ro, (int64_t)time(NULL));
	p->flushing = true;
	r = ribout_flush(p->ro, &p->opts, p->afi_ok, emit_update, &p->c);
	p->flushing = false;
	if (r == -1 && !p->c.wfull)
		peer_log_rl(p, LOG_LVL_ERR, "msg=\"cannot queue UPDATE: out "
		    "of memory\"");
}

size_t
peer_pending_output(const struct peer *p)
{
	if (p->c.fd == -1)
		return 0;
	return p->c.wlen > 0 || !p->c.wfull ? p->c.wlen : 1;
}

/* ---- the listener ---- */

/*
 * Flapping: one failure since the session was last stable may reconnect
 * at once when the peer dials; more wait out the backoff, so a peer that
 * keeps failing cannot bypass it by dialing in.
 */
static bool
peer_damped(const struct peer *p)
{
	return p->fails > 1;
}

static void
accept_into(struct peer *p, int fd)
{
	struct conn *c = &p->c;

	if (sock_prepare(fd, p, true) == -1) {
		close(fd);
		return;
	}
	switch (p->c.fsm.state) {
	case FSM_IDLE:
		if (p->stopping || p->gated || peer_damped(p)) {
			/* RFC 4271 8.2.2: Idle refuses the connection */
			peer_log_rl(p, LOG_LVL_INFO, "state=Idle msg=\"inbound "
			    "connection refused\" reason=%s",
			    p->stopping ? "admin-down" : p->gated ? "gated" :
			    "damped");
			close(fd);
			return;
		}
		/*
		 * Waiting out the restart delay: a router that reset the
		 * session dials back at once, and refusing it would leave
		 * us without routes for its own connect-retry (often
		 * 120 s).  Its connection is the start event (passive TCP
		 * establishment, RFC 4271 8.1.1) and the connection both.
		 */
		ev_timer_stop(p->sp->loop, &p->restart);
		conn_event(c, FSM_EV_AUTOMATIC_START_PASSIVE);
		if (c->fsm.state != FSM_ACTIVE) {
			close(fd);
			return;
		}
		/* FALLTHROUGH */
	case FSM_CONNECT:
	case FSM_ACTIVE:
		/* our own attempt, if any, gives way to the peer's */
		if (c->fd != -1)
			conn_close(c);
		c->inbound = true;
		conn_attach(c, fd);
		conn_event(c, FSM_EV_TCP_CONNECTION_CONFIRMED);
		return;
	case FSM_OPENSENT:
	case FSM_OPENCONFIRM:
		if (p->coll != NULL)
			break;
		/* a second connection: run it until its OPEN decides (6.8) */
		if ((p->coll = malloc(sizeof(*p->coll))) == NULL)
			break;
		conn_init(p->coll, p);
		p->coll->inbound = true;
		fsm_init(&p->coll->fsm, true);
		conn_attach(p->coll, fd);
		conn_event(p->coll, FSM_EV_MANUAL_START_PASSIVE);
		conn_event(p->coll, FSM_EV_TCP_CONNECTION_CONFIRMED);
		return;
	case FSM_ESTABLISHED:
		break;
	}
	/* RFC 4271 6.8: an Established session wins over a new connection */
	{
		uint8_t buf[64];
		struct wr w;

		wr_init(&w, buf, sizeof(buf));
		if (msg_notif_encode(&w, NOTIF_CEASE,
		    NOTIF_CEASE_CONNECTION_REJECTED, NULL, 0) == 0 && !w.err)
			(void)send(fd, buf, wr_mark(&w), MSG_NOSIGNAL |
			    MSG_DONTWAIT);
	}
	peer_log_rl(p, LOG_LVL_INFO, "state=%s msg=\"extra inbound "
	    "connection rejected\"", peer_state_name(p));
	close(fd);
}

/*
 * No descriptor for the pending connection: it stays in the backlog and
 * the listener would be readable again at once, so it rests for a while
 * (the peer's connection waits, or its SYN is retried) and the shortage
 * is logged once, with the limit, until a connection is taken again.
 */
static void
listen_pause(struct bgp_speaker *sp, int err)
{
	ev_io_stop(sp->loop, &sp->listen_io);
	ev_timer_stop(sp->loop, &sp->listen_pause);
	ev_timer_set(&sp->listen_pause, LISTEN_PAUSE, 0.);
	ev_timer_start(sp->loop, &sp->listen_pause);
	if (!sp->listen_paused)
		log_warn("msg=\"cannot accept a connection: %s: listener paused "
		    "until descriptors are free\" limit=%lu", strerror(err),
		    fd_limit());
	sp->listen_paused = true;
}

static void
listen_resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct bgp_speaker *sp = t->data;

	(void)revents;
	if (sp->listen_fd != -1)
		ev_io_start(loop, &sp->listen_io);
}

static void
listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_speaker *sp = w->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addr a;
	char buf[PREFIX_STRLEN];
	int fd, i;

	(void)loop;
	(void)revents;
	fd = accept4(sp->listen_fd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno_is_fd_shortage(errno)) {
			listen_pause(sp, errno);
			return;
		}
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_rl(&sp->rl_unknown, LOG_LVL_WARN,
			    "msg=\"accept: %s\"", strerror(errno));
		return;
	}
	if (sp->listen_paused) {
		sp->listen_paused = false;
		log_info("msg=\"accepting connections again\"");
	}
	addr_from_sockaddr(&ss, &a);
	for (i = 0; i < (int)sp->npeers; i++)
		if (addr_equal(&sp->peers[i]->cf->addr, &a))
			break;
	if (i == (int)sp->npeers || sp->stopping) {
		log_rl(&sp->rl_unknown, LOG_LVL_WARN, "from=%s msg=\"connection "
		    "from an address that is not a configured peer: closed\"",
		    addr_str(&a, buf, sizeof(buf)));
		close(fd);
		return;
	}
	accept_into(sp->peers[i], fd);
}

int
session_listen(struct bgp_speaker *sp)
{
	const struct conf_bgp *g = sp->conf;
	struct sockaddr_storage ss;
	struct addr any;
	socklen_t sl;
	int fd, one = 1, zero = 0, gtsm = GTSM_TTL;
	size_t i;

	sp->listen_fd = -1;
	if (!g->listen)
		return 0;
	if (addr_is_set(&g->listen_addr))
		any = g->listen_addr;
	else
		addr_parse("::", &any);
	sl = addr_to_sockaddr(&any, g->listen_port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
		    sizeof(zero));
	/*
	 * RFC 5082: the SYN-ACK to a GTSM peer leaves the listener, with
	 * the listener's TTL, before any accepted socket can set its own;
	 * a router checking GTSM drops it unless that TTL is 255.  Peers
	 * without GTSM get their own TTL once accepted (sock_prepare).
	 */
	for (i = 0; i < sp->npeers; i++)
		if (sp->peers[i]->cf->ttl_security)
			break;
	if (i < sp->npeers && (setsockopt(fd, IPPROTO_IP, IP_TTL, &gtsm,
	    sizeof(gtsm)) == -1 || (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &gtsm,
	    sizeof(gtsm)) == -1))) {
		log_err("msg=\"cannot set TTL 255 on the listener: %s\"",
		    strerror(errno));
		goto fail;
	}
	/* RFC 2385: the key must be on the listener before the SYN comes */
	for (i = 0; i < sp->npeers; i++) {
		const struct conf_peer *cp = sp->peers[i]->cf;

		if (cp->password[0] == '\0')
			continue;
		if (ss.ss_family == AF_INET && cp->addr.afi != AFI_IPV4)
			continue;
		if (sock_set_md5(fd, ss.ss_family, cp) == -1) {
			peer_log(sp->peers[i], LOG_LVL_ERR, "msg=\"cannot set "
			    "TCP-MD5 key on the listener: %s\"",
			    strerror(errno));
			goto fail;
		}
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 || listen(fd, 16) == -1)
		goto fail;
	sp->listen_fd = fd;
	ev_io_init(&sp->listen_io, listen_cb, fd, EV_READ);
	sp->listen_io.data = sp;
	ev_io_start(sp->loop, &sp->listen_io);
	ev_timer_init(&sp->listen_pause, listen_resume_cb, 0., 0.);
	sp->listen_pause.data = sp;
	sp->listen_paused = false;
	return 0;
fail:
	log_err("msg=\"cannot listen on port %u: %s\"", g->listen_port,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

void
session_listen_close(struct bgp_speaker *sp)
{
	if (sp->listen_fd == -1)
		return;
	ev_io_stop(sp->loop, &sp->listen_io);
	ev_timer_stop(sp->loop, &sp->listen_pause);
	close(sp->listen_fd);
	sp->listen_fd = -1;
}

/* ---- the read-only view ---- */

void
peer_info(const struct peer *p, struct peer_info *pi)
{
	const struct conn *c = &p->c;
	enum fsm_state st = c->fsm.state;

	memset(pi, 0, sizeof(*pi));
	pi->name = p->cf->name;
	pi->address = p->addr_str;
	pi->cf = p->cf;
	pi->state = st;
	pi->admin_down = p->stopping;
	pi->gated = p->gated;
	pi->since = p->since;
	if (st == FSM_ESTABLISHED)
		pi->local = c->local;
	pi->has_remote_id = c->open_rcvd && st >= FSM_OPENCONFIRM;
	if (pi->has_remote_id)
		pi->remote_id = c->peer_open.bgp_id;
	pi->negotiated = st >= FSM_OPENCONFIRM;
	if (pi->negotiated) {
		pi->hold_time = p->hold_time;
		pi->as4 = p->opts.as4;
		pi->ipv4 = p->afi_ok[AFI_IPV4];
		pi->ipv6 = p->afi_ok[AFI_IPV6];
		pi->route_refresh = c->peer_open.cap_route_refresh;
		pi->enhanced_route_refresh = c->peer_open.cap_enhanced_rr;
		pi->graceful_restart = c->peer_open.cap_gr;
		pi->gr_negotiated = p->gr_ok;
		pi->gr_notification = p->gr_notif;
		pi->gr_peer_time = c->peer_open.gr.time;
	}
	pi->st = p->st;
	pi->eor_sent = p->eor_sent;
	pi->prefixes_out = ribout_sent_count(p->ro);
	pi->prefixes_desired = ribout_desired_count(p->ro);
	pi->has_last_err = p->last_err.code != 0;
	pi->last_err = p->last_err;
	pi->last_err_rcvd = p->last_err_rcvd;
	pi->ro = p->ro;
}
