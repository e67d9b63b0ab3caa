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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_values_read_back),
		cmocka_unit_test(test_log_obj_quotes_the_name),
		cmocka_unit_test(test_log_quote_cuts_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
