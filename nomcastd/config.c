/*
 * config.c - the INI configuration; see config.h and nomcast.ini(5).
 *
 * The reader, the diagnostics and the value parsers are lib/conf.c's;
 * each section's keys are parsed by the owner of what they set:
 * bgpd/peer_conf.c ([peer], the speaker's [global] keys),
 * health/check_conf.c ([check]), nomad/nomad_conf.c ([nomad]) and
 * service_conf.c ([service]).  Here: the section headers and which owner
 * gets a key, the daemon's own [global] keys, the checks across sections
 * once the whole file has been read (a service naming peers and checks,
 * Nomad in use), and struct conf.
 */
#include "nomcastd/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum conf_sect {
	SECT_NONE,		/* before the first header */
	SECT_BAD,		/* unknown or broken header: keys ignored */
	SECT_GLOBAL,
	SECT_PEER,
	SECT_SERVICE,
	SECT_CHECK,
	SECT_NOMAD,
};

/* [global]'s keys of the daemon; the BGP speaker's are bgpd's */
enum { GK_CONTROL_SOCKET, GK_METRICS_LISTEN, GK_CONTROL_SOCKET_MODE,
	GK_CONTROL_SOCKET_GROUP, GK_SHUTDOWN_DRAIN, GK_RESTART_STATE,
	GK_RESTART_DEFER, GK_N };

_Static_assert(GK_N <= CONF_KEYS_MAX, "seen[] too small");

struct conf_chk_aux {
	struct check_conf_aux k;	/* the key parser's */
	bool		 skip;
	bool		 used;		/* named by a service's checks */
};

struct conf_state {
	struct conf_ctx	 cx;		/* the reader; cx.user is this */
	enum conf_sect	 sect;
	struct conf	*c;
	size_t		 peercap, bfdcap, svccap, chkcap;
	struct peer_conf_aux *paux;	/* [npeers] */
	struct bfd_conf_aux *baux;	/* [npeers] */
	struct conf_svc_aux *saux;	/* [nservices] */
	struct conf_chk_aux *caux;	/* [nchecks] */
	int		 gseen[CONF_KEYS_MAX];	/* the daemon's keys */
	struct bgp_conf_aux gbgp;	/* the speaker's */
	int		 gline;		/* first [global] header */
	struct nomad_conf_aux naux;	/* [nomad] */
	int		 nline;		/* first [nomad] header */
};


/* ---- [global] ---- */

static struct conf_global *
conf_cur_global(struct conf_ctx *cx)
{
	return cx->obj;
}

static void
g_control_socket(struct conf_ctx *cx, const char *v)
{
	struct conf_global *g = conf_cur_global(cx);

	if (v[0] != '/') {
		KEY_ERR(cx, "%s: '%s' is not an absolute path", cx->key, v);
		return;
	}
	if (strlen(v) >= sizeof(g->control_socket)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(g->control_socket) - 1);
		return;
	}
	snprintf(g->control_socket, sizeof(g->control_socket),
	    "%s", v);
	g->control_socket_set = true;
}

/* octal permission bits, as chmod(1) takes them: "0660", "660" */
static void
g_control_socket_mode(struct conf_ctx *cx, const char *v)
{
	uint32_t m = 0;
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7' || n > 4) {
			KEY_ERR(cx, "%s: '%s' is not an octal mode (0660)",
			    cx->key, v);
			return;
		}
		m = m * 8 + (uint32_t)(v[i] - '0');
	}
	if (n == 0 || m > 0777) {
		KEY_ERR(cx, "%s: '%s' is not an octal mode (0660)", cx->key, v);
		return;
	}
	conf_cur_global(cx)->control_socket_mode = m;
}

/* a group name or number; looked up when the socket is made */
static void
g_control_socket_group(struct conf_ctx *cx, const char *v)
{
	struct conf_global *g = conf_cur_global(cx);
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		    ch == '.' || (ch == '$' && i == n - 1)))
			break;
	}
	if (n == 0 || i < n || n >= sizeof(g->control_socket_group)) {
		KEY_ERR(cx, "%s: '%s' is not a group name or number", cx->key,
		    v);
		return;
	}
	snprintf(g->control_socket_group,
	    sizeof(g->control_socket_group), "%s", v);
}

/* SIGTERM keeps announcing with GRACEFUL_SHUTDOWN this long first */
static void
g_shutdown_drain(struct conf_ctx *cx, const char *v)
{
	conf_duration(cx, v, CONF_DURATION_MAX_MS,
	    &conf_cur_global(cx)->shutdown_drain_ms);
}

/* where a graceful exit leaves its record for the next start */
static void
g_restart_state(struct conf_ctx *cx, const char *v)
{
	struct conf_global *g = conf_cur_global(cx);

	if (v[0] != '/') {
		KEY_ERR(cx, "%s: '%s' is not an absolute path", cx->key, v);
		return;
	}
	if (strlen(v) >= sizeof(g->restart_state)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(g->restart_state) - 1);
		return;
	}
	snprintf(g->restart_state, sizeof(g->restart_state), "%s", v);
}

static void
g_restart_defer(struct conf_ctx *cx, const char *v)
{
	uint32_t ms;

	/* 0 until valid: the checks across keys leave a bad value alone */
	conf_cur_global(cx)->restart_defer_ms = 0;
	if (conf_duration(cx, v, CONF_RESTART_TIME_MAX * 1000u, &ms) == -1)
		return;
	if (ms == 0) {
		KEY_ERR(cx, "%s: must be more than 0", cx->key);
		return;
	}
	conf_cur_global(cx)->restart_defer_ms = ms;
}

/* the metrics listener (metrics.c); off unless set */
static void
g_metrics_listen(struct conf_ctx *cx, const char *v)
{
	struct conf_global *g = conf_cur_global(cx);

	if (conf_addr_port(cx, v, &g->metrics_addr, &g->metrics_port) == 0)
		g->metrics = true;
}

static const struct conf_key conf_global_keys[GK_N] = {
	[GK_CONTROL_SOCKET] =	{ "control-socket", false, false,
				    g_control_socket },
	[GK_METRICS_LISTEN] =	{ "metrics-listen", false, false,
				    g_metrics_listen },
	[GK_CONTROL_SOCKET_MODE] = { "control-socket-mode", false, false,
				    g_control_socket_mode },
	[GK_CONTROL_SOCKET_GROUP] = { "control-socket-group", false, false,
				    g_control_socket_group },
	[GK_SHUTDOWN_DRAIN] =	{ "shutdown-drain-time", false, false,
				    g_shutdown_drain },
	[GK_RESTART_STATE] =	{ "restart-state", false, false,
				    g_restart_state },
	[GK_RESTART_DEFER] =	{ "restart-defer-time", false, false,
				    g_restart_defer },
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
	struct peer_conf_aux *x;

	if (conf_grow2(&c->peers, sizeof(*p), &st->paux,
	    sizeof(*x), c->npeers, &st->peercap) == -1 ||
	    conf_grow2(&c->peer_bfd, sizeof(*c->peer_bfd), &st->baux,
	    sizeof(*st->baux), c->npeers, &st->bfdcap) == -1)
		return -1;
	p = &c->peers[c->npeers];
	x = &st->paux[c->npeers];
	peer_conf_init(p, x, name, st->cx.lineno);
	bfd_conf_init(&c->peer_bfd[c->npeers], &st->baux[c->npeers]);
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
	service_conf_init(s, x, name, st->cx.lineno);
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
	memset(x, 0, sizeof(*x));
	check_conf_init(k, &x->k, name, st->cx.lineno);
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
/*
 * Split "[kind name]" in place into kind and name (blanks trimmed).
 * -1 when the header is broken (said).
 */
static int
conf_header_split(struct conf_state *st, char *s, int line, char **kind,
    char **name)
{
	char *end, *rest, *k, *nm;
	size_t n;

	if ((end = strchr(s, ']')) == NULL) {
		conf_diag(&st->cx, line, true, "missing ']' in section header");
		return -1;
	}
	rest = end + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		conf_diag(&st->cx, line, true, "unexpected '%s' after section "
		    "header", rest);
	*end = '\0';
	k = s + 1;
	while (isspace((unsigned char)*k))
		k++;
	for (nm = k; *nm != '\0' && !isspace((unsigned char)*nm); nm++)
		;
	if (*nm != '\0')
		*nm++ = '\0';
	while (isspace((unsigned char)*nm))
		nm++;
	n = strlen(nm);
	while (n > 0 && isspace((unsigned char)nm[n - 1]))
		nm[--n] = '\0';
	*kind = k;
	*name = nm;
	return 0;
}

/* [global] or [nomad]: no name, once; first and conf_line note where */
static void
conf_single(struct conf_state *st, const char *kind, const char *name,
    int line, int *first, int *conf_line)
{
	if (*name != '\0')
		conf_diag(&st->cx, line, true, "[%s] takes no name", kind);
	if (*first != 0)
		conf_diag(&st->cx, line, true, "duplicate [%s] section "
		    "(first at line %d)", kind, *first);
	else {
		*first = line;
		*conf_line = line;
	}
	snprintf(st->cx.label, sizeof(st->cx.label), "%s", kind);
}

/* the name of a [peer], [service] or [check]: false (said) if unusable */
static bool
conf_section_name_ok(struct conf_state *st, const char *kind,
    const char *name, int line)
{
	if (*name == '\0') {
		conf_diag(&st->cx, line, true, "[%s] needs a name", kind);
		return false;
	}
	if (strlen(name) >= CONF_NAME_MAX) {
		conf_diag(&st->cx, line, true, "%s name longer than %d characters",
		    kind, CONF_NAME_MAX - 1);
		return false;
	}
	if (!conf_name_ok(name)) {
		conf_diag(&st->cx, line, true, "invalid %s name '%s' (letters, "
		    "digits, '-', '_' and '.' only)", kind, name);
		return false;
	}
	return true;
}

/* the line of the section of this kind and name read already, or 0 */
static int
conf_seen(const struct conf_state *st, enum conf_sect k, const char *name)
{
	const struct conf *c = st->c;
	size_t i;

	for (i = 0; k == SECT_PEER && i < c->npeers; i++)
		if (!st->paux[i].skip && strcmp(c->peers[i].name, name) == 0)
			return c->peers[i].line;
	for (i = 0; k == SECT_CHECK && i < c->nchecks; i++)
		if (!st->caux[i].skip && strcmp(c->checks[i].name, name) == 0)
			return c->checks[i].line;
	for (i = 0; k == SECT_SERVICE && i < c->nservices; i++)
		if (!st->saux[i].skip &&
		    strcmp(c->services[i].name, name) == 0)
			return c->services[i].line;
	return 0;
}

static void
conf_section(struct conf_ctx *cx, char *s)
{
	struct conf_state *st = cx->user;
	char *kind, *name;
	enum conf_sect k;
	bool skip;
	int line = cx->lineno, first, rc;

	st->sect = SECT_BAD;
	if (conf_header_split(st, s, line, &kind, &name) == -1)
		return;
	if (strcmp(kind, "global") == 0) {
		conf_single(st, kind, name, line, &st->gline, &st->c->g.line);
		st->sect = SECT_GLOBAL;
		return;
	}
	if (strcmp(kind, "nomad") == 0) {
		conf_single(st, kind, name, line, &st->nline,
		    &st->c->nomad.line);
		st->sect = SECT_NOMAD;
		return;
	}
	if (strcmp(kind, "peer") == 0)
		k = SECT_PEER;
	else if (strcmp(kind, "service") == 0)
		k = SECT_SERVICE;
	else if (strcmp(kind, "check") == 0)
		k = SECT_CHECK;
	else {
		conf_diag(&st->cx, line, true, "unknown section [%s%s%s]", kind,
		    *name != '\0' ? " " : "", name);
		return;
	}
	skip = !conf_section_name_ok(st, kind, name, line);
	snprintf(st->cx.label, sizeof(st->cx.label), "%s%s%.*s", kind,
	    CONF_SP(name), CONF_NAME_MAX - 1, name);
	if (!skip && (first = conf_seen(st, k, name)) != 0) {
		conf_diag(&st->cx, line, true, "duplicate %s '%s' (first at "
		    "line %d)", kind, name, first);
		skip = true;
	}
	rc = k == SECT_PEER ? conf_add_peer(st, name, skip) :
	    k == SECT_CHECK ? conf_add_chk(st, name, skip) :
	    conf_add_svc(st, name, skip);
	if (rc == -1) {
		conf_diag(&st->cx, line, true, "out of memory");
		return;
	}
	st->sect = k;
}

/* ---- keys: each to its section's table ---- */

static void
conf_entry(struct conf_ctx *cx, const char *name, const char *value)
{
	struct conf_state *st = cx->user;
	struct conf *c = st->c;

	switch (st->sect) {
	case SECT_NONE:
		conf_diag(cx, cx->keyline, true, "key '%s' outside a section",
		    name);
		break;
	case SECT_BAD:
		break;
	case SECT_GLOBAL:
		if (bgp_conf_has_key(name))
			bgp_conf_key(cx, &c->bgp, &st->gbgp, name, value);
		else
			conf_key_run(cx, conf_global_keys, GK_N, st->gseen,
			    &c->g, NULL, name, value);
		break;
	case SECT_PEER:
		if (bfd_conf_has_key(name))
			bfd_conf_key(cx, &c->peer_bfd[c->npeers - 1],
			    &st->baux[c->npeers - 1], name, value);
		else
			peer_conf_key(cx, &c->peers[c->npeers - 1],
			    &st->paux[c->npeers - 1], name, value);
		break;
	case SECT_SERVICE:
		service_conf_key(cx, &c->services[c->nservices - 1],
		    &st->saux[c->nservices - 1], name, value);
		break;
	case SECT_CHECK:
		check_conf_key(cx, &c->checks[c->nchecks - 1],
		    &st->caux[c->nchecks - 1].k, name, value);
		break;
	case SECT_NOMAD:
		nomad_conf_key(cx, &c->nomad, &st->naux, name, value);
		break;
	}
}

/* ---- checks across sections, once everything is read ---- */

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
	size_t i;

	for (i = 0; i < st->c->nchecks; i++)
		check_conf_finish(&st->cx, &st->c->checks[i], &st->caux[i].k);
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
			conf_diag(&st->cx, n->line, true, "checks: unknown check "
			    "'%s'", n->name);
			continue;
		}
		st->caux[ci].used = true;
		for (j = 0; j < s->nchecks; j++)
			if (s->checks[j] == (size_t)ci)
				break;
		if (j < s->nchecks) {
			conf_diag(&st->cx, n->line, false, "checks: %s listed twice",
			    n->name);
			continue;
		}
		if (s->nchecks == CONF_MAX_CHECKS) {
			if (!full)
				conf_diag(&st->cx, n->line, true, "checks: too many "
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
			conf_diag(&st->cx, x->seen[dkeys[i]], false, "%s: ignored "
			    "with on-down = withdraw",
			    service_conf_key_name(dkeys[i]));
	}
	if (s->on_down == ON_DOWN_DEGRADE && !any)
		conf_diag(&st->cx, x->seen[SK_ON_DOWN], false, "on-down: degrade "
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
		conf_diag(&st->cx, x->seen[SK_DEGRADE_COMM], true,
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
			conf_diag(&st->cx, s->line, true, "out of memory");
			continue;
		}
		for (j = 0; j < c->npeers; j++)
			s->use_peer[j] = s->all_peers && !st->paux[j].skip;
		for (j = 0; j < x->nnames; j++) {
			if ((pi = conf_peer_by_name(st, x->names[j].name)) == -1)
				conf_diag(&st->cx, x->names[j].line, true, "peers: "
				    "unknown peer '%s'", x->names[j].name);
			else
				s->use_peer[pi] = true;
		}
		conf_check_svc_health(st, s, x);
		if (s->nprefixes == 0 && x->seen[SK_PREFIX] == 0)
			conf_diag(&st->cx, s->line, true, "[service%s%s]: no "
			    "prefix", CONF_SP(s->name), s->name);
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
					conf_diag(&st->cx, x->prefix_line[k], true,
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
				conf_diag(&st->cx, x->prefix_line[k], true,
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
			conf_diag(&st->cx, st->c->checks[i].line, false, "check "
			    "'%s' is not used by any service",
			    st->c->checks[i].name);
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

	if (st->cx.nerr > 0 || !c->nomad.used || !c->nomad.outage_hold)
		return;
	for (i = 0; i < c->nservices; i++)
		if (c->services[i].nomad.service[0] != '\0' &&
		    c->services[i].nchecks == 0)
			conf_diag(&st->cx, st->saux[i].seen[SK_NOMAD_SERVICE],
			    false, "nomad-service: no local check: while "
			    "Nomad gives no answers (on-outage = hold) a dead "
			    "proxy stays announced; add a watch or http "
			    "check");
}

/*
 * [nomad] once everything is read, only if a service has nomad-service;
 * errors about the task environment are reported at the first
 * nomad-service line.
 */
static void
conf_check_nomad(struct conf_state *st)
{
	struct conf *c = st->c;
	struct conf_nomad *n = &c->nomad;
	size_t i;
	int line = 0;

	for (i = 0; i < c->nservices; i++) {
		const struct conf_service *s = &c->services[i];
		const struct conf_svc_aux *x = &st->saux[i];

		if (s->nomad.service[0] != '\0') {
			if (line == 0)
				line = x->seen[SK_NOMAD_SERVICE];
			n->used = true;
		} else if (x->seen[SK_NOMAD_CHECKS] != 0 &&
		    x->seen[SK_NOMAD_SERVICE] == 0)
			conf_diag(&st->cx, x->seen[SK_NOMAD_CHECKS], true,
			    "nomad-checks: needs nomad-service");
	}
	if (!n->used) {
		if (st->nline != 0)
			conf_diag(&st->cx, st->nline, false, "[nomad] is not used "
			    "by any service (no nomad-service)");
		return;
	}
	nomad_conf_finish(&st->cx, n, &st->naux, line);
}

/* each peer's bfd* keys, which depend on its multihop and hold time */
static void
conf_check_bfd(struct conf_state *st)
{
	const struct conf *c = st->c;
	size_t i;

	for (i = 0; i < c->npeers; i++)
		bfd_conf_finish(&st->cx, &c->peer_bfd[i], &st->baux[i],
		    c->peers[i].multihop, c->peers[i].hold_time,
		    c->peers[i].line);
}

bool
conf_gr_configured(const struct conf *c)
{
	return conf_gr_restart_time_max(c) > 0;
}

uint32_t
conf_gr_restart_time_max(const struct conf *c)
{
	uint32_t t = 0;
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].graceful_restart && c->peers[i].restart_time > t)
			t = c->peers[i].restart_time;
	return t;
}

/*
 * Graceful restart: the End-of-RIB deferral must end before any peer's
 * restart time (or the peer drops the routes the first verdicts would
 * keep), and without BFD a dead node keeps its routes at the router
 * for the hold time and then the restart time: say so.
 */
static void
conf_check_restart(struct conf_state *st)
{
	struct conf *c = st->c;
	const struct conf_peer *p;
	size_t i;

	/* unset: 10 s, or half the shortest restart time if that is less */
	for (i = 0; !st->gseen[GK_RESTART_DEFER] && i < c->npeers; i++)
		if (c->peers[i].graceful_restart &&
		    c->peers[i].restart_time * 500u < c->g.restart_defer_ms)
			c->g.restart_defer_ms = c->peers[i].restart_time * 500u;
	for (i = 0; i < c->npeers; i++) {
		p = &c->peers[i];
		if (!p->graceful_restart)
			continue;
		if (c->g.restart_defer_ms != 0 &&
		    (uint64_t)p->restart_time * 1000 <= c->g.restart_defer_ms)
			conf_diag(&st->cx, st->gseen[GK_RESTART_DEFER], true,
			    "restart-defer-time (%u ms) must be shorter than "
			    "the restart-time of peer '%s' (%us)",
			    c->g.restart_defer_ms, p->name, p->restart_time);
		if (!c->peer_bfd[i].enabled)
			conf_diag(&st->cx, p->line, false, "[peer%s%s]: "
			    "graceful-restart without bfd: if nomcastd or this "
			    "node dies, the router may keep its routes for up "
			    "to the hold time (%us) plus the restart time (%us)",
			    CONF_SP(p->name), p->name, p->hold_time,
			    p->restart_time);
	}
}

static void
conf_check(struct conf_state *st)
{
	if (st->gline == 0)
		conf_diag(&st->cx, 0, true, "missing [global] section (asn and "
		    "router-id are required)");
	else {
		bgp_conf_finish(&st->cx, &st->gbgp, st->gline);
	}
	peer_conf_check(&st->cx, &st->c->bgp, st->c->peers, st->paux,
	    st->c->npeers);
	conf_check_bfd(st);
	conf_check_restart(st);
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
	bgp_conf_defaults(&c->bgp);
	c->g.control_socket_mode = CONF_DEFAULT_CONTROL_SOCKET_MODE;
	c->g.restart_defer_ms = CONF_DEFAULT_RESTART_DEFER_MS;
	snprintf(c->g.control_socket, sizeof(c->g.control_socket), "%s",
	    CONF_DEFAULT_CONTROL_SOCKET);
	nomad_conf_defaults(&c->nomad);
}

/* parse fp (NULL: empty input) named file into c and d */
static int
conf_parse(const char *file, FILE *fp, struct conf *c, struct conf_diag *d)
{
	struct conf_state st;
	size_t i;

	memset(&st, 0, sizeof(st));
	conf_ctx_init(&st.cx, file);
	st.cx.user = &st;
	st.cx.section = conf_section;
	st.cx.entry = conf_entry;
	st.c = c;
	snprintf(c->path, sizeof(c->path), "%s", file);
	conf_defaults(c);
	conf_ctx_read(&st.cx, fp);
	conf_check(&st);

	for (i = 0; i < c->nservices; i++) {
		free(st.saux[i].names);
		free(st.saux[i].cnames);
	}
	free(st.saux);
	free(st.caux);
	free(st.paux);
	free(st.baux);
	conf_ctx_done(&st.cx, d);
	if (st.cx.nerr != 0) {
		conf_free(c);
		return -1;
	}
	return 0;
}

int
conf_load(const char *path, struct conf *c, struct conf_diag *d)
{
	struct conf_ctx cx;
	char err[160];
	FILE *fp;
	int rc;

	memset(c, 0, sizeof(*c));
	memset(d, 0, sizeof(*d));
	if ((fp = conf_fopen(path, err, sizeof(err))) == NULL) {
		conf_ctx_init(&cx, path);
		conf_diag(&cx, 0, true, "%s", err);
		conf_ctx_done(&cx, d);
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
		struct conf_ctx cx;

		conf_ctx_init(&cx, name);
		conf_diag(&cx, 0, true, "cannot read: %s", strerror(errno));
		conf_ctx_done(&cx, d);
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
		check_conf_free(&c->checks[i]);
	free(c->checks);
	free(c->peers);
	free(c->peer_bfd);
	memset(c, 0, sizeof(*c));
}

bool
conf_metrics_same(const struct conf_global *a, const struct conf_global *b)
{
	return a->metrics == b->metrics && (!a->metrics ||
	    (addr_equal(&a->metrics_addr, &b->metrics_addr) &&
	    a->metrics_port == b->metrics_port));
}
