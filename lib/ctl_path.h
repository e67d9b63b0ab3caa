/*
 * ctl_path.h - where the control socket is: shared by nomcastd (which
 * serves it, nomcastd/control.h) and nomcastctl (which connects to it).
 */
#ifndef NOMCAST_CTL_PATH_H
#define NOMCAST_CTL_PATH_H

#include <stddef.h>

#define CTL_SOCKET_NAME		"nomcast.sock"
#define CTL_DEFAULT_SOCKET	"/run/nomcast/" CTL_SOCKET_NAME

#define CTL_PATH_MAX		108	/* sizeof(sun_path) */

/*
 * The socket path: configured (NULL or "" when the key is not set), else
 * $NOMAD_ALLOC_DIR/nomcast.sock, else $NOMAD_TASK_DIR/nomcast.sock when
 * nomcastd runs as a Nomad task, else CTL_DEFAULT_SOCKET.
 * 0, or -1 if the result does not fit in a sockaddr_un (buf holds why).
 */
int	ctl_socket_path(const char *configured, char *buf, size_t len);

#endif
