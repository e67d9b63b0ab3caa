/*
 * bfd_conf.h - a BGP peer's BFD settings: the bfd* keys of a [peer NAME]
 * section (the section is bgpd's; nomcastd/config.c hands these keys
 * here), their checks, and what a reload may change in place.
 */
#ifndef NOMCAST_BFD_CONF_H
#define NOMCAST_BFD_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/fsm.h"
#include "bfd/pkt.h"
#include "lib/conf.h"

#define BFD_DEFAULT_INTERVAL_MS		100
#define BFD_DEFAULT_MULTIPLIER		3
#define BFD_DEFAULT_HOLD_DOWN_MS	2000
#define BFD_MIN_INTERVAL_MS		10
#define BFD_MAX_INTERVAL_MS		10000

struct conf_bfd {
	bool		enabled;		/* bfd = yes */
	struct bfd_timers timers;		/* interval, min-rx, multiplier */
	bool		keyed;			/* bfd-password given */
	struct bfd_key	key;			/* type, id, secret */
	bool		strict;			/* no BGP until BFD is Up */
	uint32_t	hold_down_ms;		/* Up this long before BGP */
	uint8_t		max_hops;		/* [peer] multihop: 0 = single
						 * hop; else multihop (RFC 5883),
						 * set by bfd_conf_finish */
	int		line;			/* of bfd = yes, or 0 */
};

struct bfd_conf_aux {
	int		 seen[CONF_KEYS_MAX];
	char		 auth[24];		/* bfd-auth as written */
	char		 secret[72];		/* bfd-password as written */
	uint32_t	 key_id;
};

void	bfd_conf_init(struct conf_bfd *b, struct bfd_conf_aux *x);
/* is name one of the bfd* keys of a [peer] section? */
bool	bfd_conf_has_key(const char *name);
void	bfd_conf_key(struct conf_ctx *cx, struct conf_bfd *b,
	    struct bfd_conf_aux *x, const char *name, const char *value);
/*
 * Once the peer's section is read: keys that need bfd = yes, the key
 * against its algorithm, a detection time not shorter than the hold time
 * (a warning), multihop from the peer (max_hops, 0 = single hop).
 */
void	bfd_conf_finish(struct conf_ctx *cx, struct conf_bfd *b,
	    const struct bfd_conf_aux *x, uint8_t max_hops,
	    uint16_t hold_time_s, int peer_line);

/* For a reload: the same session (addresses aside)?  Timers and the
 * BGP-side keys (strict, hold-down) may change without one. */
bool	conf_bfd_session_same(const struct conf_bfd *a,
	    const struct conf_bfd *b);
bool	conf_bfd_same(const struct conf_bfd *a, const struct conf_bfd *b);

#endif
