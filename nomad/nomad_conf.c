/*
 * nomad_conf.c - the [nomad] keys and their defaults from the task
 * environment; see nomad_conf.h and nomcast.ini(5).
 */
#include "nomad/nomad_conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

enum { NK_ADDRESS, NK_TOKEN, NK_NAMESPACE, NK_ALLOC_ID, NK_NODE_ID,
	NK_NODE_FILTER, NK_CACERT, NK_CLIENT_CERT, NK_CLIENT_KEY,
	NK_CHECK_INTERVAL, NK_WAIT, NK_GRACE, NK_ON_OUTAGE, NK_N };
_Static_assert(NK_N <= CONF_KEYS_MAX, "seen[] too small");

static struct conf_nomad *
conf_cur_nomad(struct conf_ctx *cx)
{
	return cx->obj;
}

static struct nomad_conf_aux *
conf_cur_naux(struct conf_ctx *cx)
{
	return cx->aux;
}

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
n_address(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);
	char err[256];

	if (conf_nomad_address(v, n, err, sizeof(err)) == -1) {
		KEY_ERR(cx, "%s: %s", cx->key, err);
		conf_cur_naux(cx)->bad_addr = true;
	}
}

static void
n_token(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	if (strlen(v) >= sizeof(n->token)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(n->token) - 1);
		return;
	}
	if (!conf_token_ok(v)) {
		KEY_ERR(cx, "%s: blanks or control characters in the token",
		    cx->key);
		return;
	}
	snprintf(n->token, sizeof(n->token), "%s", v);
}

static void
n_namespace(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	if (!conf_ns_ok(v)) {
		KEY_ERR(cx, "%s: '%s' is not a Nomad namespace (1 to 128 "
		    "letters, digits and '-')", cx->key, v);
		return;
	}
	snprintf(n->ns, sizeof(n->ns), "%s", v);
}

static void
n_alloc_id(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	if (!conf_uuid_ok(v)) {
		KEY_ERR(cx, "%s: '%s' is not a full allocation ID (a UUID, "
		    "as in NOMAD_ALLOC_ID)", cx->key, v);
		return;
	}
	snprintf(n->alloc_id, sizeof(n->alloc_id), "%s",
	    v);
}

static void
n_node_id(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	if (!conf_uuid_ok(v)) {
		KEY_ERR(cx, "%s: '%s' is not a full node ID (a UUID)", cx->key,
		    v);
		return;
	}
	snprintf(n->node_id, sizeof(n->node_id), "%s", v);
}

static void
n_node_filter(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_nomad(cx)->node_filter);
}

static void
conf_nomad_path(struct conf_ctx *cx, const char *v, char *dst,
    size_t dstlen)
{
	if (v[0] != '/') {
		KEY_ERR(cx, "%s: '%s' is not an absolute path", cx->key, v);
		return;
	}
	if (strlen(v) >= dstlen) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    dstlen - 1);
		return;
	}
	snprintf(dst, dstlen, "%s", v);
}

static void
n_cacert(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	conf_nomad_path(cx, v, n->cacert,
	    sizeof(n->cacert));
}

static void
n_client_cert(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	conf_nomad_path(cx, v, n->client_cert,
	    sizeof(n->client_cert));
}

static void
n_client_key(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	conf_nomad_path(cx, v, n->client_key,
	    sizeof(n->client_key));
}

/*
 * Nomad's own checks run once a second at best, and each poll of their
 * results costs the agent a server round trip: below
 * 100 ms is load for nothing.
 */
#define CONF_NOMAD_MIN_CHECK_INTERVAL	100
#define CONF_NOMAD_MAX_CHECK_INTERVAL	60000
#define CONF_NOMAD_MAX_GRACE		3600000

static void
n_check_interval(struct conf_ctx *cx, const char *v)
{
	uint32_t ms;

	if (conf_duration(cx, v, CONF_NOMAD_MAX_CHECK_INTERVAL, &ms) == -1)
		return;
	if (ms < CONF_NOMAD_MIN_CHECK_INTERVAL) {
		KEY_ERR(cx, "%s: '%s' is below %ums", cx->key, v,
		    CONF_NOMAD_MIN_CHECK_INTERVAL);
		return;
	}
	conf_cur_nomad(cx)->check_interval_ms = ms;
}

static void
n_wait(struct conf_ctx *cx, const char *v)
{
	uint32_t ms;

	/* the server clamps any wait to 5 minutes */
	if (conf_duration(cx, v, CONF_NOMAD_MAX_WAIT, &ms) == -1)
		return;
	if (ms < 1000) {
		KEY_ERR(cx, "%s: '%s' is below 1s", cx->key, v);
		return;
	}
	conf_cur_nomad(cx)->wait_ms = ms;
}

static void
n_grace(struct conf_ctx *cx, const char *v)
{
	conf_duration(cx, v, CONF_NOMAD_MAX_GRACE, &conf_cur_nomad(cx)->grace_ms);
}

static void
n_on_outage(struct conf_ctx *cx, const char *v)
{
	struct conf_nomad *n = conf_cur_nomad(cx);

	if (strcmp(v, "hold") == 0)
		n->outage_hold = true;
	else if (strcmp(v, "withdraw") == 0)
		n->outage_hold = false;
	else
		KEY_ERR(cx, "%s: '%s' is not hold or withdraw", cx->key, v);
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

/* RFC 1123 labels, as Nomad checks service names: letters, digits, '-' */
bool
nomad_conf_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

void
nomad_conf_defaults(struct conf_nomad *n)
{
	n->check_interval_ms = CONF_NOMAD_DEFAULT_CHECK_INTERVAL;
	n->wait_ms = CONF_NOMAD_DEFAULT_WAIT;
	n->grace_ms = CONF_NOMAD_DEFAULT_GRACE;
	n->outage_hold = true;
}

void
nomad_conf_key(struct conf_ctx *cx, struct conf_nomad *n,
    struct nomad_conf_aux *x, const char *name, const char *value)
{
	conf_key_run(cx, conf_nomad_keys, NK_N, x->seen, n, x, name, value);
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
	char err[128];

	tok[0] = '\0';
	/* the token file is read on the loop at a reload: never a FIFO */
	if ((fp = conf_fopen(path, err, sizeof(err))) == NULL)
		return;
	if (fgets(tok, (int)len, fp) == NULL)
		tok[0] = '\0';
	fclose(fp);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	if (!conf_token_ok(tok))
		tok[0] = '\0';
}

/* address =, or from the task environment */
static void
nomad_finish_address(struct conf_ctx *cx, struct conf_nomad *n,
    const struct nomad_conf_aux *x, int line)
{
	char err[256], path[CONF_PATH_MAX + 16];
	const char *e = NULL, *src = NULL;

	if (x->seen[NK_ADDRESS] == 0) {
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
			conf_diag(cx, line, true, "nomad-service: no Nomad "
			    "agent address: set address in [nomad], or run "
			    "inside Nomad with identity { env = true } "
			    "(NOMAD_UNIX_ADDR), or set NOMAD_ADDR");
		else if (conf_nomad_address(e, n, err, sizeof(err)) == -1)
			conf_diag(cx, line, true, "nomad-service: %s: %s", src,
			    err);
	} else if (n->address[0] == '\0' && !x->bad_addr)
		conf_diag(cx, x->seen[NK_ADDRESS], true, "address: empty");
}

/* token =, or the workload identity's; the socket wants one */
static void
nomad_finish_token(struct conf_ctx *cx, struct conf_nomad *n,
    const struct nomad_conf_aux *x, int line)
{
	char path[CONF_PATH_MAX + 16];
	const char *e;

	if (x->seen[NK_TOKEN] == 0) {
		if ((e = conf_env("NOMAD_TOKEN")) != NULL) {
			if (strlen(e) >= sizeof(n->token) || !conf_token_ok(e))
				conf_diag(cx, line, true, "nomad-service: "
				    "NOMAD_TOKEN: not a token (blanks, control "
				    "characters or longer than %zu)",
				    sizeof(n->token) - 1);
			else
				snprintf(n->token, sizeof(n->token), "%s", e);
		} else if (conf_secrets_file("nomad_token", S_IFREG, path,
		    sizeof(path)))
			conf_token_file(path, n->token, sizeof(n->token));
	}
	/* the Task API socket wants a credential, ACLs or not */
	if (n->unix_path[0] != '\0' && n->token[0] == '\0')
		conf_diag(cx, x->seen[NK_ADDRESS] ? x->seen[NK_ADDRESS] :
		    line, false, "nomad: the Task API socket needs a token "
		    "(token in [nomad], or identity { env = true } for "
		    "NOMAD_TOKEN): the agent will answer 401");
}

/* namespace, allocation and node: from the task environment */
static void
nomad_finish_ids(struct conf_ctx *cx, struct conf_nomad *n,
    const struct nomad_conf_aux *x, int line)
{
	const char *e;

	if (x->seen[NK_NAMESPACE] == 0) {
		if ((e = conf_env("NOMAD_NAMESPACE")) == NULL)
			e = "default";
		if (!conf_ns_ok(e))
			conf_diag(cx, line, true, "nomad-service: "
			    "NOMAD_NAMESPACE: '%s' is not a Nomad namespace", e);
		else
			snprintf(n->ns, sizeof(n->ns), "%s", e);
	}
	if (x->seen[NK_ALLOC_ID] == 0) {
		if ((e = conf_env("NOMAD_ALLOC_ID")) == NULL)
			conf_diag(cx, line, true, "nomad-service: no allocation "
			    "ID: set alloc-id in [nomad], or run inside Nomad "
			    "(NOMAD_ALLOC_ID)");
		else if (!conf_uuid_ok(e))
			conf_diag(cx, line, true, "nomad-service: "
			    "NOMAD_ALLOC_ID: '%s' is not a full allocation ID",
			    e);
		else
			snprintf(n->alloc_id, sizeof(n->alloc_id), "%s", e);
	}
	if (n->node_filter && x->seen[NK_NODE_ID] == 0) {
		/* Nomad does not set it: env { NOMAD_NODE_ID =
		 * "${node.unique.id}" } in the job does */
		if ((e = conf_env("NOMAD_NODE_ID")) == NULL)
			conf_diag(cx, x->seen[NK_NODE_FILTER], true,
			    "node-filter: needs node-id (or NOMAD_NODE_ID)");
		else if (!conf_uuid_ok(e))
			conf_diag(cx, x->seen[NK_NODE_FILTER], true,
			    "node-filter: NOMAD_NODE_ID: '%s' is not a full "
			    "node ID", e);
		else
			snprintf(n->node_id, sizeof(n->node_id), "%s", e);
	} else if (!n->node_filter && x->seen[NK_NODE_ID] != 0)
		conf_diag(cx, x->seen[NK_NODE_ID], false, "node-id: ignored "
		    "without node-filter = yes");
}

/* https only: the CA and the client certificate */
static void
nomad_finish_tls(struct conf_ctx *cx, struct conf_nomad *n,
    const struct nomad_conf_aux *x, int line)
{
	const char *e;
	size_t i;
	int tls_line;
	bool tls;

	tls = strncmp(n->address, "https://", 8) == 0;
	if (!tls) {
		static const int tk[] = { NK_CACERT, NK_CLIENT_CERT,
		    NK_CLIENT_KEY };

		for (i = 0; i < sizeof(tk) / sizeof(tk[0]); i++)
			if (x->seen[tk[i]] != 0 && n->address[0] != '\0')
				conf_diag(cx, x->seen[tk[i]], false, "%s: "
				    "ignored without an https:// address",
				    conf_nomad_keys[tk[i]].name);
		n->cacert[0] = n->client_cert[0] = n->client_key[0] = '\0';
		return;
	}
	if (x->seen[NK_CACERT] == 0 && (e = conf_env("NOMAD_CACERT")) &&
	    strlen(e) < sizeof(n->cacert))
		snprintf(n->cacert, sizeof(n->cacert), "%s", e);
	if (x->seen[NK_CLIENT_CERT] == 0 &&
	    (e = conf_env("NOMAD_CLIENT_CERT")) &&
	    strlen(e) < sizeof(n->client_cert))
		snprintf(n->client_cert, sizeof(n->client_cert), "%s", e);
	if (x->seen[NK_CLIENT_KEY] == 0 &&
	    (e = conf_env("NOMAD_CLIENT_KEY")) &&
	    strlen(e) < sizeof(n->client_key))
		snprintf(n->client_key, sizeof(n->client_key), "%s", e);
	if ((n->client_cert[0] == '\0') != (n->client_key[0] == '\0')) {
		tls_line = x->seen[NK_CLIENT_CERT] ?
		    x->seen[NK_CLIENT_CERT] : x->seen[NK_CLIENT_KEY];
		conf_diag(cx, tls_line ? tls_line : line, true, "nomad: "
		    "client-cert and client-key go together (or "
		    "NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY)");
	}
}

void
nomad_conf_finish(struct conf_ctx *cx, struct conf_nomad *n,
    const struct nomad_conf_aux *x, int line)
{
	nomad_finish_address(cx, n, x, line);
	nomad_finish_token(cx, n, x, line);
	nomad_finish_ids(cx, n, x, line);
	nomad_finish_tls(cx, n, x, line);
}

static bool
str_same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool
conf_nomad_same(const struct conf_nomad *a, const struct conf_nomad *b)
{
	return a->used == b->used && str_same(a->address, b->address) &&
	    str_same(a->unix_path, b->unix_path) &&
	    str_same(a->token, b->token) && str_same(a->ns, b->ns) &&
	    str_same(a->alloc_id, b->alloc_id) &&
	    str_same(a->node_id, b->node_id) &&
	    a->node_filter == b->node_filter &&
	    str_same(a->cacert, b->cacert) &&
	    str_same(a->client_cert, b->client_cert) &&
	    str_same(a->client_key, b->client_key) &&
	    a->check_interval_ms == b->check_interval_ms &&
	    a->wait_ms == b->wait_ms && a->grace_ms == b->grace_ms &&
	    a->outage_hold == b->outage_hold;
}

bool
conf_nomad_watch_same(const struct conf_nomad_watch *a,
    const struct conf_nomad_watch *b)
{
	size_t i;

	if (!str_same(a->service, b->service) || a->checks != b->checks ||
	    a->nchecks != b->nchecks)
		return false;
	for (i = 0; i < a->nchecks; i++)
		if (!str_same(a->check_names[i], b->check_names[i]))
			return false;
	return true;
}
