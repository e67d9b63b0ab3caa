/*
 * log.c - key=value lines on stderr; see log.h.
 *
 * Each line starts with a UTC timestamp with microseconds, so that a
 * timeline can be read off the log, then lvl=, then the caller's text.
 */
#include "lib/log.h"
#include "lib/mono.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* the log sink's level: set once by log_init() before the loop starts */
static enum log_level log_min = LOG_LVL_INFO;

static const char *const lvl_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_ERR] = "err",
};

void
log_init(enum log_level min)
{
	log_min = min;
	/* one write per line even when stderr is a pipe */
	setvbuf(stderr, NULL, _IOLBF, 0);
}

bool
log_enabled(enum log_level lvl)
{
	return lvl >= log_min;
}

/* a byte that may stand bare in a value: printable ASCII, no quoting */
static bool
log_token_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

/* length of the valid UTF-8 sequence at s (2-4), or 0 */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* the escaped form of the byte(s) at s into out (>= 5 bytes); consumed */
static size_t
log_esc(const unsigned char *s, char *out, size_t *outlen)
{
	size_t n;

	switch (*s) {
	case '"':
	case '\\':
		out[0] = '\\', out[1] = (char)*s, *outlen = 2;
		return 1;
	case '\n':
		memcpy(out, "\\n", 2), *outlen = 2;
		return 1;
	case '\t':
		memcpy(out, "\\t", 2), *outlen = 2;
		return 1;
	case '\r':
		memcpy(out, "\\r", 2), *outlen = 2;
		return 1;
	}
	if (*s >= ' ' && *s < 0x7f) {
		out[0] = (char)*s, *outlen = 1;
		return 1;
	}
	if (*s >= 0x80 && (n = utf8_len(s)) > 0) {
		memcpy(out, s, n), *outlen = n;
		return n;
	}
	snprintf(out, 5, "\\x%02x", *s);
	*outlen = 4;
	return 1;
}

const char *
log_quote(char *buf, size_t size, const char *s, enum log_q q)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "-");
	bool quote = q == LOG_Q_STRING;
	size_t off = 0, i, room;
	char e[5];

	if (size < 8) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	if (q == LOG_Q_TOKEN) {
		quote = *p == '\0';
		for (i = 0; p[i] != '\0' && !quote; i++)
			quote = !log_token_char(p[i]);
	}
	/* room for the closing quote, "..." and the NUL */
	room = size - 1 - (quote ? 1 : 0) - 3;
	if (quote)
		buf[off++] = '"';
	while (*p != '\0') {
		size_t elen, used = log_esc(p, e, &elen);

		if (off + elen > room) {
			memcpy(buf + off, "...", 3);
			off += 3;
			break;
		}
		memcpy(buf + off, e, elen);
		off += elen;
		p += used;
	}
	if (quote)
		buf[off++] = '"';
	buf[off] = '\0';
	return buf;
}

static void
log_vmsg(enum log_level lvl, const char *key, const char *name,
    const char *suffix, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char ts[32], nm[LOG_VAL_MAX];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%06ldZ lvl=%s ", ts, (long)tv.tv_usec,
	    lvl_names[lvl]);
	if (key != NULL)
		fprintf(stderr, "%s=%s ", key,
		    log_quote(nm, sizeof(nm), name, LOG_Q_TOKEN));
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fputs(suffix, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
}

#define RL_BURST	5.0
#define RL_PERIOD	10.0	/* seconds per token */

/*
 * Take a token from rl's bucket: false if the line is to be suppressed;
 * otherwise suffix says how many were (or is empty).
 */
static bool
rl_take(struct log_rl *rl, char *suffix, size_t len)
{
	double now = (double)mono_ms() / 1000.0;

	if (rl->last == 0)
		rl->tokens = RL_BURST;
	else
		rl->tokens += (now - rl->last) / RL_PERIOD;
	if (rl->tokens > RL_BURST)
		rl->tokens = RL_BURST;
	rl->last = now;
	if (rl->tokens < 1.0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens -= 1.0;
	suffix[0] = '\0';
	if (rl->suppressed > 0)
		snprintf(suffix, len, " suppressed=%u", rl->suppressed);
	rl->suppressed = 0;
	return true;
}

void
log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	char suffix[48];

	if (!log_enabled(lvl) || !rl_take(rl, suffix, sizeof(suffix)))
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, NULL, NULL, suffix, fmt, ap);
	va_end(ap);
}

void
log_obj(enum log_level lvl, const char *key, const char *name,
    struct log_rl *rl, const char *fmt, ...)
{
	va_list ap;
	char suffix[48] = "";

	if (!log_enabled(lvl) ||
	    (rl != NULL && !rl_take(rl, suffix, sizeof(suffix))))
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, key, name, suffix, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
