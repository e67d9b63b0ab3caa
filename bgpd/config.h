/*
 * config.h - the INI configuration (inih), parsed and validated whole.
 *
 * conf_load() reads a file into a fresh struct conf; every error is
 * collected as "file:line: message" (all of them in one run), so that a
 * reload can reject a bad file and keep the running config untouched.
 */
#ifndef NOMCAST_CONFIG_H
#define NOMCAST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "prefix.h"

#define CONF_NAME_MAX		64
#define CONF_PATH_MAX		108	/* sun_path */
#define CONF_PASSWORD_MAX	80	/* TCP_MD5SIG_MAXKEYLEN */
#define CONF_MAX_PREFIXES	64	/* per service */

#define CONF_DEFAULT_CONTROL_SOCKET	"/run/nomcast/nomcast.sock"
#define CONF_DEFAULT_SHUTDOWN_MSG	"nomcast shutting down"
#define CONF_DEFAULT_HOLD_TIME		90
#define CONF_DEFAULT_CONNECT_RETRY	5

#define CONF_MAX_CHECKS		16	/* per service */
#define CONF_MAX_EXPECT		16	/* expected HTTP status ranges */
#define CONF_MAX_ARGV		32	/* exec arguments */

enum check_type {
	CHECK_HTTP,		/* http:// or https:// URL, libcurl */
	CHECK_TCP,		/* connect() to host:port */
	CHECK_WATCH,		/* a held TCP connection: reset/close fails at once */
	CHECK_EXEC,		/* fork/exec; exit 0 passes */
};

struct conf_check {
	char		name[CONF_NAME_MAX];
	enum check_type	type;
	uint32_t	interval_ms;		/* default 1000; > 0 */
	uint32_t	timeout_ms;		/* default 500, or interval / 2
						   rounded up below 500ms;
						   <= interval */
	uint16_t	rise;			/* default 2 */
	uint16_t	fall;			/* default 1 */
	/* http */
	char		url[512];
	char		host_header[256];	/* optional Host: */
	char		unix_socket[CONF_PATH_MAX];	/* optional */
	size_t		nexpect;		/* default one range 200-299 */
	uint16_t	expect_lo[CONF_MAX_EXPECT];
	uint16_t	expect_hi[CONF_MAX_EXPECT];
	char		body[256];		/* substring; "" = any body */
	bool		tls_verify;		/* default yes */
	/* tcp, watch */
	struct addr	addr;
	uint16_t	port;
	/* exec: argv[0] is the program, run without a shell */
	size_t		argc;
	char		*argv[CONF_MAX_ARGV + 1];	/* owned, NULL-terminated */
	int		line;
};

enum on_down {
	ON_DOWN_WITHDRAW,	/* default */
	ON_DOWN_DEGRADE,	/* keep announcing with worse attributes */
};

struct conf_global {
	uint32_t	asn;
	uint32_t	router_id;		/* host order */
	bool		listen;			/* accept connections */
	struct addr	listen_addr;		/* unset: "::" (dual stack) */
	uint16_t	listen_port;		/* default 179 */
	char		control_socket[CONF_PATH_MAX];
	char		shutdown_message[BGP_SHUTDOWN_MSG_MAX + 1];
	int		line;
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
	int		line;
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
	/* health (issue 3) */
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
	int		line;
};

struct conf {
	char		path[4096];
	struct conf_global g;
	size_t		npeers;
	struct conf_peer *peers;		/* owned */
	size_t		nservices;
	struct conf_service *services;		/* owned */
	size_t		nchecks;
	struct conf_check *checks;		/* owned */
};

/* collected diagnostics, each "file:line: message" */
struct conf_diag {
	size_t		nerr;
	size_t		nwarn;
	size_t		n;
	char		**lines;		/* owned; errors and warnings */
	bool		*is_err;
};

/* 0 ok (warnings possible), -1 errors (conf is empty then) */
int	conf_load(const char *path, struct conf *c, struct conf_diag *d);
/* same, from a string; name is used as the file name in messages */
int	conf_load_string(const char *name, const char *text, struct conf *c,
	    struct conf_diag *d);
void	conf_free(struct conf *c);
void	conf_diag_free(struct conf_diag *d);

bool	conf_peer_is_ibgp(const struct conf *c, const struct conf_peer *p);
/* index of the peer with this address, or -1 */
int	conf_peer_find(const struct conf *c, const struct addr *a);

#endif
