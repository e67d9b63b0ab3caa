/*
 * check_tcp.c - the `tcp` check: a non-blocking connect() to target; the
 * connection is closed as soon as it is established.
 *
 * One probe holds at most one descriptor, and cancel() (the scheduler's
 * timeout) closes it, so a target that never answers a SYN costs nothing
 * past the timeout.
 */
#include "health/check.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct chk_tcp {
	int			 fd;	/* -1: no probe in flight */
	ev_io			 io;	/* writable: connect ended */
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	char			 target[PREFIX_STRLEN + 8];	/* [::1]:80 */
};

static void
chk_tcp_close(struct check *c)
{
	struct chk_tcp *t = c->priv;

	if (t->fd == -1)
		return;
	ev_io_stop(c->env->loop, &t->io);
	close(t->fd);
	t->fd = -1;
}

static void
chk_tcp_finish(struct check *c, int err)
{
	struct chk_tcp *t = c->priv;

	chk_tcp_close(c);
	if (err == 0)
		check_done(c, true, "tcp connected to %s", t->target);
	else
		check_done(c, false, "tcp connect to %s: %s", t->target,
		    strerror(err));
}

static void
chk_tcp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	struct chk_tcp *t = c->priv;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	(void)revents;
	/* writable means the handshake ended; SO_ERROR says how */
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	chk_tcp_finish(c, err);
}

static int
chk_tcp_init(struct check *c)
{
	struct chk_tcp *t;
	char a[PREFIX_STRLEN];

	if (!addr_is_set(&c->cf->addr) || c->cf->port == 0) {
		check_log(c, LOG_LVL_ERR, "msg=\"tcp: no target\"");
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->fd = -1;
	t->sl = addr_to_sockaddr(&c->cf->addr, c->cf->port, &t->ss);
	addr_str(&c->cf->addr, a, sizeof(a));
	snprintf(t->target, sizeof(t->target),
	    c->cf->addr.afi == AFI_IPV6 ? "[%s]:%u" : "%s:%u", a,
	    (unsigned)c->cf->port);
	ev_init(&t->io, chk_tcp_io_cb);
	t->io.data = c;
	c->priv = t;
	return 0;
}

static void
chk_tcp_probe(struct check *c)
{
	struct chk_tcp *t = c->priv;
	int fd;

	chk_tcp_close(c);
	fd = socket(t->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		check_done(c, false, "tcp connect to %s: socket: %s",
		    t->target, strerror(errno));
		return;
	}
	t->fd = fd;
	if (connect(fd, (struct sockaddr *)&t->ss, t->sl) == 0) {
		chk_tcp_finish(c, 0);	/* loopback may finish at once */
		return;
	}
	if (errno != EINPROGRESS) {
		chk_tcp_finish(c, errno);
		return;
	}
	ev_io_set(&t->io, fd, EV_WRITE);
	ev_io_start(c->env->loop, &t->io);
}

static void
chk_tcp_cancel(struct check *c)
{
	chk_tcp_close(c);
}

static void
chk_tcp_fini(struct check *c)
{
	if (c->priv == NULL)
		return;
	chk_tcp_close(c);
	free(c->priv);
	c->priv = NULL;
}

const struct check_ops chk_tcp_ops = {
	.name = "tcp",
	.init = chk_tcp_init,
	.probe = chk_tcp_probe,
	.cancel = chk_tcp_cancel,
	.fini = chk_tcp_fini,
	.event_driven = false,
};
