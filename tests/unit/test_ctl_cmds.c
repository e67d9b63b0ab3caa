/*
 * test_ctl_cmds.c - nomcastd's control commands (nomcastd/ctl_cmds.c): the
 * request forms, the errors, and every reply built from a hand-built
 * daemon (a real config file, peers, services and checks filled in by
 * the test).  The daemon's drain and reload (struct ctl_ops) are the
 * test's own doubles: they record the call and answer as told.  service.c is
 * included for the services' read-only views.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nomcastd/ctl_cmds.c"
#include "nomcastd/control.c"
#include "nomcastd/service.c"
#include "lib/ctl_path.c"

/* ---- the doubles ---- */

static struct {
	int		 calls;
	bool		 all;
	char		 svc[64];
	bool		 on;
	int		 rc;
	const char	*err;
} drain_rec;

static struct {
	int		 calls;
	int		 rc;
	const char	*err;
} reload_rec;

static int
drain_double(struct nomcast *nc, const char *svc, bool on, char *err,
    size_t errlen)
{
	(void)nc;
	drain_rec.calls++;
	drain_rec.all = svc == NULL;
	snprintf(drain_rec.svc, sizeof(drain_rec.svc), "%s", svc ? svc : "");
	drain_rec.on = on;
	if (drain_rec.err != NULL)
		snprintf(err, errlen, "%s", drain_rec.err);
	return drain_rec.rc;
}

static int
reload_double(struct nomcast *nc, struct reload_result *res, char *err,
    size_t errlen)
{
	reload_rec.calls++;
	memset(res, 0, sizeof(*res));
	res->peers[PLAN_KEEP] = 1;
	res->peers[PLAN_ADD] = 2;
	res->checks[PLAN_RESET] = 3;
	res->services[PLAN_DELETE] = 4;
	res->restart_only[res->nrestart_only++] = "control-socket-mode";
	if (reload_rec.err != NULL)
		snprintf(err, errlen, "%s", reload_rec.err);
	if (reload_rec.rc == 0)
		nc->conf_loaded = 1800000000;
	return reload_rec.rc;
}

/* ---- the fixture ---- */

static const char conf_text[] =
    "[global]\n"
    "asn = 65001\n"
    "router-id = 198.51.100.2\n"
    "\n"
    "[peer edge]\n"
    "address = 198.51.100.1\n"
    "asn = 65000\n"
    "hold-time = 9\n"
    "\n"
    "[peer core]\n"
    "address = 2001:db8::1\n"
    "asn = 65001\n"
    "\n"
    "[check ping]\n"
    "type = http\n"
    "url = http://127.0.0.1:8080/ping\n"
    "interval = 2s\n"
    "rise = 3\n"
    "\n"
    "[service web]\n"
    "prefix = 203.0.113.10/32\n"
    "prefix = 2001:db8:100::10/128\n"
    "checks = ping\n"
    "\n"
    "[service dns]\n"
    "prefix = 203.0.113.53/32\n";

struct fx {
	struct nomcast	 nc;
	struct peer	*peers[2];
	struct svc	 svcs[2];
	struct verdict_src srcs[1];	/* svcs[0]'s */
	struct check	 chk;
	struct check	*checks[1];
	char		 path[64];
	json_object	*rep;
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static struct bgp_attrs
attrs4(void)
{
	struct bgp_attrs a;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	a.aspath_len = 2;
	a.aspath[0] = 65001;
	a.aspath[1] = 65001;
	a.has_med = true;
	a.med = 50;
	a.ncomm = 2;
	a.comm[0] = 65001u << 16 | 100;
	a.comm[1] = 65535u << 16 | 0;
	a.nlcomm = 1;
	a.lcomm[0].global = 65001;
	a.lcomm[0].local1 = 1;
	a.lcomm[0].local2 = 2;
	assert_int_equal(addr_parse("198.51.100.2", &a.nh4), 0);
	assert_int_equal(addr_parse("2001:db8:1::2", &a.nh6), 0);
	return a;
}

static int
sink(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct conf_diag d;
	struct bgp_attrs a = attrs4();
	struct prefix px;
	bool afi_ok[3] = { false, true, true };
	uint64_t mono = mono_ms();
	size_t i;
	int fd;

	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "/tmp/test_ctl_cmds.XXXXXX");
	assert_true((fd = mkstemp(f->path)) >= 0);
	close(fd);
	write_file(f->path, conf_text);
	assert_int_equal(conf_load(f->path, &f->nc.conf, &d), 0);
	conf_diag_free(&d);
	f->nc.started = time(NULL) - 100;
	f->nc.conf_loaded = f->nc.started;
	f->nc.ctl_ops.drain = drain_double;
	f->nc.ctl_ops.reload = reload_double;
	f->nc.sp.conf = &f->nc.conf.bgp;

	for (i = 0; i < 2; i++) {
		struct peer *p = calloc(1, sizeof(*p));

		assert_non_null(p);
		p->sp = &f->nc.sp;
		p->cf = &f->nc.conf.peers[i];
		p->idx = i;
		addr_str(&p->cf->addr, p->addr_str, sizeof(p->addr_str));
		p->ro = ribout_new();
		assert_non_null(p->ro);
		f->peers[i] = p;
	}
	/* edge: Established for 42 s, hold time 3 (the peer offered 3) */
	f->peers[0]->c.fsm.state = FSM_ESTABLISHED;
	f->peers[0]->since = time(NULL) - 42;
	f->peers[0]->hold_time = 3;
	f->peers[0]->opts.as4 = true;
	f->peers[0]->afi_ok[AFI_IPV4] = true;
	f->peers[0]->afi_ok[AFI_IPV6] = false;
	f->peers[0]->c.open_rcvd = true;
	f->peers[0]->c.peer_open.bgp_id = 0xc6336401;	/* 198.51.100.1 */
	f->peers[0]->c.peer_open.cap_route_refresh = true;
	assert_int_equal(addr_parse("198.51.100.2", &f->peers[0]->c.local), 0);
	f->peers[0]->st.msgs_in = 11;
	f->peers[0]->st.msgs_out = 13;
	f->peers[0]->st.updates_in = 1;
	f->peers[0]->st.updates_out = 2;
	f->peers[0]->st.flaps = 1;
	f->peers[0]->last_err.code = NOTIF_CEASE;
	f->peers[0]->last_err.subcode = NOTIF_CEASE_ADMIN_SHUTDOWN;
	f->peers[0]->last_err_rcvd = true;
	assert_int_equal(prefix_parse("203.0.113.10/32", &px), 0);
	assert_int_equal(ribout_set(f->peers[0]->ro, &px, &a), 0);
	assert_int_equal(prefix_parse("2001:db8:100::10/128", &px), 0);
	assert_int_equal(ribout_set(f->peers[0]->ro, &px, &a), 0);
	ribout_set_time(f->peers[0]->ro, 1790000000);
	assert_int_equal(ribout_flush(f->peers[0]->ro, &f->peers[0]->opts,
	    afi_ok, sink, NULL), 2);
	/* core: Active, never up; an error we sent */
	f->peers[1]->c.fsm.state = FSM_ACTIVE;
	f->peers[1]->since = time(NULL) - 5;
	f->peers[1]->last_err.code = NOTIF_OPEN;
	f->peers[1]->last_err.subcode = NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME;
	f->nc.sp.peers = f->peers;
	f->nc.sp.npeers = 2;

	/* the check: last probe passed in 1.5 ms */
	f->chk.cf = &f->nc.conf.checks[0];
	f->chk.has_result = true;
	f->chk.last_pass = true;
	f->chk.last_latency = 0.0015;
	f->chk.probes = 9;
	snprintf(f->chk.last_reason, sizeof(f->chk.last_reason),
	    "http 200 from 127.0.0.1:8080/ping");
	f->checks[0] = &f->chk;
	f->nc.checks = f->checks;
	f->nc.nchecks_rt = 1;

	/* web: up for 7 s on its check; dns: no checks, up */
	for (i = 0; i < 2; i++) {
		f->svcs[i].nc = &f->nc;
		f->svcs[i].cf = &f->nc.conf.services[i];
		verdict_init(&f->svcs[i].v, 0, mono - 7000);
	}
	f->svcs[0].srcs = f->srcs;
	verdict_src_init(&f->svcs[0].srcs[0], "check ping", 3, 1);
	f->svcs[0].nsrcs = 1;
	for (i = 0; i < 3; i++)
		verdict_src_result(&f->svcs[0].srcs[0], true,
		    "http 200 from 127.0.0.1:8080/ping");
	verdict_eval(&f->svcs[0].v, f->svcs[0].srcs, 1, mono - 7000, NULL);
	verdict_eval(&f->svcs[1].v, NULL, 0, mono - 7000, NULL);
	f->svcs[0].mode = SVC_MODE_NORMAL;
	f->svcs[1].mode = SVC_MODE_NORMAL;
	f->nc.svcs = f->svcs;
	f->nc.nsvcs = 2;

	memset(&drain_rec, 0, sizeof(drain_rec));
	memset(&reload_rec, 0, sizeof(reload_rec));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	size_t i;

	json_object_put(f->rep);
	for (i = 0; i < 2; i++) {
		ribout_free(f->peers[i]->ro);
		free(f->peers[i]);
	}
	conf_free(&f->nc.conf);
	unlink(f->path);
	free(f);
	return 0;
}

static json_object *get_obj(json_object *o, const char *key);

/* ask, parse the reply (kept in f->rep), return its "data" */
static json_object *
ask(struct fx *f, const char *line)
{
	char *r = ctl_handle(&f->nc, line);

	assert_non_null(r);
	/* one line on the wire: no newline inside a reply */
	assert_null(strchr(r, '\n'));
	json_object_put(f->rep);
	f->rep = json_tokener_parse(r);
	free(r);
	assert_non_null(f->rep);
	return get_obj(f->rep, "data");
}

static json_object *
get_obj(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *
get_str(json_object *o, const char *key)
{
	json_object *v = get_obj(o, key);

	assert_non_null(v);
	return json_object_get_string(v);
}

static int64_t
get_int(json_object *o, const char *key)
{
	json_object *v = get_obj(o, key);

	assert_non_null(v);
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static bool
is_ok(struct fx *f)
{
	return json_object_get_boolean(get_obj(f->rep, "ok"));
}

static void
assert_error(struct fx *f, const char *line, const char *want)
{
	ask(f, line);
	assert_false(is_ok(f));
	assert_string_equal(get_str(f->rep, "error"), want);
}

/* ---- requests ---- */

static void
test_ctl_cmds_text_and_json_requests_give_the_same_reply(void **state)
{
	struct fx *f = *state;
	char *a, *b, *c;

	a = ctl_handle(&f->nc, "show peers edge");
	b = ctl_handle(&f->nc, "{\"cmd\":\"show peers\",\"args\":[\"edge\"]}");
	c = ctl_handle(&f->nc, "  {\"cmd\":\"show\",\"args\":[\"peers\","
	    "\"edge\"]}  ");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_non_null(strstr(a, "\"ok\":true"));
	free(a);
	free(b);
	free(c);
}

static void
test_ctl_cmds_unknown_commands_are_errors(void **state)
{
	struct fx *f = *state;

	assert_error(f, "frobnicate", "unknown command: frobnicate");
	assert_error(f, "show bogus now", "unknown command: show bogus");
	assert_error(f, "show", "unknown command: show");
	assert_error(f, "{\"cmd\":\"reboot\"}", "unknown command: reboot");
	/* commands are exact words: no case folding, no prefixes */
	assert_error(f, "SHOW PEERS", "unknown command: SHOW PEERS");
	assert_error(f, "show peer", "unknown command: show peer");
	assert_error(f, "", "empty request: try help");
	assert_error(f, "   \t ", "empty request: try help");
}

static void
test_ctl_cmds_bad_json_is_an_error(void **state)
{
	struct fx *f = *state;

	ask(f, "{\"cmd\":");
	assert_false(is_ok(f));
	assert_string_equal(get_str(f->rep, "error"),
	    "bad JSON: unexpected end of input");
	ask(f, "{cmd: show}");
	assert_false(is_ok(f));
	assert_true(strncmp(get_str(f->rep, "error"), "bad JSON: ", 10) == 0);
	ask(f, "{\"cmd\":\"show status\",}");
	assert_false(is_ok(f));
	ask(f, "{'cmd':'show status'}");
	assert_false(is_ok(f));
	assert_error(f, "{\"cmd\":\"show status\"} trailing",
	    "bad JSON: unexpected character");
	assert_error(f, "{\"cmd\":42}",
	    "bad request: want {\"cmd\":\"...\", \"args\":[...]}");
	assert_error(f, "{\"args\":[]}",
	    "bad request: want {\"cmd\":\"...\", \"args\":[...]}");
	assert_error(f, "{\"cmd\":\"show peers\",\"args\":\"edge\"}",
	    "bad request: args is not an array of strings");
	assert_error(f, "{\"cmd\":\"show peers\",\"args\":[1]}",
	    "bad request: args is not an array of strings");
	assert_error(f, "a b c d e f g h i j k l m n o p q",
	    "bad request: more than 16 words");
}

static void
test_ctl_cmds_replies_are_utf8_whatever_the_request(void **state)
{
	struct fx *f = *state;

	/* a stray byte is echoed as '?'; valid UTF-8 is kept */
	assert_error(f, "\xff\xfe{", "unknown command: ??{");
	assert_error(f, "show peers caf\xc3\xa9", "no such peer: caf\xc3\xa9");
	assert_error(f, "show peers \xc3", "no such peer: ?");
	/* overlong and surrogate forms are not UTF-8 either */
	assert_error(f, "show peers \xc0\xaf\xed\xa0\x80",
	    "no such peer: ?????");
}

static void
test_ctl_cmds_config_keys_for_the_socket(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 1.2.3.4\n", &c, &d), 0);
	/* defaults: 0660, the daemon's group, the path not set */
	assert_int_equal(c.g.control_socket_mode, 0660);
	assert_string_equal(c.g.control_socket_group, "");
	assert_false(c.g.control_socket_set);
	conf_free(&c);
	conf_diag_free(&d);
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 1.2.3.4\ncontrol-socket = /run/x.sock\n"
	    "control-socket-mode = 0640\ncontrol-socket-group = nomcast\n",
	    &c, &d), 0);
	assert_true(c.g.control_socket_set);
	assert_int_equal(c.g.control_socket_mode, 0640);
	assert_string_equal(c.g.control_socket_group, "nomcast");
	conf_free(&c);
	conf_diag_free(&d);
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 1.2.3.4\ncontrol-socket-mode = 0800\n"
	    "control-socket-group = a b\n", &c, &d), -1);
	assert_int_equal(d.nerr, 2);
	assert_string_equal(d.lines[0], "t.ini:4: control-socket-mode: "
	    "'0800' is not an octal mode (0660)");
	assert_string_equal(d.lines[1], "t.ini:5: control-socket-group: "
	    "'a b' is not a group name or number");
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_ctl_cmds_wrong_argument_counts_print_the_usage(void **state)
{
	struct fx *f = *state;

	assert_error(f, "show peers edge core", "usage: show peers [PEER]");
	assert_error(f, "drain", "usage: drain SERVICE|--all");
	assert_error(f, "reload now", "usage: reload");
	assert_error(f, "show status x", "usage: show status");
	assert_int_equal(drain_rec.calls, 0);
	assert_int_equal(reload_rec.calls, 0);
}

static void
test_ctl_cmds_help_lists_every_command(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "help"), *a = get_obj(d, "commands");

	size_t i;

	assert_true(is_ok(f));
	assert_int_equal(json_object_array_length(a), CTL_CMD_N);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(a, 0)), "show status");
	for (i = 0; i < CTL_CMD_N; i++)
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(a, i)), ctl_cmd_table[i].usage);
}

/* the static assert counts the handlers; a gap in the middle is NULL */
static void
test_ctl_cmds_every_table_command_has_a_handler(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < CTL_CMD_N; i++)
		assert_non_null(ctl_handlers[i]);
}

/* ---- show ---- */

static void
test_ctl_cmds_show_status_counts_and_config(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "show status"), *o;

	assert_true(is_ok(f));
	assert_string_equal(get_str(d, "version"), NOMCAST_VERSION);
	assert_int_equal(get_int(d, "pid"), getpid());
	assert_string_equal(get_str(d, "router_id"), "198.51.100.2");
	assert_int_equal(get_int(d, "asn"), 65001);
	assert_true(get_int(d, "started_seconds") >= 100);
	assert_int_equal(get_int(d, "started_unix"), f->nc.started);
	o = get_obj(d, "config");
	assert_string_equal(get_str(o, "file"), f->path);
	assert_int_equal(get_int(o, "loaded_unix"), f->nc.conf_loaded);
	assert_int_equal(strlen(get_str(o, "loaded")), 20);	/* ...Z */
	o = get_obj(d, "peers");
	assert_int_equal(get_int(o, "configured"), 2);
	assert_int_equal(get_int(o, "established"), 1);
	o = get_obj(d, "services");
	assert_int_equal(get_int(o, "configured"), 2);
	assert_int_equal(get_int(o, "up"), 2);
	assert_int_equal(get_int(o, "down"), 0);
	assert_int_equal(get_int(o, "announced"), 2);
	assert_int_equal(get_int(d, "checks"), 1);
}

static void
test_ctl_cmds_show_peers_established_peer(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "show peers"), *a = get_obj(d, "peers"), *p,
	    *e, *caps;

	assert_true(is_ok(f));
	assert_int_equal(json_object_array_length(a), 2);
	p = json_object_array_get_idx(a, 0);
	assert_string_equal(get_str(p, "name"), "edge");
	assert_string_equal(get_str(p, "address"), "198.51.100.1");
	assert_int_equal(get_int(p, "asn"), 65000);
	assert_string_equal(get_str(p, "type"), "ebgp");
	assert_string_equal(get_str(p, "state"), "Established");
	assert_int_equal(get_int(p, "since_seconds"), 42);
	assert_int_equal(get_int(p, "hold_time"), 3);
	assert_int_equal(get_int(p, "hold_time_configured"), 9);
	assert_int_equal(get_int(p, "keepalive_time"), 1);
	assert_string_equal(get_str(p, "local_address"), "198.51.100.2");
	assert_string_equal(get_str(p, "remote_id"), "198.51.100.1");
	caps = get_obj(p, "capabilities");
	assert_true(json_object_get_boolean(get_obj(caps, "as4")));
	assert_true(json_object_get_boolean(get_obj(caps, "ipv4")));
	assert_false(json_object_get_boolean(get_obj(caps, "ipv6")));
	assert_true(json_object_get_boolean(get_obj(caps, "route_refresh")));
	assert_int_equal(get_int(p, "messages_in"), 11);
	assert_int_equal(get_int(p, "messages_out"), 13);
	assert_int_equal(get_int(p, "updates_in"), 1);
	assert_int_equal(get_int(p, "updates_out"), 2);
	assert_int_equal(get_int(p, "send_hold_expired"), 0);
	assert_int_equal(get_int(p, "updates_treat_as_withdraw"), 0);
	assert_int_equal(get_int(p, "updates_attr_discard"), 0);
	assert_int_equal(get_int(p, "flaps"), 1);
	assert_int_equal(get_int(p, "prefixes_out"), 2);
	assert_int_equal(get_int(p, "prefixes_desired"), 2);
	e = get_obj(p, "last_error");
	assert_int_equal(get_int(e, "code"), 6);
	assert_int_equal(get_int(e, "subcode"), 2);
	assert_string_equal(get_str(e, "code_name"), "Cease");
	assert_string_equal(get_str(e, "subcode_name"),
	    notif_subcode_name(NOTIF_CEASE, NOTIF_CEASE_ADMIN_SHUTDOWN));
	assert_string_equal(get_str(e, "direction"), "received");
}

static void
test_ctl_cmds_show_peers_down_peer_has_no_negotiated_values(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "show peers 2001:db8::1"), *a, *p, *e;

	assert_true(is_ok(f));
	a = get_obj(d, "peers");
	assert_int_equal(json_object_array_length(a), 1);
	p = json_object_array_get_idx(a, 0);
	assert_string_equal(get_str(p, "name"), "core");
	assert_string_equal(get_str(p, "type"), "ibgp");
	assert_string_equal(get_str(p, "state"), "Active");
	/* present, and null: a script can tell "not negotiated" from 0 */
	assert_true(json_object_object_get_ex(p, "hold_time", NULL));
	assert_null(get_obj(p, "hold_time"));
	assert_null(get_obj(p, "capabilities"));
	assert_null(get_obj(p, "local_address"));
	assert_int_equal(get_int(p, "prefixes_out"), 0);
	e = get_obj(p, "last_error");
	assert_int_equal(get_int(e, "code"), 2);
	assert_int_equal(get_int(e, "subcode"), 6);
	assert_string_equal(get_str(e, "direction"), "sent");
	assert_error(f, "show peers nosuch", "no such peer: nosuch");
}

/*
 * OpenConfirm: the OPENs are exchanged (hold time, capabilities, the
 * peer's identifier), but the session, and so its local address, is not
 * up yet; OpenSent has received no OPEN to show.
 */
static void
test_ctl_cmds_show_peers_openconfirm_has_negotiated_values(void **state)
{
	struct fx *f = *state;
	struct peer *p = f->peers[1];
	json_object *d, *o;

	p->c.fsm.state = FSM_OPENCONFIRM;
	p->c.open_rcvd = true;
	p->c.peer_open.bgp_id = 0xc0000201;	/* 192.0.2.1 */
	p->c.peer_open.cap_gr = true;
	p->hold_time = 30;
	p->afi_ok[AFI_IPV6] = true;
	assert_int_equal(addr_parse("2001:db8::2", &p->c.local), 0);
	d = ask(f, "show peers core");
	assert_true(is_ok(f));
	o = json_object_array_get_idx(get_obj(d, "peers"), 0);
	assert_string_equal(get_str(o, "state"), "OpenConfirm");
	assert_null(get_obj(o, "local_address"));
	assert_string_equal(get_str(o, "remote_id"), "192.0.2.1");
	assert_int_equal(get_int(o, "hold_time"), 30);
	assert_int_equal(get_int(o, "keepalive_time"), 10);
	assert_true(json_object_get_boolean(get_obj(get_obj(o,
	    "capabilities"), "graceful_restart")));
	assert_true(json_object_get_boolean(get_obj(get_obj(o,
	    "capabilities"), "ipv6")));

	p->c.fsm.state = FSM_OPENSENT;
	d = ask(f, "show peers core");
	o = json_object_array_get_idx(get_obj(d, "peers"), 0);
	assert_null(get_obj(o, "remote_id"));
	assert_null(get_obj(o, "hold_time"));
	assert_null(get_obj(o, "capabilities"));
}

static void
test_ctl_cmds_show_services_says_why(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "show services"), *a = get_obj(d, "services"),
	    *s, *src;

	assert_true(is_ok(f));
	assert_int_equal(json_object_array_length(a), 2);
	s = json_object_array_get_idx(a, 0);
	assert_string_equal(get_str(s, "name"), "web");
	assert_string_equal(get_str(s, "verdict"), "up");
	assert_string_equal(get_str(s, "reason"), verdict_reason(&f->svcs[0].v));
	/* since: the verdict's monotonic time as wall time */
	assert_true(get_int(s, "since_seconds") >= 6 &&
	    get_int(s, "since_seconds") <= 8);
	assert_string_equal(get_str(s, "mode"), "normal");
	assert_true(json_object_get_boolean(get_obj(s, "announced")));
	assert_false(json_object_get_boolean(get_obj(s, "drain")));
	assert_int_equal(json_object_array_length(get_obj(s, "prefixes")), 2);
	src = json_object_array_get_idx(get_obj(s, "sources"), 0);
	assert_string_equal(get_str(src, "name"), "check ping");
	assert_string_equal(get_str(src, "kind"), "check");
	assert_string_equal(get_str(src, "state"), "pass");
	assert_string_equal(get_str(src, "check"), "ping");
	assert_string_equal(get_str(src, "type"), "http");
	assert_string_equal(get_str(src, "last_result"), "pass");
	assert_string_equal(json_object_to_json_string(get_obj(src,
	    "latency_seconds")), "0.001500");
	assert_string_equal(json_object_to_json_string(get_obj(src,
	    "interval_seconds")), "2.000");
	assert_string_equal(get_str(src, "output"),
	    "http 200 from 127.0.0.1:8080/ping");
	assert_int_equal(get_int(src, "rise"), 3);
	assert_int_equal(get_int(src, "passes"), 3);
	assert_int_equal(get_int(src, "probes"), 9);
	s = json_object_array_get_idx(a, 1);
	assert_string_equal(get_str(s, "name"), "dns");
	assert_int_equal(json_object_array_length(get_obj(s, "sources")), 0);
	d = ask(f, "show services dns");
	assert_int_equal(json_object_array_length(get_obj(d, "services")), 1);
	assert_error(f, "show services nosuch", "no such service: nosuch");
}

static void
test_ctl_cmds_check_without_a_result_yet_is_null(void **state)
{
	struct fx *f = *state;
	json_object *d, *src;

	f->chk.has_result = false;
	d = ask(f, "show services web");
	src = json_object_array_get_idx(get_obj(json_object_array_get_idx(
	    get_obj(d, "services"), 0), "sources"), 0);
	assert_null(get_obj(src, "last_result"));
	assert_null(get_obj(src, "latency_seconds"));
	assert_null(get_obj(src, "output"));
}

static void
test_ctl_cmds_show_routes_lists_the_adj_rib_out(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "show routes"), *a = get_obj(d, "peers"), *p,
	    *rt, *r;

	assert_true(is_ok(f));
	assert_int_equal(json_object_array_length(a), 2);
	p = json_object_array_get_idx(a, 0);
	assert_string_equal(get_str(p, "name"), "edge");
	assert_int_equal(get_int(p, "prefixes_out"), 2);
	rt = get_obj(p, "routes");
	assert_int_equal(json_object_array_length(rt), 2);
	r = json_object_array_get_idx(rt, 0);
	assert_string_equal(get_str(r, "prefix"), "203.0.113.10/32");
	assert_string_equal(get_str(r, "next_hop"), "198.51.100.2");
	assert_string_equal(get_str(r, "origin"), "igp");
	assert_string_equal(json_object_to_json_string(get_obj(r, "as_path")),
	    "[ 65001, 65001 ]");
	assert_int_equal(get_int(r, "med"), 50);
	assert_null(get_obj(r, "local_pref"));
	assert_string_equal(json_object_to_json_string(get_obj(r,
	    "communities")), "[ \"65001:100\", \"65535:0\" ]");
	assert_string_equal(json_object_to_json_string(get_obj(r,
	    "large_communities")), "[ \"65001:1:2\" ]");
	assert_int_equal(get_int(r, "sent_unix"), 1790000000);
	assert_string_equal(get_str(r, "sent"), "2026-09-21T14:13:20Z");
	r = json_object_array_get_idx(rt, 1);
	assert_string_equal(get_str(r, "prefix"), "2001:db8:100::10/128");
	assert_string_equal(get_str(r, "next_hop"), "2001:db8:1::2");
	p = json_object_array_get_idx(a, 1);
	assert_int_equal(json_object_array_length(get_obj(p, "routes")), 0);
	d = ask(f, "show routes 198.51.100.1");
	assert_int_equal(json_object_array_length(get_obj(d, "peers")), 1);
	assert_error(f, "show routes nosuch", "no such peer: nosuch");
}

/* ---- check, drain, reload ---- */

static void
test_ctl_cmds_check_reparses_the_running_file(void **state)
{
	struct fx *f = *state;
	json_object *d = ask(f, "check"), *diag;
	char bad[sizeof(conf_text) + 64], want[128];

	assert_true(is_ok(f));
	assert_true(json_object_get_boolean(get_obj(d, "valid")));
	assert_int_equal(get_int(d, "errors"), 0);
	assert_string_equal(get_str(d, "file"), f->path);
	/* broken on disk: the running config is not touched, the errors come back */
	snprintf(bad, sizeof(bad), "%shold-down = forever\nmed = -1\n",
	    conf_text);
	write_file(f->path, bad);
	d = ask(f, "check");
	assert_false(is_ok(f));
	snprintf(want, sizeof(want), "%s: 2 errors", f->path);
	assert_string_equal(get_str(f->rep, "error"), want);
	assert_false(json_object_get_boolean(get_obj(d, "valid")));
	assert_int_equal(get_int(d, "errors"), 2);
	diag = get_obj(d, "diagnostics");
	assert_int_equal(json_object_array_length(diag), 2);
	snprintf(want, sizeof(want), "%s:27: ", f->path);
	assert_true(strncmp(json_object_get_string(
	    json_object_array_get_idx(diag, 0)), want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "%s:28: ", f->path);
	assert_true(strncmp(json_object_get_string(
	    json_object_array_get_idx(diag, 1)), want, strlen(want)) == 0);
	assert_int_equal(f->nc.conf.nservices, 2);
}

static void
test_ctl_cmds_drain_calls_the_daemon(void **state)
{
	struct fx *f = *state;
	json_object *d;

	d = ask(f, "drain web");
	assert_true(is_ok(f));
	assert_int_equal(drain_rec.calls, 1);
	assert_false(drain_rec.all);
	assert_string_equal(drain_rec.svc, "web");
	assert_true(drain_rec.on);
	assert_string_equal(get_str(d, "service"), "web");
	assert_true(json_object_get_boolean(get_obj(d, "drain")));
	d = ask(f, "{\"cmd\":\"undrain\",\"args\":[\"--all\"]}");
	assert_true(is_ok(f));
	assert_int_equal(drain_rec.calls, 2);
	assert_true(drain_rec.all);
	assert_false(drain_rec.on);
	assert_null(get_obj(d, "service"));
	/* an unknown service never reaches the daemon */
	assert_error(f, "drain nosuch", "no such service: nosuch");
	assert_int_equal(drain_rec.calls, 2);
	/* the daemon's refusal is the reply */
	drain_rec.rc = -1;
	drain_rec.err = "web: already draining";
	assert_error(f, "drain web", "web: already draining");
	drain_rec.err = NULL;
	assert_error(f, "drain web", "drain failed");
}

static void
test_ctl_cmds_reload_calls_the_daemon(void **state)
{
	struct fx *f = *state;
	json_object *d;

	d = ask(f, "reload");
	assert_true(is_ok(f));
	assert_int_equal(reload_rec.calls, 1);
	assert_string_equal(get_str(d, "file"), f->path);
	assert_int_equal(get_int(d, "loaded_unix"), 1800000000);
	/* what the plan did, by kind and operation */
	assert_int_equal(get_int(get_obj(d, "peers"), "keep"), 1);
	assert_int_equal(get_int(get_obj(d, "peers"), "add"), 2);
	assert_int_equal(get_int(get_obj(d, "peers"), "reset"), 0);
	assert_int_equal(get_int(get_obj(d, "checks"), "reset"), 3);
	assert_int_equal(get_int(get_obj(d, "services"), "delete"), 4);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
	    get_obj(d, "restart_needed"), 0)), "control-socket-mode");
	reload_rec.rc = -1;
	reload_rec.err = "t.ini:3: asn: 'x' is not an AS number\n"
	    "t.ini:9: unknown key 'foo'";
	/* the errors, both lines, in one reply line (escaped) */
	assert_error(f, "reload", reload_rec.err);
}

/* ---- ctl_start: the daemon's socket from its config ---- */

static void
test_ctl_cmds_start_serves_the_configured_socket(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/test_ctl_start.XXXXXX", cmd[96];
	struct stat st;

	assert_non_null(mkdtemp(dir));
	f->nc.loop = ev_loop_new(EVFLAG_AUTO);
	snprintf(f->nc.conf.g.control_socket,
	    sizeof(f->nc.conf.g.control_socket), "%s/run/x.sock", dir);
	f->nc.conf.g.control_socket_set = true;
	f->nc.conf.g.control_socket_mode = 0600;
	snprintf(f->nc.conf.g.control_socket_group,
	    sizeof(f->nc.conf.g.control_socket_group), "0");
	assert_int_equal(ctl_start(&f->nc), 0);
	assert_int_equal(stat(f->nc.conf.g.control_socket, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_gid, 0);
	ctl_stop(&f->nc);
	assert_null(f->nc.ctl);
	assert_int_equal(stat(f->nc.conf.g.control_socket, &st), -1);
	/* an unknown group: no socket, the daemon goes on */
	snprintf(f->nc.conf.g.control_socket_group,
	    sizeof(f->nc.conf.g.control_socket_group), "no-such-group-x");
	assert_int_equal(ctl_start(&f->nc), -1);
	assert_null(f->nc.ctl);
	ctl_stop(&f->nc);
	ev_loop_destroy(f->nc.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ctl_cmds_text_and_json_requests_give_the_same_reply),
		T(test_ctl_cmds_unknown_commands_are_errors),
		T(test_ctl_cmds_bad_json_is_an_error),
		T(test_ctl_cmds_replies_are_utf8_whatever_the_request),
		T(test_ctl_cmds_config_keys_for_the_socket),
		T(test_ctl_cmds_wrong_argument_counts_print_the_usage),
		T(test_ctl_cmds_help_lists_every_command),
		T(test_ctl_cmds_every_table_command_has_a_handler),
		T(test_ctl_cmds_show_status_counts_and_config),
		T(test_ctl_cmds_show_peers_established_peer),
		T(test_ctl_cmds_show_peers_down_peer_has_no_negotiated_values),
		T(test_ctl_cmds_show_peers_openconfirm_has_negotiated_values),
		T(test_ctl_cmds_show_services_says_why),
		T(test_ctl_cmds_check_without_a_result_yet_is_null),
		T(test_ctl_cmds_show_routes_lists_the_adj_rib_out),
		T(test_ctl_cmds_check_reparses_the_running_file),
		T(test_ctl_cmds_drain_calls_the_daemon),
		T(test_ctl_cmds_reload_calls_the_daemon),
		T(test_ctl_cmds_start_serves_the_configured_socket),
#undef T
	};

	log_init(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
