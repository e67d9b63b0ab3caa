/*
 * conf.c - the config reader's core; see conf.h.
 *
 * inih splits each line into key and value.  Everything else is here or
 * with the owners: every value is checked where it stands, and every
 * problem is collected as "file:line: message" so that one run shows them
 * all (the way OpenBGPD's parse.y yyerror counts errors and keeps going).
 *
 * The Debian inih is built without INI_HANDLER_LINENO and without
 * INI_CALL_HANDLER_ON_NEW_SECTION, so its handler learns neither the line
 * number nor where a section starts, and never hears of an empty section.
 * We therefore feed inih through ini_parse_stream() with our own reader,
 * which counts lines and notes section headers as they go past; inih
 * processes each line before asking for the next, so the handler's line
 * is the reader's last one.
 */
#include "lib/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* one diagnostic, kept with its line so that the output can be sorted */
struct conf_dl {
	int		 line;
	size_t		 seq;
	bool		 err;
	char		*text;
};

/* ---- diagnostics ---- */

void
conf_diag(struct conf_ctx *cx, int line, bool err, const char *fmt, ...)
{
	char msg[512], full[1024];
	struct conf_dl *n;
	va_list ap;

	if (err)
		cx->nerr++;
	else
		cx->nwarn++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s%s", cx->file, line,
		    err ? "" : "warning: ", msg);
	else
		snprintf(full, sizeof(full), "%s: %s%s", cx->file,
		    err ? "" : "warning: ", msg);
	if (cx->ndl == cx->dlcap) {
		size_t cap = cx->dlcap ? cx->dlcap * 2 : 16;

		if ((n = realloc(cx->dl, cap * sizeof(*n))) == NULL)
			return;		/* still counted: the load fails */
		cx->dl = n;
		cx->dlcap = cap;
	}
	if ((cx->dl[cx->ndl].text = strdup(full)) == NULL)
		return;
	cx->dl[cx->ndl].line = line;
	cx->dl[cx->ndl].seq = cx->ndl;
	cx->dl[cx->ndl].err = err;
	cx->ndl++;
}

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
conf_diag_move(struct conf_ctx *cx, struct conf_diag *d)
{
	size_t i;

	d->nerr = cx->nerr;
	d->nwarn = cx->nwarn;
	if (cx->ndl == 0)
		return;
	qsort(cx->dl, cx->ndl, sizeof(*cx->dl), conf_dl_cmp);
	d->lines = calloc(cx->ndl, sizeof(*d->lines));
	d->is_err = calloc(cx->ndl, sizeof(*d->is_err));
	if (d->lines == NULL || d->is_err == NULL) {
		free(d->lines);
		free(d->is_err);
		d->lines = NULL;
		d->is_err = NULL;
		for (i = 0; i < cx->ndl; i++)
			free(cx->dl[i].text);
		return;
	}
	for (i = 0; i < cx->ndl; i++) {
		d->lines[i] = cx->dl[i].text;
		d->is_err[i] = cx->dl[i].err;
	}
	d->n = cx->ndl;
}

/* ---- value parsers: each reports its own error, 0 or -1 ---- */

/* decimal digits only; values past 32 bits saturate but stay numbers */
int
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

int
conf_u32(struct conf_ctx *cx, const char *val, uint32_t min, uint32_t max,
    uint32_t *out)
{
	uint64_t v;

	if (conf_num(val, &v) == -1) {
		KEY_ERR(cx, "%s: '%s' is not a number", cx->key, val);
		return -1;
	}
	if (v < min || v > max) {
		KEY_ERR(cx, "%s: %s out of range (%u..%u)", cx->key, val,
		    min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
conf_bool(struct conf_ctx *cx, const char *val, bool *out)
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
	KEY_ERR(cx, "%s: '%s' is not yes or no", cx->key, val);
	return -1;
}

/*
 * A duration into milliseconds: "250ms", "1s", "1.5s", "2m", or a bare
 * number of seconds.  A fraction finer than a millisecond, a negative or
 * empty number, an unknown unit and anything past max_ms are errors.
 */
int
conf_duration(struct conf_ctx *cx, const char *val, uint32_t max_ms,
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
		KEY_ERR(cx, "%s: '%s' is not a whole number of milliseconds",
		    cx->key, val);
		return -1;
	}
	v = ip * mult + fp * mult / div;
	if (v > max_ms) {
		KEY_ERR(cx, "%s: '%s' out of range (at most %us)", cx->key, val,
		    max_ms / 1000);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
bad:
	KEY_ERR(cx, "%s: '%s' is not a duration (such as 250ms, 1s, 1.5s or "
	    "2m)", cx->key, val);
	return -1;
}

/* afi 0: either family */
int
conf_addr(struct conf_ctx *cx, const char *val, uint8_t afi,
    struct addr *out)
{
	struct addr a;

	if (addr_parse(val, &a) == -1 || (afi != 0 && a.afi != afi)) {
		KEY_ERR(cx, "%s: '%s' is not an %s address", cx->key, val,
		    afi == AFI_IPV4 ? "IPv4" : afi == AFI_IPV6 ? "IPv6" : "IP");
		return -1;
	}
	*out = a;
	return 0;
}

bool
conf_addr_is_zero(const struct addr *a)
{
	size_t i;

	for (i = 0; i < afi_addr_len(a->afi); i++)
		if (a->b[i] != 0)
			return false;
	return true;
}

/* fe80::/10 */
bool
conf_addr_is_ll6(const struct addr *a)
{
	return a->afi == AFI_IPV6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

/* RFC 9003 2: the shutdown communication is UTF-8 */
bool
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
void
conf_list(struct conf_ctx *cx, const char *val, conf_key_fn *fn)
{
	char *tmp, *tok, *save = NULL;
	bool any = false;

	if ((tmp = strdup(val)) == NULL) {
		KEY_ERR(cx, "out of memory");
		return;
	}
	for (tok = strtok_r(tmp, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		any = true;
		fn(cx, tok);
	}
	if (!any)
		KEY_ERR(cx, "%s: empty list", cx->key);
	free(tmp);
}

/*
 * "192.0.2.1:80" or "[2001:db8::1]:80" into a and port; 0, or -1 with
 * the error recorded
 */
int
conf_addr_port(struct conf_ctx *cx, const char *v, struct addr *a,
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
		KEY_ERR(cx, "%s: port %s out of range (1..65535)", cx->key, ps);
		return -1;
	}
	*port = (uint16_t)u;
	return 0;
bad:
	KEY_ERR(cx, "%s: '%s' is not ADDRESS:PORT (an IPv6 address in "
	    "brackets, [2001:db8::1]:80)", cx->key, v);
	return -1;
}

/* ---- inih glue ---- */

static void
conf_flush_pending(struct conf_ctx *cx)
{
	/* inih skipped a line we expected a key from: it had no '=' */
	if (cx->pending != 0)
		conf_diag(cx, cx->pending, true, "expected 'key = value'");
	cx->pending = 0;
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
	struct conf_ctx *cx = stream;
	ssize_t got;
	char *s;
	size_t n;

	conf_flush_pending(cx);
	if (num < 2)
		return NULL;
	if ((got = getline(&cx->line, &cx->linecap, cx->fp)) < 0)
		return NULL;
	cx->lineno++;
	s = cx->line;
	n = (size_t)got;
	str[0] = '\0';
	if (memchr(s, '\0', n) != NULL) {
		conf_diag(cx, cx->lineno, true, "NUL character in line");
		return str;
	}
	if (cx->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
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
		conf_diag(cx, cx->lineno, true, "line longer than %d characters",
		    num - 2);
		return str;
	}
	memcpy(str, s, n + 1);
	if (*s == '[')
		cx->section(cx, s);
	else
		cx->pending = cx->lineno;
	return str;
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_ctx *cx = user;

	(void)section;		/* ours, from the reader, is the same */
	cx->pending = 0;
	cx->keyline = cx->lineno;
	cx->entry(cx, name, value);
	return 1;		/* errors are ours; inih need not count them */
}

bool
conf_key_known(const struct conf_key *keys, size_t nkeys, const char *name)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return true;
	return false;
}

void
conf_key_run(struct conf_ctx *cx, const struct conf_key *keys, size_t nkeys,
    int *seen, void *obj, void *aux, const char *name, const char *value)
{
	size_t i;

	if (*name == '\0') {
		conf_diag(cx, cx->keyline, true, "missing key before '='");
		return;
	}
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		conf_diag(cx, cx->keyline, true, "unknown key '%s' in [%s]",
		    name, cx->label);
		return;
	}
	if (seen[i] != 0 && !keys[i].list) {
		conf_diag(cx, cx->keyline, true, "duplicate key '%s' (first at "
		    "line %d)", name, seen[i]);
		return;
	}
	if (seen[i] == 0)
		seen[i] = cx->keyline;
	cx->key = keys[i].name;
	cx->obj = obj;
	cx->aux = aux;
	if (*value == '\0' && !keys[i].empty_ok) {
		KEY_ERR(cx, "%s: missing value", cx->key);
		return;
	}
	keys[i].fn(cx, value);
}

/* ---- the file ---- */

static const char *
conf_file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "of an unknown type";
}

/* a regular file of a sane size, or an error; 0 or -1 */
static int
conf_file_ok(const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "not a regular file (%s)",
		    conf_file_kind(st->st_mode));
		return -1;
	}
	if (st->st_size > CONF_FILE_MAX) {
		snprintf(err, errlen, "larger than %d bytes (%lld)",
		    CONF_FILE_MAX, (long long)st->st_size);
		return -1;
	}
	return 0;
}

FILE *
conf_fopen(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *fp;
	int fd;

	/* refused before the open: opening some devices does things */
	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (conf_file_ok(&st, err, errlen) == -1)
		return NULL;
	/*
	 * The path may have changed since: O_NONBLOCK keeps the open of a
	 * FIFO swapped in meanwhile from waiting for a writer, and fstat()
	 * decides on what was opened.  On a regular file O_NONBLOCK changes
	 * nothing, so it stays for the reads.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (conf_file_ok(&st, err, errlen) == -1) {
		close(fd);
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	return fp;
}

/* ---- the context ---- */

void
conf_ctx_init(struct conf_ctx *cx, const char *file)
{
	memset(cx, 0, sizeof(*cx));
	cx->file = file;
}

void
conf_ctx_read(struct conf_ctx *cx, FILE *fp)
{
	int rc;

	if (fp == NULL)
		return;
	cx->fp = fp;
	rc = ini_parse_stream(conf_reader, cx, conf_handler, cx);
	conf_flush_pending(cx);
	if (rc < 0 && rc != -1)
		conf_diag(cx, 0, true, "out of memory");
	else if (ferror(fp))
		conf_diag(cx, 0, true, "read error: %s", strerror(errno));
}

void
conf_ctx_done(struct conf_ctx *cx, struct conf_diag *d)
{
	conf_diag_move(cx, d);
	free(cx->dl);
	free(cx->line);
	cx->dl = NULL;
	cx->line = NULL;
	cx->ndl = cx->dlcap = cx->linecap = 0;
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
