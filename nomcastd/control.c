/*
 * control.c - the control socket's transport; see control.h.
 *
 * Each client has a line buffer of max_line bytes (allocated on its first
 * byte) and an output queue.  A read takes what fits in the line buffer
 * and answers every complete line in it, in order; the replies are queued
 * and written as the client takes them.  The limits close a client rather
 * than let it cost the daemon anything: a line that fills the buffer
 * without a newline, output piling up because the client does not read,
 * no byte moving either way for idle_timeout, a request or a reply still
 * unfinished request_timeout after it began (a byte now and then does not
 * keep a slot: the deadline is not moved by progress), or one client more
 * than max_clients, which closes the client waiting longest for nothing.
 * libev is level-triggered, so reading one buffer per callback
 * leaves the rest in the kernel for the next iteration and one busy
 * client cannot starve the BGP sessions on the same loop.
 */
#include "nomcastd/control.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"

_Static_assert(sizeof(((struct sockaddr_un *)0)->sun_path) == CTL_PATH_MAX,
    "CTL_PATH_MAX is sun_path's size");

#define ACCEPT_BURST	64	/* accepts per callback; the rest wait */
#define ACCEPT_BACKOFF	0.1	/* s without accept after EMFILE */

struct ctl_client {
	struct ctl_server	*srv;
	struct ctl_client	*prev, *next;
	int			 fd;
	ev_io			 rio, wio;
	ev_timer		 idle;
	ev_timer		 deadline;	/* request_timeout */
	ev_tstamp		 since;		/* connected, or last answered */
	char			*rbuf;		/* owned, line buffer */
	size_t			 rlen;
	char			*obuf;		/* owned, unsent */
	size_t			 olen, ooff, ocap;
	bool			 closing;	/* close once written */
};

struct ctl_server {
	struct ev_loop		*loop;
	int			 fd;
	ev_io			 lio;
	ev_timer		 backoff;	/* after EMFILE */
	struct ctl_limits	 lim;
	ctl_handler_fn		 fn;
	void			*ctx;
	char			 path[CTL_PATH_MAX];
	dev_t			 dev;		/* the file we made */
	ino_t			 ino;
	struct ctl_client	*clients;
	size_t			 nclients;
	/*
	 * One bucket per kind of trouble, so that a flood of one (a
	 * thousand clients evicted) does not hide the others (a request
	 * that never ended, a client that never reads)
	 */
	struct log_rl		 rl;		/* refused, evicted, accept */
	struct log_rl		 rl_req;	/* idle, deadline, long line */
	struct log_rl		 rl_out;	/* replies not read */
};

static const struct ctl_limits ctl_default_limits = {
	.max_clients = CTL_MAX_CLIENTS,
	.max_line = CTL_MAX_LINE,
	.max_out = CTL_MAX_OUT,
	.idle_timeout = CTL_IDLE_TIMEOUT,
	.request_timeout = CTL_REQUEST_TIMEOUT,
};

/* used when even the error reply cannot be allocated */
static const char ctl_nomem_reply[] =
    "{\"ok\":false,\"error\":\"out of memory\"}";

char *
ctl_error_reply(const char *msg)
{
	struct json_object *o;
	char *s = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "ok", json_object_new_boolean(0)) == 0 &&
	    json_object_object_add(o, "error",
	    json_object_new_string(msg)) == 0)
		s = strdup(json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* ---- clients ---- */

static void
client_free(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->idle);
	ev_timer_stop(s->loop, &c->deadline);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nclients--;
	free(c->rbuf);
	free(c->obuf);
	free(c);
}

/* some byte moved: the idle clock starts again */
static void
client_active(struct ctl_client *c)
{
	ev_timer_again(c->srv->loop, &c->idle);
}

/*
 * The deadline runs while something is unfinished: part of a request in
 * the line buffer, or a reply the kernel has not taken yet.  It starts
 * when the first such byte appears and only stops when nothing is left
 * (or, with restart, when a request was just completed and answered:
 * what is left began in this read); bytes trickling meanwhile, or more
 * requests piled on an unread reply, do not move it.
 */
static void
client_deadline(struct ctl_client *c, bool restart)
{
	struct ctl_server *s = c->srv;
	bool pending = c->rlen > 0 || c->ooff < c->olen;

	if (restart || !pending)
		ev_timer_stop(s->loop, &c->deadline);
	if (pending && s->lim.request_timeout > 0 &&
	    !ev_is_active(&c->deadline)) {
		ev_timer_set(&c->deadline, s->lim.request_timeout, 0.);
		ev_timer_start(s->loop, &c->deadline);
	}
}

/*
 * Write what the kernel takes.  0 if the client is still there, -1 if it
 * was closed (gone, or finished after an error reply).
 */
static int
client_write(struct ctl_client *c)
{
	ssize_t n;

	while (c->ooff < c->olen) {
		n = send(c->fd, c->obuf + c->ooff, c->olen - c->ooff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_free(c);		/* EPIPE, ECONNRESET */
			return -1;
		}
		c->ooff += (size_t)n;
		client_active(c);
	}
	if (c->ooff < c->olen) {
		ev_io_start(c->srv->loop, &c->wio);
		client_deadline(c, false);
		return 0;
	}
	c->ooff = c->olen = 0;
	ev_io_stop(c->srv->loop, &c->wio);
	if (c->closing) {
		client_free(c);
		return -1;
	}
	client_deadline(c, false);
	return 0;
}

/*
 * Queue one reply line (takes reply; NULL: the fixed out-of-memory
 * reply).  A client whose unsent output already reached max_out does not
 * read what it asked for: it is closed instead.  0, or -1 if the client
 * was closed.
 */
static int
client_reply(struct ctl_client *c, char *reply)
{
	const char *r = reply != NULL ? reply : ctl_nomem_reply;
	size_t len = strlen(r), need;

	if (c->olen - c->ooff >= c->srv->lim.max_out) {
		log_rl(&c->srv->rl_out, LOG_LVL_WARN, "ctl=%s msg=\"client does "
		    "not read its replies: %zu bytes unsent, closed\"",
		    LV(c->srv->path), c->olen - c->ooff);
		free(reply);
		client_free(c);
		return -1;
	}
	/* compact before growing: written bytes are not kept */
	if (c->ooff > 0) {
		memmove(c->obuf, c->obuf + c->ooff, c->olen - c->ooff);
		c->olen -= c->ooff;
		c->ooff = 0;
	}
	need = c->olen + len + 1;
	if (need > c->ocap) {
		size_t ncap = c->ocap ? c->ocap : 4096;
		char *nb;

		while (ncap < need)
			ncap *= 2;
		if ((nb = realloc(c->obuf, ncap)) == NULL) {
			free(reply);
			client_free(c);
			return -1;
		}
		c->obuf = nb;
		c->ocap = ncap;
	}
	memcpy(c->obuf + c->olen, r, len);
	c->obuf[c->olen + len] = '\n';
	c->olen += len + 1;
	free(reply);
	return client_write(c);
}

/* answer one line; 0, or -1 if the client was closed */
static int
client_line(struct ctl_client *c, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	c->since = ev_now(c->srv->loop);
	if (memchr(line, '\0', len) != NULL)
		return client_reply(c, ctl_error_reply("NUL byte in request"));
	return client_reply(c, c->srv->fn(c->srv->ctx, line));
}

/* a line longer than the limit: say so, then close (nothing is resynced) */
static int
client_too_long(struct ctl_client *c)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "request line longer than %zu bytes",
	    c->srv->lim.max_line - 1);
	log_rl(&c->srv->rl_req, LOG_LVL_WARN, "ctl=%s msg=\"%s: closed\"",
	    LV(c->srv->path), LE(msg));
	ev_io_stop(c->srv->loop, &c->rio);
	c->closing = true;
	c->rlen = 0;
	return client_reply(c, ctl_error_reply(msg));
}

static void
client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	size_t max = c->srv->lim.max_line, start, i;
	ssize_t n;

	(void)loop;
	(void)revents;
	if (c->rbuf == NULL && (c->rbuf = malloc(max + 1)) == NULL) {
		client_free(c);
		return;
	}
	n = recv(c->fd, c->rbuf + c->rlen, max - c->rlen, 0);
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			client_free(c);
		return;
	}
	if (n == 0) {
		/* EOF: a last line without its newline is still a request */
		ev_io_stop(c->srv->loop, &c->rio);
		c->closing = true;
		if (c->rlen > 0 && client_line(c, c->rbuf, c->rlen) == -1)
			return;
		if (c->ooff == c->olen)
			client_free(c);
		return;
	}
	client_active(c);
	/* only the new bytes can hold a newline the last scan did not see */
	i = c->rlen;
	c->rlen += (size_t)n;
	for (start = 0; i < c->rlen; i++) {
		if (c->rbuf[i] != '\n')
			continue;
		if (client_line(c, c->rbuf + start, i - start) == -1)
			return;
		start = i + 1;
	}
	if (start > 0) {
		memmove(c->rbuf, c->rbuf + start, c->rlen - start);
		c->rlen -= start;
	}
	if (c->rlen == max) {
		(void)client_too_long(c);
		return;
	}
	/* a reply still unsent keeps its own start: no restart */
	client_deadline(c, start > 0 && c->ooff == c->olen);
}

static void
client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)client_write(w->data);
}

static void
client_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c = t->data;

	(void)loop;
	(void)revents;
	log_rl(&c->srv->rl_req, LOG_LVL_INFO, "ctl=%s msg=\"client idle for "
	    "%.1f s%s: closed\"", LV(c->srv->path), c->srv->lim.idle_timeout,
	    c->rlen > 0 ? " in the middle of a request" :
	    c->olen > c->ooff ? " with its reply unread" : "");
	client_free(c);
}

static void
client_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c = t->data;

	(void)loop;
	(void)revents;
	log_rl(&c->srv->rl_req, LOG_LVL_INFO, "ctl=%s msg=\"%s not done within "
	    "%.1f s: closed\"", LV(c->srv->path),
	    c->ooff < c->olen ? "reply" : "request",
	    c->srv->lim.request_timeout);
	client_free(c);
}

/* a fixed error line if the socket takes it at once; it is not queued */
static void
send_error(int fd, const char *msg)
{
	char *r;

	if ((r = ctl_error_reply(msg)) != NULL) {
		size_t len = strlen(r);

		r[len] = '\n';	/* replaces the NUL: sent by length */
		(void)send(fd, r, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(r);
	}
}

/* one more than the limit and nobody to evict: an error line, and close */
static void
refuse(struct ctl_server *s, int fd)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "too many clients (%u)",
	    s->lim.max_clients);
	log_rl(&s->rl, LOG_LVL_WARN, "ctl=%s msg=\"%s: connection refused\"",
	    LV(s->path), LE(msg));
	send_error(fd, msg);
	close(fd);
}

/*
 * Every slot is taken: close the client that has waited longest for
 * nothing (connected or last answered earliest), whether silent or part
 * way through a request, so that a crowd of slow or stuck clients cannot
 * lock nomcastctl out.  A client whose reply is being written is not
 * chosen: it asked and is being answered, and request_timeout bounds it.
 * 0 if a slot was freed, -1 if none could be.
 */
static int
evict(struct ctl_server *s)
{
	struct ctl_client *c, *old = NULL;
	char msg[96];

	for (c = s->clients; c != NULL; c = c->next)
		if (c->ooff == c->olen && !c->closing &&
		    (old == NULL || c->since <= old->since))
			old = c;
	if (old == NULL)
		return -1;
	snprintf(msg, sizeof(msg), "too many clients (%u): closed to make "
	    "room", s->lim.max_clients);
	log_rl(&s->rl, LOG_LVL_WARN, "ctl=%s msg=\"%s for a new one, after "
	    "%.1f s %s\"", LV(s->path), LE(msg), ev_now(s->loop) - old->since,
	    old->rlen > 0 ? "in the middle of a request" : "idle");
	send_error(old->fd, msg);
	client_free(old);
	return 0;
}

static void
client_new(struct ctl_server *s, int fd)
{
	struct ctl_client *c;

	if (s->nclients >= s->lim.max_clients && evict(s) == -1) {
		refuse(s, fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
	c->rio.data = c;
	ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
	c->wio.data = c;
	ev_init(&c->idle, client_idle_cb);
	c->idle.repeat = s->lim.idle_timeout;
	c->idle.data = c;
	ev_init(&c->deadline, client_deadline_cb);
	c->deadline.data = c;
	c->since = ev_now(s->loop);
	c->next = s->clients;
	if (s->clients != NULL)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
	ev_io_start(s->loop, &c->rio);
	ev_timer_again(s->loop, &c->idle);
}

/* ---- the listener ---- */

static void
backoff_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_server *s = t->data;

	(void)revents;
	ev_io_start(loop, &s->lio);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	int fd, i;

	(void)revents;
	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			client_new(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* level-triggered: pause, or the loop spins on it */
			log_rl(&s->rl, LOG_LVL_WARN, "ctl=%s msg=\"accept: "
			    "%s: pausing %.1f s\"", LV(s->path), strerror(errno),
			    ACCEPT_BACKOFF);
			ev_io_stop(loop, &s->lio);
			ev_timer_set(&s->backoff, ACCEPT_BACKOFF, 0.);
			ev_timer_start(loop, &s->backoff);
		}
		return;
	}
}

/* make the directory that holds path, and its parents (mkdir -p) */
static int
mkdir_parent(const char *path, char *err, size_t errlen)
{
	char dir[CTL_PATH_MAX];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot create directory %s: %s", dir,
	    strerror(errno));
	return -1;
}

/*
 * The path is taken: by a live daemon (a connect succeeds, or its backlog
 * is full), or by a stale socket of a daemon that died (refused), which
 * is removed.  Anything that is not a socket is left alone.
 */
static int
unlink_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket",
		    sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		snprintf(err, errlen, "%s is in use by another process",
		    sun->sun_path);
		return -1;
	}
	close(fd);
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale %s: %s",
		    sun->sun_path, strerror(errno));
		return -1;
	}
	log_info("ctl=%s msg=\"removed a stale control socket\"",
	    LV(sun->sun_path));
	return 0;
}

static int
ctl_bind(struct ctl_server *s, mode_t mode, gid_t gid, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int rc, tries;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, s->path, strlen(s->path) + 1);
	if (mkdir_parent(s->path, err, errlen) == -1)
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		/* nobody else may connect before the mode is set */
		old = umask(0177);
		rc = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
		if (rc == 0 || errno != EADDRINUSE)
			break;
		if (unlink_stale(&sun, err, errlen) == -1)
			return -1;
	}
	if (rc == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "bind %s: %s", s->path,
			    strerror(errno));
		return -1;
	}
	if (chmod(s->path, mode) == -1 ||
	    (gid != (gid_t)-1 && chown(s->path, (uid_t)-1, gid) == -1) ||
	    stat(s->path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
		unlink(s->path);
		return -1;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (listen(s->fd, SOMAXCONN) == -1) {
		snprintf(err, errlen, "listen %s: %s", s->path,
		    strerror(errno));
		unlink(s->path);
		return -1;
	}
	return 0;
}

struct ctl_server *
ctl_open(struct ev_loop *loop, const char *path, mode_t mode, gid_t gid,
    const struct ctl_limits *lim, ctl_handler_fn fn, void *ctx, char *err,
    size_t errlen)
{
	struct ctl_server *s;

	err[0] = '\0';
	if (path[0] == '\0' || strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "control socket path '%s' is empty or "
		    "longer than %zu characters", path, sizeof(s->path) - 1);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->fd = -1;
	s->lim = lim != NULL ? *lim : ctl_default_limits;
	if (s->lim.max_line < 2)
		s->lim.max_line = 2;
	s->fn = fn;
	s->ctx = ctx;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (ctl_bind(s, mode, gid, err, errlen) == -1) {
		if (s->fd != -1)
			close(s->fd);
		free(s);
		return NULL;
	}
	ev_io_init(&s->lio, accept_cb, s->fd, EV_READ);
	s->lio.data = s;
	ev_init(&s->backoff, backoff_cb);
	s->backoff.data = s;
	ev_io_start(loop, &s->lio);
	return s;
}

void
ctl_close(struct ctl_server *s)
{
	struct stat st;

	if (s == NULL)
		return;
	while (s->clients != NULL)
		client_free(s->clients);
	ev_io_stop(s->loop, &s->lio);
	ev_timer_stop(s->loop, &s->backoff);
	close(s->fd);
	/* a newer daemon may have taken the path over: leave its socket */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	free(s);
}

size_t
ctl_nclients(const struct ctl_server *s)
{
	return s != NULL ? s->nclients : 0;
}

const char *
ctl_path(const struct ctl_server *s)
{
	return s->path;
}
