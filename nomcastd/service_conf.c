/*
 * service_conf.c - the [service NAME] keys; see service_conf.h and
 * nomcast.ini(5).
 */
#include "nomcastd/service_conf.h"
#include "nomcastd/config.h"
#include "bgpd/community.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SK_N <= CONF_KEYS_MAX, "seen[] too small");

static struct conf_service *
conf_cur_svc(struct conf_ctx *cx)
{
	return cx->obj;
}

static struct conf_svc_aux *
conf_cur_saux(struct conf_ctx *cx)
{
	return cx->aux;
}

static void
s_prefix_one(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);
	struct conf_svc_aux *x = conf_cur_saux(cx);
	struct prefix p;
	char buf[PREFIX_STRLEN];
	size_t i;

	switch (prefix_parse(v, &p)) {
	case -1:
		KEY_ERR(cx, "%s: '%s' is not a prefix", cx->key, v);
		return;
	case -2:
		KEY_ERR(cx, "%s: '%s' has host bits set", cx->key, v);
		return;
	}
	prefix_str(&p, buf, sizeof(buf));
	for (i = 0; i < s->nprefixes; i++) {
		if (prefix_cmp(&s->prefixes[i], &p) == 0) {
			KEY_ERR(cx, "%s: %s listed twice (first at line %d)",
			    cx->key, buf, x->prefix_line[i]);
			return;
		}
	}
	if (s->nprefixes == CONF_MAX_PREFIXES) {
		if (!x->full_prefix)
			KEY_ERR(cx, "%s: too many prefixes (at most %d per "
			    "service)", cx->key, CONF_MAX_PREFIXES);
		x->full_prefix = true;
		return;
	}
	/* a service address is a host route; anything wider is unusual */
	if (!prefix_is_host(&p))
		conf_diag(cx, cx->keyline, false, "%s: %s is not a host route "
		    "(/%d)", cx->key, buf, p.afi == AFI_IPV4 ? 32 : 128);
	x->prefix_line[s->nprefixes] = cx->keyline;
	s->prefixes[s->nprefixes++] = p;
}

static void
s_prefix(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_prefix_one);
}

/* "A:B", both 16 bits (RFC 1997), or a well-known name */
static int
conf_comm_parse(const char *v, uint32_t *out)
{
	const char *colon;
	char tmp[8];
	uint64_t hi, lo;
	size_t n;

	if (community_wk_value(v, out) == 0)
		return 0;
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

/* one community of a list into arr[*n]: communities = or degrade-communities = */
static void
comm_add(struct conf_ctx *cx, const char *v, uint32_t *arr, uint8_t *n,
    bool *full)
{
	uint32_t cv;
	size_t i;

	if (conf_comm_parse(v, &cv) == -1) {
		KEY_ERR(cx, "%s: '%s' is not a community (ASN:VALUE, 16 bits "
		    "each, or a well-known name)", cx->key, v);
		return;
	}
	for (i = 0; i < *n; i++) {
		if (arr[i] == cv) {
			conf_diag(cx, cx->keyline, false, "%s: %s listed twice",
			    cx->key, v);
			return;
		}
	}
	if (*n == ATTR_MAX_COMMUNITIES) {
		if (!*full)
			KEY_ERR(cx, "%s: too many communities (at most %d)",
			    cx->key, ATTR_MAX_COMMUNITIES);
		*full = true;
		return;
	}
	arr[(*n)++] = cv;
}

static void
s_comm_one(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	comm_add(cx, v, s->comm, &s->ncomm, &conf_cur_saux(cx)->full_comm);
}

static void
s_communities(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_comm_one);
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
s_lcomm_one(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);
	struct conf_svc_aux *x = conf_cur_saux(cx);
	struct lcommunity lc;
	size_t i;

	if (conf_lcomm_parse(v, &lc) == -1) {
		KEY_ERR(cx, "%s: '%s' is not a large community "
		    "(GLOBAL:LOCAL1:LOCAL2, 32 bits each)", cx->key, v);
		return;
	}
	for (i = 0; i < s->nlcomm; i++) {
		if (conf_lcomm_eq(&s->lcomm[i], &lc)) {
			conf_diag(cx, cx->keyline, false, "%s: %s listed twice",
			    cx->key, v);
			return;
		}
	}
	if (s->nlcomm == ATTR_MAX_LCOMMUNITIES) {
		if (!x->full_lcomm)
			KEY_ERR(cx, "%s: too many large communities (at most "
			    "%d)", cx->key, ATTR_MAX_LCOMMUNITIES);
		x->full_lcomm = true;
		return;
	}
	s->lcomm[s->nlcomm++] = lc;
}

static void
s_lcommunities(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_lcomm_one);
}

static void
s_med(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (conf_u32(cx, v, 0, UINT32_MAX, &s->med) == 0)
		s->has_med = true;
}

static void
s_local_pref(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (conf_u32(cx, v, 0, UINT32_MAX, &s->local_pref) == 0)
		s->has_local_pref = true;
}

static void
s_origin(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (strcmp(v, "igp") == 0)
		s->origin = ORIGIN_IGP;
	else if (strcmp(v, "egp") == 0)
		s->origin = ORIGIN_EGP;
	else if (strcmp(v, "incomplete") == 0)
		s->origin = ORIGIN_INCOMPLETE;
	else
		KEY_ERR(cx, "%s: '%s' is not igp, egp or incomplete", cx->key,
		    v);
}

static void
s_peers_one(struct conf_ctx *cx, const char *v)
{
	struct conf_svc_aux *x = conf_cur_saux(cx);
	struct conf_pname *n;

	if ((n = realloc(x->names, (x->nnames + 1) * sizeof(*n))) == NULL) {
		KEY_ERR(cx, "out of memory");
		return;
	}
	x->names = n;
	snprintf(n[x->nnames].name, sizeof(n[x->nnames].name), "%s", v);
	if (strlen(v) >= sizeof(n[x->nnames].name))
		n[x->nnames].name[0] = '\0';	/* cannot match: unknown */
	n[x->nnames].line = cx->keyline;
	x->nnames++;
	conf_cur_svc(cx)->all_peers = false;
}

static void
s_peers(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_peers_one);
}

static void
s_checks_one(struct conf_ctx *cx, const char *v)
{
	struct conf_svc_aux *x = conf_cur_saux(cx);
	struct conf_pname *n;

	n = realloc(x->cnames, (x->ncnames + 1) * sizeof(*n));
	if (n == NULL) {
		KEY_ERR(cx, "out of memory");
		return;
	}
	x->cnames = n;
	snprintf(n[x->ncnames].name, sizeof(n[x->ncnames].name), "%s", v);
	if (strlen(v) >= sizeof(n[x->ncnames].name))
		n[x->ncnames].name[0] = '\0';	/* cannot match: unknown */
	n[x->ncnames].line = cx->keyline;
	x->ncnames++;
}

static void
s_checks(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_checks_one);
}

static void
s_hold_down(struct conf_ctx *cx, const char *v)
{
	conf_duration(cx, v, CONF_DURATION_MAX_MS,
	    &conf_cur_svc(cx)->hold_down_ms);
}

static void
s_drain_time(struct conf_ctx *cx, const char *v)
{
	conf_duration(cx, v, CONF_DURATION_MAX_MS,
	    &conf_cur_svc(cx)->drain_time_ms);
}

static void
s_on_down(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (strcmp(v, "withdraw") == 0)
		s->on_down = ON_DOWN_WITHDRAW;
	else if (strcmp(v, "degrade") == 0)
		s->on_down = ON_DOWN_DEGRADE;
	else {
		KEY_ERR(cx, "%s: '%s' is not withdraw or degrade", cx->key, v);
		conf_cur_saux(cx)->bad_on_down = true;
	}
}

static void
s_degrade_med(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (conf_u32(cx, v, 0, UINT32_MAX, &s->degrade_med) == 0)
		s->has_degrade_med = true;
}

static void
s_degrade_prepend(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	/* ten copies already lose to any sane path; more only bloats it */
	if (conf_u32(cx, v, 0, 10, &u) == 0)
		conf_cur_svc(cx)->degrade_prepend = (uint8_t)u;
}

static void
s_dcomm_one(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	comm_add(cx, v, s->degrade_comm, &s->ndegrade_comm,
	    &conf_cur_saux(cx)->full_dcomm);
}

static void
s_degrade_comm(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, s_dcomm_one);
}

static void
s_vip_iface(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);
	size_t i, n = strlen(v);
	bool ok = n > 0 && n < sizeof(s->vip_interface);

	/* what the kernel's dev_valid_name() takes, less ':' and '/' */
	for (i = 0; ok && i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
		    v[i] != '_' && v[i] != '.')
			ok = false;
	if (!ok || strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
		KEY_ERR(cx, "%s: '%s' is not an interface name (1 to %zu "
		    "letters, digits, '-', '_' and '.')", cx->key, v,
		    sizeof(s->vip_interface) - 1);
		return;
	}
	memcpy(s->vip_interface, v, n + 1);
}

static void
s_nomad_service(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (!nomad_conf_name_ok(v)) {
		KEY_ERR(cx, "%s: '%s' is not a Nomad service name (1 to 63 "
		    "letters, digits and '-', not at either end)", cx->key, v);
		return;
	}
	snprintf(s->nomad.service, sizeof(s->nomad.service), "%s", v);
}

static void
s_nomad_check_one(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);
	struct conf_svc_aux *x = conf_cur_saux(cx);
	size_t i;

	if (strcmp(v, "all") == 0 || strcmp(v, "none") == 0) {
		KEY_ERR(cx, "%s: '%s' must stand alone", cx->key, v);
		return;
	}
	if (strlen(v) >= sizeof(s->nomad.check_names[0]) ||
	    !conf_utf8_ok(v)) {
		KEY_ERR(cx, "%s: '%s' is not a check name (at most %zu "
		    "octets of UTF-8)", cx->key, v,
		    sizeof(s->nomad.check_names[0]) - 1);
		return;
	}
	for (i = 0; i < s->nomad.nchecks; i++) {
		if (strcmp(s->nomad.check_names[i], v) == 0) {
			conf_diag(cx, cx->keyline, false, "%s: %s listed twice",
			    cx->key, v);
			return;
		}
	}
	if (s->nomad.nchecks == CONF_NOMAD_MAX_CHECKS) {
		if (!x->full_nchecks)
			KEY_ERR(cx, "%s: too many checks (at most %d)", cx->key,
			    CONF_NOMAD_MAX_CHECKS);
		x->full_nchecks = true;
		return;
	}
	s->nomad.checks = CONF_NOMAD_CHECKS_NAMED;
	snprintf(s->nomad.check_names[s->nomad.nchecks++],
	    sizeof(s->nomad.check_names[0]), "%s", v);
}

/* all | none | NAME, NAME...; names as the jobspec's check "name" */
static void
s_nomad_checks(struct conf_ctx *cx, const char *v)
{
	struct conf_service *s = conf_cur_svc(cx);

	if (strcmp(v, "all") == 0)
		s->nomad.checks = CONF_NOMAD_CHECKS_ALL;
	else if (strcmp(v, "none") == 0)
		s->nomad.checks = CONF_NOMAD_CHECKS_NONE;
	else
		conf_list(cx, v, s_nomad_check_one);
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

void
service_conf_init(struct conf_service *s, struct conf_svc_aux *x,
    const char *name, int line)
{
	memset(s, 0, sizeof(*s));
	memset(x, 0, sizeof(*x));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->origin = ORIGIN_IGP;
	s->all_peers = true;
	s->drain_time_ms = CONF_DEFAULT_DRAIN_TIME;
	s->line = line;
}

void
service_conf_key(struct conf_ctx *cx, struct conf_service *s,
    struct conf_svc_aux *x, const char *name, const char *value)
{
	conf_key_run(cx, conf_svc_keys, SK_N, x->seen, s, x, name, value);
}

const char *
service_conf_key_name(int key)
{
	return conf_svc_keys[key].name;
}

static bool
str_same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* does the service go to the same peers (by name)? */
static bool
svc_peers_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	size_t i, k;

	if (a->all_peers != b->all_peers)
		return false;
	if (a->all_peers)
		return true;
	for (i = 0; i < ca->npeers; i++) {
		bool in_b = false;

		for (k = 0; k < cb->npeers; k++)
			if (str_same(ca->peers[i].name, cb->peers[k].name))
				in_b = b->use_peer[k];
		if (a->use_peer[i] != in_b)
			return false;
	}
	/* a peer new to the file that b uses */
	for (k = 0; k < cb->npeers; k++) {
		bool in_a = false;

		if (!b->use_peer[k])
			continue;
		for (i = 0; i < ca->npeers; i++)
			if (str_same(ca->peers[i].name, cb->peers[k].name))
				in_a = true;
		if (!in_a)
			return false;
	}
	return true;
}

static bool
svc_checks_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	size_t i;

	if (a->nchecks != b->nchecks)
		return false;
	for (i = 0; i < a->nchecks; i++)
		if (!str_same(ca->checks[a->checks[i]].name,
		    cb->checks[b->checks[i]].name))
			return false;
	return true;
}

static bool
svc_attrs_same(const struct conf_service *a, const struct conf_service *b)
{
	size_t i;

	if (a->nprefixes != b->nprefixes || a->ncomm != b->ncomm ||
	    a->nlcomm != b->nlcomm || a->has_med != b->has_med ||
	    (a->has_med && a->med != b->med) ||
	    a->has_local_pref != b->has_local_pref ||
	    (a->has_local_pref && a->local_pref != b->local_pref) ||
	    a->origin != b->origin)
		return false;
	for (i = 0; i < a->nprefixes; i++)
		if (prefix_cmp(&a->prefixes[i], &b->prefixes[i]) != 0)
			return false;
	return memcmp(a->comm, b->comm, a->ncomm * sizeof(a->comm[0])) == 0 &&
	    memcmp(a->lcomm, b->lcomm, a->nlcomm * sizeof(a->lcomm[0])) == 0;
}

static bool
svc_health_same(const struct conf_service *a, const struct conf_service *b)
{
	if (a->hold_down_ms != b->hold_down_ms || a->on_down != b->on_down ||
	    a->has_degrade_med != b->has_degrade_med ||
	    (a->has_degrade_med && a->degrade_med != b->degrade_med) ||
	    a->degrade_prepend != b->degrade_prepend ||
	    a->ndegrade_comm != b->ndegrade_comm ||
	    memcmp(a->degrade_comm, b->degrade_comm,
	    a->ndegrade_comm * sizeof(a->degrade_comm[0])) != 0 ||
	    !str_same(a->vip_interface, b->vip_interface) ||
	    a->drain_time_ms != b->drain_time_ms ||
	    !conf_nomad_watch_same(&a->nomad, &b->nomad))
		return false;
	return true;
}

bool
conf_service_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	return str_same(a->name, b->name) && svc_attrs_same(a, b) &&
	    svc_health_same(a, b) && svc_peers_same(ca, a, cb, b) &&
	    svc_checks_same(ca, a, cb, b);
}
