/*
 * control.h - the control socket: a unix stream socket on the daemon's
 * libev loop, one request per line, one reply line per request.
 *
 * control.c is the transport only: it accepts, frames lines, enforces the
 * limits (clients, line length, queued output, idle time, request time) and hands each
 * complete line to a handler, which returns the reply.  ctl_cmds.c is that
 * handler for nomcastd: it parses the request and builds the JSON replies
 * from the daemon's state.  Nothing here ever blocks the loop: every socket
 * is non-blocking, a client that misbehaves is answered with an error line
 * if it can take one, and closed.
 */
#ifndef NOMCAST_CONTROL_H
#define NOMCAST_CONTROL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/ctl_path.h"

struct nomcast;
struct conf_global;
struct ctl_server;

#define CTL_MAX_CLIENTS		256
#define CTL_MAX_LINE		8192	/* bytes, newline included */
#define CTL_MAX_OUT		(1024 * 1024)	/* unsent bytes */
#define CTL_IDLE_TIMEOUT	10.0	/* seconds */
#define CTL_REQUEST_TIMEOUT	5.0	/* seconds */

struct ctl_limits {
	/*
	 * a client over this many makes room by closing the one that has
	 * waited longest without being answered (connected or last answered
	 * earliest) and has no reply being written; when every client has a
	 * reply being written, the newcomer is refused with an error line
	 */
	unsigned	max_clients;
	/* a longer line gets an error line, and the client is closed */
	size_t		max_line;
	/* unsent output at which a client that asks for more is closed */
	size_t		max_out;
	/* no byte in or out for this long: closed, whatever it was doing */
	double		idle_timeout;
	/*
	 * a request line not complete this long after its first byte, or a
	 * reply the client has not taken this long after it was queued:
	 * closed, however many bytes trickle meanwhile.  0: no such bound.
	 */
	double		request_timeout;
};

/*
 * The handler: one request line (NUL-terminated, without its newline or a
 * trailing CR).  Returns the reply without a newline, malloc'd (control.c
 * frees it), or NULL on no memory (the client gets a fixed error line).
 */
typedef char *(*ctl_handler_fn)(void *ctx, const char *line);

/* the fixed reply for a refused or broken request: {"ok":false,...} */
char	*ctl_error_reply(const char *msg);

/*
 * Create the socket and serve it on loop: the parent directory is made if
 * missing (0755), a stale socket is unlinked but a live one (another
 * daemon answers on it) is left alone and is an error, the socket gets
 * mode and, unless gid is (gid_t)-1, that group.  lim NULL: the defaults
 * above.  Returns the server (owned by the caller, free with
 * ctl_close()), or NULL with err filled.
 */
struct ctl_server *ctl_open(struct ev_loop *loop, const char *path,
	    mode_t mode, gid_t gid, const struct ctl_limits *lim,
	    ctl_handler_fn fn, void *ctx, char *err, size_t errlen);
/* close every client and the socket, unlink it if it is still ours */
void	ctl_close(struct ctl_server *s);
/* clients connected now (for tests and show status) */
size_t	ctl_nclients(const struct ctl_server *s);
/* the path served */
const char *ctl_path(const struct ctl_server *s);

/*
 * ctl_cmds.c: nomcastd's side.  ctl_start() resolves the path, mode and
 * group from the config and opens the socket with ctl_handle() as the
 * handler; a failure is logged and the daemon runs without a control
 * socket (the BGP sessions matter more).  ctl_stop(NULL) is a no-op.
 */
int	ctl_start(struct nomcast *nc);
void	ctl_stop(struct nomcast *nc);
/* one request for the daemon nc (a struct nomcast *); see ctl_handler_fn */
char	*ctl_handle(void *nc, const char *line);

#endif
