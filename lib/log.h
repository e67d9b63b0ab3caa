/*
 * log.h - one event per line on stderr, key=value, free text last.
 *
 * lvl=info peer=198.51.100.1 state=OpenConfirm->Established ...
 * The sink and level are fixed before the loop starts (the one process-wide
 * setting).  log_rl() rate-limits repeats per object with a token bucket;
 * the next line let through carries suppressed=N.
 */
#ifndef NOMCAST_LOG_H
#define NOMCAST_LOG_H

#include <stdbool.h>
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

void	log_init(enum log_level min);
bool	log_enabled(enum log_level lvl);
void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* as log_msg, at most a burst of 5 then one line per 10 s per bucket */
void	log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* fatal at startup: log and exit(1) */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
	log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)

#endif
