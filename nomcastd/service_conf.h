/*
 * service_conf.h - a [service NAME] section: its settings and its key
 * parser (on lib/conf.h).  Names of peers and checks are kept as written
 * (conf_svc_aux) and resolved by nomcastd/config.c once the whole file is
 * read, with the other checks across sections.
 */
#ifndef NOMCAST_SERVICE_CONF_H
#define NOMCAST_SERVICE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/msg.h"
#include "lib/conf.h"
#include "lib/prefix.h"
#include "nomad/nomad_conf.h"

#define CONF_MAX_PREFIXES	64	/* per service */
#define CONF_DEFAULT_DRAIN_TIME	30000	/* ms a drain announces GSHUT */
#define CONF_MAX_CHECKS		16	/* per service */

enum on_down {
	ON_DOWN_WITHDRAW,	/* default */
	ON_DOWN_DEGRADE,	/* keep announcing with worse attributes */
};

struct conf_service {
	char		name[CONF_NAME_MAX];
	size_t		nprefixes;
	struct prefix	prefixes[CONF_MAX_PREFIXES];
	uint8_t		ncomm;
	uint32_t	comm[ATTR_MAX_COMMUNITIES];
	uint8_t		nlcomm;
	struct lcommunity lcomm[ATTR_MAX_LCOMMUNITIES];
	bool		has_med;
	uint32_t	med;
	bool		has_local_pref;
	uint32_t	local_pref;
	uint8_t		origin;			/* enum bgp_origin, default igp */
	bool		all_peers;		/* no "peers =" key */
	bool		*use_peer;		/* [npeers], owned */
	/* health */
	size_t		nchecks;		/* no checks: always up */
	size_t		checks[CONF_MAX_CHECKS];	/* indexes into conf.checks */
	uint32_t	hold_down_ms;		/* default 0 */
	enum on_down	on_down;
	bool		has_degrade_med;
	uint32_t	degrade_med;
	uint8_t		degrade_prepend;	/* extra copies of our AS */
	uint8_t		ndegrade_comm;
	uint32_t	degrade_comm[ATTR_MAX_COMMUNITIES];
	char		vip_interface[16];	/* IFNAMSIZ; "" = off */
	uint32_t	drain_time_ms;		/* drain: GSHUT, then withdraw */
	/* Nomad: one more verdict source if nomad.service[0] */
	struct conf_nomad_watch nomad;
	int		line;
};

/* the keys of [service NAME], as indexes of conf_svc_aux.seen[] */
enum { SK_PREFIX, SK_COMMUNITIES, SK_LCOMMUNITIES, SK_MED, SK_LOCAL_PREF,
	SK_ORIGIN, SK_PEERS, SK_CHECKS, SK_HOLD_DOWN, SK_ON_DOWN,
	SK_DEGRADE_MED, SK_DEGRADE_PREPEND, SK_DEGRADE_COMM, SK_VIP_IFACE,
	SK_NOMAD_SERVICE, SK_NOMAD_CHECKS, SK_DRAIN_TIME, SK_N };

/* a name written in peers = or checks =, at its line */
struct conf_pname {
	char		 name[CONF_NAME_MAX];
	int		 line;
};

struct conf_svc_aux {
	int		 seen[CONF_KEYS_MAX];
	bool		 skip;
	int		 prefix_line[CONF_MAX_PREFIXES];
	struct conf_pname *names;	/* "peers =" entries, resolved last */
	size_t		 nnames;
	struct conf_pname *cnames;	/* "checks =" entries, resolved last */
	size_t		 ncnames;
	bool		 full_prefix, full_comm, full_lcomm;	/* said once */
	bool		 full_dcomm;
	bool		 bad_on_down;	/* no warnings about degrade then */
	bool		 full_nchecks;	/* "too many" said once */
};

/* a service named name, opened at line, with every default; x zeroed */
void	service_conf_init(struct conf_service *s, struct conf_svc_aux *x,
	    const char *name, int line);
void	service_conf_key(struct conf_ctx *cx, struct conf_service *s,
	    struct conf_svc_aux *x, const char *name, const char *value);
/* "degrade-med" for SK_DEGRADE_MED */
const char *service_conf_key_name(int key);

struct conf;

/*
 * For a reload's plan: the service's definition, ca's service a against
 * cb's b.  Peers and checks are compared by name (their indexes differ
 * between two files); a check's own definition is conf_check_same's.
 */
bool	conf_service_same(const struct conf *ca, const struct conf_service *a,
	    const struct conf *cb, const struct conf_service *b);

#endif
