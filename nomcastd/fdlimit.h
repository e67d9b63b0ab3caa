/*
 * fdlimit.h - enough file descriptors for what the configuration may open.
 *
 * A daemon that runs out of descriptors fails in ways that look like
 * someone else's fault (a check that cannot connect, a peer that cannot
 * be reached), so the limit is checked once at start-up: the soft limit
 * is raised toward the hard one when the configuration needs more, and a
 * warning names the limit when even the hard one is too low.
 */
#ifndef NOMCAST_FDLIMIT_H
#define NOMCAST_FDLIMIT_H

struct conf;

/* descriptors c may hold at once, at the most (an estimate from above) */
unsigned fd_budget(const struct conf *c);
/*
 * Compare the budget with RLIMIT_NOFILE; raise the soft limit if raise and
 * it helps; warn once if it is still short.  Returns the soft limit now.
 */
unsigned fd_limit_ensure(const struct conf *c, int raise);

#endif
