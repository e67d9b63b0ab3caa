/*
 * log.h - one event per line on stderr, key=value, free text last.
 *
 * lvl=info peer=198.51.100.1 state=OpenConfirm->Established ...
 * The sink and level are fixed before the loop starts (the one process-wide
 * setting).  log_rl() rate-limits repeats per object with a token bucket;
 * the next line let through carries suppressed=N.
 *
 * The one rule for values: anything that did not come from a literal in
 * the code (a name from the config, a peer's shutdown text, a check's
 * output, an agent's answer) goes through log_quote(), by way of LV() for
 * a value (bare when it is a plain token, quoted otherwise), LQ() for a
 * value always quoted, or LE() inside a quoted literal of the format
 * ("... %s ...").  So no value can end a line, open or close a quote, or
 * pose as another key.
 */
#ifndef NOMCAST_LOG_H
#define NOMCAST_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERR,
};

struct log_rl {
	double		tokens;
	double		last;		/* monotonic seconds */
	uint32_t	suppressed;
};

/* how log_quote() writes a value */
enum log_q {
	LOG_Q_TOKEN,	/* bare if a plain token, else quoted */
	LOG_Q_STRING,	/* always between double quotes */
	LOG_Q_INNER,	/* escaped, for inside a quoted literal */
};

#define LOG_VAL_MAX	512	/* a value longer than this is cut: "..." */

/*
 * s as a key=value line can carry it: '"' and '\' escaped with '\',
 * newline, tab and return as \n \t \r, other control bytes, DEL and bytes
 * that are not valid UTF-8 as \xNN; cut with "..." to fit size.  s may be
 * NULL ("-").  Returns buf.
 */
const char *log_quote(char *buf, size_t size, const char *s, enum log_q q);

/* the value in a buffer of the enclosing call's lifetime */
#define LOG_QUOTE_(s, q) \
	log_quote((char [LOG_VAL_MAX]){ 0 }, LOG_VAL_MAX, (s), (q))
#define LV(s)	LOG_QUOTE_((s), LOG_Q_TOKEN)
#define LQ(s)	LOG_QUOTE_((s), LOG_Q_STRING)
#define LE(s)	LOG_QUOTE_((s), LOG_Q_INNER)

void	log_init(enum log_level min);
bool	log_enabled(enum log_level lvl);
void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* as log_msg, at most a burst of 5 then one line per 10 s per bucket */
void	log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A line about one object: "key=<name> " then fmt, name quoted as LV()
 * does; rl (may be NULL) rate-limits as log_rl().  For the helpers that
 * prefix a peer, a service or a check once (peer_log, svc_log, check_log).
 */
void	log_obj(enum log_level lvl, const char *key, const char *name,
	    struct log_rl *rl, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* fatal at startup: log and exit(1) */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
	log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)

#endif
