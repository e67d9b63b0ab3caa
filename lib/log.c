/*
 * log.c - key=value lines on stderr; see log.h.
 *
 * Each line starts with a UTC timestamp with microseconds, so that a
 * timeline can be read off the log, then lvl=, then the caller's text.
 *
 * Where a line goes.  Until log_buffer_stderr() (config parsing, -t, the
 * tools and tests) each line is written to fd 2 at once, blocking: nothing
 * waits on us then.  The daemon's loop must never wait on its log reader,
 * so from log_buffer_stderr() on, lines go to a descriptor that never
 * blocks, through a bounded buffer that the loop empties when the
 * descriptor is writable (log_flush()).  How to write fd 2 without blocking
 * and without touching anyone else:
 *
 * - O_NONBLOCK is a flag of the open file description, which fd 2 shares
 *   with whoever else holds it (the shell's terminal, a sibling writing to
 *   the same pipe, our exec checks' inherited descriptors): setting it on
 *   fd 2, or on a dup() of it, would make their writes fail with EAGAIN.
 * - A pipe, a FIFO or a terminal is opened afresh through /proc/self/fd/2:
 *   that makes a new description of the same pipe or terminal, ours
 *   alone, and O_NONBLOCK on it affects no one else.
 * - A socket (journald's stream, a syslog relay) cannot be reopened, but
 *   send(2) takes MSG_DONTWAIT per call: a dup of fd 2, flags untouched.
 * - Anything else (a regular file, /dev/null) does not block on a reader,
 *   and with no /proc we keep the blocking writes, and say so.
 *
 * A line goes whole into the buffer or is dropped whole and counted, so
 * the reader never sees half a line.  Once a line was dropped, every line
 * is dropped until the buffer is down to half, and then the first line is
 * one saying how many were lost: the gap is marked where it is.
 *
 * The daemon logs from one thread (the loop), and so does everything here.
 */
#include "lib/log.h"
#include "lib/mono.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/*
 * The log sink, the one process-wide setting: the level is fixed by
 * log_init() before the loop starts; the buffer is the loop's from
 * log_buffer_*() on.
 */
static struct {
	enum log_level	 min;
	int		 fd;		/* -1: blocking writes to fd 2 */
	bool		 sock;		/* fd is a socket: send(MSG_DONTWAIT) */
	int		 shared_fl;	/* fd 2's flags to put back, or -1 */
	char		*buf;		/* [cap]; bytes [off, off + len) wait */
	size_t		 cap, off, len;
	bool		 stalled;	/* dropping until down to half */
	uint64_t	 dropped;	/* since the last note */
	uint64_t	 dropped_total;
} sink = { .min = LOG_LVL_INFO, .fd = -1, .shared_fl = -1 };

/*
 * The BFD speaker logs from a thread of its own (bfd/bfd.c), so the sink
 * is taken under a lock.  Recursive: a line may note the lines dropped
 * before it (sink_recover) through log_msg.
 */
static pthread_mutex_t sink_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static const char *const lvl_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_ERR] = "err",
};

void
log_init(enum log_level min)
{
	sink.min = min;
}

bool
log_enabled(enum log_level lvl)
{
	return lvl >= sink.min;
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

/* ---- the sink ---- */

/* all of p to fd 2, waiting as long as it takes */
static void
sink_write_blocking(const char *p, size_t n)
{
	struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDERR_FILENO, p, n)) >= 0) {
			p += w;
			n -= (size_t)w;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* someone else made fd 2 non-blocking: wait */
			(void)poll(&pfd, 1, -1);
		} else if (errno != EINTR) {
			return;		/* nowhere left to say it */
		}
	}
}

/* what the sink's fd takes now: bytes written, 0 (full), -1 (gone) */
static ssize_t
sink_try(const char *p, size_t n)
{
	ssize_t w;

	do {
		if (sink.sock)
			w = send(sink.fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(sink.fd, p, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return w;
}

static void
sink_drop(uint64_t lines)
{
	sink.dropped += lines;
	sink.dropped_total += lines;
}

/* the reader is gone for good: what waits is lost, counted by lines */
static void
sink_gone(void)
{
	const char *p = sink.buf + sink.off, *end = p + sink.len;
	uint64_t lines = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	sink_drop(lines);
	sink.off = sink.len = 0;
}

/*
 * After a drop, once the buffer is down to half: the line saying how many
 * were lost, then lines are taken again.  The half keeps a reader that
 * is slow, not stopped, from getting a note between every two lines.
 */
static void
sink_recover(void)
{
	uint64_t n = sink.dropped, total = sink.dropped_total;

	if (!sink.stalled || sink.len > sink.cap / 2)
		return;
	sink.stalled = false;
	sink.dropped = 0;
	log_msg(LOG_LVL_WARN, "dropped=%" PRIu64 " msg=\"log reader stalled: "
	    "%" PRIu64 " lines dropped\"", n, n);
	if (sink.dropped_total != total) {
		/*
		 * The reader is gone: the note is not a line to count, and
		 * it waits for a reader (a FIFO may get one again).
		 */
		sink.dropped_total = total;
		sink.dropped = n;
		sink.stalled = true;
	}
}

static void sink_line_locked(const char *p, size_t n);

/* one whole line, n bytes ending in '\n': out, queued, or dropped */
static void
sink_line(const char *p, size_t n)
{
	pthread_mutex_lock(&sink_lock);
	sink_line_locked(p, n);
	pthread_mutex_unlock(&sink_lock);
}

static void
sink_line_locked(const char *p, size_t n)
{
	ssize_t w;

	if (sink.fd == -1) {
		sink_write_blocking(p, n);
		return;
	}
	sink_recover();
	if (sink.stalled || n > sink.cap - sink.len) {
		sink.stalled = true;
		sink_drop(1);
		return;
	}
	/* nothing waits: straight out, and only the rest is queued */
	if (sink.len == 0) {
		if ((w = sink_try(p, n)) < 0) {
			sink_drop(1);
			return;
		}
		p += w;
		n -= (size_t)w;
		sink.off = 0;
	}
	if (n == 0)
		return;
	if (sink.off + sink.len + n > sink.cap) {
		memmove(sink.buf, sink.buf + sink.off, sink.len);
		sink.off = 0;
	}
	memcpy(sink.buf + sink.off + sink.len, p, n);
	sink.len += n;
}

int
log_flush(void)
{
	ssize_t w;
	int rc;

	pthread_mutex_lock(&sink_lock);
	while (sink.len > 0) {
		if ((w = sink_try(sink.buf + sink.off, sink.len)) == 0)
			break;
		if (w < 0) {
			sink_gone();
			break;
		}
		sink.off += (size_t)w;
		sink.len -= (size_t)w;
	}
	if (sink.len == 0)
		sink.off = 0;
	if (sink.fd != -1)
		sink_recover();
	rc = sink.len > 0 ? 1 : 0;
	pthread_mutex_unlock(&sink_lock);
	return rc;
}

void
log_flush_wait(unsigned ms)
{
	uint64_t end = mono_ms() + ms, now;
	struct pollfd pfd;

	while (log_flush() > 0 && (now = mono_ms()) < end) {
		pfd.fd = sink.fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, (int)(end - now));
	}
}

uint64_t
log_lines_dropped(void)
{
	return sink.dropped_total;
}

void
log_buffer_stop(void)
{
	pthread_mutex_lock(&sink_lock);
	if (sink.fd == -1) {
		pthread_mutex_unlock(&sink_lock);
		return;
	}
	if (sink.shared_fl != -1)
		(void)fcntl(sink.fd, F_SETFL, sink.shared_fl);
	close(sink.fd);
	free(sink.buf);
	sink.fd = -1;
	sink.shared_fl = -1;
	sink.buf = NULL;
	sink.cap = sink.off = sink.len = 0;
	sink.stalled = false;
	sink.dropped = 0;
	pthread_mutex_unlock(&sink_lock);
}

/* fd as the sink; shared: fd's description is also others' (restore) */
static int
sink_start(int fd, size_t cap, bool shared)
{
	struct stat st;
	char *b = NULL;
	int fl = -1;

	if (cap == 0 || fstat(fd, &st) == -1 || (b = malloc(cap)) == NULL)
		goto fail;
	if (!S_ISSOCK(st.st_mode) &&
	    ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1))
		goto fail;
	log_buffer_stop();
	pthread_mutex_lock(&sink_lock);
	sink.fd = fd;
	sink.sock = S_ISSOCK(st.st_mode);
	sink.shared_fl = shared ? fl : -1;
	sink.buf = b;
	sink.cap = cap;
	pthread_mutex_unlock(&sink_lock);
	return 0;
fail:
	free(b);
	close(fd);
	return -1;
}

int
log_buffer_fd(int fd, size_t cap)
{
	return sink_start(fd, cap, false);
}

int
log_buffer_stderr(size_t cap)
{
	struct stat st;
	bool tty = isatty(STDERR_FILENO);
	int fd;

	if (fstat(STDERR_FILENO, &st) == -1)
		return -1;
	if (S_ISSOCK(st.st_mode)) {
		/* same description, flags untouched: MSG_DONTWAIT per send */
		if ((fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
			goto fail;
		return sink_start(fd, cap, false) == -1 ? -1 : fd;
	}
	if (!S_ISFIFO(st.st_mode) && !tty)
		return -1;	/* a file or a device: no reader to wait on */
	/* a description of our own, so O_NONBLOCK is ours alone */
	fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd != -1)
		return sink_start(fd, cap, false) == -1 ? -1 : fd;
	if (tty)
		goto fail;
	/*
	 * A pipe we may not reopen (made by another user, no /proc): being
	 * frozen by a stalled reader is worse than O_NONBLOCK on a write end
	 * that, made for us, is seldom anyone else's.  Put back at the end.
	 */
	log_warn("msg=\"cannot reopen stderr, making it non-blocking\" "
	    "error=%s", LQ(strerror(errno)));
	if ((fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
		goto fail;
	return sink_start(fd, cap, true) == -1 ? -1 : fd;
fail:
	log_warn("msg=\"stderr stays blocking: a stalled log reader would "
	    "stall the daemon\" error=%s", LQ(strerror(errno)));
	return -1;
}

/* ---- lines ---- */

static void
log_vmsg(enum log_level lvl, const char *key, const char *name,
    const char *suffix, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char ts[32], nm[LOG_VAL_MAX], head[2 * LOG_VAL_MAX];
	char stack[2048], *line = stack;
	size_t hlen, blen, slen = suffix != NULL ? strlen(suffix) : 0, n;
	va_list aq;
	int r;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(head, sizeof(head), "%s.%06ldZ lvl=%s %s%s%s", ts,
	    (long)tv.tv_usec, lvl_names[lvl], key != NULL ? key : "",
	    key != NULL ? "=" : "",
	    key != NULL ? log_quote(nm, sizeof(nm), name, LOG_Q_TOKEN) : "");
	if (r < 0)
		return;
	hlen = (size_t)r < sizeof(head) ? (size_t)r : sizeof(head) - 1;
	if (key != NULL && hlen + 1 < sizeof(head))
		head[hlen++] = ' ';
	/* the text into the stack buffer; a long one into one of its size */
	va_copy(aq, ap);
	r = vsnprintf(line + hlen, sizeof(stack) - hlen, fmt, aq);
	va_end(aq);
	if (r < 0)
		return;
	blen = (size_t)r;
	n = hlen + blen + slen + 1;
	if (n + 1 > sizeof(stack)) {
		if ((line = malloc(n + 1)) == NULL)
			return;
		(void)vsnprintf(line + hlen, blen + 1, fmt, ap);
	}
	memcpy(line, head, hlen);
	if (slen > 0)
		memcpy(line + hlen + blen, suffix, slen);
	line[n - 1] = '\n';
	sink_line(line, n);
	if (line != stack)
		free(line);
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
	/* the reader may be stalled: say it if it can be said soon */
	log_flush_wait(LOG_EXIT_FLUSH_MS);
	exit(1);
}
