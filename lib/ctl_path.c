/*
 * ctl_path.c - where the control socket is, for nomcastd and nomcastctl
 * alike; see ctl_path.h.
 *
 * Inside a Nomad task /run is rarely shared with anything, so the socket
 * goes where the task's neighbours can reach it: the allocation directory
 * (shared by every task of the group), else the task's own directory.
 */
#include "lib/ctl_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/un.h>


int
ctl_socket_path(const char *configured, char *buf, size_t len)
{
	static const char *const env[] = {
		"NOMAD_ALLOC_DIR",	/* shared by the group's tasks */
		"NOMAD_TASK_DIR",
	};
	const char *dir = NULL;
	size_t i, max = CTL_PATH_MAX;
	int n;

	if (configured != NULL && configured[0] != '\0') {
		n = snprintf(buf, len, "%s", configured);
	} else {
		for (i = 0; i < sizeof(env) / sizeof(env[0]) && dir == NULL;
		    i++) {
			dir = getenv(env[i]);
			if (dir != NULL && dir[0] == '\0')
				dir = NULL;
		}
		if (dir != NULL)
			n = snprintf(buf, len, "%s/%s", dir, CTL_SOCKET_NAME);
		else
			n = snprintf(buf, len, "%s",
			    CTL_DEFAULT_SOCKET);
	}
	if (n < 0 || (size_t)n >= len || (size_t)n >= max) {
		snprintf(buf, len, "control socket path longer than %zu "
		    "characters", max - 1);
		return -1;
	}
	return 0;
}
