/*
 * log.c - key=value lines on stderr; see log.h.
 *
 * Each line starts with a UTC timestamp with microseconds, so that a
 * timeline can be read off the log, then lvl=, then the caller's text.
 */
#include "lib/log.h"
#include "lib/mono.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

static void
log_vmsg(enum log_level lvl, const char *suffix, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char ts[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%06ldZ lvl=%s ", ts, (long)tv.tv_usec,
	    lvl_names[lvl]);
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
	log_vmsg(lvl, NULL, fmt, ap);
	va_end(ap);
}

static double
mono_now(void)
{
	return (double)mono_ms() / 1000.0;
}

#define RL_BURST	5.0
#define RL_PERIOD	10.0	/* seconds per token */

void
log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	double now = mono_now();
	char suffix[48];

	if (!log_enabled(lvl))
		return;
	if (rl->last == 0)
		rl->tokens = RL_BURST;
	else
		rl->tokens += (now - rl->last) / RL_PERIOD;
	if (rl->tokens > RL_BURST)
		rl->tokens = RL_BURST;
	rl->last = now;
	if (rl->tokens < 1.0) {
		rl->suppressed++;
		return;
	}
	rl->tokens -= 1.0;
	suffix[0] = '\0';
	if (rl->suppressed > 0)
		snprintf(suffix, sizeof(suffix), " suppressed=%u",
		    rl->suppressed);
	rl->suppressed = 0;
	va_start(ap, fmt);
	log_vmsg(lvl, suffix, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
