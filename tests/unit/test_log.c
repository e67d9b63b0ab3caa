/*
 * test_log.c - the logging rule: every value that went through LV(), LQ(),
 * LE() or log_obj() reads back, from a strictly parsed key=value line, as
 * exactly what was logged, whatever bytes it held.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mono.h"

/* hostile values: quotes, key=value lookalikes, line ends, raw bytes */
static const char *const hostile[] = {
	"plain",
	"",
	"two words",
	"say \"hi\"",
	"back\\slash\\",
	"a=b c=d",
	"line\nlvl=err msg=\"forged\"",
	"tab\there\rcr",
	"\x1b[31mred\x1b[0m",
	"bad utf-8: \xff\xfe \xc3\x28 \xed\xa0\x80",
	"above U+10FFFF: \xf4\x90\x80\x80, overlong: \xe0\x80\xaf",
	"good utf-8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	"del \x7f",
	"\"",
	"\\",
	"=",
};
#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

/* what a reader gets back: invalid bytes come back as themselves too */
static void
unescape(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		assert_true(i + 1 < n);
		switch (s[++i]) {
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case 'x': {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			assert_true(i + 2 < n);
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
			break;
		}
		default:
			fail_msg("bad escape \\%c", s[i]);
		}
	}
	out[o] = '\0';
}

/*
 * Parse "TS lvl=L key=value ..." strictly: keys are [a-z0-9_-]+, a value
 * is a run of printable non-space ASCII without '"', '\\' and '=', or a
 * quoted string with escapes.  The value of key (unescaped) into out;
 * inner: the value of key is a quoted literal and what we want sits after
 * prefix inside it.  Fails the test on anything else.
 */
static void
parse(const char *line, const char *key, char *out)
{
	const char *p = strchr(line, ' ');
	bool found = false;

	assert_non_null(p);
	assert_null(strchr(line, '\n'));
	while (*p == ' ') {
		const char *k = ++p, *v;
		size_t klen;

		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-')
			p++;
		klen = (size_t)(p - k);
		if (klen == 0 || *p != '=')
			fail_msg("not key=value at: %s", k);
		v = ++p;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				assert_true(*p != '\0');
				if (*p == '\\')
					p++;
				assert_true((unsigned char)*p >= ' ' &&
				    *p != 0x7f);
			}
			p++;
			if (klen == strlen(key) && strncmp(k, key, klen) == 0) {
				unescape(v + 1, (size_t)(p - v - 2), out);
				found = true;
			}
		} else {
			while (*p > ' ' && *p < 0x7f && *p != '"' &&
			    *p != '\\' && *p != '=')
				p++;
			if (p == v)
				fail_msg("empty bare value at: %s", k);
			if (klen == strlen(key) && strncmp(k, key, klen) == 0) {
				memcpy(out, v, (size_t)(p - v));
				out[p - v] = '\0';
				found = true;
			}
		}
		if (*p != ' ' && *p != '\0')
			fail_msg("junk after a value: %s", p);
	}
	assert_true(*p == '\0');
	assert_true(found);
}

/* stderr into a file, one line read back */
struct cap {
	FILE	*f;
	int	 saved;
};

static void
cap_start(struct cap *c)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	fflush(stderr);
	c->saved = dup(2);
	assert_true(dup2(fileno(c->f), 2) == 2);
}

static char *
cap_line(struct cap *c)
{
	static char line[4 * LOG_VAL_MAX];
	size_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	rewind(c->f);
	n = fread(line, 1, sizeof(line) - 1, c->f);
	fclose(c->f);
	line[n] = '\0';
	/* exactly one line */
	assert_true(n > 0 && line[n - 1] == '\n');
	line[n - 1] = '\0';
	assert_null(strchr(line, '\n'));
	return line;
}

/* valid UTF-8 and ASCII come back byte for byte */
static void
test_log_values_read_back(void **state)
{
	char got[LOG_VAL_MAX];
	size_t i;

	(void)state;
	log_init(LOG_LVL_DEBUG);
	for (i = 0; i < NHOSTILE; i++) {
		struct cap c;
		char *line;

		cap_start(&c);
		log_info("v=%s q=%s msg=\"said: %s\"", LV(hostile[i]),
		    LQ(hostile[i]), LE(hostile[i]));
		line = cap_line(&c);
		parse(line, "v", got);
		assert_string_equal(got, hostile[i]);
		parse(line, "q", got);
		assert_string_equal(got, hostile[i]);
		parse(line, "msg", got);
		assert_true(strncmp(got, "said: ", 6) == 0);
		assert_string_equal(got + 6, hostile[i]);
	}
}

static void
test_log_obj_quotes_the_name(void **state)
{
	struct log_rl rl = { 0 };
	struct cap c;
	char got[LOG_VAL_MAX], *line;
	int i;

	(void)state;
	log_init(LOG_LVL_INFO);
	cap_start(&c);
	log_obj(LOG_LVL_INFO, "svc", "web x=1\n", NULL, "state=%s", "up");
	line = cap_line(&c);
	parse(line, "svc", got);
	assert_string_equal(got, "web x=1\n");
	parse(line, "state", got);
	assert_string_equal(got, "up");
	assert_non_null(strstr(line, " svc=\"web x=1\\n\" state=up"));
	/* a plain name stands bare */
	cap_start(&c);
	log_obj(LOG_LVL_INFO, "peer", "198.51.100.1", NULL, "n=1");
	assert_non_null(strstr(cap_line(&c), " peer=198.51.100.1 n=1"));
	/* the rate limit: a burst of 5, then silence, counted */
	for (i = 0; i < 5; i++) {
		cap_start(&c);
		log_obj(LOG_LVL_INFO, "check", "c", &rl, "i=%d", i);
		(void)cap_line(&c);
	}
	log_obj(LOG_LVL_INFO, "check", "c", &rl, "i=%d", 5);
	assert_int_equal(rl.suppressed, 1);
	/* below the level: nothing, and no token taken */
	log_obj(LOG_LVL_DEBUG, "check", "c", &rl, "i=%d", 6);
	assert_int_equal(rl.suppressed, 1);
}

/* a value is cut to fit, never inside an escape or a UTF-8 sequence */
static void
test_log_quote_cuts_cleanly(void **state)
{
	char big[3000], buf[64], got[LOG_VAL_MAX];
	size_t i, len;

	(void)state;
	for (i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);	/* é */
	big[i] = '\0';
	for (len = 8; len <= sizeof(buf); len++) {
		log_quote(buf, len, big, LOG_Q_STRING);
		assert_true(strlen(buf) < len);
		assert_true(buf[0] == '"' && buf[strlen(buf) - 1] == '"');
		assert_non_null(strstr(buf, "...\""));
		/* whole characters only before the cut */
		assert_int_equal((strlen(buf) - 5) % 2, 0);
	}
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = '"';
	big[i] = '\0';
	for (len = 8; len <= sizeof(buf); len++) {
		log_quote(buf, len, big, LOG_Q_TOKEN);
		assert_true(strlen(buf) < len);
		/* \" pairs only: a cut never leaves a lone backslash */
		assert_int_equal((strlen(buf) - 5) % 2, 0);
	}
	/* what fits is whole; NULL reads as "-" */
	assert_string_equal(log_quote(buf, sizeof(buf), NULL, LOG_Q_TOKEN),
	    "-");
	assert_string_equal(log_quote(buf, sizeof(buf), "", LOG_Q_TOKEN),
	    "\"\"");
	assert_string_equal(log_quote(buf, sizeof(buf), "a b", LOG_Q_INNER),
	    "a b");
	/* bytes that are not UTF-8 are escaped, UTF-8 stays as it is */
	assert_string_equal(LE("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(LE("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	assert_string_equal(LE("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(LE("\xc3\x28"), "\\xc3(");
	assert_string_equal(LE("\xf4\x8f\xbf\xbf \xe2\x82\xac"),
	    "\xf4\x8f\xbf\xbf \xe2\x82\xac");
	unescape(LV("x\xff"), strlen(LV("x\xff")), got);
	assert_string_equal(got, "\"x\xff\"");
}


/* a line longer than the formatting buffer on the stack comes out whole */
static void
test_log_long_line_whole(void **state)
{
	static char pad[6000], got[8000];
	struct cap c;
	size_t n;

	(void)state;
	memset(pad, 'x', sizeof(pad) - 1);
	log_init(LOG_LVL_INFO);
	cap_start(&c);
	log_obj(LOG_LVL_INFO, "svc", "web", NULL, "pad=%s", pad);
	fflush(stderr);
	dup2(c.saved, 2);
	close(c.saved);
	rewind(c.f);
	n = fread(got, 1, sizeof(got) - 1, c.f);
	fclose(c.f);
	got[n] = '\0';
	assert_true(n > sizeof(pad) && got[n - 1] == '\n');
	got[n - 1] = '\0';
	assert_null(strchr(got, '\n'));
	assert_non_null(strstr(got, " lvl=info svc=web pad=x"));
	assert_int_equal(strlen(strstr(got, "pad=") + 4), sizeof(pad) - 1);
}

/* ---- the buffer: a reader that stalls, comes back, or goes ---- */

#define PIPE_CAP	4096	/* one page: the smallest pipe */

/* what the reader got so far */
struct acc {
	char	*p;
	size_t	 len, cap;
};

struct buf_fixture {
	int		rd;		/* the reader's end */
	int		wr;		/* the logger's, until start() */
	struct acc	got;
	uint64_t	dropped0;	/* log_lines_dropped() at setup */
};

/* the logger's end of a one-page pipe, the reader's end non-blocking */
static int
setup_pipe(void **state)
{
	struct buf_fixture *f = calloc(1, sizeof(*f));
	int fds[2];

	assert_non_null(f);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(fcntl(fds[1], F_SETPIPE_SZ, PIPE_CAP), PIPE_CAP);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	f->rd = fds[0];
	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_LVL_DEBUG);
	f->dropped0 = log_lines_dropped();
	f->wr = fds[1];
	*state = f;
	return 0;
}

/* the logger's end a stream socket with a small send buffer */
static int
setup_sock(void **state)
{
	struct buf_fixture *f = calloc(1, sizeof(*f));
	int fds[2], sz = 4096;

	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    fds), 0);
	assert_int_equal(setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	f->rd = fds[0];
	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_LVL_DEBUG);
	f->dropped0 = log_lines_dropped();
	f->wr = fds[1];
	*state = f;
	return 0;
}

/* the sink on the logger's end, with a buffer of cap bytes */
static struct buf_fixture *
start(void **state, size_t cap)
{
	struct buf_fixture *f = *state;

	assert_int_equal(log_buffer_fd(f->wr, cap), 0);
	f->wr = -1;	/* the sink's now */
	return f;
}

static int
teardown_buf(void **state)
{
	struct buf_fixture *f = *state;

	log_buffer_stop();
	if (f->wr != -1)
		close(f->wr);
	close(f->rd);
	free(f->got.p);
	free(f);
	return 0;
}

/* read at most max bytes that wait (one read); how many */
static size_t
reader_take(struct buf_fixture *f, size_t max)
{
	ssize_t n;

	if (f->got.len + max + 1 > f->got.cap) {
		f->got.cap = (f->got.len + max + 1) * 2;
		f->got.p = realloc(f->got.p, f->got.cap);
		assert_non_null(f->got.p);
	}
	n = read(f->rd, f->got.p + f->got.len, max);
	if (n < 0) {
		assert_true(errno == EAGAIN);
		return 0;
	}
	f->got.len += (size_t)n;
	f->got.p[f->got.len] = '\0';
	return (size_t)n;
}

static void
reader_drain(struct buf_fixture *f)
{
	while (reader_take(f, 65536) > 0)
		;
}

static size_t
waiting(int fd)
{
	int n = 0;

	assert_int_equal(ioctl(fd, FIONREAD, &n), 0);
	return (size_t)n;
}

/* line i carries i and a pad whose length depends on i */
static size_t
pad_len(int i)
{
	return 10 + (size_t)(i * 37 % 290);
}

static void
log_numbered(int i)
{
	char pad[400];
	size_t n = pad_len(i);

	memset(pad, 'x', n);
	pad[n] = '\0';
	log_info("i=%d pad=%s", i, pad);
}

/*
 * What the reader got, line by line: every line whole and strictly
 * parsed, numbered lines in order from 0 without a gap except where a
 * note says how many were dropped.  Returns the next number expected;
 * *notes and *noted: the notes and the lines they said were dropped.
 */
static int
check_lines(const struct acc *a, int *notes, long *noted)
{
	char *copy, *line, *save, got[LOG_VAL_MAX];
	int next = 0, i;
	long d;

	*notes = 0;
	*noted = 0;
	if (a->len == 0)
		return 0;
	assert_true(a->p[a->len - 1] == '\n');
	copy = strndup(a->p, a->len);
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, " lvl=warn dropped=") != NULL) {
			parse(line, "dropped", got);
			d = atol(got);
			assert_true(d > 0);
			parse(line, "msg", got);
			snprintf(got + 256, 200, "log reader stalled: %ld lines "
			    "dropped", d);
			assert_string_equal(got, got + 256);
			(*notes)++;
			*noted += d;
			next += (int)d;
			continue;
		}
		parse(line, "i", got);
		i = atoi(got);
		assert_int_equal(i, next);
		parse(line, "pad", got);
		assert_int_equal(strlen(got), pad_len(i));
		assert_int_equal(strspn(got, "x"), pad_len(i));
		next++;
	}
	free(copy);
	return next;
}

/* a reader that stops: the pipe fills, the buffer fills, whole lines drop */
static void
test_log_buffer_full_drops_whole_lines_and_counts(void **state)
{
	struct buf_fixture *f = start(state, 1024);
	int i, notes, next;
	long noted;

	for (i = 0; i < 100; i++)
		log_numbered(i);
	/* the pipe took some, the buffer at most 1 KiB, the rest dropped */
	assert_true(waiting(f->rd) <= PIPE_CAP);
	assert_int_equal(log_flush(), 1);
	reader_drain(f);
	next = check_lines(&f->got, &notes, &noted);
	assert_int_equal(notes, 0);
	assert_true(next > 0 && next < 100);
	/* the reader is back: the buffer goes out whole, then the note */
	while (log_flush() > 0)
		reader_drain(f);
	reader_drain(f);
	log_numbered(100);
	reader_drain(f);
	next = check_lines(&f->got, &notes, &noted);
	assert_int_equal(next, 101);
	assert_int_equal(notes, 1);
	assert_true(noted > 50);
	assert_int_equal(log_lines_dropped() - f->dropped0, (uint64_t)noted);
}

/*
 * The note waits until half the buffer is free: lines logged while a
 * slow reader frees less than that are dropped too, and counted in it.
 */
static void
test_log_buffer_note_once_half_free(void **state)
{
	struct buf_fixture *f = start(state, 3 * PIPE_CAP);
	uint64_t before;
	int i, notes, next;
	long noted;

	for (i = 0; i < 200; i++)
		log_numbered(i);
	before = log_lines_dropped();
	assert_true(before > f->dropped0);
	/* one page read: the buffer is still above half */
	while (reader_take(f, 65536) > 0)
		;
	assert_int_equal(log_flush(), 1);
	log_numbered(200);
	assert_int_equal(log_lines_dropped(), before + 1);
	(void)check_lines(&f->got, &notes, &noted);
	assert_int_equal(notes, 0);
	/* then all of it: the note, and lines are taken again */
	while (log_flush() > 0)
		reader_drain(f);
	reader_drain(f);
	log_numbered(201);
	reader_drain(f);
	next = check_lines(&f->got, &notes, &noted);
	assert_int_equal(next, 202);
	assert_int_equal(notes, 1);
	assert_int_equal(log_lines_dropped() - f->dropped0, (uint64_t)noted);
}

/*
 * A reader taking a little at a time: each write takes part of what waits
 * and the next one resumes inside the line, while new lines join the
 * buffer; every byte arrives once, in order.
 */
static void
partial_writes_resume(void **state, size_t chunk)
{
	struct buf_fixture *f = start(state, 64 * 1024);
	bool mid_line = false;
	int i = 0, notes, rounds = 0;
	long noted;

	for (; i < 250; i++)
		log_numbered(i);
	assert_int_equal(log_lines_dropped(), f->dropped0);
	for (;;) {
		size_t n = reader_take(f, chunk);

		/* now and then all that was written: did it end in a line? */
		if (rounds % 5 == 0) {
			reader_drain(f);
			if (log_flush() > 0 && f->got.len > 0 &&
			    f->got.p[f->got.len - 1] != '\n')
				mid_line = true;
		}
		if (++rounds % 7 == 0 && i < 400)
			log_numbered(i++);
		if (log_flush() == 0 && n == 0 && i >= 400)
			break;
		assert_true(rounds < 100000);
	}
	reader_drain(f);
	assert_int_equal(check_lines(&f->got, &notes, &noted), 400);
	assert_int_equal(notes, 0);
	assert_int_equal(log_lines_dropped(), f->dropped0);
	assert_true(mid_line);
}

static void
test_log_buffer_partial_writes_resume_pipe(void **state)
{
	partial_writes_resume(state, 1000);
}

static void
test_log_buffer_partial_writes_resume_socket(void **state)
{
	partial_writes_resume(state, 333);
}

/* a line longer than the whole buffer: dropped whole, then noted */
static void
test_log_buffer_line_longer_than_buffer_dropped(void **state)
{
	struct buf_fixture *f = start(state, 256);
	int notes;
	long noted;

	log_numbered(7);	/* pad 269: the line is over 256 bytes */
	assert_int_equal(log_lines_dropped() - f->dropped0, 1);
	assert_int_equal(waiting(f->rd), 0);
	log_numbered(1);	/* after the note */
	reader_drain(f);
	assert_int_equal(check_lines(&f->got, &notes, &noted), 2);
	assert_int_equal(notes, 1);
	assert_int_equal(noted, 1);	/* the note stands for line 0 */
}

/* the reader gone for good: lines are counted, nothing blocks or dies */
static void
test_log_buffer_reader_gone_counts(void **state)
{
	struct buf_fixture *f = start(state, 1024);
	int i, notes, in_pipe;
	long noted;

	for (i = 0; i < 60; i++)
		log_numbered(i);
	assert_int_equal(log_flush(), 1);
	/* what the reader got before it went; the rest never arrives */
	reader_drain(f);
	in_pipe = check_lines(&f->got, &notes, &noted);
	assert_true(in_pipe > 0 && in_pipe < 60);
	close(f->rd);
	f->rd = open("/dev/null", O_RDONLY);
	log_numbered(60);
	assert_int_equal(log_flush(), 0);
	log_numbered(61);
	assert_int_equal(log_flush(), 0);
	assert_int_equal(log_lines_dropped() - f->dropped0,
	    (uint64_t)(62 - in_pipe));
}

/* at exit, a stalled reader costs at most the bound */
static void
test_log_buffer_exit_flush_bounded(void **state)
{
	uint64_t t0;
	int i;

	(void)start(state, 8192);
	for (i = 0; i < 60; i++)
		log_numbered(i);
	assert_int_equal(log_flush(), 1);
	t0 = mono_ms();
	log_flush_wait(100);
	assert_true(mono_ms() - t0 >= 90);
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(log_flush(), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_values_read_back),
		cmocka_unit_test(test_log_obj_quotes_the_name),
		cmocka_unit_test(test_log_quote_cuts_cleanly),
		cmocka_unit_test(test_log_long_line_whole),
#define TP(fn) cmocka_unit_test_setup_teardown(fn, setup_pipe, teardown_buf)
		TP(test_log_buffer_full_drops_whole_lines_and_counts),
		TP(test_log_buffer_note_once_half_free),
		TP(test_log_buffer_partial_writes_resume_pipe),
		cmocka_unit_test_setup_teardown(
		    test_log_buffer_partial_writes_resume_socket, setup_sock,
		    teardown_buf),
		TP(test_log_buffer_line_longer_than_buffer_dropped),
		TP(test_log_buffer_reader_gone_counts),
		TP(test_log_buffer_exit_flush_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
