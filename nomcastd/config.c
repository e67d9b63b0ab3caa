/*
 * config.c - the INI configuration; see config.h and nomcast.ini(5).
 *
 * inih splits each line into key and value.  Everything else is here:
 * every value is checked where it stands, the whole file is checked once
 * it has been read, and every problem is collected as "file:line: message"
 * so that one run shows them all (the way OpenBGPD's parse.y yyerror
 * counts errors and keeps going).
 *
 * The Debian inih is built without INI_HANDLER_LINENO and without
 * INI_CALL_HANDLER_ON_NEW_SECTION, so its handler learns neither the line
 * number nor where a section starts, and never hears of an empty section.
 * We therefore feed inih through ini_parse_stream() with our own reader,
 * which counts lines and notes section headers as they go past; inih
 * processes each line before asking for the next, so the handler's line
 * is the reader's last one.
 */
#include "nomcastd/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

/* RFC 1997, RFC 3765, RFC 7999, RFC 8326 well-known communities */
static const struct {
	const char	*name;
	uint32_t	 value;
} conf_wk_comm[] = {
	{ "graceful-shutdown",		0xffff0000u },	/* RFC 8326 */
	{ "blackhole",			0xffff029au },	/* RFC 7999 */
	{ "no-export",			0xffffff01u },	/* RFC 1997 */
	{ "no-advertise",		0xffffff02u },	/* RFC 1997 */
	{ "no-export-subconfed",	0xffffff03u },	/* RFC 1997 */
	{ "no-peer",			0xffffff04u },	/* RFC 3765 */
};

enum conf_sect {
	SECT_NONE,		/* before the first header */
	SECT_BAD,		/* unknown or broken header: keys ignored */
	SECT_GLOBAL,
	SECT_PEER,
	SECT_SERVICE,
	SECT_CHECK,
	SECT_NOMAD,
};

enum { GK_ASN, GK_ROUTER_ID, GK_LISTEN, GK_LISTEN_ADDR, GK_LISTEN_PORT,
	GK_CONTROL_SOCKET, GK_SHUTDOWN_MSG, GK_METRICS_LISTEN,
	GK_CONTROL_SOCKET_MODE, GK_CONTROL_SOCKET_GROUP, GK_SHUTDOWN_DRAIN,
	GK_N };
enum { PK_ADDRESS, PK_ASN, PK_PORT, PK_PASSIVE, PK_HOLD_TIME,
	PK_CONNECT_RETRY, PK_LOCAL_ADDR, PK_NEXT_HOP, PK_NEXT_HOP6,
	PK_NEXT_HOP6_LL, PK_PASSWORD, PK_TTL_SECURITY, PK_MULTIHOP, PK_N };
enum { SK_PREFIX, SK_COMMUNITIES, SK_LCOMMUNITIES, SK_MED, SK_LOCAL_PREF,
	SK_ORIGIN, SK_PEERS, SK_CHECKS, SK_HOLD_DOWN, SK_ON_DOWN,
	SK_DEGRADE_MED, SK_DEGRADE_PREPEND, SK_DEGRADE_COMM, SK_VIP_IFACE,
	SK_NOMAD_SERVICE, SK_NOMAD_CHECKS, SK_DRAIN_TIME, SK_N };
enum { CK_TYPE, CK_INTERVAL, CK_TIMEOUT, CK_RISE, CK_FALL, CK_URL,
	CK_EXPECT, CK_BODY, CK_HOST, CK_UNIX_SOCKET, CK_TLS_VERIFY, CK_TARGET,
	CK_COMMAND, CK_N };
enum { NK_ADDRESS, NK_TOKEN, NK_NAMESPACE, NK_ALLOC_ID, NK_NODE_ID,
	NK_NODE_FILTER, NK_CACERT, NK_CLIENT_CERT, NK_CLIENT_KEY,
	NK_CHECK_INTERVAL, NK_WAIT, NK_GRACE, NK_ON_OUTAGE, NK_N };

#define CONF_KEYS_MAX	24
_Static_assert(GK_N <= CONF_KEYS_MAX && PK_N <= CONF_KEYS_MAX &&
    SK_N <= CONF_KEYS_MAX && CK_N <= CONF_KEYS_MAX &&
    NK_N <= CONF_KEYS_MAX, "seen[] too small");

/* one diagnostic, kept with its line so that the output can be sorted */
struct conf_dl {
	int		 line;
	size_t		 seq;
	bool		 err;
	char		*text;
};

struct conf_pname {
	char		 name[CONF_NAME_MAX];
	int		 line;
};

struct conf_peer_aux {
	int		 seen[CONF_KEYS_MAX];	/* line of each key, 0 = absent */
	bool		 skip;		/* bad or duplicate name: no cross-checks */
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

struct conf_chk_aux {
	int		 seen[CONF_KEYS_MAX];
	bool		 skip;
	bool		 type_ok;	/* a known type was given */
	bool		 interval_ok, timeout_ok;
	bool		 used;		/* named by a service's checks */
	bool		 full_expect;
};

struct conf_state {
	const char	*file;
	FILE		*fp;
	char		*line;		/* getline() buffer */
	size_t		 linecap;
	int		 lineno;
	int		 pending;	/* key line the handler has not seen yet */
	enum conf_sect	 sect;
	char		 label[CONF_NAME_MAX + 16];	/* "peer edge1" */
	const char	*key;		/* key being handled */
	int		 keyline;
	struct conf	*c;
	size_t		 peercap, svccap, chkcap;
	struct conf_peer_aux *paux;	/* [npeers] */
	struct conf_svc_aux *saux;	/* [nservices] */
	struct conf_chk_aux *caux;	/* [nchecks] */
	int		 gseen[CONF_KEYS_MAX];
	int		 gline;		/* first [global] header */
	int		 nseen[CONF_KEYS_MAX];	/* [nomad] */
	int		 nline;		/* first [nomad] header */
	bool		 nomad_bad_addr;	/* address said bad already */
	struct conf_dl	*dl;
	size_t		 ndl, dlcap;
	size_t		 nerr, nwarn;
};

typedef void conf_key_fn(struct conf_state *, const char *);

struct conf_key {
	const char	*name;
	bool		 list;		/* may repeat; values add up */
	bool		 empty_ok;
	conf_key_fn	*fn;
};

static void	conf_diag(struct conf_state *, int, bool, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* ---- diagnostics ---- */

static void
conf_diag(struct conf_state *st, int line, bool err, const char *fmt, ...)
{
	char msg[512], full[1024];
	struct conf_dl *n;
	va_list ap;

	if (err)
		st->nerr++;
	else
		st->nwarn++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s%s", st->file, line,
		    err ? "" : "warning: ", msg);
	else
		snprintf(full, sizeof(full), "%s: %s%s", st->file,
		    err ? "" : "warning: ", msg);
	if (st->ndl == st->dlcap) {
		size_t cap = st->dlcap ? st->dlcap * 2 : 16;

		if ((n = realloc(st->dl, cap * sizeof(*n))) == NULL)
			return;		/* still counted: the load fails */
		st->dl = n;
		st->dlcap = cap;
	}
	if ((st->dl[st->ndl].text = strdup(full)) == NULL)
		return;
	st->dl[st->ndl].line = line;
	st->dl[st->ndl].seq = st->ndl;
	st->dl[st->ndl].err = err;
	st->ndl++;
}

/* a blank before a section name, unless there is none: "[peer]" */
#define SP(name)		((name)[0] != '\0' ? " " : "")

/* error at the line of the key being handled, prefixed with the key */
#define KEY_ERR(st, ...)	conf_diag((st), (st)->keyline, true, __VA_ARGS__)

static int
conf_dl_cmp(const void *a, const void *b)
{
	const struct conf_dl *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* hand the collected lines, in line order, to the caller's conf_diag */
static void
conf_diag_move(struct conf_state *st, struct conf_diag *d)
{
	size_t i;

	d->nerr = st->nerr;
	d->nwarn = st->nwarn;
	if (st->ndl == 0)
		return;
	qsort(st->dl, st->ndl, sizeof(*st->dl), conf_dl_cmp);
	d->lines = calloc(st->ndl, sizeof(*d->lines));
	d->is_err = calloc(st->ndl, sizeof(*d->is_err));
	if (d->lines == NULL || d->is_err == NULL) {
		free(d->lines);
		free(d->is_err);
		d->lines = NULL;
		d->is_err = NULL;
		for (i = 0; i < st->ndl; i++)
			free(st->dl[i].text);
		return;
	}
	for (i = 0; i < st->ndl; i++) {
		d->lines[i] = st->dl[i].text;
		d->is_err[i] = st->dl[i].err;
	}
	d->n = st->ndl;
}

/* ---- value parsers: each reports its own error, 0 or -1 ---- */

/* decimal digits only; values past 32 bits saturate but stay numbers */
static int
conf_num(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
conf_u32(struct conf_state *st, const char *val, uint32_t min, uint32_t max,
    uint32_t *out)
{
	uint64_t v;

	if (conf_num(val, &v) == -1) {
		KEY_ERR(st, "%s: '%s' is not a number", st->key, val);
		return -1;
	}
	if (v < min || v > max) {
		KEY_ERR(st, "%s: %s out of range (%u..%u)", st->key, val,
		    min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* plain ("65001") or asdot ("1.10", RFC 5396) */
static int
conf_asn(struct conf_state *st, const char *val, uint32_t *out)
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
			KEY_ERR(st, "%s: %s out of range (asdot parts are "
			    "0..65535)", st->key, val);
			return -1;
		}
		v = hi << 16 | lo;
	} else if (conf_num(val, &v) == -1)
		goto bad;
	if (v == 0) {
		/* RFC 7607 2: AS 0 must not be used */
		KEY_ERR(st, "%s: AS 0 is reserved (RFC 7607)", st->key);
		return -1;
	}
	if (v > UINT32_MAX) {
		KEY_ERR(st, "%s: %s out of range (1..4294967295)", st->key, val);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
bad:
	KEY_ERR(st, "%s: '%s' is not an AS number", st->key, val);
	return -1;
}

static int
conf_bool(struct conf_state *st, const char *val, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(val, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(val, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	KEY_ERR(st, "%s: '%s' is not yes or no", st->key, val);
	return -1;
}

/* longest duration anywhere: a day, so interval + timeout fits 32 bits */
#define CONF_DURATION_MAX_MS	86400000u

/*
 * A duration into milliseconds: "250ms", "1s", "1.5s", "2m", or a bare
 * number of seconds.  A fraction finer than a millisecond, a negative or
 * empty number, an unknown unit and anything past max_ms are errors.
 */
static int
conf_duration(struct conf_state *st, const char *val, uint32_t max_ms,
    uint32_t *out)
{
	const char *p = val;
	uint64_t ip = 0, fp = 0, div = 1, mult, v;
	size_t nint = 0, nfrac = 0;
	bool fine = false;

	for (; *p >= '0' && *p <= '9'; p++, nint++)
		if (ip <= UINT32_MAX)	/* saturate; still too large below */
			ip = ip * 10 + (uint64_t)(*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac < 9) {
				fp = fp * 10 + (uint64_t)(*p - '0');
				div *= 10;
			} else if (*p != '0')
				fine = true;
		}
		if (nfrac == 0)
			goto bad;
	}
	if (nint == 0)
		goto bad;
	if (*p == '\0' || strcmp(p, "s") == 0)
		mult = 1000;
	else if (strcmp(p, "ms") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60000;
	else
		goto bad;
	/* fp < 10^9 and mult <= 60000: no overflow; nor in ip * mult */
	if (fine || fp * mult % div != 0) {
		KEY_ERR(st, "%s: '%s' is not a whole number of milliseconds",
		    st->key, val);
		return -1;
	}
	v = ip * mult + fp * mult / div;
	if (v > max_ms) {
		KEY_ERR(st, "%s: '%s' out of range (at most %us)", st->key, val,
		    max_ms / 1000);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
bad:
	KEY_ERR(st, "%s: '%s' is not a duration (such as 250ms, 1s, 1.5s or "
	    "2m)", st->key, val);
	return -1;
}

/* afi 0: either family */
static int
conf_addr(struct conf_state *st, const char *val, uint8_t afi,
    struct addr *out)
{
	struct addr a;

	if (addr_parse(val, &a) == -1 || (afi != 0 && a.afi != afi)) {
		KEY_ERR(st, "%s: '%s' is not an %s address", st->key, val,
		    afi == AFI_IPV4 ? "IPv4" : afi == AFI_IPV6 ? "IPv6" : "IP");
		return -1;
	}
	*out = a;
	return 0;
}

static bool
conf_addr_is_zero(const struct addr *a)
{
	size_t i;

	for (i = 0; i < afi_addr_len(a->afi); i++)
		if (a->b[i] != 0)
			return false;
	return true;
}

/* fe80::/10 */
static bool
conf_addr_is_ll6(const struct addr *a)
{
	return a->afi == AFI_IPV6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

/* RFC 9003 2: the shutdown communication is UTF-8 */
static bool
conf_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp, min;
	int more;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1fu;
			more = 1;
			min = 0x80;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0fu;
			more = 2;
			min = 0x800;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07u;
			more = 3;
			min = 0x10000;
		} else
			return false;
		for (p++; more > 0; more--, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* call fn for each item of a list separated by spaces or commas */
static void
conf_list(struct conf_state *st, const char *val, conf_key_fn *fn)
{
	char *tmp, *tok, *save = NULL;
	bool any = false;

	if ((tmp = strdup(val)) == NULL) {
		KEY_ERR(st, "out of memory");
		return;
	}
	for (tok = strtok_r(tmp, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		any = true;
		fn(st, tok);
	}
	if (!any)
		KEY_ERR(st, "%s: empty list", st->key);
	free(tmp);
}

/*
 * "192.0.2.1:80" or "[2001:db8::1]:80" into a and port; 0, or -1 with
 * the error recorded
 */
static int
conf_addr_port(struct conf_state *st, const char *v, struct addr *a,
    uint16_t *port)
{
	const char *hs, *he, *ps;
	char host[64];
	uint8_t afi;
	uint64_t u;
	size_t n;

	if (v[0] == '[') {
		hs = v + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			goto bad;
		ps = he + 2;
		afi = AFI_IPV6;
	} else {
		/* none, or a bare IPv6 address */
		if ((he = strchr(v, ':')) == NULL ||
		    strchr(he + 1, ':') != NULL)
			goto bad;
		hs = v;
		ps = he + 1;
		afi = AFI_IPV4;
	}
	n = (size_t)(he - hs);
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, hs, n);
	host[n] = '\0';
	if (addr_parse(host, a) == -1 || a->afi != afi)
		goto bad;
	if (conf_num(ps, &u) == -1)
		goto bad;
	if (u == 0 || u > UINT16_MAX) {
		KEY_ERR(st, "%s: port %s out of range (1..65535)", st->key, ps);
		return -1;
	}
	*port = (uint16_t)u;
	return 0;
bad:
	KEY_ERR(st, "%s: '%s' is not ADDRESS:PORT (an IPv6 address in "
	    "brackets, [2001:db8::1]:80)", st->key, v);
	return -1;
}

/* ---- [global] ---- */

static void
g_asn(struct conf_state *st, const char *v)
{
	conf_asn(st, v, &st->c->g.asn);
}

static void
g_router_id(struct conf_state *st, const char *v)
{
	struct addr a;

	if (conf_addr(st, v, AFI_IPV4, &a) == -1)
		return;
	if (conf_addr_is_zero(&a)) {
		/* RFC 6286 2.1: a non-zero 32-bit number */
		KEY_ERR(st, "%s: 0.0.0.0 is not a valid BGP identifier",
		    st->key);
		return;
	}
	st->c->g.router_id = (uint32_t)a.b[0] << 24 | (uint32_t)a.b[1] << 16 |
	    (uint32_t)a.b[2] << 8 | a.b[3];
}

static void
g_listen(struct conf_state *st, const char *v)
{
	conf_bool(st, v, &st->c->g.listen);
}

static void
g_listen_addr(struct conf_state *st, const char *v)
{
	conf_addr(st, v, 0, &st->c->g.listen_addr);
}

static void
g_listen_port(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, UINT16_MAX, &u) == 0)
		st->c->g.listen_port = (uint16_t)u;
}

static void
g_control_socket(struct conf_state *st, const char *v)
{
	if (v[0] != '/') {
		KEY_ERR(st, "%s: '%s' is not an absolute path", st->key, v);
		return;
	}
	if (strlen(v) >= sizeof(st->c->g.control_socket)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(st->c->g.control_socket) - 1);
		return;
	}
	snprintf(st->c->g.control_socket, sizeof(st->c->g.control_socket),
	    "%s", v);
	st->c->g.control_socket_set = true;
}

/* octal permission bits, as chmod(1) takes them: "0660", "660" */
static void
g_control_socket_mode(struct conf_state *st, const char *v)
{
	uint32_t m = 0;
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7' || n > 4) {
			KEY_ERR(st, "%s: '%s' is not an octal mode (0660)",
			    st->key, v);
			return;
		}
		m = m * 8 + (uint32_t)(v[i] - '0');
	}
	if (n == 0 || m > 0777) {
		KEY_ERR(st, "%s: '%s' is not an octal mode (0660)", st->key, v);
		return;
	}
	st->c->g.control_socket_mode = m;
}

/* a group name or number; looked up when the socket is made */
static void
g_control_socket_group(struct conf_state *st, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		    ch == '.' || (ch == '$' && i == n - 1)))
			break;
	}
	if (n == 0 || i < n || n >= sizeof(st->c->g.control_socket_group)) {
		KEY_ERR(st, "%s: '%s' is not a group name or number", st->key,
		    v);
		return;
	}
	snprintf(st->c->g.control_socket_group,
	    sizeof(st->c->g.control_socket_group), "%s", v);
}

static void
g_shutdown_msg(struct conf_state *st, const char *v)
{
	/* RFC 9003 2: at most 255 octets of UTF-8 */
	if (strlen(v) > BGP_SHUTDOWN_MSG_MAX) {
		KEY_ERR(st, "%s: longer than %d octets (RFC 9003)", st->key,
		    BGP_SHUTDOWN_MSG_MAX);
		return;
	}
	if (!conf_utf8_ok(v)) {
		KEY_ERR(st, "%s: not valid UTF-8 (RFC 9003)", st->key);
		return;
	}
	snprintf(st->c->g.shutdown_message, sizeof(st->c->g.shutdown_message),
	    "%s", v);
}

/* SIGTERM keeps announcing with GRACEFUL_SHUTDOWN this long first */
static void
g_shutdown_drain(struct conf_state *st, const char *v)
{
	conf_duration(st, v, CONF_DURATION_MAX_MS,
	    &st->c->g.shutdown_drain_ms);
}

/* the metrics listener (metrics.c); off unless set */
static void
g_metrics_listen(struct conf_state *st, const char *v)
{
	struct conf_global *g = &st->c->g;

	if (conf_addr_port(st, v, &g->metrics_addr, &g->metrics_port) == 0)
		g->metrics = true;
}

static const struct conf_key conf_global_keys[GK_N] = {
	[GK_ASN] =		{ "asn", false, false, g_asn },
	[GK_ROUTER_ID] =	{ "router-id", false, false, g_router_id },
	[GK_LISTEN] =		{ "listen", false, false, g_listen },
	[GK_LISTEN_ADDR] =	{ "listen-address", false, false, g_listen_addr },
	[GK_LISTEN_PORT] =	{ "listen-port", false, false, g_listen_port },
	[GK_CONTROL_SOCKET] =	{ "control-socket", false, false,
				    g_control_socket },
	[GK_SHUTDOWN_MSG] =	{ "shutdown-message", false, true,
				    g_shutdown_msg },
	[GK_METRICS_LISTEN] =	{ "metrics-listen", false, false,
				    g_metrics_listen },
	[GK_CONTROL_SOCKET_MODE] = { "control-socket-mode", false, false,
				    g_control_socket_mode },
	[GK_CONTROL_SOCKET_GROUP] = { "control-socket-group", false, false,
				    g_control_socket_group },
	[GK_SHUTDOWN_DRAIN] =	{ "shutdown-drain-time", false, false,
				    g_shutdown_drain },
};

/* ---- [peer NAME] ---- */

static struct conf_peer *
conf_cur_peer(struct conf_state *st)
{
	return &st->c->peers[st->c->npeers - 1];
}

static void
p_address(struct conf_state *st, const char *v)
{
	struct addr a;

	if (conf_addr(st, v, 0, &a) == -1)
		return;
	if (conf_addr_is_zero(&a)) {
		KEY_ERR(st, "%s: '%s' is the unspecified address", st->key, v);
		return;
	}
	conf_cur_peer(st)->addr = a;
}

static void
p_asn(struct conf_state *st, const char *v)
{
	conf_asn(st, v, &conf_cur_peer(st)->asn);
}

static void
p_port(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, UINT16_MAX, &u) == 0)
		conf_cur_peer(st)->port = (uint16_t)u;
}

static void
p_passive(struct conf_state *st, const char *v)
{
	conf_bool(st, v, &conf_cur_peer(st)->passive);
}

static void
p_hold_time(struct conf_state *st, const char *v)
{
	uint64_t u;

	/* RFC 4271 4.2: zero, or at least three seconds */
	if (conf_num(v, &u) == -1) {
		KEY_ERR(st, "%s: '%s' is not a number", st->key, v);
		return;
	}
	if (u == 1 || u == 2 || u > UINT16_MAX) {
		KEY_ERR(st, "%s: %s out of range (0 or 3..65535)", st->key, v);
		return;
	}
	conf_cur_peer(st)->hold_time = (uint16_t)u;
}

static void
p_connect_retry(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, 3600, &u) == 0)
		conf_cur_peer(st)->connect_retry = (uint16_t)u;
}

static void
p_local_addr(struct conf_state *st, const char *v)
{
	conf_addr(st, v, 0, &conf_cur_peer(st)->local_addr);
}

static void
p_next_hop(struct conf_state *st, const char *v)
{
	conf_addr(st, v, AFI_IPV4, &conf_cur_peer(st)->next_hop);
}

static void
p_next_hop6(struct conf_state *st, const char *v)
{
	struct addr a;

	if (conf_addr(st, v, AFI_IPV6, &a) == -1)
		return;
	/* RFC 2545 3: the first next hop is the global one */
	if (conf_addr_is_ll6(&a)) {
		KEY_ERR(st, "%s: '%s' is link-local; use next-hop6-link-local",
		    st->key, v);
		return;
	}
	conf_cur_peer(st)->next_hop6 = a;
}

static void
p_next_hop6_ll(struct conf_state *st, const char *v)
{
	struct addr a;

	if (conf_addr(st, v, AFI_IPV6, &a) == -1)
		return;
	if (!conf_addr_is_ll6(&a)) {
		KEY_ERR(st, "%s: '%s' is not a link-local (fe80::/10) address",
		    st->key, v);
		return;
	}
	conf_cur_peer(st)->next_hop6_ll = a;
}

static void
p_password(struct conf_state *st, const char *v)
{
	struct conf_peer *p = conf_cur_peer(st);

	if (strlen(v) > CONF_PASSWORD_MAX) {
		KEY_ERR(st, "%s: longer than %d octets (TCP-MD5 key limit)",
		    st->key, CONF_PASSWORD_MAX);
		return;
	}
	snprintf(p->password, sizeof(p->password), "%s", v);
}

static void
p_ttl_security(struct conf_state *st, const char *v)
{
	conf_bool(st, v, &conf_cur_peer(st)->ttl_security);
}

static void
p_multihop(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, UINT8_MAX, &u) == 0)
		conf_cur_peer(st)->multihop = (uint8_t)u;
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
};

/* ---- [service NAME] ---- */

static struct conf_service *
conf_cur_svc(struct conf_state *st)
{
	return &st->c->services[st->c->nservices - 1];
}

static struct conf_svc_aux *
conf_cur_saux(struct conf_state *st)
{
	return &st->saux[st->c->nservices - 1];
}

static void
s_prefix_one(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	struct conf_svc_aux *x = conf_cur_saux(st);
	struct prefix p;
	char buf[PREFIX_STRLEN];
	size_t i;

	switch (prefix_parse(v, &p)) {
	case -1:
		KEY_ERR(st, "%s: '%s' is not a prefix", st->key, v);
		return;
	case -2:
		KEY_ERR(st, "%s: '%s' has host bits set", st->key, v);
		return;
	}
	prefix_str(&p, buf, sizeof(buf));
	for (i = 0; i < s->nprefixes; i++) {
		if (prefix_cmp(&s->prefixes[i], &p) == 0) {
			KEY_ERR(st, "%s: %s listed twice (first at line %d)",
			    st->key, buf, x->prefix_line[i]);
			return;
		}
	}
	if (s->nprefixes == CONF_MAX_PREFIXES) {
		if (!x->full_prefix)
			KEY_ERR(st, "%s: too many prefixes (at most %d per "
			    "service)", st->key, CONF_MAX_PREFIXES);
		x->full_prefix = true;
		return;
	}
	/* a service address is a host route; anything wider is unusual */
	if (!prefix_is_host(&p))
		conf_diag(st, st->keyline, false, "%s: %s is not a host route "
		    "(/%d)", st->key, buf, p.afi == AFI_IPV4 ? 32 : 128);
	x->prefix_line[s->nprefixes] = st->keyline;
	s->prefixes[s->nprefixes++] = p;
}

static void
s_prefix(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_prefix_one);
}

/* "A:B", both 16 bits (RFC 1997), or a well-known name */
static int
conf_comm_parse(const char *v, uint32_t *out)
{
	const char *colon;
	char tmp[8];
	uint64_t hi, lo;
	size_t i, n;

	for (i = 0; i < sizeof(conf_wk_comm) / sizeof(conf_wk_comm[0]); i++) {
		if (strcmp(v, conf_wk_comm[i].name) == 0) {
			*out = conf_wk_comm[i].value;
			return 0;
		}
	}
	if ((colon = strchr(v, ':')) == NULL)
		return -1;
	n = (size_t)(colon - v);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (conf_num(tmp, &hi) == -1 || conf_num(colon + 1, &lo) == -1 ||
	    hi > UINT16_MAX || lo > UINT16_MAX)
		return -1;
	*out = (uint32_t)(hi << 16 | lo);
	return 0;
}

static void
s_comm_one(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	struct conf_svc_aux *x = conf_cur_saux(st);
	uint32_t cv;
	size_t i;

	if (conf_comm_parse(v, &cv) == -1) {
		KEY_ERR(st, "%s: '%s' is not a community (ASN:VALUE, 16 bits "
		    "each, or a well-known name)", st->key, v);
		return;
	}
	for (i = 0; i < s->ncomm; i++) {
		if (s->comm[i] == cv) {
			conf_diag(st, st->keyline, false, "%s: %s listed twice",
			    st->key, v);
			return;
		}
	}
	if (s->ncomm == ATTR_MAX_COMMUNITIES) {
		if (!x->full_comm)
			KEY_ERR(st, "%s: too many communities (at most %d)",
			    st->key, ATTR_MAX_COMMUNITIES);
		x->full_comm = true;
		return;
	}
	s->comm[s->ncomm++] = cv;
}

static void
s_communities(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_comm_one);
}

/* "G:L1:L2", each 32 bits (RFC 8092) */
static int
conf_lcomm_parse(const char *v, struct lcommunity *out)
{
	uint64_t part[3];
	char tmp[16];
	const char *p = v, *colon;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		colon = strchr(p, ':');
		if ((colon == NULL) != (i == 2))
			return -1;
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		if (conf_num(tmp, &part[i]) == -1 || part[i] > UINT32_MAX)
			return -1;
		if (colon != NULL)
			p = colon + 1;
	}
	out->global = (uint32_t)part[0];
	out->local1 = (uint32_t)part[1];
	out->local2 = (uint32_t)part[2];
	return 0;
}

static bool
conf_lcomm_eq(const struct lcommunity *a, const struct lcommunity *b)
{
	return a->global == b->global && a->local1 == b->local1 &&
	    a->local2 == b->local2;
}

static void
s_lcomm_one(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	struct conf_svc_aux *x = conf_cur_saux(st);
	struct lcommunity lc;
	size_t i;

	if (conf_lcomm_parse(v, &lc) == -1) {
		KEY_ERR(st, "%s: '%s' is not a large community "
		    "(GLOBAL:LOCAL1:LOCAL2, 32 bits each)", st->key, v);
		return;
	}
	for (i = 0; i < s->nlcomm; i++) {
		if (conf_lcomm_eq(&s->lcomm[i], &lc)) {
			conf_diag(st, st->keyline, false, "%s: %s listed twice",
			    st->key, v);
			return;
		}
	}
	if (s->nlcomm == ATTR_MAX_LCOMMUNITIES) {
		if (!x->full_lcomm)
			KEY_ERR(st, "%s: too many large communities (at most "
			    "%d)", st->key, ATTR_MAX_LCOMMUNITIES);
		x->full_lcomm = true;
		return;
	}
	s->lcomm[s->nlcomm++] = lc;
}

static void
s_lcommunities(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_lcomm_one);
}

static void
s_med(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (conf_u32(st, v, 0, UINT32_MAX, &s->med) == 0)
		s->has_med = true;
}

static void
s_local_pref(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (conf_u32(st, v, 0, UINT32_MAX, &s->local_pref) == 0)
		s->has_local_pref = true;
}

static void
s_origin(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (strcmp(v, "igp") == 0)
		s->origin = ORIGIN_IGP;
	else if (strcmp(v, "egp") == 0)
		s->origin = ORIGIN_EGP;
	else if (strcmp(v, "incomplete") == 0)
		s->origin = ORIGIN_INCOMPLETE;
	else
		KEY_ERR(st, "%s: '%s' is not igp, egp or incomplete", st->key,
		    v);
}

static void
s_peers_one(struct conf_state *st, const char *v)
{
	struct conf_svc_aux *x = conf_cur_saux(st);
	struct conf_pname *n;

	if ((n = realloc(x->names, (x->nnames + 1) * sizeof(*n))) == NULL) {
		KEY_ERR(st, "out of memory");
		return;
	}
	x->names = n;
	snprintf(n[x->nnames].name, sizeof(n[x->nnames].name), "%s", v);
	if (strlen(v) >= sizeof(n[x->nnames].name))
		n[x->nnames].name[0] = '\0';	/* cannot match: unknown */
	n[x->nnames].line = st->keyline;
	x->nnames++;
	conf_cur_svc(st)->all_peers = false;
}

static void
s_peers(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_peers_one);
}

static void
s_checks_one(struct conf_state *st, const char *v)
{
	struct conf_svc_aux *x = conf_cur_saux(st);
	struct conf_pname *n;

	n = realloc(x->cnames, (x->ncnames + 1) * sizeof(*n));
	if (n == NULL) {
		KEY_ERR(st, "out of memory");
		return;
	}
	x->cnames = n;
	snprintf(n[x->ncnames].name, sizeof(n[x->ncnames].name), "%s", v);
	if (strlen(v) >= sizeof(n[x->ncnames].name))
		n[x->ncnames].name[0] = '\0';	/* cannot match: unknown */
	n[x->ncnames].line = st->keyline;
	x->ncnames++;
}

static void
s_checks(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_checks_one);
}

static void
s_hold_down(struct conf_state *st, const char *v)
{
	conf_duration(st, v, CONF_DURATION_MAX_MS,
	    &conf_cur_svc(st)->hold_down_ms);
}

static void
s_drain_time(struct conf_state *st, const char *v)
{
	conf_duration(st, v, CONF_DURATION_MAX_MS,
	    &conf_cur_svc(st)->drain_time_ms);
}

static void
s_on_down(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (strcmp(v, "withdraw") == 0)
		s->on_down = ON_DOWN_WITHDRAW;
	else if (strcmp(v, "degrade") == 0)
		s->on_down = ON_DOWN_DEGRADE;
	else {
		KEY_ERR(st, "%s: '%s' is not withdraw or degrade", st->key, v);
		conf_cur_saux(st)->bad_on_down = true;
	}
}

static void
s_degrade_med(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (conf_u32(st, v, 0, UINT32_MAX, &s->degrade_med) == 0)
		s->has_degrade_med = true;
}

static void
s_degrade_prepend(struct conf_state *st, const char *v)
{
	uint32_t u;

	/* ten copies already lose to any sane path; more only bloats it */
	if (conf_u32(st, v, 0, 10, &u) == 0)
		conf_cur_svc(st)->degrade_prepend = (uint8_t)u;
}

static void
s_dcomm_one(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	struct conf_svc_aux *x = conf_cur_saux(st);
	uint32_t cv;
	size_t i;

	if (conf_comm_parse(v, &cv) == -1) {
		KEY_ERR(st, "%s: '%s' is not a community (ASN:VALUE, 16 bits "
		    "each, or a well-known name)", st->key, v);
		return;
	}
	for (i = 0; i < s->ndegrade_comm; i++) {
		if (s->degrade_comm[i] == cv) {
			conf_diag(st, st->keyline, false, "%s: %s listed twice",
			    st->key, v);
			return;
		}
	}
	if (s->ndegrade_comm == ATTR_MAX_COMMUNITIES) {
		if (!x->full_dcomm)
			KEY_ERR(st, "%s: too many communities (at most %d)",
			    st->key, ATTR_MAX_COMMUNITIES);
		x->full_dcomm = true;
		return;
	}
	s->degrade_comm[s->ndegrade_comm++] = cv;
}

static void
s_degrade_comm(struct conf_state *st, const char *v)
{
	conf_list(st, v, s_dcomm_one);
}

static void
s_vip_iface(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	size_t i, n = strlen(v);
	bool ok = n > 0 && n < sizeof(s->vip_interface);

	/* what the kernel's dev_valid_name() takes, less ':' and '/' */
	for (i = 0; ok && i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
		    v[i] != '_' && v[i] != '.')
			ok = false;
	if (!ok || strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
		KEY_ERR(st, "%s: '%s' is not an interface name (1 to %zu "
		    "letters, digits, '-', '_' and '.')", st->key, v,
		    sizeof(s->vip_interface) - 1);
		return;
	}
	memcpy(s->vip_interface, v, n + 1);
}

/* RFC 1123 labels, as Nomad checks service names: letters, digits, '-' */
static bool
conf_nomad_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static void
s_nomad_service(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (!conf_nomad_name_ok(v)) {
		KEY_ERR(st, "%s: '%s' is not a Nomad service name (1 to 63 "
		    "letters, digits and '-', not at either end)", st->key, v);
		return;
	}
	snprintf(s->nomad_service, sizeof(s->nomad_service), "%s", v);
}

static void
s_nomad_check_one(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);
	struct conf_svc_aux *x = conf_cur_saux(st);
	size_t i;

	if (strcmp(v, "all") == 0 || strcmp(v, "none") == 0) {
		KEY_ERR(st, "%s: '%s' must stand alone", st->key, v);
		return;
	}
	if (strlen(v) >= sizeof(s->nomad_check_names[0]) ||
	    !conf_utf8_ok(v)) {
		KEY_ERR(st, "%s: '%s' is not a check name (at most %zu "
		    "octets of UTF-8)", st->key, v,
		    sizeof(s->nomad_check_names[0]) - 1);
		return;
	}
	for (i = 0; i < s->nnomad_checks; i++) {
		if (strcmp(s->nomad_check_names[i], v) == 0) {
			conf_diag(st, st->keyline, false, "%s: %s listed twice",
			    st->key, v);
			return;
		}
	}
	if (s->nnomad_checks == CONF_MAX_CHECKS) {
		if (!x->full_nchecks)
			KEY_ERR(st, "%s: too many checks (at most %d)", st->key,
			    CONF_MAX_CHECKS);
		x->full_nchecks = true;
		return;
	}
	s->nomad_checks = CONF_NOMAD_CHECKS_NAMED;
	snprintf(s->nomad_check_names[s->nnomad_checks++],
	    sizeof(s->nomad_check_names[0]), "%s", v);
}

/* all | none | NAME, NAME...; names as the jobspec's check "name" */
static void
s_nomad_checks(struct conf_state *st, const char *v)
{
	struct conf_service *s = conf_cur_svc(st);

	if (strcmp(v, "all") == 0)
		s->nomad_checks = CONF_NOMAD_CHECKS_ALL;
	else if (strcmp(v, "none") == 0)
		s->nomad_checks = CONF_NOMAD_CHECKS_NONE;
	else
		conf_list(st, v, s_nomad_check_one);
}

static const struct conf_key conf_svc_keys[SK_N] = {
	[SK_PREFIX] =		{ "prefix", true, false, s_prefix },
	[SK_COMMUNITIES] =	{ "communities", true, false, s_communities },
	[SK_LCOMMUNITIES] =	{ "large-communities", true, false,
				    s_lcommunities },
	[SK_MED] =		{ "med", false, false, s_med },
	[SK_LOCAL_PREF] =	{ "local-pref", false, false, s_local_pref },
	[SK_ORIGIN] =		{ "origin", false, false, s_origin },
	[SK_PEERS] =		{ "peers", true, false, s_peers },
	[SK_CHECKS] =		{ "checks", true, false, s_checks },
	[SK_HOLD_DOWN] =	{ "hold-down", false, false, s_hold_down },
	[SK_ON_DOWN] =		{ "on-down", false, false, s_on_down },
	[SK_DEGRADE_MED] =	{ "degrade-med", false, false, s_degrade_med },
	[SK_DEGRADE_PREPEND] =	{ "degrade-prepend", false, false,
				    s_degrade_prepend },
	[SK_DEGRADE_COMM] =	{ "degrade-communities", true, false,
				    s_degrade_comm },
	[SK_VIP_IFACE] =	{ "vip-interface", false, false, s_vip_iface },
	[SK_NOMAD_SERVICE] =	{ "nomad-service", false, false,
				    s_nomad_service },
	[SK_NOMAD_CHECKS] =	{ "nomad-checks", false, false,
				    s_nomad_checks },
	[SK_DRAIN_TIME] =	{ "drain-time", false, false, s_drain_time },
};

/* ---- [check NAME] ---- */

static const char *const conf_check_type_names[] = {
	[CHECK_HTTP] = "http",
	[CHECK_TCP] = "tcp",
	[CHECK_WATCH] = "watch",
	[CHECK_EXEC] = "exec",
};

#define CT(t)		(1u << (t))
#define CT_ALL		(CT(CHECK_HTTP) | CT(CHECK_TCP) | CT(CHECK_WATCH) | \
			    CT(CHECK_EXEC))

/* the types each key applies to; any other type makes the key an error */
static const unsigned conf_check_applies[CK_N] = {
	[CK_TYPE] = CT_ALL,
	[CK_INTERVAL] = CT_ALL,
	[CK_TIMEOUT] = CT_ALL,
	[CK_RISE] = CT_ALL,
	[CK_FALL] = CT_ALL,
	[CK_URL] = CT(CHECK_HTTP),
	[CK_EXPECT] = CT(CHECK_HTTP),
	[CK_BODY] = CT(CHECK_HTTP),
	[CK_HOST] = CT(CHECK_HTTP),
	[CK_UNIX_SOCKET] = CT(CHECK_HTTP),
	[CK_TLS_VERIFY] = CT(CHECK_HTTP),
	[CK_TARGET] = CT(CHECK_TCP) | CT(CHECK_WATCH),
	[CK_COMMAND] = CT(CHECK_EXEC),
};

#define CONF_CHECK_DEFAULT_INTERVAL	1000
#define CONF_CHECK_DEFAULT_TIMEOUT	500
#define CONF_CHECK_DEFAULT_RISE		2	/* late to attract traffic */
#define CONF_CHECK_DEFAULT_FALL		1	/* but quick to shed it */
#define CONF_CHECK_MAX_RISE_FALL	100

static struct conf_check *
conf_cur_chk(struct conf_state *st)
{
	return &st->c->checks[st->c->nchecks - 1];
}

static struct conf_chk_aux *
conf_cur_caux(struct conf_state *st)
{
	return &st->caux[st->c->nchecks - 1];
}

/* a blank, a control character or a byte past ASCII */
static bool
conf_has_odd_char(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return true;
	return false;
}

static void
c_type(struct conf_state *st, const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(conf_check_type_names) /
	    sizeof(conf_check_type_names[0]); i++) {
		if (strcmp(v, conf_check_type_names[i]) == 0) {
			conf_cur_chk(st)->type = (enum check_type)i;
			conf_cur_caux(st)->type_ok = true;
			return;
		}
	}
	KEY_ERR(st, "%s: unknown check type '%s' (http, tcp, watch or exec)",
	    st->key, v);
}

static void
c_interval(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);

	if (conf_duration(st, v, CONF_DURATION_MAX_MS, &k->interval_ms) == -1)
		return;
	if (k->interval_ms == 0) {
		KEY_ERR(st, "%s: must be at least 1ms", st->key);
		return;
	}
	conf_cur_caux(st)->interval_ok = true;
}

static void
c_timeout(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);

	if (conf_duration(st, v, CONF_DURATION_MAX_MS, &k->timeout_ms) == -1)
		return;
	if (k->timeout_ms == 0) {
		KEY_ERR(st, "%s: must be at least 1ms", st->key);
		return;
	}
	conf_cur_caux(st)->timeout_ok = true;
}

static void
c_rise(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, CONF_CHECK_MAX_RISE_FALL, &u) == 0)
		conf_cur_chk(st)->rise = (uint16_t)u;
}

static void
c_fall(struct conf_state *st, const char *v)
{
	uint32_t u;

	if (conf_u32(st, v, 1, CONF_CHECK_MAX_RISE_FALL, &u) == 0)
		conf_cur_chk(st)->fall = (uint16_t)u;
}

/*
 * http:// or https://, then a host (a name, an address or [IPv6]),
 * an optional :port and anything after.  libcurl reads the rest; this
 * only catches what would fail at every probe.
 */
static void
c_url(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);
	const char *host, *end, *at, *hend, *p;
	uint64_t port;
	char tmp[8];
	size_t n;

	if (conf_has_odd_char(v)) {
		KEY_ERR(st, "%s: blank, control or non-ASCII character in URL",
		    st->key);
		return;
	}
	if (strncasecmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncasecmp(v, "https://", 8) == 0)
		host = v + 8;
	else {
		KEY_ERR(st, "%s: '%s' does not start with http:// or https://",
		    st->key, v);
		return;
	}
	end = host + strcspn(host, "/?#");
	for (at = host, p = host; p < end; p++)	/* skip user:password@ */
		if (*p == '@')
			at = p + 1;
	host = at;
	if (*host == '[') {
		for (hend = host; hend < end && *hend != ']'; hend++)
			;
		if (hend == end || hend == host + 1)
			goto nohost;
		hend++;
	} else {
		for (hend = host; hend < end && *hend != ':'; hend++)
			;
		if (hend == host)
			goto nohost;
	}
	if (hend < end) {
		n = (size_t)(end - hend - 1);
		if (*hend != ':' || n == 0 || n >= sizeof(tmp))
			goto badport;
		memcpy(tmp, hend + 1, n);
		tmp[n] = '\0';
		if (conf_num(tmp, &port) == -1 || port == 0 ||
		    port > UINT16_MAX)
			goto badport;
	}
	if (strlen(v) >= sizeof(k->url)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(k->url) - 1);
		return;
	}
	snprintf(k->url, sizeof(k->url), "%s", v);
	return;
nohost:
	KEY_ERR(st, "%s: '%s' has no host", st->key, v);
	return;
badport:
	KEY_ERR(st, "%s: '%s' has a bad port (1..65535)", st->key, v);
}

/* "200", "200-299", "100 204,300-399" */
static void
c_expect_one(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);
	struct conf_chk_aux *x = conf_cur_caux(st);
	const char *dash = strchr(v, '-');
	uint64_t lo, hi;
	char tmp[8];
	size_t n;

	if (dash != NULL) {
		n = (size_t)(dash - v);
		if (n >= sizeof(tmp))
			goto bad;
		memcpy(tmp, v, n);
		tmp[n] = '\0';
		if (conf_num(tmp, &lo) == -1 || conf_num(dash + 1, &hi) == -1)
			goto bad;
	} else if (conf_num(v, &lo) == -1)
		goto bad;
	else
		hi = lo;
	if (lo < 100 || lo > 599 || hi < 100 || hi > 599) {
		KEY_ERR(st, "%s: '%s' out of range (HTTP status codes are "
		    "100..599)", st->key, v);
		return;
	}
	if (lo > hi) {
		KEY_ERR(st, "%s: '%s' is an empty range", st->key, v);
		return;
	}
	if (k->nexpect == CONF_MAX_EXPECT) {
		if (!x->full_expect)
			KEY_ERR(st, "%s: too many status ranges (at most %d)",
			    st->key, CONF_MAX_EXPECT);
		x->full_expect = true;
		return;
	}
	k->expect_lo[k->nexpect] = (uint16_t)lo;
	k->expect_hi[k->nexpect] = (uint16_t)hi;
	k->nexpect++;
	return;
bad:
	KEY_ERR(st, "%s: '%s' is not a status code or range (such as 200 or "
	    "200-299)", st->key, v);
}

static void
c_expect(struct conf_state *st, const char *v)
{
	conf_list(st, v, c_expect_one);
}

static void
c_body(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);

	if (strlen(v) >= sizeof(k->body)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(k->body) - 1);
		return;
	}
	snprintf(k->body, sizeof(k->body), "%s", v);
}

static void
c_host(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);

	/* it goes into a request header verbatim */
	if (conf_has_odd_char(v)) {
		KEY_ERR(st, "%s: blank, control or non-ASCII character in "
		    "'%s'", st->key, v);
		return;
	}
	if (strlen(v) >= sizeof(k->host_header)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(k->host_header) - 1);
		return;
	}
	snprintf(k->host_header, sizeof(k->host_header), "%s", v);
}

static void
c_unix_socket(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);

	if (v[0] != '/') {
		KEY_ERR(st, "%s: '%s' is not an absolute path", st->key, v);
		return;
	}
	if (strlen(v) >= sizeof(k->unix_socket)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(k->unix_socket) - 1);
		return;
	}
	snprintf(k->unix_socket, sizeof(k->unix_socket), "%s", v);
}

static void
c_tls_verify(struct conf_state *st, const char *v)
{
	conf_bool(st, v, &conf_cur_chk(st)->tls_verify);
}

static void
c_target(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);
	struct addr a;
	uint16_t port;

	if (conf_addr_port(st, v, &a, &port) == -1)
		return;
	k->addr = a;
	k->port = port;
}

static void
conf_argv_free(struct conf_check *k)
{
	size_t i;

	for (i = 0; i < k->argc; i++)
		free(k->argv[i]);
	memset(k->argv, 0, sizeof(k->argv));
	k->argc = 0;
}

/*
 * Split a command into words, with no shell: blanks separate words,
 * double quotes group them ("two words"), and within quotes \" is a quote
 * and \\ a backslash.  Quoted and unquoted parts of one word join, as in
 * sh: a"b c" is the word 'ab c'.  Any other backslash is itself.
 */
static void
c_command(struct conf_state *st, const char *v)
{
	struct conf_check *k = conf_cur_chk(st);
	const char *p = v;
	char *buf, *w;
	bool inq;

	conf_argv_free(k);
	if ((buf = malloc(strlen(v) + 1)) == NULL) {
		KEY_ERR(st, "out of memory");
		return;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (k->argc == CONF_MAX_ARGV) {
			KEY_ERR(st, "%s: more than %d words", st->key,
			    CONF_MAX_ARGV);
			goto fail;
		}
		for (w = buf, inq = false; *p != '\0' &&
		    (inq || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"')
				inq = !inq;
			else if (inq && p[0] == '\\' &&
			    (p[1] == '"' || p[1] == '\\'))
				*w++ = *++p;
			else
				*w++ = *p;
		}
		if (inq) {
			KEY_ERR(st, "%s: unterminated quote", st->key);
			goto fail;
		}
		*w = '\0';
		if ((k->argv[k->argc] = strdup(buf)) == NULL) {
			KEY_ERR(st, "out of memory");
			goto fail;
		}
		k->argc++;
	}
	if (k->argc == 0) {
		KEY_ERR(st, "%s: empty command", st->key);
		goto fail;
	}
	/* execv(), not execvp(): what runs does not depend on PATH */
	if (k->argv[0][0] != '/') {
		KEY_ERR(st, "%s: '%s' is not an absolute path", st->key,
		    k->argv[0]);
		goto fail;
	}
	free(buf);
	return;
fail:
	free(buf);
	conf_argv_free(k);
}

static const struct conf_key conf_check_keys[CK_N] = {
	[CK_TYPE] =		{ "type", false, false, c_type },
	[CK_INTERVAL] =		{ "interval", false, false, c_interval },
	[CK_TIMEOUT] =		{ "timeout", false, false, c_timeout },
	[CK_RISE] =		{ "rise", false, false, c_rise },
	[CK_FALL] =		{ "fall", false, false, c_fall },
	[CK_URL] =		{ "url", false, false, c_url },
	[CK_EXPECT] =		{ "expect", true, false, c_expect },
	[CK_BODY] =		{ "body", false, false, c_body },
	[CK_HOST] =		{ "host", false, false, c_host },
	[CK_UNIX_SOCKET] =	{ "unix-socket", false, false, c_unix_socket },
	[CK_TLS_VERIFY] =	{ "tls-verify", false, false, c_tls_verify },
	[CK_TARGET] =		{ "target", false, false, c_target },
	[CK_COMMAND] =		{ "command", false, false, c_command },
};

/* ---- [nomad] ---- */

/*
 * An agent address: "unix:///abs/path" (the Task API socket),
 * "http://host[:port]" or "https://host[:port]".  0, or -1 with why in
 * err.  A trailing '/' is dropped; no path, query or credentials.
 */
static int
conf_nomad_address(const char *v, struct conf_nomad *n, char *err,
    size_t errlen)
{
	const char *rest, *p;
	size_t len;

	if (strncmp(v, "unix://", 7) == 0) {
		rest = v + 7;
		if (rest[0] != '/') {
			snprintf(err, errlen, "'%s' is not unix:///absolute/"
			    "path", v);
			return -1;
		}
		if (strlen(rest) >= sizeof(n->unix_path)) {
			snprintf(err, errlen, "socket path longer than %zu "
			    "characters", sizeof(n->unix_path) - 1);
			return -1;
		}
		snprintf(n->unix_path, sizeof(n->unix_path), "%s", rest);
		snprintf(n->address, sizeof(n->address), "%s", v);
		return 0;
	}
	if (strncmp(v, "http://", 7) == 0)
		rest = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		rest = v + 8;
	else {
		snprintf(err, errlen, "'%s' is not unix:///path, "
		    "http://host:port or https://host:port", v);
		return -1;
	}
	len = strlen(v);
	while (len > (size_t)(rest - v) && v[len - 1] == '/')
		len--;
	if (len == (size_t)(rest - v)) {
		snprintf(err, errlen, "'%s' has no host", v);
		return -1;
	}
	for (p = rest; p < v + len; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '/' ||
		    *p == '?' || *p == '#' || *p == '@' || *p == '"' ||
		    *p == '\\') {
			snprintf(err, errlen, "'%s': only a host and port may "
			    "follow the scheme", v);
			return -1;
		}
	}
	if (len >= sizeof(n->address)) {
		snprintf(err, errlen, "longer than %zu characters",
		    sizeof(n->address) - 1);
		return -1;
	}
	memcpy(n->address, v, len);
	n->address[len] = '\0';
	n->unix_path[0] = '\0';
	return 0;
}

/* a full Nomad ID: 8-4-4-4-12 hex digits */
static bool
conf_uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Nomad's namespace names: letters, digits and '-', up to 128 */
static bool
conf_ns_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 128)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* a header value: printable ASCII, no blank (a JWT or a UUID secret) */
static bool
conf_token_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void
n_address(struct conf_state *st, const char *v)
{
	char err[256];

	if (conf_nomad_address(v, &st->c->nomad, err, sizeof(err)) == -1) {
		KEY_ERR(st, "%s: %s", st->key, err);
		st->nomad_bad_addr = true;
	}
}

static void
n_token(struct conf_state *st, const char *v)
{
	struct conf_nomad *n = &st->c->nomad;

	if (strlen(v) >= sizeof(n->token)) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    sizeof(n->token) - 1);
		return;
	}
	if (!conf_token_ok(v)) {
		KEY_ERR(st, "%s: blanks or control characters in the token",
		    st->key);
		return;
	}
	snprintf(n->token, sizeof(n->token), "%s", v);
}

static void
n_namespace(struct conf_state *st, const char *v)
{
	if (!conf_ns_ok(v)) {
		KEY_ERR(st, "%s: '%s' is not a Nomad namespace (1 to 128 "
		    "letters, digits and '-')", st->key, v);
		return;
	}
	snprintf(st->c->nomad.ns, sizeof(st->c->nomad.ns), "%s", v);
}

static void
n_alloc_id(struct conf_state *st, const char *v)
{
	if (!conf_uuid_ok(v)) {
		KEY_ERR(st, "%s: '%s' is not a full allocation ID (a UUID, "
		    "as in NOMAD_ALLOC_ID)", st->key, v);
		return;
	}
	snprintf(st->c->nomad.alloc_id, sizeof(st->c->nomad.alloc_id), "%s",
	    v);
}

static void
n_node_id(struct conf_state *st, const char *v)
{
	if (!conf_uuid_ok(v)) {
		KEY_ERR(st, "%s: '%s' is not a full node ID (a UUID)", st->key,
		    v);
		return;
	}
	snprintf(st->c->nomad.node_id, sizeof(st->c->nomad.node_id), "%s", v);
}

static void
n_node_filter(struct conf_state *st, const char *v)
{
	conf_bool(st, v, &st->c->nomad.node_filter);
}

static void
conf_nomad_path(struct conf_state *st, const char *v, char *dst,
    size_t dstlen)
{
	if (v[0] != '/') {
		KEY_ERR(st, "%s: '%s' is not an absolute path", st->key, v);
		return;
	}
	if (strlen(v) >= dstlen) {
		KEY_ERR(st, "%s: longer than %zu characters", st->key,
		    dstlen - 1);
		return;
	}
	snprintf(dst, dstlen, "%s", v);
}

static void
n_cacert(struct conf_state *st, const char *v)
{
	conf_nomad_path(st, v, st->c->nomad.cacert,
	    sizeof(st->c->nomad.cacert));
}

static void
n_client_cert(struct conf_state *st, const char *v)
{
	conf_nomad_path(st, v, st->c->nomad.client_cert,
	    sizeof(st->c->nomad.client_cert));
}

static void
n_client_key(struct conf_state *st, const char *v)
{
	conf_nomad_path(st, v, st->c->nomad.client_key,
	    sizeof(st->c->nomad.client_key));
}

/*
 * Nomad's own checks run once a second at best, and each poll of their
 * results costs the agent a server round trip (nomad-api notes 6): below
 * 100 ms is load for nothing.
 */
#define CONF_NOMAD_MIN_CHECK_INTERVAL	100
#define CONF_NOMAD_MAX_CHECK_INTERVAL	60000
#define CONF_NOMAD_MAX_GRACE		3600000

static void
n_check_interval(struct conf_state *st, const char *v)
{
	uint32_t ms;

	if (conf_duration(st, v, CONF_NOMAD_MAX_CHECK_INTERVAL, &ms) == -1)
		return;
	if (ms < CONF_NOMAD_MIN_CHECK_INTERVAL) {
		KEY_ERR(st, "%s: '%s' is below %ums", st->key, v,
		    CONF_NOMAD_MIN_CHECK_INTERVAL);
		return;
	}
	st->c->nomad.check_interval_ms = ms;
}

static void
n_wait(struct conf_state *st, const char *v)
{
	uint32_t ms;

	/* nomad-api notes 5: the server clamps any wait to 5 minutes */
	if (conf_duration(st, v, CONF_NOMAD_MAX_WAIT, &ms) == -1)
		return;
	if (ms < 1000) {
		KEY_ERR(st, "%s: '%s' is below 1s", st->key, v);
		return;
	}
	st->c->nomad.wait_ms = ms;
}

static void
n_grace(struct conf_state *st, const char *v)
{
	conf_duration(st, v, CONF_NOMAD_MAX_GRACE, &st->c->nomad.grace_ms);
}

static void
n_on_outage(struct conf_state *st, const char *v)
{
	if (strcmp(v, "hold") == 0)
		st->c->nomad.outage_hold = true;
	else if (strcmp(v, "withdraw") == 0)
		st->c->nomad.outage_hold = false;
	else
		KEY_ERR(st, "%s: '%s' is not hold or withdraw", st->key, v);
}

static const struct conf_key conf_nomad_keys[NK_N] = {
	[NK_ADDRESS] =		{ "address", false, false, n_address },
	[NK_TOKEN] =		{ "token", false, false, n_token },
	[NK_NAMESPACE] =	{ "namespace", false, false, n_namespace },
	[NK_ALLOC_ID] =		{ "alloc-id", false, false, n_alloc_id },
	[NK_NODE_ID] =		{ "node-id", false, false, n_node_id },
	[NK_NODE_FILTER] =	{ "node-filter", false, false, n_node_filter },
	[NK_CACERT] =		{ "cacert", false, false, n_cacert },
	[NK_CLIENT_CERT] =	{ "client-cert", false, false, n_client_cert },
	[NK_CLIENT_KEY] =	{ "client-key", false, false, n_client_key },
	[NK_CHECK_INTERVAL] =	{ "check-interval", false, false,
				    n_check_interval },
	[NK_WAIT] =		{ "wait", false, false, n_wait },
	[NK_GRACE] =		{ "grace", false, false, n_grace },
	[NK_ON_OUTAGE] =	{ "on-outage", false, false, n_on_outage },
};

/* ---- sections ---- */

static bool
conf_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

/*
 * Make room for one more element in a config array and its parse-time
 * companion (same length): both grow together or neither does.  arrp and
 * auxp point at the array pointers; memcpy moves them without type-punning.
 */
static int
conf_grow2(void *arrp, size_t esz, void *auxp, size_t asz, size_t n,
    size_t *cap)
{
	size_t ncap;
	void *old, *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	memcpy(&old, arrp, sizeof(old));
	if ((p = realloc(old, ncap * esz)) == NULL)
		return -1;
	memcpy(arrp, &p, sizeof(p));
	memcpy(&old, auxp, sizeof(old));
	if ((p = realloc(old, ncap * asz)) == NULL)
		return -1;
	memcpy(auxp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

static int
conf_add_peer(struct conf_state *st, const char *name, bool skip)
{
	struct conf *c = st->c;
	struct conf_peer *p;
	struct conf_peer_aux *x;

	if (conf_grow2(&c->peers, sizeof(*p), &st->paux,
	    sizeof(*x), c->npeers, &st->peercap) == -1)
		return -1;
	p = &c->peers[c->npeers];
	x = &st->paux[c->npeers];
	memset(p, 0, sizeof(*p));
	memset(x, 0, sizeof(*x));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->port = BGP_PORT;
	p->hold_time = CONF_DEFAULT_HOLD_TIME;
	p->connect_retry = CONF_DEFAULT_CONNECT_RETRY;
	p->line = st->lineno;
	x->skip = skip;
	c->npeers++;
	return 0;
}

static int
conf_add_svc(struct conf_state *st, const char *name, bool skip)
{
	struct conf *c = st->c;
	struct conf_service *s;
	struct conf_svc_aux *x;

	if (conf_grow2(&c->services, sizeof(*s), &st->saux,
	    sizeof(*x), c->nservices, &st->svccap) == -1)
		return -1;
	s = &c->services[c->nservices];
	x = &st->saux[c->nservices];
	memset(s, 0, sizeof(*s));
	memset(x, 0, sizeof(*x));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->origin = ORIGIN_IGP;
	s->all_peers = true;
	s->drain_time_ms = CONF_DEFAULT_DRAIN_TIME;
	s->line = st->lineno;
	x->skip = skip;
	c->nservices++;
	return 0;
}

static int
conf_add_chk(struct conf_state *st, const char *name, bool skip)
{
	struct conf *c = st->c;
	struct conf_check *k;
	struct conf_chk_aux *x;

	if (conf_grow2(&c->checks, sizeof(*k), &st->caux,
	    sizeof(*x), c->nchecks, &st->chkcap) == -1)
		return -1;
	k = &c->checks[c->nchecks];
	x = &st->caux[c->nchecks];
	memset(k, 0, sizeof(*k));
	memset(x, 0, sizeof(*x));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->interval_ms = CONF_CHECK_DEFAULT_INTERVAL;
	k->timeout_ms = CONF_CHECK_DEFAULT_TIMEOUT;
	k->rise = CONF_CHECK_DEFAULT_RISE;
	k->fall = CONF_CHECK_DEFAULT_FALL;
	k->tls_verify = true;
	k->line = st->lineno;
	x->skip = skip;
	c->nchecks++;
	return 0;
}

/*
 * A header line, "[global]", "[peer NAME]", "[service NAME]" or
 * "[check NAME]".  A bad or
 * duplicate name still opens the section, so its keys are checked too; it
 * is only left out of the checks across sections.
 */
static void
conf_section(struct conf_state *st, char *s)
{
	char *end, *kind, *name, *rest;
	bool skip = false;
	size_t i, n;
	int line = st->lineno;

	st->sect = SECT_BAD;
	if ((end = strchr(s, ']')) == NULL) {
		conf_diag(st, line, true, "missing ']' in section header");
		return;
	}
	rest = end + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		conf_diag(st, line, true, "unexpected '%s' after section "
		    "header", rest);
	*end = '\0';
	kind = s + 1;
	while (isspace((unsigned char)*kind))
		kind++;
	for (name = kind; *name != '\0' && !isspace((unsigned char)*name);
	    name++)
		;
	if (*name != '\0')
		*name++ = '\0';
	while (isspace((unsigned char)*name))
		name++;
	n = strlen(name);
	while (n > 0 && isspace((unsigned char)name[n - 1]))
		name[--n] = '\0';

	if (strcmp(kind, "global") == 0) {
		if (*name != '\0')
			conf_diag(st, line, true, "[global] takes no name");
		if (st->gline != 0)
			conf_diag(st, line, true, "duplicate [global] section "
			    "(first at line %d)", st->gline);
		else {
			st->gline = line;
			st->c->g.line = line;
		}
		st->sect = SECT_GLOBAL;
		snprintf(st->label, sizeof(st->label), "global");
		return;
	}
	if (strcmp(kind, "nomad") == 0) {
		if (*name != '\0')
			conf_diag(st, line, true, "[nomad] takes no name");
		if (st->nline != 0)
			conf_diag(st, line, true, "duplicate [nomad] section "
			    "(first at line %d)", st->nline);
		else {
			st->nline = line;
			st->c->nomad.line = line;
		}
		st->sect = SECT_NOMAD;
		snprintf(st->label, sizeof(st->label), "nomad");
		return;
	}
	if (strcmp(kind, "peer") != 0 && strcmp(kind, "service") != 0 &&
	    strcmp(kind, "check") != 0) {
		conf_diag(st, line, true, "unknown section [%s%s%s]", kind,
		    *name != '\0' ? " " : "", name);
		return;
	}
	if (*name == '\0') {
		conf_diag(st, line, true, "[%s] needs a name", kind);
		skip = true;
	} else if (n >= CONF_NAME_MAX) {
		conf_diag(st, line, true, "%s name longer than %d characters",
		    kind, CONF_NAME_MAX - 1);
		skip = true;
	} else if (!conf_name_ok(name)) {
		conf_diag(st, line, true, "invalid %s name '%s' (letters, "
		    "digits, '-', '_' and '.' only)", kind, name);
		skip = true;
	}
	snprintf(st->label, sizeof(st->label), "%s%s%.*s", kind, SP(name),
	    CONF_NAME_MAX - 1, name);
	if (strcmp(kind, "peer") == 0) {
		for (i = 0; !skip && i < st->c->npeers; i++) {
			if (!st->paux[i].skip &&
			    strcmp(st->c->peers[i].name, name) == 0) {
				conf_diag(st, line, true, "duplicate peer '%s' "
				    "(first at line %d)", name,
				    st->c->peers[i].line);
				skip = true;
			}
		}
		if (conf_add_peer(st, name, skip) == -1) {
			conf_diag(st, line, true, "out of memory");
			return;
		}
		st->sect = SECT_PEER;
	} else if (strcmp(kind, "check") == 0) {
		for (i = 0; !skip && i < st->c->nchecks; i++) {
			if (!st->caux[i].skip &&
			    strcmp(st->c->checks[i].name, name) == 0) {
				conf_diag(st, line, true, "duplicate check "
				    "'%s' (first at line %d)", name,
				    st->c->checks[i].line);
				skip = true;
			}
		}
		if (conf_add_chk(st, name, skip) == -1) {
			conf_diag(st, line, true, "out of memory");
			return;
		}
		st->sect = SECT_CHECK;
	} else {
		for (i = 0; !skip && i < st->c->nservices; i++) {
			if (!st->saux[i].skip &&
			    strcmp(st->c->services[i].name, name) == 0) {
				conf_diag(st, line, true, "duplicate service "
				    "'%s' (first at line %d)", name,
				    st->c->services[i].line);
				skip = true;
			}
		}
		if (conf_add_svc(st, name, skip) == -1) {
			conf_diag(st, line, true, "out of memory");
			return;
		}
		st->sect = SECT_SERVICE;
	}
}

/* ---- inih glue ---- */

static void
conf_flush_pending(struct conf_state *st)
{
	/* inih skipped a line we expected a key from: it had no '=' */
	if (st->pending != 0)
		conf_diag(st, st->pending, true, "expected 'key = value'");
	st->pending = 0;
}

/*
 * The ini_reader: one line per call, like fgets.  It counts lines, drops
 * leading blanks (so that inih never takes an indented line for a
 * continuation of the previous value), turns lines inih cannot hold into
 * an error and an empty line, and opens sections.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_state *st = stream;
	ssize_t got;
	char *s;
	size_t n;

	conf_flush_pending(st);
	if (num < 2)
		return NULL;
	if ((got = getline(&st->line, &st->linecap, st->fp)) < 0)
		return NULL;
	st->lineno++;
	s = st->line;
	n = (size_t)got;
	str[0] = '\0';
	if (memchr(s, '\0', n) != NULL) {
		conf_diag(st, st->lineno, true, "NUL character in line");
		return str;
	}
	if (st->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* UTF-8 byte order mark */
		n -= 3;
	}
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	if (n == 0 || *s == '#' || *s == ';')
		return str;
	if (n > (size_t)num - 2) {
		conf_diag(st, st->lineno, true, "line longer than %d characters",
		    num - 2);
		return str;
	}
	memcpy(str, s, n + 1);
	if (*s == '[')
		conf_section(st, s);
	else
		st->pending = st->lineno;
	return str;
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_state *st = user;
	const struct conf_key *keys;
	int *seen;
	size_t i, nkeys;

	(void)section;		/* ours, from the reader, is the same */
	st->pending = 0;
	st->keyline = st->lineno;
	switch (st->sect) {
	case SECT_NONE:
		conf_diag(st, st->keyline, true, "key '%s' outside a section",
		    name);
		return 1;
	case SECT_BAD:
		return 1;
	case SECT_GLOBAL:
		keys = conf_global_keys;
		nkeys = GK_N;
		seen = st->gseen;
		break;
	case SECT_PEER:
		keys = conf_peer_keys;
		nkeys = PK_N;
		seen = st->paux[st->c->npeers - 1].seen;
		break;
	case SECT_SERVICE:
		keys = conf_svc_keys;
		nkeys = SK_N;
		seen = st->saux[st->c->nservices - 1].seen;
		break;
	case SECT_CHECK:
		keys = conf_check_keys;
		nkeys = CK_N;
		seen = st->caux[st->c->nchecks - 1].seen;
		break;
	case SECT_NOMAD:
		keys = conf_nomad_keys;
		nkeys = NK_N;
		seen = st->nseen;
		break;
	default:
		return 1;
	}
	if (*name == '\0') {
		conf_diag(st, st->keyline, true, "missing key before '='");
		return 1;
	}
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		conf_diag(st, st->keyline, true, "unknown key '%s' in [%s]",
		    name, st->label);
		return 1;
	}
	if (seen[i] != 0 && !keys[i].list) {
		conf_diag(st, st->keyline, true, "duplicate key '%s' (first at "
		    "line %d)", name, seen[i]);
		return 1;
	}
	if (seen[i] == 0)
		seen[i] = st->keyline;
	st->key = keys[i].name;
	if (*value == '\0' && !keys[i].empty_ok) {
		KEY_ERR(st, "%s: missing value", st->key);
		return 1;
	}
	keys[i].fn(st, value);
	return 1;		/* errors are ours; inih need not count them */
}

/* ---- checks across sections, once everything is read ---- */

static bool
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

static void
conf_check_peers(struct conf_state *st)
{
	struct conf *c = st->c;
	struct conf_peer *p, *q;
	struct conf_peer_aux *x;
	char a1[PREFIX_STRLEN], a2[PREFIX_STRLEN];
	size_t i, j;

	for (i = 0; i < c->npeers; i++) {
		p = &c->peers[i];
		x = &st->paux[i];
		if (x->seen[PK_ADDRESS] == 0)
			conf_diag(st, p->line, true, "[peer%s%s]: missing "
			    "required key 'address'", SP(p->name), p->name);
		if (x->seen[PK_ASN] == 0)
			conf_diag(st, p->line, true, "[peer%s%s]: missing "
			    "required key 'asn'", SP(p->name), p->name);
		if (x->skip)
			continue;
		for (j = 0; j < i && addr_is_set(&p->addr); j++) {
			q = &c->peers[j];
			if (st->paux[j].skip || !addr_equal(&p->addr, &q->addr))
				continue;
			conf_diag(st, x->seen[PK_ADDRESS], true, "address %s "
			    "already used by peer '%s' (line %d)",
			    addr_str(&p->addr, a1, sizeof(a1)), q->name,
			    q->line);
			break;
		}
		if (addr_is_set(&p->local_addr) && addr_is_set(&p->addr) &&
		    p->local_addr.afi != p->addr.afi)
			conf_diag(st, x->seen[PK_LOCAL_ADDR], true,
			    "local-address: %s is not of the family of "
			    "address %s",
			    addr_str(&p->local_addr, a1, sizeof(a1)),
			    addr_str(&p->addr, a2, sizeof(a2)));
		if (p->multihop != 0 && p->ttl_security) {
			/* RFC 5082: GTSM means the peer is one hop away */
			conf_diag(st, x->seen[PK_MULTIHOP], true, "multihop "
			    "and ttl-security cannot be used together");
		} else if (p->multihop != 0 && c->g.asn != 0 &&
		    conf_peer_is_ibgp(c, p))
			conf_diag(st, x->seen[PK_MULTIHOP], false, "multihop "
			    "only applies to eBGP; ignored for iBGP peer '%s'",
			    p->name);
	}
}

static int
conf_peer_by_name(const struct conf_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->c->npeers; i++)
		if (!st->paux[i].skip &&
		    strcmp(st->c->peers[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
conf_check_by_name(const struct conf_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->c->nchecks; i++)
		if (!st->caux[i].skip &&
		    strcmp(st->c->checks[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* each check alone: what its type needs, what it does not take */
static void
conf_check_checks(struct conf_state *st)
{
	struct conf *c = st->c;
	struct conf_check *k;
	struct conf_chk_aux *x;
	const char *tn;
	size_t i, j, req;

	for (i = 0; i < c->nchecks; i++) {
		k = &c->checks[i];
		x = &st->caux[i];
		if (x->seen[CK_TYPE] == 0)
			conf_diag(st, k->line, true, "[check%s%s]: missing "
			    "required key 'type'", SP(k->name), k->name);
		if (x->type_ok) {
			tn = conf_check_type_names[k->type];
			for (j = 0; j < CK_N; j++)
				if (x->seen[j] != 0 &&
				    (conf_check_applies[j] & CT(k->type)) == 0)
					conf_diag(st, x->seen[j], true, "%s: "
					    "does not apply to a %s check",
					    conf_check_keys[j].name, tn);
			switch (k->type) {
			case CHECK_HTTP:
				req = CK_URL;
				break;
			case CHECK_TCP:
			case CHECK_WATCH:
				req = CK_TARGET;
				break;
			case CHECK_EXEC:
			default:
				req = CK_COMMAND;
				break;
			}
			if (x->seen[req] == 0)
				conf_diag(st, k->line, true, "[check%s%s]: "
				    "missing required key '%s' (%s check)",
				    SP(k->name), k->name,
				    conf_check_keys[req].name, tn);
		}
		/* a fast check gets a timeout that fits its interval */
		if (x->seen[CK_TIMEOUT] == 0 &&
		    k->interval_ms < CONF_CHECK_DEFAULT_TIMEOUT)
			k->timeout_ms = (k->interval_ms + 1) / 2;
		/* the next probe must not start while this one runs */
		if (x->timeout_ok &&
		    (x->interval_ok || x->seen[CK_INTERVAL] == 0) &&
		    k->timeout_ms > k->interval_ms)
			conf_diag(st, x->seen[CK_TIMEOUT], true, "timeout: "
			    "%ums is above interval %ums", k->timeout_ms,
			    k->interval_ms);
		if (k->nexpect == 0) {
			k->expect_lo[0] = 200;
			k->expect_hi[0] = 299;
			k->nexpect = 1;
		}
	}
}

/* a service's checks, and whether its on-down and degrade-* agree */
static void
conf_check_svc_health(struct conf_state *st, struct conf_service *s,
    struct conf_svc_aux *x)
{
	static const int dkeys[] = {
		SK_DEGRADE_MED, SK_DEGRADE_PREPEND, SK_DEGRADE_COMM,
	};
	const struct conf_pname *n;
	bool full = false, any = false;
	size_t i, j, n_all;
	int ci;

	for (i = 0; i < x->ncnames; i++) {
		n = &x->cnames[i];
		if ((ci = conf_check_by_name(st, n->name)) == -1) {
			conf_diag(st, n->line, true, "checks: unknown check "
			    "'%s'", n->name);
			continue;
		}
		st->caux[ci].used = true;
		for (j = 0; j < s->nchecks; j++)
			if (s->checks[j] == (size_t)ci)
				break;
		if (j < s->nchecks) {
			conf_diag(st, n->line, false, "checks: %s listed twice",
			    n->name);
			continue;
		}
		if (s->nchecks == CONF_MAX_CHECKS) {
			if (!full)
				conf_diag(st, n->line, true, "checks: too many "
				    "checks (at most %d per service)",
				    CONF_MAX_CHECKS);
			full = true;
			continue;
		}
		s->checks[s->nchecks++] = (size_t)ci;
	}
	qsort(s->degrade_comm, s->ndegrade_comm, sizeof(s->degrade_comm[0]),
	    comm_cmp);
	if (x->bad_on_down)
		return;
	for (i = 0; i < sizeof(dkeys) / sizeof(dkeys[0]); i++) {
		if (x->seen[dkeys[i]] == 0)
			continue;
		any = true;
		if (s->on_down == ON_DOWN_WITHDRAW)
			conf_diag(st, x->seen[dkeys[i]], false, "%s: ignored "
			    "with on-down = withdraw",
			    conf_svc_keys[dkeys[i]].name);
	}
	if (s->on_down == ON_DOWN_DEGRADE && !any)
		conf_diag(st, x->seen[SK_ON_DOWN], false, "on-down: degrade "
		    "changes nothing without degrade-med, degrade-prepend or "
		    "degrade-communities");
	if (s->on_down != ON_DOWN_DEGRADE)
		return;
	/* degraded routes carry both lists; one COMMUNITIES must hold them */
	for (i = 0, n_all = s->ncomm; i < s->ndegrade_comm; i++) {
		for (j = 0; j < s->ncomm; j++)
			if (s->comm[j] == s->degrade_comm[i])
				break;
		if (j == s->ncomm)
			n_all++;
	}
	if (n_all > ATTR_MAX_COMMUNITIES)
		conf_diag(st, x->seen[SK_DEGRADE_COMM], true,
		    "degrade-communities: %zu communities with those of "
		    "communities (at most %d)", n_all, ATTR_MAX_COMMUNITIES);
}

static void
conf_check_services(struct conf_state *st)
{
	struct conf *c = st->c;
	struct conf_service *s, *o;
	struct conf_svc_aux *x;
	char buf[PREFIX_STRLEN];
	size_t i, j, k, m;
	bool found;
	int pi;

	for (i = 0; i < c->nservices; i++) {
		s = &c->services[i];
		x = &st->saux[i];
		/* bgp_attrs keeps them sorted */
		qsort(s->comm, s->ncomm, sizeof(s->comm[0]), comm_cmp);
		qsort(s->lcomm, s->nlcomm, sizeof(s->lcomm[0]), lcomm_cmp);
		s->use_peer = calloc(c->npeers ? c->npeers : 1,
		    sizeof(*s->use_peer));
		if (s->use_peer == NULL) {
			conf_diag(st, s->line, true, "out of memory");
			continue;
		}
		for (j = 0; j < c->npeers; j++)
			s->use_peer[j] = s->all_peers && !st->paux[j].skip;
		for (j = 0; j < x->nnames; j++) {
			if ((pi = conf_peer_by_name(st, x->names[j].name)) == -1)
				conf_diag(st, x->names[j].line, true, "peers: "
				    "unknown peer '%s'", x->names[j].name);
			else
				s->use_peer[pi] = true;
		}
		conf_check_svc_health(st, s, x);
		if (s->nprefixes == 0 && x->seen[SK_PREFIX] == 0)
			conf_diag(st, s->line, true, "[service%s%s]: no "
			    "prefix", SP(s->name), s->name);
		if (x->skip)
			continue;
		for (k = 0; k < s->nprefixes; k++) {
			prefix_str(&s->prefixes[k], buf, sizeof(buf));
			for (j = 0, found = false; j < i && !found; j++) {
				o = &c->services[j];
				if (st->saux[j].skip)
					continue;
				for (m = 0; m < o->nprefixes && !found; m++) {
					if (prefix_cmp(&o->prefixes[m],
					    &s->prefixes[k]) != 0)
						continue;
					conf_diag(st, x->prefix_line[k], true,
					    "prefix %s already in service '%s' "
					    "(line %d)", buf, o->name,
					    st->saux[j].prefix_line[m]);
					found = true;
				}
			}
			for (j = 0, found = false; j < c->npeers; j++)
				if (s->use_peer[j] && conf_peer_carries(
				    &c->peers[j], s->prefixes[k].afi))
					found = true;
			if (!found)
				conf_diag(st, x->prefix_line[k], true,
				    "prefix %s: no peer of service '%s' can "
				    "carry %s (it needs an %s address or %s)",
				    buf, s->name,
				    s->prefixes[k].afi == AFI_IPV4 ?
				    "IPv4" : "IPv6",
				    s->prefixes[k].afi == AFI_IPV4 ?
				    "IPv4" : "IPv6",
				    s->prefixes[k].afi == AFI_IPV4 ?
				    "next-hop" : "next-hop6");
		}
	}
}

/* a check that gates nothing is probably a typo in some checks = */
static void
conf_check_unused(struct conf_state *st)
{
	size_t i;

	for (i = 0; i < st->c->nchecks; i++)
		if (!st->caux[i].skip && !st->caux[i].used)
			conf_diag(st, st->c->checks[i].line, false, "check "
			    "'%s' is not used by any service",
			    st->c->checks[i].name);
}

/* the environment variable's value, or NULL if unset or empty */
static const char *
conf_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* ${NOMAD_SECRETS_DIR}/leaf into buf if it exists as that type */
static bool
conf_secrets_file(const char *leaf, mode_t type, char *buf, size_t len)
{
	const char *dir = conf_env("NOMAD_SECRETS_DIR");
	struct stat sb;
	int n;

	if (dir == NULL)
		return false;
	n = snprintf(buf, len, "%s/%s", dir, leaf);
	if (n < 0 || (size_t)n >= len)
		return false;
	return stat(buf, &sb) == 0 && (sb.st_mode & S_IFMT) == type;
}

/* the workload identity file (identity { file = true }), first line */
static void
conf_token_file(const char *path, char *tok, size_t len)
{
	FILE *fp;
	size_t n;

	tok[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL)
		return;
	if (fgets(tok, (int)len, fp) == NULL)
		tok[0] = '\0';
	fclose(fp);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	if (!conf_token_ok(tok))
		tok[0] = '\0';
}

/*
 * nomcastd(8), Nomad: a Nomad outage holds the last state and leaves the
 * local checks to decide, so a service with none relies on Nomad alone.
 * Said only of a file that is otherwise fine: advice is noise next to
 * errors.
 */
static void
conf_warn_nomad_alone(struct conf_state *st)
{
	const struct conf *c = st->c;
	size_t i;

	if (st->nerr > 0 || !c->nomad.used || !c->nomad.outage_hold)
		return;
	for (i = 0; i < c->nservices; i++)
		if (c->services[i].nomad_service[0] != '\0' &&
		    c->services[i].nchecks == 0)
			conf_diag(st, st->saux[i].seen[SK_NOMAD_SERVICE],
			    false, "nomad-service: no local check: while "
			    "Nomad gives no answers (on-outage = hold) a dead "
			    "proxy stays announced; add a watch or http "
			    "check");
}

/*
 * [nomad] once everything is read.  Only if a service has nomad-service:
 * then what the file leaves out comes from the task environment, read
 * here (at parse time, so nomcastd -t sees what the daemon would see),
 * and is checked like the file's own values.  Errors about the
 * environment are reported at the first nomad-service line.
 */
static void
conf_check_nomad(struct conf_state *st)
{
	struct conf *c = st->c;
	struct conf_nomad *n = &c->nomad;
	char err[256], path[CONF_PATH_MAX + 16];
	const char *e, *src = NULL;
	size_t i;
	int line = 0, tls_line;
	bool tls;

	for (i = 0; i < c->nservices; i++) {
		const struct conf_service *s = &c->services[i];
		const struct conf_svc_aux *x = &st->saux[i];

		if (s->nomad_service[0] != '\0') {
			if (line == 0)
				line = x->seen[SK_NOMAD_SERVICE];
			n->used = true;
		} else if (x->seen[SK_NOMAD_CHECKS] != 0 &&
		    x->seen[SK_NOMAD_SERVICE] == 0)
			conf_diag(st, x->seen[SK_NOMAD_CHECKS], true,
			    "nomad-checks: needs nomad-service");
	}
	if (!n->used) {
		if (st->nline != 0)
			conf_diag(st, st->nline, false, "[nomad] is not used "
			    "by any service (no nomad-service)");
		return;
	}
	if (st->nseen[NK_ADDRESS] == 0) {
		if ((e = conf_env("NOMAD_UNIX_ADDR")) != NULL)
			src = "NOMAD_UNIX_ADDR";
		else if (conf_secrets_file("api.sock", S_IFSOCK, path,
		    sizeof(path) - 7)) {
			memmove(path + 7, path, strlen(path) + 1);
			memcpy(path, "unix://", 7);
			e = path;
			src = "NOMAD_SECRETS_DIR";
		} else if ((e = conf_env("NOMAD_ADDR")) != NULL)
			src = "NOMAD_ADDR";
		if (src == NULL)
			conf_diag(st, line, true, "nomad-service: no Nomad "
			    "agent address: set address in [nomad], or run "
			    "inside Nomad with identity { env = true } "
			    "(NOMAD_UNIX_ADDR), or set NOMAD_ADDR");
		else if (conf_nomad_address(e, n, err, sizeof(err)) == -1)
			conf_diag(st, line, true, "nomad-service: %s: %s", src,
			    err);
	} else if (n->address[0] == '\0' && !st->nomad_bad_addr)
		conf_diag(st, st->nseen[NK_ADDRESS], true, "address: empty");
	if (st->nseen[NK_TOKEN] == 0) {
		if ((e = conf_env("NOMAD_TOKEN")) != NULL) {
			if (strlen(e) >= sizeof(n->token) || !conf_token_ok(e))
				conf_diag(st, line, true, "nomad-service: "
				    "NOMAD_TOKEN: not a token (blanks, control "
				    "characters or longer than %zu)",
				    sizeof(n->token) - 1);
			else
				snprintf(n->token, sizeof(n->token), "%s", e);
		} else if (conf_secrets_file("nomad_token", S_IFREG, path,
		    sizeof(path)))
			conf_token_file(path, n->token, sizeof(n->token));
	}
	/* nomad-api notes 6: the socket wants a credential, ACLs or not */
	if (n->unix_path[0] != '\0' && n->token[0] == '\0')
		conf_diag(st, st->nseen[NK_ADDRESS] ? st->nseen[NK_ADDRESS] :
		    line, false, "nomad: the Task API socket needs a token "
		    "(token in [nomad], or identity { env = true } for "
		    "NOMAD_TOKEN): the agent will answer 401");
	if (st->nseen[NK_NAMESPACE] == 0) {
		if ((e = conf_env("NOMAD_NAMESPACE")) == NULL)
			e = "default";
		if (!conf_ns_ok(e))
			conf_diag(st, line, true, "nomad-service: "
			    "NOMAD_NAMESPACE: '%s' is not a Nomad namespace", e);
		else
			snprintf(n->ns, sizeof(n->ns), "%s", e);
	}
	if (st->nseen[NK_ALLOC_ID] == 0) {
		if ((e = conf_env("NOMAD_ALLOC_ID")) == NULL)
			conf_diag(st, line, true, "nomad-service: no allocation "
			    "ID: set alloc-id in [nomad], or run inside Nomad "
			    "(NOMAD_ALLOC_ID)");
		else if (!conf_uuid_ok(e))
			conf_diag(st, line, true, "nomad-service: "
			    "NOMAD_ALLOC_ID: '%s' is not a full allocation ID",
			    e);
		else
			snprintf(n->alloc_id, sizeof(n->alloc_id), "%s", e);
	}
	if (n->node_filter && st->nseen[NK_NODE_ID] == 0) {
		/* Nomad does not set it: env { NOMAD_NODE_ID =
		 * "${node.unique.id}" } in the job does */
		if ((e = conf_env("NOMAD_NODE_ID")) == NULL)
			conf_diag(st, st->nseen[NK_NODE_FILTER], true,
			    "node-filter: needs node-id (or NOMAD_NODE_ID)");
		else if (!conf_uuid_ok(e))
			conf_diag(st, st->nseen[NK_NODE_FILTER], true,
			    "node-filter: NOMAD_NODE_ID: '%s' is not a full "
			    "node ID", e);
		else
			snprintf(n->node_id, sizeof(n->node_id), "%s", e);
	} else if (!n->node_filter && st->nseen[NK_NODE_ID] != 0)
		conf_diag(st, st->nseen[NK_NODE_ID], false, "node-id: ignored "
		    "without node-filter = yes");
	tls = strncmp(n->address, "https://", 8) == 0;
	if (!tls) {
		static const int tk[] = { NK_CACERT, NK_CLIENT_CERT,
		    NK_CLIENT_KEY };

		for (i = 0; i < sizeof(tk) / sizeof(tk[0]); i++)
			if (st->nseen[tk[i]] != 0 && n->address[0] != '\0')
				conf_diag(st, st->nseen[tk[i]], false, "%s: "
				    "ignored without an https:// address",
				    conf_nomad_keys[tk[i]].name);
		n->cacert[0] = n->client_cert[0] = n->client_key[0] = '\0';
		return;
	}
	if (st->nseen[NK_CACERT] == 0 && (e = conf_env("NOMAD_CACERT")) &&
	    strlen(e) < sizeof(n->cacert))
		snprintf(n->cacert, sizeof(n->cacert), "%s", e);
	if (st->nseen[NK_CLIENT_CERT] == 0 &&
	    (e = conf_env("NOMAD_CLIENT_CERT")) &&
	    strlen(e) < sizeof(n->client_cert))
		snprintf(n->client_cert, sizeof(n->client_cert), "%s", e);
	if (st->nseen[NK_CLIENT_KEY] == 0 &&
	    (e = conf_env("NOMAD_CLIENT_KEY")) &&
	    strlen(e) < sizeof(n->client_key))
		snprintf(n->client_key, sizeof(n->client_key), "%s", e);
	if ((n->client_cert[0] == '\0') != (n->client_key[0] == '\0')) {
		tls_line = st->nseen[NK_CLIENT_CERT] ?
		    st->nseen[NK_CLIENT_CERT] : st->nseen[NK_CLIENT_KEY];
		conf_diag(st, tls_line ? tls_line : line, true, "nomad: "
		    "client-cert and client-key go together (or "
		    "NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY)");
	}
}

static void
conf_check(struct conf_state *st)
{
	if (st->gline == 0)
		conf_diag(st, 0, true, "missing [global] section (asn and "
		    "router-id are required)");
	else {
		if (st->gseen[GK_ASN] == 0)
			conf_diag(st, st->gline, true, "[global]: missing "
			    "required key 'asn'");
		if (st->gseen[GK_ROUTER_ID] == 0)
			conf_diag(st, st->gline, true, "[global]: missing "
			    "required key 'router-id'");
	}
	conf_check_peers(st);
	conf_check_checks(st);
	conf_check_services(st);
	conf_check_unused(st);
	conf_check_nomad(st);
	conf_warn_nomad_alone(st);
}

/* ---- API ---- */

static void
conf_defaults(struct conf *c)
{
	c->g.listen = true;
	c->g.control_socket_mode = CONF_DEFAULT_CONTROL_SOCKET_MODE;
	c->g.listen_port = BGP_PORT;
	snprintf(c->g.control_socket, sizeof(c->g.control_socket), "%s",
	    CONF_DEFAULT_CONTROL_SOCKET);
	snprintf(c->g.shutdown_message, sizeof(c->g.shutdown_message), "%s",
	    CONF_DEFAULT_SHUTDOWN_MSG);
	c->nomad.check_interval_ms = CONF_NOMAD_DEFAULT_CHECK_INTERVAL;
	c->nomad.wait_ms = CONF_NOMAD_DEFAULT_WAIT;
	c->nomad.grace_ms = CONF_NOMAD_DEFAULT_GRACE;
	c->nomad.outage_hold = true;
}

/* parse fp (NULL: empty input) named file into c and d */
static int
conf_parse(const char *file, FILE *fp, struct conf *c, struct conf_diag *d)
{
	struct conf_state st;
	size_t i;
	int rc;

	memset(&st, 0, sizeof(st));
	st.file = file;
	st.fp = fp;
	st.c = c;
	snprintf(c->path, sizeof(c->path), "%s", file);
	conf_defaults(c);
	if (fp != NULL) {
		rc = ini_parse_stream(conf_reader, &st, conf_handler, &st);
		conf_flush_pending(&st);
		if (rc < 0 && rc != -1)
			conf_diag(&st, 0, true, "out of memory");
		else if (ferror(fp))
			conf_diag(&st, 0, true, "read error: %s",
			    strerror(errno));
	}
	conf_check(&st);

	for (i = 0; i < c->nservices; i++) {
		free(st.saux[i].names);
		free(st.saux[i].cnames);
	}
	free(st.saux);
	free(st.caux);
	free(st.paux);
	free(st.line);
	conf_diag_move(&st, d);
	free(st.dl);
	if (st.nerr != 0) {
		conf_free(c);
		return -1;
	}
	return 0;
}

int
conf_load(const char *path, struct conf *c, struct conf_diag *d)
{
	struct conf_state st;
	FILE *fp;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	if ((fp = fopen(path, "r")) == NULL) {
		memset(&st, 0, sizeof(st));
		st.file = path;
		conf_diag(&st, 0, true, "cannot open: %s", strerror(errno));
		conf_diag_move(&st, d);
		free(st.dl);
		return -1;
	}
	rc = conf_parse(path, fp, c, d);
	fclose(fp);
	return rc;
}

int
conf_load_string(const char *name, const char *text, struct conf *c,
    struct conf_diag *d)
{
	FILE *fp = NULL;
	size_t len = strlen(text);
	int rc;

	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	/* fmemopen() of zero bytes fails on older C libraries */
	if (len > 0 && (fp = fmemopen((void *)(uintptr_t)text, len, "r")) ==
	    NULL) {
		struct conf_state st;

		memset(&st, 0, sizeof(st));
		st.file = name;
		conf_diag(&st, 0, true, "cannot read: %s", strerror(errno));
		conf_diag_move(&st, d);
		free(st.dl);
		return -1;
	}
	rc = conf_parse(name, fp, c, d);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nservices; i++)
		free(c->services[i].use_peer);
	free(c->services);
	for (i = 0; i < c->nchecks; i++)
		conf_argv_free(&c->checks[i]);
	free(c->checks);
	free(c->peers);
	memset(c, 0, sizeof(*c));
}

void
conf_diag_free(struct conf_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	free(d->is_err);
	memset(d, 0, sizeof(*d));
}

bool
conf_peer_is_ibgp(const struct conf *c, const struct conf_peer *p)
{
	return p->asn == c->g.asn;
}

int
conf_peer_find(const struct conf *c, const struct addr *a)
{
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (addr_equal(&c->peers[i].addr, a))
			return (int)i;
	return -1;
}
