/*
 * fdlimit.c - the descriptor budget of a configuration; see fdlimit.h.
 */
#include "nomcastd/fdlimit.h"

#include <sys/resource.h>

#include "lib/log.h"
#include "nomcastd/config.h"
#include "bfd/link.h"
#include "nomcastd/control.h"
#include "nomcastd/metrics.h"

/* stdio, the loop, signals, netlink, inherited ones, libcurl's own */
#define FD_BASE		32

unsigned
fd_budget(const struct conf *c)
{
	unsigned n = FD_BASE, bfd = 0;
	size_t i;

	/* a session and a collision candidate per peer, the listener */
	n += 2 * (unsigned)c->npeers + 1;
	/* a probe's socket, or an exec check's child pipe, and a spare */
	n += 2 * (unsigned)c->nchecks;
	n += CTL_MAX_CLIENTS + 1;
	if (c->g.metrics)
		n += METRICS_MAX_CONNS + 2;
	/* BFD: the receiving sockets, and one to send from per session */
	for (i = 0; i < c->npeers; i++)
		bfd += c->peer_bfd[i].enabled;
	if (bfd > 0)
		n += BFD_LINK_RX_FDS + bfd;
	/* the checks poll, the probe and a blocking query per service */
	if (c->nomad.used)
		n += 2 + (unsigned)c->nservices;
	return n;
}

unsigned
fd_limit_ensure(const struct conf *c, int raise)
{
	unsigned need = fd_budget(c);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need && raise) {
		struct rlimit want = rl;

		want.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max >= need ? need : rl.rlim_max;
		/* at the hard limit already: nothing to raise, nothing to say */
		if (want.rlim_cur > rl.rlim_cur &&
		    setrlimit(RLIMIT_NOFILE, &want) == 0) {
			log_info("msg=\"descriptor limit raised\" from=%lu "
			    "to=%lu need=%u", (unsigned long)rl.rlim_cur,
			    (unsigned long)want.rlim_cur, need);
			rl = want;
		}
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("msg=\"the descriptor limit is below what this "
		    "configuration may use: raise it (ulimit -n, "
		    "LimitNOFILE=)\" limit=%lu hard=%lu need=%u",
		    (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max,
		    need);
	return rl.rlim_cur == RLIM_INFINITY ? ~0u : (unsigned)rl.rlim_cur;
}
