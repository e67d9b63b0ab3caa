/*
 * log.h - one event per line on stderr, key=value, free text last.
 *
 * lvl=info peer=198.51.100.1 state=OpenConfirm->Established ...
 * The sink and level are fixed before the loop starts (the one process-wide
 * setting).  Lines are written to fd 2 as they come, blocking, until the
 * daemon calls log_buffer_stderr(): from then on a stalled reader never
 * blocks the caller; lines wait in a bounded buffer that the loop empties
 * (log_flush()), and a line that does not fit is dropped whole and counted.
 * log_rl() rate-limits repeats per object with a token bucket;
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
/*
 * From now on, lines wait in a buffer of cap bytes and go to fd without
 * blocking (log_flush()); a line that does not fit is dropped whole and
 * counted, and once half the buffer is free again a line says how many
 * were.  Takes fd (closed by log_buffer_stop(), and on failure): a socket
 * is sent to with MSG_DONTWAIT, anything else gets O_NONBLOCK, so it must
 * be a description of the caller's own.  SIGPIPE must be ignored.
 * 0, or -1: lines stay blocking writes to fd 2.
 */
int	log_buffer_fd(int fd, size_t cap);
/*
 * The daemon's: log_buffer_fd() on fd 2 when it is a pipe, a FIFO, a
 * socket or a terminal, without changing how others see fd 2 (log.c says
 * how).  The descriptor to watch for writability, or -1: lines stay
 * blocking writes to fd 2 (a file, which has no reader to wait on; or it
 * could not be done, logged).
 */
int	log_buffer_stderr(size_t cap);
/* back to blocking writes to fd 2; what still waits is lost */
void	log_buffer_stop(void);
/* write what the descriptor takes now; 1 if bytes still wait, else 0 */
int	log_flush(void);
/* log_flush() until nothing waits or ms have passed (exit, fatal) */
void	log_flush_wait(unsigned ms);
/* how long the exit and fatal() wait for a slow reader */
#define LOG_EXIT_FLUSH_MS	200
/* lines dropped since start: the buffer full, or the reader gone */
uint64_t log_lines_dropped(void);

/* fatal at startup: log and exit(1) */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
	log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)

#endif
