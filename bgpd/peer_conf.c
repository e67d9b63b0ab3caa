/*
 * peer_conf.c - the speaker's [global] keys and the [peer NAME] keys;
 * see peer_conf.h and nomcast.ini(5).
 */
#include "bgpd/peer_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GK_ASN, GK_ROUTER_ID, GK_LISTEN, GK_LISTEN_ADDR, GK_LISTEN_PORT,
	GK_SHUTDOWN_MSG, GK_N };
enum { PK_ADDRESS, PK_ASN, PK_PORT, PK_PASSIVE, PK_HOLD_TIME,
	PK_CONNECT_RETRY, PK_LOCAL_ADDR, PK_NEXT_HOP, PK_NEXT_HOP6,
	PK_NEXT_HOP6_LL, PK_PASSWORD, PK_TTL_SECURITY, PK_MULTIHOP,
	PK_SEND_HOLD_TIME, PK_GRACEFUL_RESTART, PK_RESTART_TIME, PK_N };
_Static_assert(GK_N <= CONF_KEYS_MAX && PK_N <= CONF_KEYS_MAX,
    "seen[] too small");

/* plain ("65001") or asdot ("1.10", RFC 5396) */
static int
conf_asn(struct conf_ctx *cx, const char *val, uint32_t *out)
{
	const char *dot = strchr(val, '.');
	uint64_t hi, lo, v;
	char tmp[16];
	size_t n;

	if (dot != NULL) {
		n = (size_t)(dot - val);
		if (n == 0 || n >= sizeof(tmp))
			goto bad;
		memcpy(tmp, val, n);
		tmp[n] = '\0';
		if (conf_num(tmp, &hi) == -1 || conf_num(dot + 1, &lo) == -1)
			goto bad;
		if (hi > UINT16_MAX || lo > UINT16_MAX) {
			KEY_ERR(cx, "%s: %s out of range (asdot parts are "
			    "0..65535)", cx->key, val);
			return -1;
		}
		v = hi << 16 | lo;
	} else if (conf_num(val, &v) == -1)
		goto bad;
	if (v == 0) {
		/* RFC 7607 2: AS 0 must not be used */
		KEY_ERR(cx, "%s: AS 0 is reserved (RFC 7607)", cx->key);
		return -1;
	}
	if (v > UINT32_MAX) {
		KEY_ERR(cx, "%s: %s out of range (1..4294967295)", cx->key, val);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
bad:
	KEY_ERR(cx, "%s: '%s' is not an AS number", cx->key, val);
	return -1;
}

/* ---- [global]: the speaker's keys ---- */

static struct conf_bgp *
conf_cur_bgp(struct conf_ctx *cx)
{
	return cx->obj;
}

static void
g_asn(struct conf_ctx *cx, const char *v)
{
	conf_asn(cx, v, &conf_cur_bgp(cx)->asn);
}

static void
g_router_id(struct conf_ctx *cx, const char *v)
{
	struct addr a;

	if (conf_addr(cx, v, AFI_IPV4, &a) == -1)
		return;
	if (conf_addr_is_zero(&a)) {
		/* RFC 6286 2.1: a non-zero 32-bit number */
		KEY_ERR(cx, "%s: 0.0.0.0 is not a valid BGP identifier",
		    cx->key);
		return;
	}
	conf_cur_bgp(cx)->router_id = (uint32_t)a.b[0] << 24 | (uint32_t)a.b[1] << 16 |
	    (uint32_t)a.b[2] << 8 | a.b[3];
}

static void
g_listen(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_bgp(cx)->listen);
}

static void
g_listen_addr(struct conf_ctx *cx, const char *v)
{
	conf_addr(cx, v, 0, &conf_cur_bgp(cx)->listen_addr);
}

static void
g_listen_port(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, UINT16_MAX, &u) == 0)
		conf_cur_bgp(cx)->listen_port = (uint16_t)u;
}

static void
g_shutdown_msg(struct conf_ctx *cx, const char *v)
{
	struct conf_bgp *g = conf_cur_bgp(cx);

	/* RFC 9003 2: at most 255 octets of UTF-8 */
	if (strlen(v) > BGP_SHUTDOWN_MSG_MAX) {
		KEY_ERR(cx, "%s: longer than %d octets (RFC 9003)", cx->key,
		    BGP_SHUTDOWN_MSG_MAX);
		return;
	}
	if (!conf_utf8_ok(v)) {
		KEY_ERR(cx, "%s: not valid UTF-8 (RFC 9003)", cx->key);
		return;
	}
	snprintf(g->shutdown_message, sizeof(g->shutdown_message),
	    "%s", v);
}

static const struct conf_key conf_bgp_keys[GK_N] = {
	[GK_ASN] =		{ "asn", false, false, g_asn },
	[GK_ROUTER_ID] =	{ "router-id", false, false, g_router_id },
	[GK_LISTEN] =		{ "listen", false, false, g_listen },
	[GK_LISTEN_ADDR] =	{ "listen-address", false, false, g_listen_addr },
	[GK_LISTEN_PORT] =	{ "listen-port", false, false, g_listen_port },
	[GK_SHUTDOWN_MSG] =	{ "shutdown-message", false, true,
				    g_shutdown_msg },
};

void
bgp_conf_defaults(struct conf_bgp *g)
{
	g->listen = true;
	g->listen_port = BGP_PORT;
	snprintf(g->shutdown_message, sizeof(g->shutdown_message), "%s",
	    CONF_DEFAULT_SHUTDOWN_MSG);
}

bool
bgp_conf_has_key(const char *name)
{
	return conf_key_known(conf_bgp_keys, GK_N, name);
}

void
bgp_conf_key(struct conf_ctx *cx, struct conf_bgp *g, struct bgp_conf_aux *x,
    const char *name, const char *value)
{
	conf_key_run(cx, conf_bgp_keys, GK_N, x->seen, g, x, name, value);
}

void
bgp_conf_finish(struct conf_ctx *cx, const struct bgp_conf_aux *x, int line)
{
	if (x->seen[GK_ASN] == 0)
		conf_diag(cx, line, true, "[global]: missing required key "
		    "'asn'");
	if (x->seen[GK_ROUTER_ID] == 0)
		conf_diag(cx, line, true, "[global]: missing required key "
		    "'router-id'");
}

bool
conf_peer_is_ibgp(const struct conf_bgp *g, const struct conf_peer *p)
{
	return p->asn == g->asn;
}

/* ---- [peer NAME] ---- */

static struct conf_peer *
conf_cur_peer(struct conf_ctx *cx)
{
	return cx->obj;
}

static void
p_address(struct conf_ctx *cx, const char *v)
{
	struct addr a;

	if (conf_addr(cx, v, 0, &a) == -1)
		return;
	if (conf_addr_is_zero(&a)) {
		KEY_ERR(cx, "%s: '%s' is the unspecified address", cx->key, v);
		return;
	}
	conf_cur_peer(cx)->addr = a;
}

static void
p_asn(struct conf_ctx *cx, const char *v)
{
	conf_asn(cx, v, &conf_cur_peer(cx)->asn);
}

static void
p_port(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, UINT16_MAX, &u) == 0)
		conf_cur_peer(cx)->port = (uint16_t)u;
}

static void
p_passive(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_peer(cx)->passive);
}

static void
p_hold_time(struct conf_ctx *cx, const char *v)
{
	uint64_t u;

	/* RFC 4271 4.2: zero, or at least three seconds */
	if (conf_num(v, &u) == -1) {
		KEY_ERR(cx, "%s: '%s' is not a number", cx->key, v);
		return;
	}
	if (u == 1 || u == 2 || u > UINT16_MAX) {
		KEY_ERR(cx, "%s: %s out of range (0 or 3..65535)", cx->key, v);
		return;
	}
	conf_cur_peer(cx)->hold_time = (uint16_t)u;
}

static void
p_connect_retry(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, 3600, &u) == 0)
		conf_cur_peer(cx)->connect_retry = (uint16_t)u;
}

static void
p_local_addr(struct conf_ctx *cx, const char *v)
{
	conf_addr(cx, v, 0, &conf_cur_peer(cx)->local_addr);
}

static void
p_next_hop(struct conf_ctx *cx, const char *v)
{
	conf_addr(cx, v, AFI_IPV4, &conf_cur_peer(cx)->next_hop);
}

static void
p_next_hop6(struct conf_ctx *cx, const char *v)
{
	struct addr a;

	if (conf_addr(cx, v, AFI_IPV6, &a) == -1)
		return;
	/* RFC 2545 3: the first next hop is the global one */
	if (conf_addr_is_ll6(&a)) {
		KEY_ERR(cx, "%s: '%s' is link-local; use next-hop6-link-local",
		    cx->key, v);
		return;
	}
	conf_cur_peer(cx)->next_hop6 = a;
}

static void
p_next_hop6_ll(struct conf_ctx *cx, const char *v)
{
	struct addr a;

	if (conf_addr(cx, v, AFI_IPV6, &a) == -1)
		return;
	if (!conf_addr_is_ll6(&a)) {
		KEY_ERR(cx, "%s: '%s' is not a link-local (fe80::/10) address",
		    cx->key, v);
		return;
	}
	conf_cur_peer(cx)->next_hop6_ll = a;
}

static void
p_password(struct conf_ctx *cx, const char *v)
{
	struct conf_peer *p = conf_cur_peer(cx);

	if (strlen(v) > CONF_PASSWORD_MAX) {
		KEY_ERR(cx, "%s: longer than %d octets (TCP-MD5 key limit)",
		    cx->key, CONF_PASSWORD_MAX);
		return;
	}
	snprintf(p->password, sizeof(p->password), "%s", v);
}

static void
p_ttl_security(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_peer(cx)->ttl_security);
}

static void
p_multihop(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, UINT8_MAX, &u) == 0)
		conf_cur_peer(cx)->multihop = (uint8_t)u;
}

static void
p_send_hold_time(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 10, 3600, &u) == 0)
		conf_cur_peer(cx)->send_hold_time = (uint16_t)u;
}

static void
p_graceful_restart(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_peer(cx)->graceful_restart);
}

/* a duration in whole seconds: the capability carries seconds */
static void
p_restart_time(struct conf_ctx *cx, const char *v)
{
	uint32_t ms;

	if (conf_duration(cx, v, CONF_RESTART_TIME_MAX * 1000u, &ms) == -1)
		return;
	if (ms < 1000 || ms % 1000 != 0) {
		KEY_ERR(cx, "%s: '%s' is not a whole number of seconds "
		    "(1s..%us)", cx->key, v, CONF_RESTART_TIME_MAX);
		return;
	}
	conf_cur_peer(cx)->restart_time = (uint16_t)(ms / 1000);
}

static const struct conf_key conf_peer_keys[PK_N] = {
	[PK_ADDRESS] =		{ "address", false, false, p_address },
	[PK_ASN] =		{ "asn", false, false, p_asn },
	[PK_PORT] =		{ "port", false, false, p_port },
	[PK_PASSIVE] =		{ "passive", false, false, p_passive },
	[PK_HOLD_TIME] =	{ "hold-time", false, false, p_hold_time },
	[PK_CONNECT_RETRY] =	{ "connect-retry", false, false,
				    p_connect_retry },
	[PK_LOCAL_ADDR] =	{ "local-address", false, false, p_local_addr },
	[PK_NEXT_HOP] =		{ "next-hop", false, false, p_next_hop },
	[PK_NEXT_HOP6] =	{ "next-hop6", false, false, p_next_hop6 },
	[PK_NEXT_HOP6_LL] =	{ "next-hop6-link-local", false, false,
				    p_next_hop6_ll },
	[PK_PASSWORD] =		{ "password", false, false, p_password },
	[PK_TTL_SECURITY] =	{ "ttl-security", false, false,
				    p_ttl_security },
	[PK_MULTIHOP] =		{ "multihop", false, false, p_multihop },
	[PK_SEND_HOLD_TIME] =	{ "send-hold-time", false, false,
				    p_send_hold_time },
	[PK_GRACEFUL_RESTART] =	{ "graceful-restart", false, false,
				    p_graceful_restart },
	[PK_RESTART_TIME] =	{ "restart-time", false, false,
				    p_restart_time },
};

void
peer_conf_init(struct conf_peer *p, struct peer_conf_aux *x, const char *name,
    int line)
{
	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->port = BGP_PORT;
	p->hold_time = CONF_DEFAULT_HOLD_TIME;
	p->connect_retry = CONF_DEFAULT_CONNECT_RETRY;
	p->restart_time = CONF_DEFAULT_RESTART_TIME;
	p->line = line;
}

void
peer_conf_key(struct conf_ctx *cx, struct conf_peer *p, struct peer_conf_aux *x,
    const char *name, const char *value)
{
	conf_key_run(cx, conf_peer_keys, PK_N, x->seen, p, x, name, value);
}

/* ---- checks across peers, once everything is read ---- */

bool
conf_peer_carries(const struct conf_peer *p, uint8_t afi)
{
	/*
	 * IPv4 NLRI needs an IPv4 NEXT_HOP: the IPv4 session address or
	 * next-hop; IPv6 NLRI needs an IPv6 one (RFC 2545 3).
	 */
	if (afi == AFI_IPV4)
		return p->addr.afi == AFI_IPV4 || addr_is_set(&p->next_hop);
	return p->addr.afi == AFI_IPV6 || addr_is_set(&p->next_hop6);
}

void
peer_conf_check(struct conf_ctx *cx, const struct conf_bgp *g,
    const struct conf_peer *peers, const struct peer_conf_aux *xs, size_t n)
{
	const struct conf_peer *p, *q;
	const struct peer_conf_aux *x;
	char a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	size_t i, j;

	for (i = 0; i < n; i++) {
		p = &peers[i];
		x = &xs[i];
		if (x->seen[PK_ADDRESS] == 0)
			conf_diag(cx, p->line, true, "[peer%s%s]: missing "
			    "required key 'address'", CONF_SP(p->name), p->name);
		if (x->seen[PK_ASN] == 0)
			conf_diag(cx, p->line, true, "[peer%s%s]: missing "
			    "required key 'asn'", CONF_SP(p->name), p->name);
		if (x->skip)
			continue;
		for (j = 0; j < i && addr_is_set(&p->addr); j++) {
			q = &peers[j];
			if (xs[j].skip || !addr_equal(&p->addr, &q->addr))
				continue;
			conf_diag(cx, x->seen[PK_ADDRESS], true, "address %s "
			    "already used by peer '%s' (line %d)",
			    addr_str(&p->addr, a1, sizeof(a1)), q->name,
			    q->line);
			break;
		}
		if (addr_is_set(&p->local_addr) && addr_is_set(&p->addr) &&
		    p->local_addr.afi != p->addr.afi)
			conf_diag(cx, x->seen[PK_LOCAL_ADDR], true,
			    "local-address: %s is not of the family of "
			    "address %s",
			    addr_str(&p->local_addr, a1, sizeof(a1)),
			    addr_str(&p->addr, a2, sizeof(a2)));
		if (p->multihop != 0 && p->ttl_security) {
			/* RFC 5082: GTSM means the peer is one hop away */
			conf_diag(cx, x->seen[PK_MULTIHOP], true, "multihop "
			    "and ttl-security cannot be used together");
		} else if (p->multihop != 0 && g->asn != 0 &&
		    conf_peer_is_ibgp(g, p))
			conf_diag(cx, x->seen[PK_MULTIHOP], false, "multihop "
			    "only applies to eBGP; ignored for iBGP peer '%s'",
			    p->name);
	}
}

bool
conf_bgp_same(const struct conf_bgp *a, const struct conf_bgp *b)
{
	return a->asn == b->asn && a->router_id == b->router_id;
}

bool
conf_peer_session_same(const struct conf_peer *a, const struct conf_peer *b)
{
	return addr_equal(&a->addr, &b->addr) && a->asn == b->asn &&
	    a->port == b->port && a->passive == b->passive &&
	    a->hold_time == b->hold_time &&
	    addr_equal(&a->local_addr, &b->local_addr) &&
	    strcmp(a->password, b->password) == 0 &&
	    a->ttl_security == b->ttl_security && a->multihop == b->multihop &&
	    a->graceful_restart == b->graceful_restart &&
	    a->restart_time == b->restart_time;
}

bool
conf_listen_same(const struct conf_bgp *a, const struct conf_peer *pa,
    size_t na, const struct conf_bgp *b, const struct conf_peer *pb,
    size_t nb)
{
	size_t i;

	if (a->listen != b->listen || a->listen_port != b->listen_port ||
	    !addr_equal(&a->listen_addr, &b->listen_addr) || na != nb)
		return false;
	/* TCP-MD5 keys are set on the listener, per peer address */
	for (i = 0; i < na; i++)
		if (!addr_equal(&pa[i].addr, &pb[i].addr) ||
		    strcmp(pa[i].password, pb[i].password) != 0)
			return false;
	return true;
}
