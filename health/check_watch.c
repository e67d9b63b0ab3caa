/*
 * check_watch.c - the `watch` check: event-driven liveness of a proxy.
 *
 * nomcast holds one idle TCP connection to target.  When the proxy process
 * dies, its kernel closes that connection, so the failure is known the
 * moment it happens instead of at the next interval:
 *
 *  - a reset (or a keepalive timeout, or any other receive error) fails
 *    the check at once (check_event);
 *  - an EOF is either a dead proxy (its kernel sent FIN on exit) or a
 *    polite close (the proxy's idle timeout, a graceful reload).  The two
 *    look the same on the wire, so the check reconnects at once: a refused
 *    or failed reconnect fails the check at once (a process killed with
 *    SIGKILL has closed its listener too), a successful one reports
 *    nothing and the next probe confirms it.
 *
 * probe() passes while the connection is up, and otherwise connects; its
 * result goes through check_done() like any polled check.  A pass is never
 * reported between probes: only probes bring a check up.
 */
#include "health/check.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* what one readable event may read and drop, so a talker cannot hog us */
#define WATCH_READ_BUF		4096
#define WATCH_READ_MAX		16
/* a connection closed younger than this is not reconnected at once... */
#define WATCH_MIN_LIFE		0.1

enum chk_watch_state {
	WATCH_DOWN,		/* no descriptor */
	WATCH_CONNECTING,	/* connect() in flight */
	WATCH_UP,		/* held, idle, read watcher armed */
};

struct chk_watch {
	int			 fd;
	enum chk_watch_state	 state;
	ev_io			 io;	/* connecting: write; up: read */
	ev_timer		 reconnect;	/* bounds one after EOF */
	bool			 probing;	/* a probe awaits a result */
	bool			 after_eof;	/* this connect follows EOF */
	ev_tstamp		 up_since;	/* when established */
	ev_tstamp		 last_reconnect;	/* after an EOF */
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	char			 target[PREFIX_STRLEN + 8];
};

/*
 * A result: the probe's if one waits, else an event.  Only failures are
 * events; a pass between probes (a reconnect after a polite close) is left
 * for the next probe to confirm.  Callers return right after this.
 */
static void
chk_watch_result(struct check *c, bool pass, const char *fmt, ...)
{
	struct chk_watch *w = c->priv;
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (w->probing) {
		w->probing = false;
		check_done(c, pass, "%s", reason);
	} else if (!pass)
		check_event(c, false, "%s", reason);
	else
		check_log(c, LOG_LVL_DEBUG, "msg=%s", LQ(reason));
}

static void
chk_watch_close(struct check *c)
{
	struct chk_watch *w = c->priv;

	ev_timer_stop(c->env->loop, &w->reconnect);
	if (w->fd != -1) {
		ev_io_stop(c->env->loop, &w->io);
		close(w->fd);
		w->fd = -1;
	}
	w->state = WATCH_DOWN;
}

static void
chk_watch_keepalive(struct check *c, int fd)
{
	int on = 1, idle, intvl = 1, cnt = 3;

	/*
	 * A peer that vanished without a FIN or RST (a host gone, a cable
	 * pulled) shows up as a keepalive timeout, some seconds later.
	 */
	idle = (int)(c->cf->interval_ms / 1000);
	if (idle < 1)
		idle = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void
chk_watch_established(struct check *c)
{
	struct chk_watch *w = c->priv;

	ev_timer_stop(c->env->loop, &w->reconnect);
	ev_io_stop(c->env->loop, &w->io);
	ev_io_set(&w->io, w->fd, EV_READ);
	ev_io_start(c->env->loop, &w->io);
	w->state = WATCH_UP;
	w->up_since = ev_now(c->env->loop);
	chk_watch_result(c, true, "watch connected to %s", w->target);
}

static void
chk_watch_connect_failed(struct check *c, const char *step, int err)
{
	struct chk_watch *w = c->priv;

	chk_watch_close(c);
	if (w->after_eof)
		chk_watch_result(c, false, "watch connection to %s closed, "
		    "reconnect: %s%s", w->target, step, strerror(err));
	else
		chk_watch_result(c, false, "watch connect to %s: %s%s",
		    w->target, step, strerror(err));
}

/*
 * Start a connect; the result arrives through chk_watch_result(), at once
 * or from the io callback.  Returns true while the connect is in flight.
 */
static bool
chk_watch_connect(struct check *c, bool after_eof)
{
	struct chk_watch *w = c->priv;
	int fd;

	chk_watch_close(c);
	w->after_eof = after_eof;
	fd = socket(w->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		chk_watch_connect_failed(c, "socket: ", errno);
		return false;
	}
	chk_watch_keepalive(c, fd);
	w->fd = fd;
	if (connect(fd, (struct sockaddr *)&w->ss, w->sl) == 0) {
		chk_watch_established(c);
		return false;
	}
	if (errno != EINPROGRESS) {
		chk_watch_connect_failed(c, "", errno);
		return false;
	}
	w->state = WATCH_CONNECTING;
	ev_io_set(&w->io, fd, EV_WRITE);
	ev_io_start(c->env->loop, &w->io);
	return true;
}

/* the peer closed politely, or died and its kernel closed for it */
static void
chk_watch_eof(struct check *c)
{
	struct chk_watch *w = c->priv;
	ev_tstamp now = ev_now(c->env->loop);

	chk_watch_close(c);
	if (now - w->up_since < WATCH_MIN_LIFE &&
	    now - w->last_reconnect < (double)c->cf->interval_ms / 1000.) {
		/*
		 * ...unless the last one was an interval ago: a proxy that
		 * closes every connection at once must not make us spin.
		 * The next probe reconnects.
		 */
		check_log(c, LOG_LVL_DEBUG, "msg=\"watch connection to %s "
		    "closed again: reconnecting at the next probe\"",
		    LE(w->target));
		return;
	}
	w->last_reconnect = now;
	if (chk_watch_connect(c, true) && !w->probing) {
		/* no probe bounds this one: bound it by the timeout */
		ev_timer_set(&w->reconnect, (double)c->cf->timeout_ms / 1000.,
		    0.);
		ev_timer_start(c->env->loop, &w->reconnect);
	}
}

/* read and drop what the peer sent; notice EOF and errors */
static void
chk_watch_read(struct check *c)
{
	struct chk_watch *w = c->priv;
	char buf[WATCH_READ_BUF];
	ssize_t n;
	int i, err;

	for (i = 0; i < WATCH_READ_MAX; i++) {
		n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0) {
			chk_watch_eof(c);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* ECONNRESET: the proxy's kernel reset it; ETIMEDOUT: gone */
		err = errno;
		chk_watch_close(c);
		chk_watch_result(c, false, "watch connection to %s: %s",
		    w->target, strerror(err));
		return;
	}
}

static void
chk_watch_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct check *c = io->data;
	struct chk_watch *w = c->priv;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	(void)revents;
	if (w->state == WATCH_UP) {
		chk_watch_read(c);
		return;
	}
	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0)
		chk_watch_established(c);
	else
		chk_watch_connect_failed(c, "", err);
}

static void
chk_watch_reconnect_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct check *c = t->data;
	struct chk_watch *w = c->priv;

	(void)loop;
	(void)revents;
	/* an unanswered reconnect after EOF: as good as refused */
	chk_watch_close(c);
	chk_watch_result(c, false, "watch connection to %s closed, "
	    "reconnect: timeout after %u ms", w->target, c->cf->timeout_ms);
}

static int
chk_watch_init(struct check *c)
{
	struct chk_watch *w;
	char a[PREFIX_STRLEN];

	if (!addr_is_set(&c->cf->addr) || c->cf->port == 0) {
		check_log(c, LOG_LVL_ERR, "msg=\"watch: no target\"");
		return -1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->fd = -1;
	w->state = WATCH_DOWN;
	w->last_reconnect = -1e9;
	w->sl = addr_to_sockaddr(&c->cf->addr, c->cf->port, &w->ss);
	addr_str(&c->cf->addr, a, sizeof(a));
	snprintf(w->target, sizeof(w->target),
	    c->cf->addr.afi == AFI_IPV6 ? "[%s]:%u" : "%s:%u", a,
	    (unsigned)c->cf->port);
	ev_init(&w->io, chk_watch_io_cb);
	w->io.data = c;
	ev_timer_init(&w->reconnect, chk_watch_reconnect_cb, 0., 0.);
	w->reconnect.data = c;
	c->priv = w;
	return 0;
}

static void
chk_watch_probe(struct check *c)
{
	struct chk_watch *w = c->priv;

	w->probing = true;
	/* an EOF or reset may be pending but not yet dispatched: look */
	if (w->state == WATCH_UP)
		chk_watch_read(c);
	if (!w->probing)
		return;		/* the read ended the probe */
	switch (w->state) {
	case WATCH_UP:
		chk_watch_result(c, true, "watch connected to %s", w->target);
		break;
	case WATCH_CONNECTING:
		/* a reconnect in flight: its result is the probe's now */
		ev_timer_stop(c->env->loop, &w->reconnect);
		break;
	case WATCH_DOWN:
		(void)chk_watch_connect(c, false);
		break;
	}
}

static void
chk_watch_cancel(struct check *c)
{
	struct chk_watch *w = c->priv;

	w->probing = false;
	if (w->state != WATCH_UP)
		chk_watch_close(c);
}

static void
chk_watch_fini(struct check *c)
{
	if (c->priv == NULL)
		return;
	chk_watch_close(c);
	free(c->priv);
	c->priv = NULL;
}

const struct check_ops chk_watch_ops = {
	.name = "watch",
	.init = chk_watch_init,
	.probe = chk_watch_probe,
	.cancel = chk_watch_cancel,
	.fini = chk_watch_fini,
	.event_driven = true,
};
