/*
 * nomcastctl.c - the operator's client for nomcastd's control socket.
 *
 * Sends one request, reads one reply line, prints it: aligned tables by
 * default, the reply's data as JSON with -j.  Exit status 0 if the daemon
 * said ok, 1 otherwise or if it could not be asked.  One text output
 * per command, as bgpctl has: the JSON output is the same for every
 * command, the text one is per command.  The commands, their argument
 * counts and their help are lib/ctl_cmds_table.c's, as in the daemon: a
 * wrong argument count and help need no daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgpd/community.h"
#include "lib/ctl_cmds_table.h"
#include "lib/ctl_path.h"
#include "lib/version.h"

#define REPLY_TIMEOUT	30	/* s: show routes of a big RIB-out */
#define MAX_COLS	10

typedef struct json_object jobj;

/* prints a command's reply data for a human; nargs its argument count */
typedef void (*ctl_output_fn)(jobj *data, int nargs);

/* ---- reading the reply's fields ---- */

static jobj *
get(jobj *o, const char *key)
{
	jobj *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *
gstr(jobj *o, const char *key)
{
	jobj *v = get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static const char *
gstr_or(jobj *o, const char *key, const char *dflt)
{
	const char *s = gstr(o, key);

	return s != NULL ? s : dflt;
}

static int64_t
gint(jobj *o, const char *key)
{
	return json_object_get_int64(get(o, key));
}

static bool
gbool(jobj *o, const char *key)
{
	return json_object_get_boolean(get(o, key));
}

static size_t
alen(jobj *a)
{
	return a != NULL && json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
}

/* 45s, 12m05s, 3h02m, 2d04h */
static const char *
dur(int64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	return buf;
}

/* ---- aligned tables ---- */

struct table {
	size_t	 ncols;
	size_t	 nrows;
	char	**cells;	/* [nrows * ncols], owned */
	size_t	 width[MAX_COLS];
};

static void
tbl_row(struct table *t, ...)
{
	va_list ap;
	char **nc;
	size_t i, w;

	nc = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*nc));
	if (nc == NULL) {
		fprintf(stderr, "nomcastctl: out of memory\n");
		exit(1);
	}
	t->cells = nc;
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		if ((nc[t->nrows * t->ncols + i] = strdup(s ? s : "-")) ==
		    NULL) {
			fprintf(stderr, "nomcastctl: out of memory\n");
			exit(1);
		}
		w = strlen(nc[t->nrows * t->ncols + i]);
		if (w > t->width[i])
			t->width[i] = w;
	}
	va_end(ap);
	t->nrows++;
}

static void
tbl_print_row(const struct table *t, size_t r, const char *indent)
{
	size_t i;

	fputs(indent, stdout);
	for (i = 0; i < t->ncols; i++) {
		const char *s = t->cells[r * t->ncols + i];

		if (i + 1 == t->ncols)
			printf("%s\n", s);
		else
			printf("%-*s  ", (int)t->width[i], s);
	}
}

static void
tbl_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

static void
tbl_print(struct table *t)
{
	size_t r;

	for (r = 0; r < t->nrows; r++)
		tbl_print_row(t, r, "");
	tbl_free(t);
}

/* ---- text output per command ---- */

/* graceful restart, only where it is configured */
static void
out_status_gr(jobj *g)
{
	if (g == NULL || !gbool(g, "configured"))
		return;
	printf("graceful restart exit mode %s", gstr_or(g, "exit_mode", "?"));
	if (gbool(g, "last_start_graceful")) {
		if (gbool(g, "restarting"))
			printf("; came back, End-of-RIB pending");
		else
			printf("; came back, End-of-RIB after %lld ms%s",
			    (long long)gint(g, "eor_after_ms"),
			    gbool(g, "eor_by_timer") ? " (defer time)" : "");
	}
	printf("\n");
}

static void
out_status(jobj *d, int nargs)
{
	jobj *c = get(d, "config"), *p = get(d, "peers");
	jobj *s = get(d, "services");
	char b[32];

	(void)nargs;
	printf("version         nomcastd %s, pid %lld\n",
	    gstr_or(d, "version", "?"), (long long)gint(d, "pid"));
	printf("uptime          %s (since %s)\n",
	    dur(gint(d, "started_seconds"), b, sizeof(b)),
	    gstr_or(d, "started", "?"));
	printf("router id       %s\n", gstr_or(d, "router_id", "?"));
	printf("asn             %lld\n", (long long)gint(d, "asn"));
	printf("config          %s (loaded %s)\n", gstr_or(c, "file", "?"),
	    gstr_or(c, "loaded", "?"));
	printf("control socket  %s (%lld client%s)\n",
	    gstr_or(d, "control_socket", "?"),
	    (long long)gint(d, "control_clients"),
	    gint(d, "control_clients") == 1 ? "" : "s");
	printf("peers           %lld configured, %lld established\n",
	    (long long)gint(p, "configured"),
	    (long long)gint(p, "established"));
	printf("services        %lld configured: %lld up, %lld down, "
	    "%lld unknown, %lld draining; %lld announced\n",
	    (long long)gint(s, "configured"), (long long)gint(s, "up"),
	    (long long)gint(s, "down"), (long long)gint(s, "unknown"),
	    (long long)gint(s, "draining"), (long long)gint(s, "announced"));
	printf("checks          %lld\n", (long long)gint(d, "checks"));
	out_status_gr(get(d, "graceful_restart"));
	if (gbool(d, "stopping"))
		printf("stopping        yes\n");
}

static void
last_error(jobj *e, char *buf, size_t len)
{
	if (e == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%s/%s (%lld/%lld %s)", gstr_or(e, "code_name", "?"),
	    gstr_or(e, "subcode_name", "?"), (long long)gint(e, "code"),
	    (long long)gint(e, "subcode"), gstr_or(e, "direction", "?"));
}

/* graceful restart with this peer, where it is configured */
static void
peer_gr(jobj *p)
{
	jobj *g = get(p, "graceful_restart");

	if (!gbool(p, "graceful_restart_configured"))
		return;
	if (g == NULL || !gbool(g, "negotiated"))
		printf("  graceful rst  offered (restart time %lld s), not "
		    "negotiated", (long long)gint(p, "restart_time_configured"));
	else
		printf("  graceful rst  negotiated%s, restart time %lld s, the "
		    "peer's %lld s", gbool(g, "notification") ?
		    " with N (RFC 8538)" : "",
		    (long long)gint(p, "restart_time_configured"),
		    (long long)gint(g, "peer_restart_time"));
	printf("; End-of-RIB sent %lld, received %lld\n",
	    (long long)gint(p, "eor_sent_total"),
	    (long long)gint(p, "eor_received_total"));
}

static void
peer_detail(jobj *p)
{
	jobj *caps = get(p, "capabilities");
	const char *la;
	char b[32], e[160];

	printf("peer %s, %s port %lld, AS %lld (%s%s)\n",
	    gstr_or(p, "name", "?"),
	    gstr_or(p, "address", "?"), (long long)gint(p, "port"),
	    (long long)gint(p, "asn"), gstr_or(p, "type", "?"),
	    gbool(p, "passive") ? ", passive" : "");
	printf("  state         %s for %s (since %s)%s\n",
	    gstr_or(p, "state", "?"), dur(gint(p, "since_seconds"), b,
	    sizeof(b)), gstr_or(p, "since", "?"),
	    gbool(p, "admin_down") ? ", administratively down" :
	    gbool(p, "bfd_held") ? ", held down by BFD" : "");
	if ((la = gstr(p, "local_address")) != NULL)
		printf("  local         %s, remote id %s\n", la,
		    gstr_or(p, "remote_id", "-"));
	if (caps != NULL) {
		printf("  hold time     %lld s (configured %lld s), keepalive "
		    "%lld s\n", (long long)gint(p, "hold_time"),
		    (long long)gint(p, "hold_time_configured"),
		    (long long)gint(p, "keepalive_time"));
		printf("  capabilities %s%s%s%s%s%s\n",
		    gbool(caps, "as4") ? " as4" : "",
		    gbool(caps, "ipv4") ? " ipv4" : "",
		    gbool(caps, "ipv6") ? " ipv6" : "",
		    gbool(caps, "route_refresh") ? " route-refresh" : "",
		    gbool(caps, "enhanced_route_refresh") ?
		    " enhanced-route-refresh" : "",
		    gbool(caps, "graceful_restart") ? " graceful-restart" : "");
	} else {
		printf("  hold time     configured %lld s\n",
		    (long long)gint(p, "hold_time_configured"));
	}
	printf("  messages      in %lld, out %lld; updates in %lld, out %lld\n",
	    (long long)gint(p, "messages_in"), (long long)gint(p,
	    "messages_out"), (long long)gint(p, "updates_in"),
	    (long long)gint(p, "updates_out"));
	printf("  prefixes      %lld announced, %lld desired\n",
	    (long long)gint(p, "prefixes_out"),
	    (long long)gint(p, "prefixes_desired"));
	printf("  flaps         %lld\n", (long long)gint(p, "flaps"));
	peer_gr(p);
	last_error(get(p, "last_error"), e, sizeof(e));
	printf("  last error    %s\n", e);
}

static void
out_peers(jobj *d, int nargs)
{
	struct table t = { .ncols = 8 };
	jobj *a = get(d, "peers"), *p;
	char as[16], since[32], pfx[24], msgs[48], err[160];
	size_t i;

	if (nargs == 1) {
		for (i = 0; i < alen(a); i++)
			peer_detail(json_object_array_get_idx(a, i));
		return;
	}
	tbl_row(&t, "NAME", "ADDRESS", "AS", "STATE", "SINCE", "PFX-OUT",
	    "MSGS-IN/OUT", "LAST-ERROR");
	for (i = 0; i < alen(a); i++) {
		p = json_object_array_get_idx(a, i);
		snprintf(as, sizeof(as), "%lld", (long long)gint(p, "asn"));
		dur(gint(p, "since_seconds"), since, sizeof(since));
		snprintf(pfx, sizeof(pfx), "%lld",
		    (long long)gint(p, "prefixes_out"));
		snprintf(msgs, sizeof(msgs), "%lld/%lld",
		    (long long)gint(p, "messages_in"),
		    (long long)gint(p, "messages_out"));
		last_error(get(p, "last_error"), err, sizeof(err));
		tbl_row(&t, gstr(p, "name"), gstr(p, "address"), as,
		    gstr(p, "state"), since, pfx, msgs, err);
	}
	tbl_print(&t);
}

static void
out_services(jobj *d, int nargs)
{
	struct table st = { .ncols = 5 }, src = { .ncols = 5 };
	jobj *a = get(d, "services"), *s, *sa, *x;
	size_t i, k, *first, r = 0;
	char since[32], lat[32], last[32];
	const char *mode, *res;

	(void)nargs;
	if ((first = calloc(alen(a) + 1, sizeof(*first))) == NULL)
		exit(1);
	tbl_row(&st, "SERVICE", "VERDICT", "SINCE", "ROUTES", "REASON");
	for (i = 0; i < alen(a); i++) {
		s = json_object_array_get_idx(a, i);
		dur(gint(s, "since_seconds"), since, sizeof(since));
		/* normal is "announced"; degraded, draining, withdrawn as is */
		mode = gstr_or(s, "mode", "?");
		tbl_row(&st, gstr(s, "name"), gstr(s, "verdict"), since,
		    strcmp(mode, "normal") == 0 ? "announced" : mode,
		    gstr(s, "reason"));
		first[i] = src.nrows;
		sa = get(s, "sources");
		for (k = 0; k < alen(sa); k++) {
			x = json_object_array_get_idx(sa, k);
			if ((res = gstr(x, "last_result")) != NULL) {
				snprintf(last, sizeof(last), "last %s", res);
				snprintf(lat, sizeof(lat), "%.1fms",
				    json_object_get_double(get(x,
				    "latency_seconds")) * 1000.0);
			} else if ((res = gstr(x, "outage")) != NULL) {
				/* a Nomad source riding out an agent outage */
				snprintf(last, sizeof(last), "outage %s", res);
				snprintf(lat, sizeof(lat), "%.0fs",
				    json_object_get_double(get(x,
				    "outage_seconds")));
			} else if (strcmp(gstr_or(x, "kind", ""), "nomad") ==
			    0) {
				/* Nomad's answers have no latency to show */
				snprintf(last, sizeof(last), "agent answers");
				snprintf(lat, sizeof(lat), "-");
			} else {
				snprintf(last, sizeof(last), "no result yet");
				snprintf(lat, sizeof(lat), "-");
			}
			tbl_row(&src, gstr(x, "name"), gstr(x, "state"),
			    last, lat, gstr(x, "output") != NULL ?
			    gstr(x, "output") : gstr(x, "reason"));
		}
	}
	first[alen(a)] = src.nrows;
	tbl_print_row(&st, 0, "");
	for (i = 0; i < alen(a); i++) {
		tbl_print_row(&st, i + 1, "");
		for (r = first[i]; r < first[i + 1]; r++)
			tbl_print_row(&src, r, "    ");
	}
	tbl_free(&st);
	tbl_free(&src);
	free(first);
}

static void
join(jobj *a, const char *sep, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < alen(a) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? sep : "",
		    json_object_get_string(json_object_array_get_idx(a, i)));
}

/*
 * The communities as the daemon sends them ("65535:65281"), each
 * well-known one by its name ("no-export"); the JSON keeps the numbers.
 */
static void
join_communities(jobj *a, char *buf, size_t len)
{
	const char *s, *name;
	unsigned long hi, lo;
	char *end;
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < alen(a) && n < len; i++) {
		s = json_object_get_string(json_object_array_get_idx(a, i));
		name = NULL;
		errno = 0;
		hi = strtoul(s, &end, 10);
		if (errno == 0 && end != s && *end == ':' && hi <= 0xffff) {
			s = end + 1;
			lo = strtoul(s, &end, 10);
			if (errno == 0 && end != s && *end == '\0' &&
			    lo <= 0xffff)
				name = community_wk_name((uint32_t)(hi << 16 |
				    lo));
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    name != NULL ? name : json_object_get_string(
		    json_object_array_get_idx(a, i)));
	}
}

static void
out_routes(jobj *d, int nargs)
{
	jobj *a = get(d, "peers"), *p, *rt, *x;
	char path[256], comm[512], lcomm[512], med[16], lp[16];
	size_t i, k;

	(void)nargs;
	for (i = 0; i < alen(a); i++) {
		struct table t = { .ncols = 8 };

		p = json_object_array_get_idx(a, i);
		rt = get(p, "routes");
		printf("%speer %s (%s), %s, %lld prefix%s announced\n",
		    i ? "\n" : "", gstr_or(p, "name", "?"),
		    gstr_or(p, "address", "?"), gstr_or(p, "state", "?"),
		    (long long)gint(p, "prefixes_out"),
		    gint(p, "prefixes_out") == 1 ? "" : "es");
		if (alen(rt) == 0)
			continue;
		tbl_row(&t, "PREFIX", "NEXT-HOP", "AS-PATH", "MED", "LPREF",
		    "COMMUNITIES", "LARGE-COMMUNITIES", "SENT");
		for (k = 0; k < alen(rt); k++) {
			x = json_object_array_get_idx(rt, k);
			join(get(x, "as_path"), " ", path, sizeof(path));
			join_communities(get(x, "communities"), comm,
			    sizeof(comm));
			join(get(x, "large_communities"), " ", lcomm,
			    sizeof(lcomm));
			snprintf(med, sizeof(med), "%s", get(x, "med") ?
			    json_object_get_string(get(x, "med")) : "-");
			snprintf(lp, sizeof(lp), "%s", get(x, "local_pref") ?
			    json_object_get_string(get(x, "local_pref")) : "-");
			tbl_row(&t, gstr(x, "prefix"), gstr(x, "next_hop"),
			    path[0] ? path : "-", med, lp,
			    comm[0] ? comm : "-", lcomm[0] ? lcomm : "-",
			    gstr(x, "sent"));
		}
		tbl_print(&t);
	}
}

/* seconds as milliseconds, "50ms" */
static const char *
ms(jobj *o, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%.0fms", json_object_get_double(get(o, key)) *
	    1000.0);
	return buf;
}

static void
out_bfd(jobj *d, int nargs)
{
	struct table t = { .ncols = 8 };
	jobj *a = get(d, "sessions"), *s, *c;
	char since[32], tx[16], rx[16], det[40], tmp[16], txrx[40], cnt[96];
	size_t i;

	(void)nargs;
	tbl_row(&t, "PEER", "ADDRESS", "STATE", "REMOTE", "SINCE",
	    "TX/RX", "DETECT", "RX/TX/LATE/DOWNS");
	for (i = 0; i < alen(a); i++) {
		s = json_object_array_get_idx(a, i);
		c = get(s, "counters");
		dur(gint(s, "since_seconds"), since, sizeof(since));
		snprintf(det, sizeof(det), "%s x%lld",
		    ms(s, "detect_time_seconds", tmp, sizeof(tmp)),
		    (long long)gint(s, "remote_detect_multiplier"));
		snprintf(cnt, sizeof(cnt), "%lld/%lld/%lld/%lld",
		    (long long)gint(c, "rx"), (long long)gint(c, "tx"),
		    (long long)gint(c, "rx_late"),
		    (long long)gint(c, "failures"));
		ms(s, "tx_interval_seconds", tx, sizeof(tx));
		ms(s, "rx_interval_seconds", rx, sizeof(rx));
		snprintf(txrx, sizeof(txrx), "%s/%s", tx, rx);
		tbl_row(&t, gstr(s, "name"), gstr(s, "peer"), gstr(s, "state"),
		    gstr(s, "remote_state"), since, txrx, det, cnt);
	}
	tbl_print(&t);
}

static void
out_check(jobj *d, int nargs)
{
	jobj *a = get(d, "diagnostics");
	size_t i;

	(void)nargs;
	for (i = 0; i < alen(a); i++)
		printf("%s\n", json_object_get_string(
		    json_object_array_get_idx(a, i)));
	if (gbool(d, "valid"))
		printf("%s: configuration ok\n", gstr_or(d, "file", "?"));
}

static void
out_drain(jobj *d, int nargs)
{
	(void)nargs;
	if (gstr(d, "service") != NULL)
		printf("service %s: drain %s\n", gstr(d, "service"),
		    gbool(d, "drain") ? "on" : "off");
	else
		printf("all services: drain %s\n", gbool(d, "drain") ? "on" :
		    "off");
}

/* "peers     kept 1, reset 0, added 1, removed 0" */
static void
out_plan(jobj *d, const char *what, const char *reset_word)
{
	jobj *o = get(d, what);

	if (o == NULL)
		return;
	printf("  %-9s kept %lld, %s %lld, added %lld, removed %lld\n", what,
	    (long long)gint(o, "keep"), reset_word, (long long)gint(o, "reset"),
	    (long long)gint(o, "add"), (long long)gint(o, "delete"));
}

static void
out_reload(jobj *d, int nargs)
{
	jobj *keys = get(d, "restart_needed");
	size_t i;

	(void)nargs;
	printf("%s: reloaded at %s\n", gstr_or(d, "file", "?"),
	    gstr_or(d, "loaded", "?"));
	out_plan(d, "peers", "reset");
	out_plan(d, "services", "changed");
	out_plan(d, "checks", "restarted");
	for (i = 0; i < alen(keys); i++)
		printf("  %s: changed, takes effect at the next restart\n",
		    json_object_get_string(json_object_array_get_idx(keys,
		    i)));
}

static void
out_exit_mode(jobj *d, int nargs)
{
	(void)nargs;
	printf("exit mode %s%s\n", gstr_or(d, "exit_mode", "?"),
	    gbool(d, "graceful_restart_configured") ? "" :
	    " (no peer has graceful-restart: every exit withdraws)");
}

static void
out_shutdown(jobj *d, int nargs)
{
	(void)nargs;
	printf("shutting down (%s)\n", gstr_or(d, "mode", "?"));
}

static void
out_help(jobj *d, int nargs)
{
	jobj *a = get(d, "commands");
	size_t i;

	(void)nargs;
	for (i = 0; i < alen(a); i++)
		printf("%s\n", json_object_get_string(
		    json_object_array_get_idx(a, i)));
}

static const ctl_output_fn outputs[] = {
	[CTL_CMD_SHOW_STATUS] = out_status,
	[CTL_CMD_SHOW_PEERS] = out_peers,
	[CTL_CMD_SHOW_SERVICES] = out_services,
	[CTL_CMD_SHOW_ROUTES] = out_routes,
	[CTL_CMD_SHOW_BFD] = out_bfd,
	[CTL_CMD_CHECK] = out_check,
	[CTL_CMD_DRAIN] = out_drain,
	[CTL_CMD_UNDRAIN] = out_drain,
	[CTL_CMD_RELOAD] = out_reload,
	[CTL_CMD_EXIT_MODE] = out_exit_mode,
	[CTL_CMD_SHUTDOWN] = out_shutdown,
	[CTL_CMD_HELP] = out_help,
};
/* a command added to the table without its output does not build */
_Static_assert(sizeof(outputs) / sizeof(outputs[0]) == CTL_CMD_N,
    "one text output per command of ctl_cmd_table");

/* ---- the socket ---- */

static int
ask(const char *path, const char *req, char **out)
{
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT };
	size_t len = strlen(req), off = 0, cap = 65536, n = 0;
	char *buf = NULL, *nb, *nl = NULL;
	ssize_t r;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "nomcastctl: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "nomcastctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (off < len) {
		r = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto ioerr;
		off += (size_t)r;
	}
	if ((buf = malloc(cap)) == NULL)
		goto nomem;
	while (nl == NULL) {
		if (n + 1 == cap) {
			if ((nb = realloc(buf, cap * 2)) == NULL)
				goto nomem;
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - n - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto ioerr;
		if (r == 0) {
			fprintf(stderr, "nomcastctl: %s: connection closed "
			    "without a reply\n", path);
			goto fail;
		}
		nl = memchr(buf + n, '\n', (size_t)r);
		n += (size_t)r;
	}
	*nl = '\0';
	close(fd);
	*out = buf;
	return 0;
ioerr:
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		fprintf(stderr, "nomcastctl: %s: no reply within %d s\n", path,
		    REPLY_TIMEOUT);
	else
		fprintf(stderr, "nomcastctl: %s: %s\n", path, strerror(errno));
	goto fail;
nomem:
	fprintf(stderr, "nomcastctl: out of memory\n");
fail:
	free(buf);
	close(fd);
	return -1;
}

/* the commands, one a line: usage, then what it does */
static void
commands(FILE *f)
{
	size_t i, w = 0;

	for (i = 0; i < CTL_CMD_N; i++)
		if (strlen(ctl_cmd_table[i].usage) > w)
			w = strlen(ctl_cmd_table[i].usage);
	for (i = 0; i < CTL_CMD_N; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, ctl_cmd_table[i].usage,
		    ctl_cmd_table[i].help);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: nomcastctl [-jV] [-s socket] command [argument ...]\n"
	    "  -j, --json          print the reply's data as JSON\n"
	    "  -s, --socket path   the control socket (default: "
	    "$NOMCAST_SOCKET,\n"
	    "                      $NOMAD_ALLOC_DIR/" CTL_SOCKET_NAME
	    ", $NOMAD_TASK_DIR/" CTL_SOCKET_NAME ",\n"
	    "                      /run/nomcast/" CTL_SOCKET_NAME ")\n"
	    "commands:\n");
	commands(f);
}

/* help, without the daemon: the same data as its help reply */
static int
help(bool json)
{
	jobj *d, *a;
	size_t i;

	if (!json) {
		commands(stdout);
		return 0;
	}
	d = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < CTL_CMD_N; i++)
		json_object_array_add(a,
		    json_object_new_string(ctl_cmd_table[i].usage));
	json_object_object_add(d, "commands", a);
	printf("%s\n", json_object_to_json_string_ext(d,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ctl_cmd_desc *cmd;
	const char *sock = NULL;
	char path[256], name[64] = "", *line = NULL;
	jobj *req, *args, *rep, *data;
	bool json = false, ok;
	size_t nwords;
	int ch, nw, i;

	/* "+": stop at the command, so "drain --all" keeps its --all */
	while ((ch = getopt_long(argc, argv, "+hjs:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'V':
			version_print(stdout, "nomcastctl");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 1;
	}

	/* known words are the command, the rest its arguments */
	cmd = ctl_cmd_match((const char *const *)argv, (size_t)argc, &nwords);
	nw = (int)nwords;
	if (cmd != NULL && !ctl_cmd_nargs_ok(cmd, (size_t)(argc - nw))) {
		/* what the daemon would answer, without asking it */
		fprintf(stderr, "nomcastctl: usage: %s\n", cmd->usage);
		return 1;
	}
	if (cmd != NULL && cmd->id == CTL_CMD_HELP)
		return help(json);
	if (sock == NULL)
		sock = getenv("NOMCAST_SOCKET");
	if (sock == NULL || sock[0] == '\0') {
		if (ctl_socket_path(NULL, path, sizeof(path)) == -1) {
			fprintf(stderr, "nomcastctl: %s\n", path);
			return 1;
		}
		sock = path;
	}

	/* an unknown command goes as typed: the daemon names it */
	if (cmd == NULL)
		nw = argc > 1 && strcmp(argv[0], "show") == 0 ? 2 : 1;
	for (i = 0; i < nw; i++)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		    "%s%s", i ? " " : "", argv[i]);
	req = json_object_new_object();
	args = json_object_new_array();
	json_object_object_add(req, "cmd", json_object_new_string(name));
	for (i = nw; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	json_object_object_add(req, "args", args);
	{
		const char *s = json_object_to_json_string_ext(req,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		size_t n = strlen(s);
		char *msg = malloc(n + 2);

		if (msg == NULL) {
			fprintf(stderr, "nomcastctl: out of memory\n");
			return 1;
		}
		memcpy(msg, s, n);
		msg[n] = '\n';
		msg[n + 1] = '\0';
		json_object_put(req);
		i = ask(sock, msg, &line);
		free(msg);
		if (i == -1)
			return 1;
	}

	if ((rep = json_tokener_parse(line)) == NULL ||
	    !json_object_is_type(rep, json_type_object) ||
	    get(rep, "ok") == NULL) {
		fprintf(stderr, "nomcastctl: %s: not a reply: %.200s\n", sock,
		    line);
		free(line);
		json_object_put(rep);
		return 1;
	}
	free(line);
	ok = gbool(rep, "ok");
	data = get(rep, "data");
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(ok ? data : rep,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (data != NULL && cmd != NULL) {
		outputs[cmd->id](data, argc - nw);
	}
	if (!ok)
		fprintf(stderr, "nomcastctl: %s\n", gstr_or(rep, "error",
		    "failed"));
	json_object_put(rep);
	return ok ? 0 : 1;
}
