/*
 * check_conf.c - the [check NAME] keys; see check_conf.h and
 * nomcast.ini(5).
 */
#include "health/check_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { CK_TYPE, CK_INTERVAL, CK_TIMEOUT, CK_RISE, CK_FALL, CK_URL,
	CK_EXPECT, CK_BODY, CK_HOST, CK_UNIX_SOCKET, CK_TLS_VERIFY, CK_TARGET,
	CK_COMMAND, CK_N };
_Static_assert(CK_N <= CONF_KEYS_MAX, "seen[] too small");

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
conf_cur_chk(struct conf_ctx *cx)
{
	return cx->obj;
}

static struct check_conf_aux *
conf_cur_caux(struct conf_ctx *cx)
{
	return cx->aux;
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
c_type(struct conf_ctx *cx, const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(conf_check_type_names) /
	    sizeof(conf_check_type_names[0]); i++) {
		if (strcmp(v, conf_check_type_names[i]) == 0) {
			conf_cur_chk(cx)->type = (enum check_type)i;
			conf_cur_caux(cx)->type_ok = true;
			return;
		}
	}
	KEY_ERR(cx, "%s: unknown check type '%s' (http, tcp, watch or exec)",
	    cx->key, v);
}

static void
c_interval(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);

	if (conf_duration(cx, v, CONF_DURATION_MAX_MS, &k->interval_ms) == -1)
		return;
	if (k->interval_ms == 0) {
		KEY_ERR(cx, "%s: must be at least 1ms", cx->key);
		return;
	}
	conf_cur_caux(cx)->interval_ok = true;
}

static void
c_timeout(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);

	if (conf_duration(cx, v, CONF_DURATION_MAX_MS, &k->timeout_ms) == -1)
		return;
	if (k->timeout_ms == 0) {
		KEY_ERR(cx, "%s: must be at least 1ms", cx->key);
		return;
	}
	conf_cur_caux(cx)->timeout_ok = true;
}

static void
c_rise(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, CONF_CHECK_MAX_RISE_FALL, &u) == 0)
		conf_cur_chk(cx)->rise = (uint16_t)u;
}

static void
c_fall(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, CONF_CHECK_MAX_RISE_FALL, &u) == 0)
		conf_cur_chk(cx)->fall = (uint16_t)u;
}

/*
 * http:// or https://, then a host (a name, an address or [IPv6]),
 * an optional :port and anything after.  libcurl reads the rest; this
 * only catches what would fail at every probe.
 */
static void
c_url(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);
	const char *host, *end, *at, *hend, *p;
	uint64_t port;
	char tmp[8];
	size_t n;

	if (conf_has_odd_char(v)) {
		KEY_ERR(cx, "%s: blank, control or non-ASCII character in URL",
		    cx->key);
		return;
	}
	if (strncasecmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncasecmp(v, "https://", 8) == 0)
		host = v + 8;
	else {
		KEY_ERR(cx, "%s: '%s' does not start with http:// or https://",
		    cx->key, v);
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
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(k->url) - 1);
		return;
	}
	snprintf(k->url, sizeof(k->url), "%s", v);
	return;
nohost:
	KEY_ERR(cx, "%s: '%s' has no host", cx->key, v);
	return;
badport:
	KEY_ERR(cx, "%s: '%s' has a bad port (1..65535)", cx->key, v);
}

/* "200", "200-299", "100 204,300-399" */
static void
c_expect_one(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);
	struct check_conf_aux *x = conf_cur_caux(cx);
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
		KEY_ERR(cx, "%s: '%s' out of range (HTTP status codes are "
		    "100..599)", cx->key, v);
		return;
	}
	if (lo > hi) {
		KEY_ERR(cx, "%s: '%s' is an empty range", cx->key, v);
		return;
	}
	if (k->nexpect == CONF_MAX_EXPECT) {
		if (!x->full_expect)
			KEY_ERR(cx, "%s: too many status ranges (at most %d)",
			    cx->key, CONF_MAX_EXPECT);
		x->full_expect = true;
		return;
	}
	k->expect_lo[k->nexpect] = (uint16_t)lo;
	k->expect_hi[k->nexpect] = (uint16_t)hi;
	k->nexpect++;
	return;
bad:
	KEY_ERR(cx, "%s: '%s' is not a status code or range (such as 200 or "
	    "200-299)", cx->key, v);
}

static void
c_expect(struct conf_ctx *cx, const char *v)
{
	conf_list(cx, v, c_expect_one);
}

static void
c_body(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);

	if (strlen(v) >= sizeof(k->body)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(k->body) - 1);
		return;
	}
	snprintf(k->body, sizeof(k->body), "%s", v);
}

static void
c_host(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);

	/* it goes into a request header verbatim */
	if (conf_has_odd_char(v)) {
		KEY_ERR(cx, "%s: blank, control or non-ASCII character in "
		    "'%s'", cx->key, v);
		return;
	}
	if (strlen(v) >= sizeof(k->host_header)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(k->host_header) - 1);
		return;
	}
	snprintf(k->host_header, sizeof(k->host_header), "%s", v);
}

static void
c_unix_socket(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);

	if (v[0] != '/') {
		KEY_ERR(cx, "%s: '%s' is not an absolute path", cx->key, v);
		return;
	}
	if (strlen(v) >= sizeof(k->unix_socket)) {
		KEY_ERR(cx, "%s: longer than %zu characters", cx->key,
		    sizeof(k->unix_socket) - 1);
		return;
	}
	snprintf(k->unix_socket, sizeof(k->unix_socket), "%s", v);
}

static void
c_tls_verify(struct conf_ctx *cx, const char *v)
{
	conf_bool(cx, v, &conf_cur_chk(cx)->tls_verify);
}

static void
c_target(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);
	struct addr a;
	uint16_t port;

	if (conf_addr_port(cx, v, &a, &port) == -1)
		return;
	k->addr = a;
	k->port = port;
}

void
check_conf_free(struct conf_check *k)
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
c_command(struct conf_ctx *cx, const char *v)
{
	struct conf_check *k = conf_cur_chk(cx);
	const char *p = v;
	char *buf, *w;
	bool inq;

	check_conf_free(k);
	if ((buf = malloc(strlen(v) + 1)) == NULL) {
		KEY_ERR(cx, "out of memory");
		return;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (k->argc == CONF_MAX_ARGV) {
			KEY_ERR(cx, "%s: more than %d words", cx->key,
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
			KEY_ERR(cx, "%s: unterminated quote", cx->key);
			goto fail;
		}
		*w = '\0';
		if ((k->argv[k->argc] = strdup(buf)) == NULL) {
			KEY_ERR(cx, "out of memory");
			goto fail;
		}
		k->argc++;
	}
	if (k->argc == 0) {
		KEY_ERR(cx, "%s: empty command", cx->key);
		goto fail;
	}
	/* execv(), not execvp(): what runs does not depend on PATH */
	if (k->argv[0][0] != '/') {
		KEY_ERR(cx, "%s: '%s' is not an absolute path", cx->key,
		    k->argv[0]);
		goto fail;
	}
	free(buf);
	return;
fail:
	free(buf);
	check_conf_free(k);
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

void
check_conf_init(struct conf_check *k, struct check_conf_aux *x,
    const char *name, int line)
{
	memset(k, 0, sizeof(*k));
	memset(x, 0, sizeof(*x));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->interval_ms = CONF_CHECK_DEFAULT_INTERVAL;
	k->timeout_ms = CONF_CHECK_DEFAULT_TIMEOUT;
	k->rise = CONF_CHECK_DEFAULT_RISE;
	k->fall = CONF_CHECK_DEFAULT_FALL;
	k->tls_verify = true;
	k->line = line;
}

void
check_conf_key(struct conf_ctx *cx, struct conf_check *k,
    struct check_conf_aux *x, const char *name, const char *value)
{
	conf_key_run(cx, conf_check_keys, CK_N, x->seen, k, x, name, value);
}

void
check_conf_finish(struct conf_ctx *cx, struct conf_check *k,
    const struct check_conf_aux *x)
{
	const char *tn;
	size_t j, req;

	if (x->seen[CK_TYPE] == 0)
		conf_diag(cx, k->line, true, "[check%s%s]: missing "
		    "required key 'type'", CONF_SP(k->name), k->name);
	if (x->type_ok) {
		tn = conf_check_type_names[k->type];
		for (j = 0; j < CK_N; j++)
			if (x->seen[j] != 0 &&
			    (conf_check_applies[j] & CT(k->type)) == 0)
				conf_diag(cx, x->seen[j], true, "%s: "
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
			conf_diag(cx, k->line, true, "[check%s%s]: "
			    "missing required key '%s' (%s check)",
			    CONF_SP(k->name), k->name,
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
		conf_diag(cx, x->seen[CK_TIMEOUT], true, "timeout: "
		    "%ums is above interval %ums", k->timeout_ms,
		    k->interval_ms);
	if (k->nexpect == 0) {
		k->expect_lo[0] = 200;
		k->expect_hi[0] = 299;
		k->nexpect = 1;
	}
}

static bool
str_same(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool
conf_check_same(const struct conf_check *a, const struct conf_check *b)
{
	size_t i;

	if (!str_same(a->name, b->name) || a->type != b->type ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms ||
	    a->rise != b->rise || a->fall != b->fall ||
	    !str_same(a->url, b->url) ||
	    !str_same(a->host_header, b->host_header) ||
	    !str_same(a->unix_socket, b->unix_socket) ||
	    a->nexpect != b->nexpect || !str_same(a->body, b->body) ||
	    a->tls_verify != b->tls_verify || !addr_equal(&a->addr, &b->addr) ||
	    a->port != b->port || a->argc != b->argc)
		return false;
	for (i = 0; i < a->nexpect; i++)
		if (a->expect_lo[i] != b->expect_lo[i] ||
		    a->expect_hi[i] != b->expect_hi[i])
			return false;
	for (i = 0; i < a->argc; i++)
		if (!str_same(a->argv[i], b->argv[i]))
			return false;
	return true;
}
