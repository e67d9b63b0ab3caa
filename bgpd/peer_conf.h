/*
 * peer_conf.h - the BGP speaker's settings: the [global] keys it uses
 * (asn, router-id, listen*, shutdown-message) and a [peer NAME] section,
 * with their key parsers (on lib/conf.h) and the checks across peers.
 * The section dispatch is nomcastd/config.c's.
 */
#ifndef NOMCAST_PEER_CONF_H
#define NOMCAST_PEER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/msg.h"
#include "lib/conf.h"
#include "lib/prefix.h"

#define CONF_PASSWORD_MAX	80	/* TCP_MD5SIG_MAXKEYLEN */
#define CONF_DEFAULT_SHUTDOWN_MSG	"nomcast shutting down"
#define CONF_DEFAULT_HOLD_TIME		90
#define CONF_DEFAULT_CONNECT_RETRY	5
#define CONF_DEFAULT_RESTART_TIME	30	/* seconds, RFC 4724 */
#define CONF_RESTART_TIME_MAX		4095	/* a 12-bit field */

/* the speaker's own keys of [global] */
struct conf_bgp {
	uint32_t	asn;
	uint32_t	router_id;		/* host order */
	bool		listen;			/* accept connections */
	struct addr	listen_addr;		/* unset: "::" (dual stack) */
	uint16_t	listen_port;		/* default 179 */
	char		shutdown_message[BGP_SHUTDOWN_MSG_MAX + 1];
};

struct conf_peer {
	char		name[CONF_NAME_MAX];
	struct addr	addr;
	uint32_t	asn;
	uint16_t	port;			/* default 179 */
	bool		passive;		/* never connect, only accept */
	uint16_t	hold_time;		/* default 90; 0 or >= 3 */
	uint16_t	connect_retry;		/* seconds, initial; default 5 */
	struct addr	local_addr;		/* bind before connect */
	struct addr	next_hop;		/* IPv4 NEXT_HOP; unset: local */
	struct addr	next_hop6;		/* IPv6 global next hop */
	struct addr	next_hop6_ll;		/* optional link-local */
	char		password[CONF_PASSWORD_MAX + 1];	/* TCP-MD5 */
	bool		ttl_security;		/* GTSM, RFC 5082 */
	uint8_t		multihop;		/* eBGP TTL; 0 = directly connected */
	uint16_t	send_hold_time;		/* RFC 9687, seconds; 0 = default */
	bool		graceful_restart;	/* RFC 4724 capability offered */
	uint16_t	restart_time;		/* seconds the peer keeps our
						 * routes while we restart */
	int		line;
};

/* what the key parsers note while the file is read */
struct bgp_conf_aux {
	int		 seen[CONF_KEYS_MAX];	/* line of each key, 0 = absent */
};

struct peer_conf_aux {
	int		 seen[CONF_KEYS_MAX];
	bool		 skip;	/* bad or duplicate name: no checks across */
};

void	bgp_conf_defaults(struct conf_bgp *g);
/* is name one of the speaker's [global] keys? */
bool	bgp_conf_has_key(const char *name);
void	bgp_conf_key(struct conf_ctx *cx, struct conf_bgp *g,
	    struct bgp_conf_aux *x, const char *name, const char *value);
/* the required keys, said missing at the [global] header's line */
void	bgp_conf_finish(struct conf_ctx *cx, const struct bgp_conf_aux *x,
	    int line);

/* a peer named name, opened at line, with every default; x zeroed */
void	peer_conf_init(struct conf_peer *p, struct peer_conf_aux *x,
	    const char *name, int line);
void	peer_conf_key(struct conf_ctx *cx, struct conf_peer *p,
	    struct peer_conf_aux *x, const char *name, const char *value);
/*
 * Once the file is read: each peer's required keys and key conflicts,
 * and addresses used twice among peers[n] (x[n] their companions).
 */
void	peer_conf_check(struct conf_ctx *cx, const struct conf_bgp *g,
	    const struct conf_peer *peers, const struct peer_conf_aux *x,
	    size_t n);

bool	conf_peer_is_ibgp(const struct conf_bgp *g, const struct conf_peer *p);
/* can p carry NLRI of family afi (it has a NEXT_HOP of that family)? */
bool	conf_peer_carries(const struct conf_peer *p, uint8_t afi);

/*
 * For a reload's plan: the identity every session carries in its OPEN
 * (AS, router id); would the peer's session need to be set up again (a
 * next hop or connect retry is read afresh, no reset needed); and the
 * listening socket (address, port, the peers' TCP-MD5 keys on it).
 */
bool	conf_bgp_same(const struct conf_bgp *a, const struct conf_bgp *b);
bool	conf_peer_session_same(const struct conf_peer *a,
	    const struct conf_peer *b);
bool	conf_listen_same(const struct conf_bgp *a, const struct conf_peer *pa,
	    size_t na, const struct conf_bgp *b, const struct conf_peer *pb,
	    size_t nb);

#endif
