/*
 * test_check_conf.c - the keys of [check] (health/check_conf.c): each type's
 * keys, their defaults and every diagnostic
 */
#include <stdio.h>

#include "conf_fixture.h"

static void
test_check_conf_http_sets_every_key(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	struct conf_service *s;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE
	    "checks = ping, tcp80\n"			/* 12 */
	    "hold-down = 5s\n"
	    "on-down = degrade\n"
	    "degrade-med = 1000\n"
	    "degrade-prepend = 3\n"
	    "degrade-communities = 65001:666 no-export\n"
	    "degrade-communities = 1:2\n"
	    "vip-interface = dummy0.a_b-c\n"
	    "[check ping]\n"				/* 20 */
	    "type = http\n"
	    "interval = 2s\n"
	    "timeout = 1.5s\n"
	    "rise = 3\n"
	    "fall = 100\n"
	    "url = https://user@[2001:db8::1]:8443/ping?x=1#f\n"
	    "expect = 200 204,300-399\n"
	    "expect = 500-599\n"
	    "body = \"ok\" it said\n"
	    "host = www.example.com:8443\n"
	    "unix-socket = /run/proxy/admin.sock\n"
	    "tls-verify = no\n"
	    "[check tcp80]\n"				/* 33 */
	    "type = tcp\n"
	    "target = 127.0.0.1:80\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nchecks, 2);
	k = &c.checks[0];
	assert_string_equal(k->name, "ping");
	assert_int_equal(k->line, 20);
	assert_int_equal(k->type, CHECK_HTTP);
	assert_int_equal(k->interval_ms, 2000);
	assert_int_equal(k->timeout_ms, 1500);
	assert_int_equal(k->rise, 3);
	assert_int_equal(k->fall, 100);
	assert_string_equal(k->url,
	    "https://user@[2001:db8::1]:8443/ping?x=1#f");
	assert_int_equal(k->nexpect, 4);
	assert_int_equal(k->expect_lo[0], 200);
	assert_int_equal(k->expect_hi[0], 200);
	assert_int_equal(k->expect_lo[1], 204);
	assert_int_equal(k->expect_hi[1], 204);
	assert_int_equal(k->expect_lo[2], 300);
	assert_int_equal(k->expect_hi[2], 399);
	assert_int_equal(k->expect_lo[3], 500);
	assert_int_equal(k->expect_hi[3], 599);
	assert_string_equal(k->body, "\"ok\" it said");
	assert_string_equal(k->host_header, "www.example.com:8443");
	assert_string_equal(k->unix_socket, "/run/proxy/admin.sock");
	assert_false(k->tls_verify);
	assert_int_equal(k->argc, 0);
	assert_null(k->argv[0]);
	k = &c.checks[1];
	assert_string_equal(k->name, "tcp80");
	assert_int_equal(k->line, 33);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->addr.afi, AFI_IPV4);
	assert_memory_equal(k->addr.b, "\x7f\x00\x00\x01", 4);
	assert_int_equal(k->port, 80);

	s = &c.services[0];
	assert_int_equal(s->nchecks, 2);
	assert_int_equal(s->checks[0], 0);
	assert_int_equal(s->checks[1], 1);
	assert_int_equal(s->hold_down_ms, 5000);
	assert_int_equal(s->on_down, ON_DOWN_DEGRADE);
	assert_true(s->has_degrade_med);
	assert_int_equal(s->degrade_med, 1000);
	assert_int_equal(s->degrade_prepend, 3);
	/* sorted, as the communities are */
	assert_int_equal(s->ndegrade_comm, 3);
	assert_int_equal(s->degrade_comm[0], 0x00010002u);
	assert_int_equal(s->degrade_comm[1], 0xfde9029au);
	assert_int_equal(s->degrade_comm[2], 0xffffff01u);
	assert_string_equal(s->vip_interface, "dummy0.a_b-c");
	conf_free(&c);
	assert_int_equal(c.nchecks, 0);
	assert_null(c.checks);
	conf_diag_free(&d);
}

static void
test_check_conf_watch_and_exec_keys(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE
	    "checks = w e\n"
	    "[check w]\n"
	    "type = watch\n"
	    "target = [2001:db8::5]:65535\n"
	    "[check e]\n"
	    "type = exec\n"
	    "command = /usr/lib/nomcast/probe --flag \"two words\" x\n",
	    &c, &d), 0);
	assert_int_equal(d.n, 0);
	k = &c.checks[0];
	assert_int_equal(k->type, CHECK_WATCH);
	assert_string_equal(addr_str(&k->addr, buf, sizeof(buf)),
	    "2001:db8::5");
	assert_int_equal(k->port, 65535);
	k = &c.checks[1];
	assert_int_equal(k->type, CHECK_EXEC);
	assert_int_equal(k->argc, 4);
	assert_string_equal(k->argv[0], "/usr/lib/nomcast/probe");
	assert_string_equal(k->argv[1], "--flag");
	assert_string_equal(k->argv[2], "two words");
	assert_string_equal(k->argv[3], "x");
	assert_null(k->argv[4]);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_check_conf_defaults_applied(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	struct conf_service *s;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", SVC_C "type = http\n"
	    "url = http://127.0.0.1:8080/ping\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	k = &c.checks[0];
	assert_int_equal(k->interval_ms, 1000);
	assert_int_equal(k->timeout_ms, 500);
	assert_int_equal(k->rise, 2);
	assert_int_equal(k->fall, 1);
	assert_int_equal(k->nexpect, 1);
	assert_int_equal(k->expect_lo[0], 200);
	assert_int_equal(k->expect_hi[0], 299);
	assert_true(k->tls_verify);
	assert_string_equal(k->body, "");
	assert_string_equal(k->host_header, "");
	assert_string_equal(k->unix_socket, "");
	s = &c.services[0];
	assert_int_equal(s->nchecks, 1);
	assert_int_equal(s->hold_down_ms, 0);
	assert_int_equal(s->on_down, ON_DOWN_WITHDRAW);
	assert_false(s->has_degrade_med);
	assert_int_equal(s->degrade_prepend, 0);
	assert_int_equal(s->ndegrade_comm, 0);
	assert_string_equal(s->vip_interface, "");
	conf_free(&c);
	conf_diag_free(&d);

	/* a service without checks has none, and no check is needed */
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_int_equal(c.nchecks, 0);
	assert_null(c.checks);
	assert_int_equal(c.services[0].nchecks, 0);
	conf_free(&c);
	conf_diag_free(&d);
}

/* load SVC_C with a tcp check and this interval; return its timeout */
static uint32_t
timeout_for(const char *interval)
{
	char text[1024];
	struct conf c;
	struct conf_diag d;
	uint32_t t;

	snprintf(text, sizeof(text), SVC_C "type = tcp\n"
	    "target = 127.0.0.1:80\ninterval = %s\n", interval);
	assert_int_equal(conf_load_string("t.ini", text, &c, &d), 0);
	assert_int_equal(d.n, 0);
	t = c.checks[0].timeout_ms;
	conf_free(&c);
	conf_diag_free(&d);
	return t;
}

static void
test_check_conf_fast_interval_halves_default_timeout(void **state)
{
	(void)state;
	assert_int_equal(timeout_for("250ms"), 125);
	assert_int_equal(timeout_for("499ms"), 250);	/* rounded up */
	assert_int_equal(timeout_for("3ms"), 2);
	assert_int_equal(timeout_for("1ms"), 1);	/* never 0 */
	assert_int_equal(timeout_for("500ms"), 500);
	assert_int_equal(timeout_for("10s"), 500);
}

static void
test_check_conf_unknown_type(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = icmp\n",
	    "t.ini:14: type: unknown check type 'icmp' (http, tcp, watch or "
	    "exec)");
	EXPECT_ERR(SVC_C "type = HTTP\nurl = http://x/\n",
	    "t.ini:14: type: unknown check type 'HTTP' (http, tcp, watch or "
	    "exec)");
}

static void
test_check_conf_missing_required_key_at_section_line(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "checks = h t w e n\n"	/* 12 */
	    "[check h]\ntype = http\n"		/* 13 */
	    "[check t]\ntype = tcp\n"		/* 15 */
	    "[check w]\ntype = watch\n"		/* 17 */
	    "[check e]\ntype = exec\n"		/* 19 */
	    "[check n]\ninterval = 1s\n",	/* 21 */
	    "t.ini:13: [check h]: missing required key 'url' (http check)",
	    "t.ini:15: [check t]: missing required key 'target' (tcp check)",
	    "t.ini:17: [check w]: missing required key 'target' (watch "
	    "check)",
	    "t.ini:19: [check e]: missing required key 'command' (exec "
	    "check)",
	    "t.ini:21: [check n]: missing required key 'type'");
	/* a unix socket still needs the URL: it gives the path and Host */
	EXPECT_ERR(SVC_C "type = http\nunix-socket = /run/p.sock\n",
	    "t.ini:13: [check c]: missing required key 'url' (http check)");
	/* a key with a bad value was there: no "missing" on top */
	EXPECT_ERR(SVC_C "type = http\nurl = ftp://x/\n",
	    "t.ini:15: url: 'ftp://x/' does not start with http:// or "
	    "https://");
}

static void
test_check_conf_key_of_another_type_is_an_error(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "url = http://127.0.0.1/\n"	/* before the type */
	    "type = tcp\ntarget = 127.0.0.1:80\nexpect = 200\n"
	    "command = /bin/true\n",
	    "t.ini:14: url: does not apply to a tcp check",
	    "t.ini:17: expect: does not apply to a tcp check",
	    "t.ini:18: command: does not apply to a tcp check");
	EXPECT_ERR(SVC_C "type = http\nurl = http://127.0.0.1/\n"
	    "target = 127.0.0.1:80\n",
	    "t.ini:16: target: does not apply to a http check");
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/true\n"
	    "body = x\nhost = h\nunix-socket = /s\ntls-verify = no\n",
	    "t.ini:16: body: does not apply to a exec check",
	    "t.ini:17: host: does not apply to a exec check",
	    "t.ini:18: unix-socket: does not apply to a exec check",
	    "t.ini:19: tls-verify: does not apply to a exec check");
	/* the shared keys apply to every type */
	EXPECT_WARN(SVC_C "type = watch\ntarget = 127.0.0.1:80\n"
	    "interval = 2s\ntimeout = 1s\nrise = 5\nfall = 2\n", NULL);
}

static void
test_check_conf_bad_url(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = ftp://127.0.0.1/\n",
	    "t.ini:15: url: 'ftp://127.0.0.1/' does not start with http:// "
	    "or https://");
	EXPECT_ERR(SVC_C "type = http\nurl = 127.0.0.1:8080/ping\n",
	    "t.ini:15: url: '127.0.0.1:8080/ping' does not start with "
	    "http:// or https://");
	EXPECT_ERR(SVC_C "type = http\nurl = http:///ping\n",
	    "t.ini:15: url: 'http:///ping' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = https://\n",
	    "t.ini:15: url: 'https://' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://:80/\n",
	    "t.ini:15: url: 'http://:80/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://u:p@/x\n",
	    "t.ini:15: url: 'http://u:p@/x' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[]:80/\n",
	    "t.ini:15: url: 'http://[]:80/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[::1/\n",
	    "t.ini:15: url: 'http://[::1/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:0/\n",
	    "t.ini:15: url: 'http://h:0/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:65536/\n",
	    "t.ini:15: url: 'http://h:65536/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:/\n",
	    "t.ini:15: url: 'http://h:/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:8o/\n",
	    "t.ini:15: url: 'http://h:8o/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[::1]x/\n",
	    "t.ini:15: url: 'http://[::1]x/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/a b\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\x01\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h\xc3\xa4/\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	/* fine: scheme in any case, a bare host, IPv6, a query only */
	EXPECT_WARN(SVC_C "type = http\nurl = HTTP://localhost\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = https://[::1]:1/\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = http://h?q=a@b\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = http://h:65535#x\n", NULL);
}

static void
test_check_conf_bad_http_strings(void **state)
{
	char text[1024], body[CONF_NAME_MAX + 1];

	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\nhost = a b\n"
	    "unix-socket = run/p.sock\ntls-verify = maybe\n",
	    "t.ini:16: host: blank, control or non-ASCII character in 'a b'",
	    "t.ini:17: unix-socket: 'run/p.sock' is not an absolute path",
	    "t.ini:18: tls-verify: 'maybe' is not yes or no");
	/* the longest line inih gives us still fits body and host */
	memset(body, 'b', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	snprintf(text, sizeof(text), SVC_C "type = http\nurl = http://h/\n"
	    "body = %s\n", body);
	EXPECT_WARN(text, NULL);
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\nunix-socket = /"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t.ini:16: unix-socket: longer than 107 characters");
}

static void
test_check_conf_interval_and_timeout(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 0\ntimeout = 0ms\n",
	    "t.ini:16: interval: must be at least 1ms",
	    "t.ini:17: timeout: must be at least 1ms");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 1s\ntimeout = 1.5s\n",
	    "t.ini:17: timeout: 1500ms is above interval 1000ms");
	/* against the default interval too, whatever the key order */
	EXPECT_ERR(SVC_C "timeout = 2s\ntype = tcp\ntarget = 127.0.0.1:80\n",
	    "t.ini:14: timeout: 2000ms is above interval 1000ms");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "timeout = 300ms\ninterval = 250ms\n",
	    "t.ini:16: timeout: 300ms is above interval 250ms");
	/* a bad interval is not compared */
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = soon\ntimeout = 2s\n",
	    "t.ini:16: interval: 'soon' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	/* equal is fine */
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 100ms\ntimeout = 0.1s\n", NULL);
}

static void
test_check_conf_rise_and_fall_range(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 0\nfall = 101\n",
	    "t.ini:16: rise: 0 out of range (1..100)",
	    "t.ini:17: fall: 101 out of range (1..100)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 101\nfall = 0\n",
	    "t.ini:16: rise: 101 out of range (1..100)",
	    "t.ini:17: fall: 0 out of range (1..100)");
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 100\nfall = 1\n", NULL);
}

static void
test_check_conf_expect_codes(void **state)
{
	char text[2048];
	size_t off, i;

	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\n"
	    "expect = 99 600 100-600 300-200 2x -5 200- 1000000-2 "
	    "12345678-2\n",
	    "t.ini:16: expect: '99' out of range (HTTP status codes are "
	    "100..599)",
	    "t.ini:16: expect: '600' out of range (HTTP status codes are "
	    "100..599)",
	    "t.ini:16: expect: '100-600' out of range (HTTP status codes "
	    "are 100..599)",
	    "t.ini:16: expect: '300-200' is an empty range",
	    "t.ini:16: expect: '2x' is not a status code or range (such as "
	    "200 or 200-299)",
	    "t.ini:16: expect: '-5' is not a status code or range (such as "
	    "200 or 200-299)",
	    "t.ini:16: expect: '200-' is not a status code or range (such "
	    "as 200 or 200-299)",
	    "t.ini:16: expect: '1000000-2' out of range (HTTP status codes "
	    "are 100..599)",
	    "t.ini:16: expect: '12345678-2' is not a status code or range "
	    "(such as 200 or 200-299)");
	EXPECT_WARN(SVC_C "type = http\nurl = http://h/\n"
	    "expect = 100 599 100-599 204-204\n", NULL);
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    SVC_C "type = http\nurl = http://h/\n");
	for (i = 0; i <= CONF_MAX_EXPECT; i++)	/* lines 16..32 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "expect = %zu\n", 200 + i);
	EXPECT_ERR(text, "t.ini:32: expect: too many status ranges (at most "
	    "16)");
}

static void
test_check_conf_target_forms(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1\n",
	    "t.ini:15: target: '127.0.0.1' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = ::1:80\n",
	    "t.ini:15: target: '::1:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = [127.0.0.1]:80\n",
	    "t.ini:15: target: '[127.0.0.1]:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = [::1]80\n",
	    "t.ini:15: target: '[::1]80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = localhost:80\n",
	    "t.ini:15: target: 'localhost:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:\n",
	    "t.ini:15: target: '127.0.0.1:' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = :80\n",
	    "t.ini:15: target: ':80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:0\n",
	    "t.ini:15: target: port 0 out of range (1..65535)");
	EXPECT_ERR(SVC_C "type = watch\ntarget = [::1]:65536\n",
	    "t.ini:15: target: port 65536 out of range (1..65535)");
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 192.0.2.1:1\n", NULL);
}

/* the argv of the exec check c, with command = cmd; NULL if rejected */
static void
split(const char *cmd, const char *const *want)
{
	char text[1024];
	struct conf c;
	struct conf_diag d;
	size_t i, n;

	for (n = 0; want[n] != NULL; n++)
		;
	snprintf(text, sizeof(text), SVC_C "type = exec\ncommand = %s\n",
	    cmd);
	if (conf_load_string("t.ini", text, &c, &d) != 0 || d.n != 0)
		fail_msg("%s: %s", cmd, d.n > 0 ? d.lines[0] : "?");
	assert_int_equal(c.checks[0].argc, n);
	for (i = 0; i < n; i++)
		assert_string_equal(c.checks[0].argv[i], want[i]);
	assert_null(c.checks[0].argv[n]);
	conf_free(&c);
	conf_diag_free(&d);
}

#define SPLIT(cmd, ...) do {						\
	const char *const w_[] = { __VA_ARGS__, NULL };			\
	split((cmd), w_);						\
} while (0)

static void
test_check_conf_command_splitting(void **state)
{
	(void)state;
	SPLIT("/bin/true", "/bin/true");
	SPLIT("/bin/echo  a\t\tb   c", "/bin/echo", "a", "b", "c");
	SPLIT("/bin/echo \"two words\" \"\"", "/bin/echo", "two words", "");
	/* quoted and unquoted parts of one word join, as in sh */
	SPLIT("/bin/echo a\"b c\"d \"x\"\"y\"", "/bin/echo", "ab cd", "xy");
	/* within quotes: \" is a quote, \\ a backslash */
	SPLIT("/bin/echo \"say \\\"hi\\\"\" \"a\\\\b\"", "/bin/echo",
	    "say \"hi\"", "a\\b");
	/* any other backslash is itself, inside quotes or out */
	SPLIT("/bin/echo \\n \"\\t\" a\\b", "/bin/echo", "\\n", "\\t",
	    "a\\b");
	/* no shell: no globbing, no variables, no redirection */
	SPLIT("/bin/sh -c \"test -f /run/up && exit 0\" $HOME *>x",
	    "/bin/sh", "-c", "test -f /run/up && exit 0", "$HOME", "*>x");
	SPLIT("\"/opt/my probe/run\" x", "/opt/my probe/run", "x");
}

static void
test_check_conf_command_errors(void **state)
{
	char text[2048];
	size_t off, i;

	(void)state;
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo \"open\n",
	    "t.ini:15: command: unterminated quote");
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo \"a\\\"\n",
	    "t.ini:15: command: unterminated quote");
	/* outside quotes a backslash escapes nothing: this opens one */
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo a\\\"b\n",
	    "t.ini:15: command: unterminated quote");
	EXPECT_ERR(SVC_C "type = exec\ncommand = true\n",
	    "t.ini:15: command: 'true' is not an absolute path");
	EXPECT_ERR(SVC_C "type = exec\ncommand = ./probe x\n",
	    "t.ini:15: command: './probe' is not an absolute path");
	EXPECT_ERR(SVC_C "type = exec\ncommand = \"\" /bin/true\n",
	    "t.ini:15: command: '' is not an absolute path");
	/* inih takes ";" after a blank as a comment: nothing is left */
	EXPECT_ERR(SVC_C "type = exec\ncommand = ; /bin/true\n",
	    "t.ini:15: command: missing value");
	/* 32 words pass, 33 do not */
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    SVC_C "type = exec\ncommand = /bin/echo");
	for (i = 1; i < CONF_MAX_ARGV; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " %zu",
		    i % 10);
	snprintf(text + off, sizeof(text) - off, "\n");
	EXPECT_WARN(text, NULL);
	snprintf(text + off, sizeof(text) - off, " x\n");
	EXPECT_ERR(text, "t.ini:15: command: more than 32 words");
}

static void
test_check_conf_errors_all_reported_and_nothing_leaks(void **state)
{
	(void)state;
	/* every line wrong at once; argv of a rejected file is freed */
	EXPECT_ERR(BASE "checks = c e\n"		/* 12 */
	    "on-down = sideways\n"			/* 13 */
	    "[check c]\n"				/* 14 */
	    "type = http\n"				/* 15 */
	    "interval = 0\n"				/* 16 */
	    "url = http://h/ x\n"			/* 17 */
	    "target = 127.0.0.1:80\n"			/* 18 */
	    "[check e]\n"				/* 19 */
	    "type = exec\n"				/* 20 */
	    "command = /bin/echo a b c\n"		/* 21 */
	    "rise = 0\n"				/* 22 */
	    "type = tcp\n",				/* 23 */
	    "t.ini:13: on-down: 'sideways' is not withdraw or degrade",
	    "t.ini:16: interval: must be at least 1ms",
	    "t.ini:17: url: blank, control or non-ASCII character in URL",
	    "t.ini:18: target: does not apply to a http check",
	    "t.ini:22: rise: 0 out of range (1..100)",
	    "t.ini:23: duplicate key 'type' (first at line 20)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_conf_http_sets_every_key),
		cmocka_unit_test(test_check_conf_watch_and_exec_keys),
		cmocka_unit_test(test_check_conf_defaults_applied),
		cmocka_unit_test(
		    test_check_conf_fast_interval_halves_default_timeout),
		cmocka_unit_test(test_check_conf_unknown_type),
		cmocka_unit_test(
		    test_check_conf_missing_required_key_at_section_line),
		cmocka_unit_test(
		    test_check_conf_key_of_another_type_is_an_error),
		cmocka_unit_test(test_check_conf_bad_url),
		cmocka_unit_test(test_check_conf_bad_http_strings),
		cmocka_unit_test(test_check_conf_interval_and_timeout),
		cmocka_unit_test(test_check_conf_rise_and_fall_range),
		cmocka_unit_test(test_check_conf_expect_codes),
		cmocka_unit_test(test_check_conf_target_forms),
		cmocka_unit_test(test_check_conf_command_splitting),
		cmocka_unit_test(test_check_conf_command_errors),
		cmocka_unit_test(
		    test_check_conf_errors_all_reported_and_nothing_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
