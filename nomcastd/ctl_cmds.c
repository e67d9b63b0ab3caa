/*
 * ctl_cmds.c - nomcastd's control commands: parse a request line, build
 * the JSON reply from the daemon's state; see control.h.
 *
 * A request is a JSON object {"cmd":"show peers","args":["edge"]} or the
 * same words as a plain text line ("show peers edge"); the reply is one
 * JSON object either way: {"ok":true,"data":{...}} or
 * {"ok":false,"error":"..."} (check adds its data to an error too).  The
 * json-c objects live and die in this file: the transport only sees the
 * finished text.  Every field is described in nomcastctl(1).
 */
#include "nomcastd/control.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bfd/bfd.h"
#include "lib/ctl_cmds_table.h"
#include "lib/mono.h"
#include "nomcastd/daemon.h"
#include "bgpd/notif.h"
#include "bgpd/ribout.h"
#include "nomcastd/peer_bfd.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"
#include "nomad/watch.h"

#define CTL_MAX_WORDS	16
#define CTL_ERR_MAX	8192	/* reload: many file:line errors */

typedef struct json_object jobj;

struct ctl_req {
	char		*w[CTL_MAX_WORDS];
	size_t		 n;
	char		 buf[CTL_MAX_LINE + CTL_MAX_WORDS];
	size_t		 used;
};

/* what a command returns: data (owned) or raw JSON text, and an error */
struct ctl_res {
	jobj		*data;
	char		*raw;		/* malloc'd, serialised data */
	char		 err[CTL_ERR_MAX];
};

/* a command's handler: args are the words after the command's own */
typedef int (*ctl_cmd_fn)(struct nomcast *, char *const *args, size_t nargs,
	    struct ctl_res *);

/* ---- small builders ---- */

static void
jadd(jobj *o, const char *key, jobj *v)
{
	/* json-c takes v; NULL is stored as JSON null */
	json_object_object_add(o, key, v);
}

/* length of the valid UTF-8 sequence at s, or 0 (RFC 3629 4) */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * A JSON string.  What goes out must be UTF-8 (RFC 8259 8.1), and
 * strings here may echo a client's bytes or a check's output: each byte
 * that is not part of valid UTF-8 becomes '?'.
 */
static jobj *
jstr(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n, len = strlen(s);
	jobj *o;
	char *t;

	for (i = 0; i < len; i += n)
		if ((n = utf8_len(u + i)) == 0)
			break;
	if (i >= len)
		return json_object_new_string(s);
	if ((t = strdup(s)) == NULL)
		return NULL;
	for (; i < len; i += n)
		if ((n = utf8_len(u + i)) == 0) {
			t[i] = '?';
			n = 1;
		}
	o = json_object_new_string(t);
	free(t);
	return o;
}

static jobj *
jint(int64_t v)
{
	return json_object_new_int64(v);
}

static jobj *
jbool(bool v)
{
	return json_object_new_boolean(v);
}

/* a decimal with fixed places, not json-c's %.17g */
static jobj *
jdouble(double v, int places)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", places, v);
	return json_object_new_double_s(v, buf);
}

static void
rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "<key>": RFC 3339, "<key>_unix", and "<key>_seconds" ago */
static void
jtime(jobj *o, const char *key, time_t t, time_t now)
{
	char k[64], buf[32];

	rfc3339(t, buf, sizeof(buf));
	jadd(o, key, jstr(buf));
	snprintf(k, sizeof(k), "%s_unix", key);
	jadd(o, k, jint((int64_t)t));
	snprintf(k, sizeof(k), "%s_seconds", key);
	jadd(o, k, jint(now >= t ? (int64_t)(now - t) : 0));
}

static char *
jtext(jobj *o)
{
	return strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* the verdict machine keeps CLOCK_MONOTONIC ms (service.c): to wall time */
static time_t
mono_ms_to_wall(uint64_t ms, time_t now)
{
	uint64_t mnow = mono_ms();

	if (ms >= mnow)
		return now;
	return now - (time_t)((mnow - ms + 500) / 1000);
}

/* a growing text buffer with a sticky error, for show routes */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 err;
};

static void
sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->err = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* ---- lookups ---- */

/* by name or address */
static const struct peer *
find_peer(struct nomcast *nc, const char *key)
{
	struct peer_info pi;
	size_t i;

	for (i = 0; i < nc->sp.npeers; i++) {
		peer_info(nc->sp.peers[i], &pi);
		if (strcmp(pi.name, key) == 0 || strcmp(pi.address, key) == 0)
			return nc->sp.peers[i];
	}
	return NULL;
}

/* the optional PEER of a show command: NULL for all, or -1 and why */
static int
peer_arg(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r, const struct peer **one)
{
	*one = NULL;
	if (nargs == 1 && (*one = find_peer(nc, args[0])) == NULL) {
		snprintf(r->err, sizeof(r->err), "no such peer: %s", args[0]);
		return -1;
	}
	return 0;
}

static const struct svc *
find_svc(struct nomcast *nc, const char *name)
{
	struct svc_info si;
	size_t i;

	for (i = 0; i < nc->nsvcs; i++) {
		svc_info(&nc->svcs[i], &si);
		if (strcmp(si.name, name) == 0)
			return &nc->svcs[i];
	}
	return NULL;
}

static const char *
check_type_name(enum check_type t)
{
	switch (t) {
	case CHECK_HTTP:
		return "http";
	case CHECK_TCP:
		return "tcp";
	case CHECK_WATCH:
		return "watch";
	case CHECK_EXEC:
		return "exec";
	}
	return "unknown";
}

static const char *
mode_name(enum svc_mode m)
{
	switch (m) {
	case SVC_MODE_NONE:
		return "withdrawn";
	case SVC_MODE_NORMAL:
		return "normal";
	case SVC_MODE_DEGRADED:
		return "degraded";
	case SVC_MODE_DRAINING:
		return "draining";
	}
	return "unknown";
}

static const char *
origin_name(uint8_t o)
{
	switch (o) {
	case ORIGIN_IGP:
		return "igp";
	case ORIGIN_EGP:
		return "egp";
	default:
		return "incomplete";
	}
}

/* a BGP identifier (host order) as a dotted quad */
static const char *
id_str(uint32_t v, char *buf, size_t len)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	a.afi = AFI_IPV4;
	a.b[0] = (uint8_t)(v >> 24);
	a.b[1] = (uint8_t)(v >> 16);
	a.b[2] = (uint8_t)(v >> 8);
	a.b[3] = (uint8_t)v;
	return addr_str(&a, buf, len);
}

/* ---- show status ---- */

/* this start and the coming exit, as graceful restart sees them */
static jobj *
restart_json(const struct nomcast *nc)
{
	const struct restart_state *rs = &nc->restart;
	jobj *o = json_object_new_object();

	jadd(o, "configured", jbool(conf_gr_configured(&nc->conf)));
	jadd(o, "last_start_graceful", jbool(rs->came_back));
	jadd(o, "restarting", jbool(nc->sp.gr_eor_held));
	jadd(o, "eor_after_ms", rs->eor_ms > 0 ? jint((int64_t)rs->eor_ms) :
	    NULL);
	jadd(o, "eor_by_timer", jbool(rs->eor_by_timer));
	jadd(o, "record_not_used", rs->record_why[0] != '\0' ?
	    jstr(rs->record_why) : NULL);
	jadd(o, "exit_mode", jstr(gr_force_name(rs->mode)));
	return o;
}

static int
cmd_status(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	jobj *d = json_object_new_object(), *o;
	time_t now = time(NULL);
	size_t i, est = 0, n[VERDICT_DRAINING + 1] = { 0 }, ann = 0;
	char buf[PREFIX_STRLEN];
	struct peer_info pi;
	struct svc_info si;

	(void)args;
	(void)nargs;
	for (i = 0; i < nc->sp.npeers; i++) {
		peer_info(nc->sp.peers[i], &pi);
		est += pi.state == FSM_ESTABLISHED;
	}
	for (i = 0; i < nc->nsvcs; i++) {
		svc_info(&nc->svcs[i], &si);
		if (si.verdict <= VERDICT_DRAINING)
			n[si.verdict]++;
		ann += si.mode != SVC_MODE_NONE;
	}

	jadd(d, "version", jstr(NOMCAST_VERSION));
	jadd(d, "pid", jint((int64_t)getpid()));
	jtime(d, "started", nc->started, now);
	jadd(d, "router_id", jstr(id_str(nc->conf.bgp.router_id, buf,
	    sizeof(buf))));
	jadd(d, "asn", jint(nc->conf.bgp.asn));
	o = json_object_new_object();
	jadd(o, "file", jstr(nc->conf.path));
	jtime(o, "loaded", nc->conf_loaded, now);
	jadd(d, "config", o);
	jadd(d, "control_socket", jstr(nc->ctl ? ctl_path(nc->ctl) : ""));
	jadd(d, "control_clients", jint((int64_t)ctl_nclients(nc->ctl)));
	jadd(d, "stopping", jbool(nc->sp.stopping));
	o = json_object_new_object();
	jadd(o, "configured", jint((int64_t)nc->sp.npeers));
	jadd(o, "established", jint((int64_t)est));
	jadd(d, "peers", o);
	o = json_object_new_object();
	jadd(o, "configured", jint((int64_t)nc->nsvcs));
	jadd(o, "up", jint((int64_t)n[VERDICT_UP]));
	jadd(o, "down", jint((int64_t)n[VERDICT_DOWN]));
	jadd(o, "unknown", jint((int64_t)n[VERDICT_UNKNOWN]));
	jadd(o, "draining", jint((int64_t)n[VERDICT_DRAINING]));
	jadd(o, "announced", jint((int64_t)ann));
	jadd(d, "services", o);
	jadd(d, "checks", jint((int64_t)nc->nchecks_rt));
	jadd(d, "graceful_restart", restart_json(nc));
	r->data = d;
	return 0;
}

/* ---- show peers ---- */

static jobj *
peer_json(struct nomcast *nc, const struct peer_info *pi, time_t now)
{
	jobj *o = json_object_new_object(), *e, *caps, *gr;
	char buf[PREFIX_STRLEN];

	jadd(o, "name", jstr(pi->name));
	jadd(o, "address", jstr(pi->address));
	jadd(o, "port", jint(pi->cf->port));
	jadd(o, "asn", jint(pi->cf->asn));
	jadd(o, "local_asn", jint(nc->conf.bgp.asn));
	jadd(o, "type", jstr(conf_peer_is_ibgp(&nc->conf.bgp, pi->cf) ? "ibgp" :
	    "ebgp"));
	jadd(o, "passive", jbool(pi->cf->passive));
	jadd(o, "state", jstr(fsm_state_name(pi->state)));
	jadd(o, "admin_down", jbool(pi->admin_down));
	jadd(o, "bfd_held", jbool(pi->gated));
	jtime(o, "since", pi->since, now);
	if (addr_is_set(&pi->local))
		jadd(o, "local_address", jstr(addr_str(&pi->local, buf,
		    sizeof(buf))));
	else
		jadd(o, "local_address", NULL);
	if (pi->has_remote_id)
		jadd(o, "remote_id", jstr(id_str(pi->remote_id, buf,
		    sizeof(buf))));
	else
		jadd(o, "remote_id", NULL);
	jadd(o, "hold_time_configured", jint(pi->cf->hold_time));
	if (pi->negotiated) {
		/* RFC 4271 4.2: the smaller of the two OPENs' values */
		jadd(o, "hold_time", jint(pi->hold_time));
		jadd(o, "keepalive_time", jint(pi->hold_time / 3));
		caps = json_object_new_object();
		jadd(caps, "as4", jbool(pi->as4));
		jadd(caps, "ipv4", jbool(pi->ipv4));
		jadd(caps, "ipv6", jbool(pi->ipv6));
		jadd(caps, "route_refresh", jbool(pi->route_refresh));
		jadd(caps, "enhanced_route_refresh",
		    jbool(pi->enhanced_route_refresh));
		jadd(caps, "graceful_restart", jbool(pi->graceful_restart));
		jadd(o, "capabilities", caps);
		gr = json_object_new_object();
		jadd(gr, "negotiated", jbool(pi->gr_negotiated));
		jadd(gr, "notification", jbool(pi->gr_notification));
		jadd(gr, "peer_restart_time", pi->graceful_restart ?
		    jint(pi->gr_peer_time) : NULL);
		jadd(gr, "eor_sent", jbool(pi->eor_sent));
		jadd(o, "graceful_restart", gr);
	} else {
		jadd(o, "hold_time", NULL);
		jadd(o, "keepalive_time", NULL);
		jadd(o, "capabilities", NULL);
		jadd(o, "graceful_restart", NULL);
	}
	jadd(o, "graceful_restart_configured",
	    jbool(pi->cf->graceful_restart));
	jadd(o, "restart_time_configured", pi->cf->graceful_restart ?
	    jint(pi->cf->restart_time) : NULL);
	jadd(o, "eor_sent_total", jint((int64_t)pi->st.eor_sent));
	jadd(o, "eor_received_total", jint((int64_t)pi->st.eor_rcvd));
	jadd(o, "messages_in", jint((int64_t)pi->st.msgs_in));
	jadd(o, "messages_out", jint((int64_t)pi->st.msgs_out));
	jadd(o, "updates_in", jint((int64_t)pi->st.updates_in));
	jadd(o, "updates_out", jint((int64_t)pi->st.updates_out));
	jadd(o, "flaps", jint((int64_t)pi->st.flaps));
	jadd(o, "updates_treat_as_withdraw",
	    jint((int64_t)pi->st.updates_treat_as_withdraw));
	jadd(o, "updates_attr_discard",
	    jint((int64_t)pi->st.updates_attr_discard));
	jadd(o, "send_hold_expired", jint((int64_t)pi->st.send_hold_expired));
	jadd(o, "prefixes_out", jint((int64_t)pi->prefixes_out));
	jadd(o, "prefixes_desired", jint((int64_t)pi->prefixes_desired));
	if (pi->has_last_err) {
		e = json_object_new_object();
		jadd(e, "code", jint(pi->last_err.code));
		jadd(e, "subcode", jint(pi->last_err.subcode));
		jadd(e, "code_name", jstr(notif_code_name(pi->last_err.code)));
		jadd(e, "subcode_name", jstr(notif_subcode_name(
		    pi->last_err.code, pi->last_err.subcode)));
		jadd(e, "direction", jstr(pi->last_err_rcvd ? "received" :
		    "sent"));
		jadd(o, "last_error", e);
	} else {
		jadd(o, "last_error", NULL);
	}
	return o;
}

static int
cmd_peers(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	const struct peer *one = NULL;
	struct peer_info pi;
	jobj *a;
	time_t now = time(NULL);
	size_t i;

	if (peer_arg(nc, args, nargs, r, &one) == -1)
		return -1;
	r->data = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < nc->sp.npeers; i++) {
		if (one != NULL && nc->sp.peers[i] != one)
			continue;
		peer_info(nc->sp.peers[i], &pi);
		json_object_array_add(a, peer_json(nc, &pi, now));
	}
	jadd(r->data, "peers", a);
	return 0;
}

/* ---- show bfd ---- */

static uint64_t
discarded(const struct bfd_counters *c)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < BFD_DISC_MAX; i++)
		n += c->discarded[i];
	return n;
}

static jobj *
bfd_json(const struct bfd_session_info *si, const struct peer_bfd *pb,
    time_t now)
{
	jobj *o = json_object_new_object(), *c;
	char buf[PREFIX_STRLEN];

	jadd(o, "name", jstr(si->name));
	jadd(o, "peer", jstr(addr_str(&si->peer, buf, sizeof(buf))));
	jadd(o, "local", addr_is_set(&si->local) ?
	    jstr(addr_str(&si->local, buf, sizeof(buf))) : NULL);
	jadd(o, "source_port", jint(si->src_port));
	jadd(o, "multihop", jbool(si->multihop));
	jadd(o, "state", jstr(bfd_state_name(si->state)));
	jadd(o, "remote_state", jstr(bfd_state_name(si->remote_state)));
	jadd(o, "diag", jstr(bfd_diag_name(si->local_diag)));
	jadd(o, "remote_diag", jstr(bfd_diag_name(si->remote_diag)));
	jtime(o, "since", mono_ms_to_wall(si->changed_ms, now), now);
	jadd(o, "local_discriminator", jint(si->local_discr));
	jadd(o, "remote_discriminator", jint(si->remote_discr));
	jadd(o, "tx_interval_seconds", jdouble(si->tx_interval_us / 1e6, 6));
	jadd(o, "rx_interval_seconds", jdouble(si->rx_interval_us / 1e6, 6));
	jadd(o, "detect_multiplier", jint(si->detect_mult));
	jadd(o, "remote_detect_multiplier", jint(si->remote_detect_mult));
	jadd(o, "detect_time_seconds",
	    jdouble((double)si->detect_time_us / 1e6, 6));
	jadd(o, "auth", jstr(bfd_auth_name(si->auth_type)));
	c = json_object_new_object();
	jadd(c, "rx", jint((int64_t)si->cnt.rx));
	jadd(c, "tx", jint((int64_t)si->cnt.tx));
	jadd(c, "rx_late", jint((int64_t)si->cnt.late));
	jadd(c, "tx_errors", jint((int64_t)si->tx_errors));
	jadd(c, "discarded", jint((int64_t)discarded(&si->cnt)));
	jadd(c, "transitions", jint((int64_t)si->cnt.transitions));
	jadd(c, "failures", jint((int64_t)si->downs));
	jadd(c, "bgp_closed", jint((int64_t)(pb != NULL ? pb->downs : 0)));
	jadd(o, "counters", c);
	jadd(o, "tx_gap_max_seconds",
	    jdouble((double)si->tx_gap_max_us / 1e6, 6));
	return o;
}

static int
cmd_bfd(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	const struct peer *one = NULL;
	struct bfd_session_info si;
	jobj *a;
	time_t now = time(NULL);
	size_t i;

	if (peer_arg(nc, args, nargs, r, &one) == -1)
		return -1;
	r->data = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; nc->pbfd != NULL && i < nc->sp.npeers; i++) {
		if (nc->pbfd[i] == NULL || nc->pbfd[i]->s == NULL ||
		    (one != NULL && nc->sp.peers[i] != one))
			continue;
		bfd_session_info(nc->pbfd[i]->s, &si);
		json_object_array_add(a, bfd_json(&si, nc->pbfd[i], now));
	}
	jadd(r->data, "sessions", a);
	return 0;
}

/* ---- show services ---- */

/* the Nomad source: an agent outage it is riding out, if any */
static void
nomad_json(jobj *o, const struct nomad_watch *w)
{
	double secs = 0;
	enum nomad_outage out = nomad_watch_outage(w, &secs);

	if (out == NOMAD_OUT_NONE) {
		jadd(o, "outage", NULL);
		jadd(o, "outage_seconds", NULL);
		return;
	}
	jadd(o, "outage", jstr(nomad_outage_name(out)));
	jadd(o, "outage_seconds", jdouble(secs, 3));
}

static jobj *
source_json(const struct svc *s, size_t k)
{
	struct svc_src_info src;
	struct check_info ci;
	jobj *o = json_object_new_object();

	svc_src_info(s, k, &src);
	jadd(o, "name", jstr(src.name));
	jadd(o, "kind", jstr(src.kind == SVC_SRC_CHECK ? "check" :
	    src.kind == SVC_SRC_NOMAD ? "nomad" : "source"));
	jadd(o, "state", jstr(src_state_name(src.state)));
	jadd(o, "reason", jstr(src.reason));
	jadd(o, "rise", jint(src.rise));
	jadd(o, "fall", jint(src.fall));
	jadd(o, "passes", jint(src.passes));
	jadd(o, "failures", jint(src.failures));
	if (src.kind != SVC_SRC_CHECK) {
		jadd(o, "check", NULL);
		if (src.kind == SVC_SRC_NOMAD)
			nomad_json(o, src.nomad);
		return o;
	}
	check_info(src.check, &ci);
	jadd(o, "check", jstr(ci.name));
	jadd(o, "type", jstr(check_type_name(ci.cf->type)));
	jadd(o, "interval_seconds", jdouble(ci.cf->interval_ms / 1000.0, 3));
	jadd(o, "timeout_seconds", jdouble(ci.cf->timeout_ms / 1000.0, 3));
	jadd(o, "probes", jint((int64_t)ci.probes));
	if (ci.has_result) {
		jadd(o, "last_result", jstr(ci.last_pass ? "pass" : "fail"));
		jadd(o, "latency_seconds", jdouble(ci.last_latency, 6));
		jadd(o, "output", jstr(ci.last_reason));
	} else {
		jadd(o, "last_result", NULL);
		jadd(o, "latency_seconds", NULL);
		jadd(o, "output", NULL);
	}
	return o;
}

static jobj *
svc_json(const struct svc *s, time_t now)
{
	jobj *o = json_object_new_object(), *a;
	struct svc_info si;
	const struct conf_service *cf;
	char buf[PREFIX_STRLEN];
	size_t k;

	svc_info(s, &si);
	cf = si.cf;
	jadd(o, "name", jstr(si.name));
	jadd(o, "verdict", jstr(verdict_state_name(si.verdict)));
	jtime(o, "since", mono_ms_to_wall(si.since_ms, now), now);
	jadd(o, "reason", jstr(si.reason));
	jadd(o, "mode", jstr(mode_name(si.mode)));
	jadd(o, "announced", jbool(si.mode != SVC_MODE_NONE));
	jadd(o, "drain", jbool(si.drain));
	jadd(o, "on_down", jstr(cf->on_down == ON_DOWN_DEGRADE ?
	    "degrade" : "withdraw"));
	jadd(o, "hold_down_seconds", jdouble(cf->hold_down_ms / 1000.0, 3));
	if (cf->vip_interface[0] != '\0') {
		jadd(o, "vip_interface", jstr(cf->vip_interface));
		jadd(o, "vip", jbool(si.vip_on));
	} else {
		jadd(o, "vip_interface", NULL);
		jadd(o, "vip", NULL);
	}
	a = json_object_new_array();
	for (k = 0; k < cf->nprefixes; k++)
		json_object_array_add(a, jstr(prefix_str(&cf->prefixes[k],
		    buf, sizeof(buf))));
	jadd(o, "prefixes", a);
	a = json_object_new_array();
	for (k = 0; k < si.nsrcs; k++)
		json_object_array_add(a, source_json(s, k));
	jadd(o, "sources", a);
	return o;
}

static int
cmd_services(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	const struct svc *one = NULL;
	jobj *a;
	time_t now = time(NULL);
	size_t i;

	if (nargs == 1 && (one = find_svc(nc, args[0])) == NULL) {
		snprintf(r->err, sizeof(r->err), "no such service: %s",
		    args[0]);
		return -1;
	}
	r->data = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < nc->nsvcs; i++) {
		if (one != NULL && &nc->svcs[i] != one)
			continue;
		json_object_array_add(a, svc_json(&nc->svcs[i], now));
	}
	jadd(r->data, "services", a);
	return 0;
}

/* ---- show routes ---- */

struct route_walk {
	struct sbuf	*b;
	time_t		 now;
	size_t		 n;
};

/*
 * One route as one small object, serialised at once: an Adj-RIB-Out of
 * 100,000 routes never becomes a tree of a million json-c objects.
 */
static int
route_cb(void *ctx, const struct prefix *px, const struct bgp_attrs *a,
    int64_t sent_at)
{
	struct route_walk *w = ctx;
	jobj *o = json_object_new_object(), *arr;
	char buf[PREFIX_STRLEN], c[40];
	uint8_t i;

	jadd(o, "prefix", jstr(prefix_str(px, buf, sizeof(buf))));
	if (px->afi == AFI_IPV4) {
		jadd(o, "next_hop", jstr(addr_str(&a->nh4, buf, sizeof(buf))));
		jadd(o, "next_hop_ll", NULL);
	} else {
		jadd(o, "next_hop", jstr(addr_str(&a->nh6, buf, sizeof(buf))));
		jadd(o, "next_hop_ll", addr_is_set(&a->nh6_ll) ?
		    jstr(addr_str(&a->nh6_ll, buf, sizeof(buf))) : NULL);
	}
	jadd(o, "origin", jstr(origin_name(a->origin)));
	arr = json_object_new_array();
	for (i = 0; i < a->aspath_len && i < ATTR_MAX_ASPATH; i++)
		json_object_array_add(arr, jint(a->aspath[i]));
	jadd(o, "as_path", arr);
	jadd(o, "med", a->has_med ? jint(a->med) : NULL);
	jadd(o, "local_pref", a->has_local_pref ? jint(a->local_pref) : NULL);
	arr = json_object_new_array();
	for (i = 0; i < a->ncomm && i < ATTR_MAX_COMMUNITIES; i++) {
		snprintf(c, sizeof(c), "%" PRIu32 ":%" PRIu32,
		    a->comm[i] >> 16, a->comm[i] & 0xffff);
		json_object_array_add(arr, jstr(c));
	}
	jadd(o, "communities", arr);
	arr = json_object_new_array();
	for (i = 0; i < a->nlcomm && i < ATTR_MAX_LCOMMUNITIES; i++) {
		snprintf(c, sizeof(c), "%" PRIu32 ":%" PRIu32 ":%" PRIu32,
		    a->lcomm[i].global, a->lcomm[i].local1,
		    a->lcomm[i].local2);
		json_object_array_add(arr, jstr(c));
	}
	jadd(o, "large_communities", arr);
	jtime(o, "sent", (time_t)sent_at, w->now);
	if (w->n++ > 0)
		sb_add(w->b, ",");
	sb_add(w->b, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return w->b->err ? -1 : 0;
}

static int
cmd_routes(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	const struct peer *one = NULL;
	struct peer_info pi;
	struct sbuf b = { 0 };
	struct route_walk w;
	const char *hdr;
	size_t i, np = 0;
	jobj *o;

	if (peer_arg(nc, args, nargs, r, &one) == -1)
		return -1;
	sb_add(&b, "{\"peers\":[");
	for (i = 0; i < nc->sp.npeers; i++) {
		if (one != NULL && nc->sp.peers[i] != one)
			continue;
		peer_info(nc->sp.peers[i], &pi);
		o = json_object_new_object();
		jadd(o, "name", jstr(pi.name));
		jadd(o, "address", jstr(pi.address));
		jadd(o, "state", jstr(fsm_state_name(pi.state)));
		jadd(o, "prefixes_out", jint((int64_t)pi.prefixes_out));
		/* the object without its closing brace, then its routes */
		hdr = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (np++ > 0)
			sb_add(&b, ",");
		sb_add(&b, hdr);
		if (!b.err)
			b.p[--b.len] = '\0';
		json_object_put(o);
		sb_add(&b, ",\"routes\":[");
		w.b = &b;
		w.now = time(NULL);
		w.n = 0;
		(void)ribout_walk_sent(pi.ro, route_cb, &w);
		sb_add(&b, "]}");
	}
	sb_add(&b, "]}");
	if (b.err) {
		free(b.p);
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -1;
	}
	r->raw = b.p;
	return 0;
}

/* ---- check, drain, reload ---- */

static int
cmd_check(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	struct conf c;
	struct conf_diag d;
	jobj *a;
	size_t i;
	int rc;

	(void)args;
	(void)nargs;
	rc = conf_load(nc->conf.path, &c, &d);
	conf_free(&c);
	r->data = json_object_new_object();
	jadd(r->data, "file", jstr(nc->conf.path));
	jadd(r->data, "valid", jbool(rc == 0));
	jadd(r->data, "errors", jint((int64_t)d.nerr));
	jadd(r->data, "warnings", jint((int64_t)d.nwarn));
	a = json_object_new_array();
	for (i = 0; i < d.n; i++)
		json_object_array_add(a, jstr(d.lines[i]));
	jadd(r->data, "diagnostics", a);
	if (rc == -1)
		snprintf(r->err, sizeof(r->err), "%s: %zu error%s",
		    nc->conf.path, d.nerr, d.nerr == 1 ? "" : "s");
	conf_diag_free(&d);
	return rc == -1 ? -1 : 0;
}

static int
drain_common(struct nomcast *nc, char *const *args, bool on,
    struct ctl_res *r)
{
	const char *name = strcmp(args[0], "--all") == 0 ? NULL : args[0];

	if (name != NULL && find_svc(nc, name) == NULL) {
		snprintf(r->err, sizeof(r->err), "no such service: %s", name);
		return -1;
	}
	if (nc->ctl_ops.drain == NULL ||
	    nc->ctl_ops.drain(nc, name, on, r->err, sizeof(r->err)) == -1) {
		if (r->err[0] == '\0')
			snprintf(r->err, sizeof(r->err), "%s failed",
			    on ? "drain" : "undrain");
		return -1;
	}
	r->data = json_object_new_object();
	jadd(r->data, "service", name != NULL ? jstr(name) : NULL);
	jadd(r->data, "drain", jbool(on));
	return 0;
}

static int
cmd_drain(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	(void)nargs;
	return drain_common(nc, args, true, r);
}

static int
cmd_undrain(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	(void)nargs;
	return drain_common(nc, args, false, r);
}

/* {"keep": n, "reset": n, "add": n, "delete": n} */
static jobj *
plan_counts(const unsigned n[PLAN_NOPS])
{
	jobj *o = json_object_new_object();
	int op;

	for (op = 0; op < PLAN_NOPS; op++)
		jadd(o, plan_op_name((enum plan_op)op), jint(n[op]));
	return o;
}

static int
cmd_reload(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	struct reload_result res;
	jobj *keys;
	time_t now;
	size_t i;

	(void)args;
	(void)nargs;
	if (nc->ctl_ops.reload == NULL ||
	    nc->ctl_ops.reload(nc, &res, r->err, sizeof(r->err)) == -1) {
		if (r->err[0] == '\0')
			snprintf(r->err, sizeof(r->err), "reload failed");
		return -1;
	}
	now = time(NULL);
	r->data = json_object_new_object();
	jadd(r->data, "file", jstr(nc->conf.path));
	jtime(r->data, "loaded", nc->conf_loaded, now);
	jadd(r->data, "peers", plan_counts(res.peers));
	jadd(r->data, "services", plan_counts(res.services));
	jadd(r->data, "checks", plan_counts(res.checks));
	keys = json_object_new_array();
	for (i = 0; i < res.nrestart_only; i++)
		json_object_array_add(keys, jstr(res.restart_only[i]));
	jadd(r->data, "restart_needed", keys);
	return 0;
}

/* the mode word of exit-mode and shutdown, or the current mode */
static int
mode_arg(struct nomcast *nc, char *const *args, size_t nargs,
    enum gr_force *f, struct ctl_res *r)
{
	*f = nc->restart.mode;
	if (nargs == 0)
		return 0;
	if (gr_force_parse(args[0], f) == -1) {
		snprintf(r->err, sizeof(r->err), "unknown mode '%s' (auto, "
		    "graceful or hard)", args[0]);
		return -1;
	}
	return 0;
}

static int
cmd_exit_mode(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	enum gr_force f;

	if (mode_arg(nc, args, nargs, &f, r) == -1)
		return -1;
	if (nargs > 0 && f != nc->restart.mode) {
		log_info("msg=\"exit mode set by nomcastctl\" mode=%s was=%s",
		    gr_force_name(f), gr_force_name(nc->restart.mode));
		nc->restart.mode = f;
	}
	r->data = json_object_new_object();
	jadd(r->data, "exit_mode", jstr(gr_force_name(nc->restart.mode)));
	jadd(r->data, "graceful_restart_configured",
	    jbool(conf_gr_configured(&nc->conf)));
	return 0;
}

static int
cmd_shutdown(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	enum gr_force f;

	if (mode_arg(nc, args, nargs, &f, r) == -1)
		return -1;
	if (nc->ctl_ops.shutdown == NULL ||
	    nc->ctl_ops.shutdown(nc, f, r->err, sizeof(r->err)) == -1) {
		if (r->err[0] == '\0')
			snprintf(r->err, sizeof(r->err), "shutdown failed");
		return -1;
	}
	r->data = json_object_new_object();
	jadd(r->data, "mode", jstr(gr_force_name(f)));
	return 0;
}

static int
cmd_help(struct nomcast *nc, char *const *args, size_t nargs,
    struct ctl_res *r)
{
	jobj *a = json_object_new_array();
	size_t i;

	(void)nc;
	(void)args;
	(void)nargs;
	for (i = 0; i < CTL_CMD_N; i++)
		json_object_array_add(a, jstr(ctl_cmd_table[i].usage));
	r->data = json_object_new_object();
	jadd(r->data, "commands", a);
	return 0;
}

/* the words, argument counts and usage are lib/ctl_cmds_table.c's */
static const ctl_cmd_fn ctl_handlers[] = {
	[CTL_CMD_SHOW_STATUS] = cmd_status,
	[CTL_CMD_SHOW_PEERS] = cmd_peers,
	[CTL_CMD_SHOW_SERVICES] = cmd_services,
	[CTL_CMD_SHOW_ROUTES] = cmd_routes,
	[CTL_CMD_SHOW_BFD] = cmd_bfd,
	[CTL_CMD_CHECK] = cmd_check,
	[CTL_CMD_DRAIN] = cmd_drain,
	[CTL_CMD_UNDRAIN] = cmd_undrain,
	[CTL_CMD_RELOAD] = cmd_reload,
	[CTL_CMD_EXIT_MODE] = cmd_exit_mode,
	[CTL_CMD_SHUTDOWN] = cmd_shutdown,
	[CTL_CMD_HELP] = cmd_help,
};
/* a command added to the table without a handler does not build */
_Static_assert(sizeof(ctl_handlers) / sizeof(ctl_handlers[0]) == CTL_CMD_N,
    "one handler per command of ctl_cmd_table");

/* ---- requests ---- */

static int
req_word(struct ctl_req *q, const char *w, size_t len)
{
	if (q->n == CTL_MAX_WORDS || q->used + len + 1 > sizeof(q->buf))
		return -1;
	memcpy(q->buf + q->used, w, len);
	q->buf[q->used + len] = '\0';
	q->w[q->n++] = q->buf + q->used;
	q->used += len + 1;
	return 0;
}

/* split on blanks; -1 if too many words */
static int
req_split(struct ctl_req *q, const char *s)
{
	size_t len;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		for (len = 0; s[len] != '\0' && s[len] != ' ' &&
		    s[len] != '\t'; len++)
			;
		if (req_word(q, s, len) == -1)
			return -1;
		s += len;
	}
}

/* {"cmd":"show routes","args":["edge"]}: 0, or -1 with err */
static int
req_json(struct ctl_req *q, const char *line, char *err, size_t errlen)
{
	struct json_tokener *tok;
	jobj *o, *cmd, *args, *v;
	size_t len = strlen(line), end, i, n;
	int rc = -1;

	if ((tok = json_tokener_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* RFC 8259 as written: no trailing commas, no single quotes */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o == NULL) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		snprintf(err, errlen, "bad JSON: %s",
		    je == json_tokener_continue ? "unexpected end of input" :
		    json_tokener_error_desc(je));
		json_tokener_free(tok);
		return -1;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && (line[end] == ' ' || line[end] == '\t'))
		end++;
	if (end != len) {
		snprintf(err, errlen, "bad JSON: text after the object");
		goto out;
	}
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		snprintf(err, errlen, "bad request: want {\"cmd\":\"...\", "
		    "\"args\":[...]}");
		goto out;
	}
	if (req_split(q, json_object_get_string(cmd)) == -1)
		goto toomany;
	if (json_object_object_get_ex(o, "args", &args) && args != NULL) {
		if (!json_object_is_type(args, json_type_array)) {
			snprintf(err, errlen, "bad request: args is not an "
			    "array of strings");
			goto out;
		}
		n = json_object_array_length(args);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(args, i);
			if (!json_object_is_type(v, json_type_string)) {
				snprintf(err, errlen, "bad request: args is "
				    "not an array of strings");
				goto out;
			}
			if (req_word(q, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v)) == -1)
				goto toomany;
		}
	}
	rc = 0;
	goto out;
toomany:
	snprintf(err, errlen, "bad request: more than %d words",
	    CTL_MAX_WORDS);
out:
	json_object_put(o);
	return rc;
}

static char *
reply(bool ok, jobj *data, const char *raw, const char *err)
{
	jobj *o;
	char *s, *t;
	size_t n;

	if (raw != NULL) {
		/* {"ok":true,"data":RAW} around the pre-serialised data */
		n = strlen(raw) + 32;
		if ((t = malloc(n)) == NULL)
			return NULL;
		snprintf(t, n, "{\"ok\":true,\"data\":%s}", raw);
		return t;
	}
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(data);
		return NULL;
	}
	jadd(o, "ok", jbool(ok));
	if (!ok)
		jadd(o, "error", jstr(err));
	if (data != NULL)
		jadd(o, "data", data);
	s = jtext(o);
	json_object_put(o);
	return s;
}

char *
ctl_handle(void *ctx, const char *line)
{
	struct nomcast *nc = ctx;
	struct ctl_req *q;
	struct ctl_res *r;
	const struct ctl_cmd_desc *cmd;
	size_t nw, nargs;
	char *out;
	int rc;

	q = calloc(1, sizeof(*q));
	r = calloc(1, sizeof(*r));
	if (q == NULL || r == NULL) {
		free(q);
		free(r);
		return NULL;
	}
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '{') {
		if (req_json(q, line, r->err, sizeof(r->err)) == -1)
			goto fail;
	} else if (req_split(q, line) == -1) {
		snprintf(r->err, sizeof(r->err), "bad request: more than %d "
		    "words", CTL_MAX_WORDS);
		goto fail;
	}
	if (q->n == 0) {
		snprintf(r->err, sizeof(r->err), "empty request: try help");
		goto fail;
	}
	if ((cmd = ctl_cmd_match((const char *const *)q->w, q->n, &nw)) ==
	    NULL) {
		snprintf(r->err, sizeof(r->err), "unknown command: %s%s%s",
		    q->w[0], q->n > 1 ? " " : "", q->n > 1 ? q->w[1] : "");
		goto fail;
	}
	nargs = q->n - nw;
	if (!ctl_cmd_nargs_ok(cmd, nargs)) {
		snprintf(r->err, sizeof(r->err), "usage: %s", cmd->usage);
		goto fail;
	}
	rc = ctl_handlers[cmd->id](nc, q->w + nw, nargs, r);
	out = reply(rc == 0, r->data, r->raw, r->err);
	free(r->raw);
	free(q);
	free(r);
	return out;
fail:
	out = reply(false, NULL, NULL, r->err);
	free(q);
	free(r);
	return out;
}

/* ---- the daemon's control socket ---- */

static int
group_id(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (*end == '\0' && end != name && errno == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*gid = gr.gr_gid;
	return 0;
}

int
ctl_start(struct nomcast *nc)
{
	const struct conf_global *g = &nc->conf.g;
	char path[CONF_PATH_MAX], err[256];
	gid_t gid = (gid_t)-1;

	if (ctl_socket_path(g->control_socket_set ? g->control_socket : NULL,
	    path, sizeof(path)) == -1) {
		log_err("msg=\"no control socket: %s\"", LE(path));
		return -1;
	}
	if (g->control_socket_group[0] != '\0' &&
	    group_id(g->control_socket_group, &gid) == -1) {
		log_err("ctl=%s msg=\"no control socket: unknown group '%s'\"",
		    LV(path), LE(g->control_socket_group));
		return -1;
	}
	nc->ctl = ctl_open(nc->loop, path, (mode_t)g->control_socket_mode, gid,
	    NULL, ctl_handle, nc, err, sizeof(err));
	if (nc->ctl == NULL) {
		log_err("ctl=%s msg=\"no control socket: %s\"", LV(path),
		    LE(err));
		return -1;
	}
	log_info("ctl=%s mode=%04o msg=\"control socket ready\"", LV(path),
	    (unsigned)g->control_socket_mode);
	return 0;
}

void
ctl_stop(struct nomcast *nc)
{
	ctl_close(nc->ctl);
	nc->ctl = NULL;
}
