/*
 * ribout.h - the Adj-RIB-Out of one peer, pure.
 *
 * Holds what the peer should have (the desired set) and what was last sent.
 * ribout_flush() turns the difference into the smallest set of UPDATEs:
 * prefixes with identical attributes share a message, up to 4096 octets;
 * withdrawals are packed too.  Nothing is sent for a prefix whose desired
 * attributes equal what the peer already holds.
 */
#ifndef NOMCAST_RIBOUT_H
#define NOMCAST_RIBOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/msg.h"
#include "lib/prefix.h"

struct ribout;

/* called once per finished UPDATE; msg is valid during the call only */
typedef int (*ribout_emit_fn)(void *ctx, const uint8_t *msg, size_t len);

/* owned by the caller; ribout_free(NULL) is a no-op */
struct ribout *ribout_new(void);
void	ribout_free(struct ribout *ro);

/*
 * desire prefix with these attributes (copied); 0, or -1 on no memory or
 * an invalid prefix or attribute count
 */
int	ribout_set(struct ribout *ro, const struct prefix *p,
	    const struct bgp_attrs *attrs);
/* desire the prefix withdrawn; a no-op if it is not desired */
void	ribout_unset(struct ribout *ro, const struct prefix *p);
/* desire nothing (the daemon is stopping, or the peer is removed) */
void	ribout_unset_all(struct ribout *ro);

/*
 * Emit UPDATEs for every difference between desired and sent, then record
 * them as sent.  afi_ok[AFI_IPV4] / afi_ok[AFI_IPV6] say which families
 * the peer negotiated; prefixes of other families are held back.  Returns
 * the number of UPDATEs emitted, or -1 if emit failed (what was emitted
 * before stays recorded as sent).  Routes whose attributes lack a next hop
 * of their family stay pending.  emit must not change the ribout.
 */
int	ribout_flush(struct ribout *ro, const struct upd_opts *o,
	    const bool afi_ok[3], ribout_emit_fn emit, void *ctx);

/* the session went down: the peer holds nothing now */
void	ribout_clear_sent(struct ribout *ro);

/* prefixes desired / sent (announced and not withdrawn) */
size_t	ribout_desired_count(const struct ribout *ro);
size_t	ribout_sent_count(const struct ribout *ro);
bool	ribout_is_pending(const struct ribout *ro);

/*
 * The time recorded with every route ribout_flush() emits from now on, in
 * whatever unit the caller keeps (the daemon: seconds since the epoch).
 * The ribout reads no clock itself.
 */
void	ribout_set_time(struct ribout *ro, int64_t now);

/*
 * Walk the sent routes in prefix order (for show routes), each with the
 * time set by ribout_set_time() when it was emitted; stop when fn returns
 * non-zero and return that.
 */
typedef int (*ribout_walk_fn)(void *ctx, const struct prefix *p,
	    const struct bgp_attrs *attrs, int64_t sent_at);
int	ribout_walk_sent(const struct ribout *ro, ribout_walk_fn fn, void *ctx);

#endif
