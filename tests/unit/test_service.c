/*
 * test_service.c - the services at run time (nomcastd/service.c, included
 * to reach its statics): check results to verdicts to the peers, drain,
 * and a reload carried out from its plan, against a fake speaker side.
 * The services' change callback is this test's: it records each service
 * that went to the peers and in which mode, as the sessions would have
 * sent it.
 * No loop runs: results are fed to check_result() by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nomcastd/service.c"

#define MAXSYNC	64

static struct {
	size_t		 n;
	char		 name[MAXSYNC][CONF_NAME_MAX];
	enum svc_mode	 mode[MAXSYNC];
} synced;

static void
record_sync(struct nomcast *nc, const struct svc *s)
{
	(void)nc;
	assert_true(synced.n < MAXSYNC);
	snprintf(synced.name[synced.n], sizeof(synced.name[0]), "%s",
	    s->cf->name);
	synced.mode[synced.n++] = s->mode;
}

#define HEAD \
	"[global]\n" \
	"asn = 65001\n" \
	"router-id = 198.51.100.2\n" \
	"[peer edge]\n" \
	"address = 198.51.100.1\n" \
	"asn = 65000\n"
#define CHECK_A(interval) \
	"[check a]\n" \
	"type = tcp\n" \
	"target = 127.0.0.1:9\n" \
	"interval = " interval "\n" \
	"rise = 2\n" \
	"fall = 1\n"
#define CHECK_B \
	"[check b]\n" \
	"type = tcp\n" \
	"target = 127.0.0.1:19\n" \
	"interval = 1s\n" \
	"fall = 1\n"
#define WEB(checks) \
	"[service web]\n" \
	"prefix = 203.0.113.10/32\n" \
	"drain-time = 5s\n" \
	"checks = " checks "\n"
#define DNS \
	"[service dns]\n" \
	"prefix = 203.0.113.53/32\n"

struct fx {
	struct nomcast	 nc;
};

static void
load(struct conf *c, const char *text)
{
	struct conf_diag d;

	if (conf_load_string("t.ini", text, c, &d) != 0)
		fail_msg("%s", d.n ? d.lines[0] : "?");
	conf_diag_free(&d);
}

static int
setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	memset(&synced, 0, sizeof(synced));
	f.nc.loop = ev_default_loop(0);
	f.nc.svc_changed = record_sync;
	load(&f.nc.conf, HEAD CHECK_A("1s") WEB("a") DNS);
	assert_int_equal(services_start(&f.nc), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	services_stop(&f->nc);
	conf_free(&f->nc.conf);
	return 0;
}

static struct svc *
svc(struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nc.nsvcs; i++)
		if (strcmp(f->nc.svcs[i].cf->name, name) == 0)
			return &f->nc.svcs[i];
	fail_msg("no service %s", name);
	return NULL;
}

static struct check *
chk(struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nc.nchecks_rt; i++)
		if (strcmp(f->nc.checks[i]->cf->name, name) == 0)
			return f->nc.checks[i];
	fail_msg("no check %s", name);
	return NULL;
}

static void
result(struct fx *f, const char *check, bool pass)
{
	check_result(&f->nc, chk(f, check), pass, pass ? "ok" : "refused",
	    0.001);
}

/* carry out a reload to text, as reload.c does */
static void
reload(struct fx *f, const char *text)
{
	struct conf nconf, old;
	struct reload_plan plan;

	load(&nconf, text);
	assert_int_equal(reload_plan_make(&plan, &f->nc.conf, &nconf), 0);
	old = f->nc.conf;
	f->nc.conf = nconf;
	assert_int_equal(services_reload(&f->nc, &plan), 0);
	conf_free(&old);
	reload_plan_free(&plan);
}

static void
test_service_start_and_results(void **state)
{
	struct fx *f = *state;

	/* dns has no check: up and sent at once; web waits for rise */
	assert_int_equal(synced.n, 1);
	assert_string_equal(synced.name[0], "dns");
	assert_int_equal(synced.mode[0], SVC_MODE_NORMAL);
	assert_int_equal(svc(f, "web")->mode, SVC_MODE_NONE);
	result(f, "a", true);
	assert_int_equal(synced.n, 1);		/* rise 2: not yet */
	result(f, "a", true);
	assert_int_equal(synced.n, 2);
	assert_string_equal(synced.name[1], "web");
	assert_int_equal(synced.mode[1], SVC_MODE_NORMAL);
	assert_int_equal(svc(f, "web")->v.state, VERDICT_UP);
	/* fall 1: one failure withdraws */
	result(f, "a", false);
	assert_int_equal(synced.n, 3);
	assert_int_equal(synced.mode[2], SVC_MODE_NONE);
	assert_int_equal(svc(f, "web")->transitions, 2);
}

static void
test_service_drain_and_undrain(void **state)
{
	struct fx *f = *state;
	struct svc *s;

	result(f, "a", true);
	result(f, "a", true);
	synced.n = 0;
	assert_int_equal(services_drain(&f->nc, "web", true), 0);
	s = svc(f, "web");
	assert_int_equal(s->mode, SVC_MODE_DRAINING);
	assert_int_equal(synced.n, 1);
	assert_int_equal(synced.mode[0], SVC_MODE_DRAINING);
	/* the drain time runs, then the withdraw */
	assert_true(ev_is_active(&s->drain_timer));
	assert_int_equal(services_drain(&f->nc, "web", false), 0);
	assert_int_equal(s->mode, SVC_MODE_NORMAL);
	assert_false(ev_is_active(&s->drain_timer));
	assert_int_equal(services_drain(&f->nc, "nosuch", true), -1);
}

static void
test_service_reload_same_file_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct check *a;
	struct verdict was;

	result(f, "a", true);
	result(f, "a", true);
	a = chk(f, "a");
	was = svc(f, "web")->v;
	synced.n = 0;
	reload(f, HEAD CHECK_A("1s") WEB("a") DNS);
	/* the same running check, the verdicts kept, nothing sent again */
	assert_ptr_equal(chk(f, "a"), a);
	assert_int_equal(svc(f, "web")->v.state, VERDICT_UP);
	assert_int_equal(svc(f, "web")->v.since_ms, was.since_ms);
	assert_string_equal(svc(f, "web")->v.reason, was.reason);
	assert_int_equal(svc(f, "web")->transitions, 1);
	assert_int_equal(svc(f, "dns")->v.state, VERDICT_UP);
	assert_int_equal(synced.n, 0);
}

static void
test_service_reload_changed_check_keeps_its_state(void **state)
{
	struct fx *f = *state;
	struct svc *s;

	result(f, "a", true);
	result(f, "a", true);
	synced.n = 0;
	reload(f, HEAD CHECK_A("2s") WEB("a") DNS);
	s = svc(f, "web");
	/* restarted under the new interval, its state kept: no flap */
	assert_int_equal(chk(f, "a")->cf->interval_ms, 2000);
	assert_int_equal(s->v.state, VERDICT_UP);
	assert_int_equal(s->srcs[0].state, SRC_PASS);
	assert_non_null(strstr(s->srcs[0].reason, "changed by reload"));
	assert_int_equal(synced.n, 0);
	/* and its first failure under the new settings withdraws */
	result(f, "a", false);
	assert_int_equal(s->mode, SVC_MODE_NONE);
	assert_int_equal(synced.n, 1);
}

static void
test_service_reload_added_check_passes_until_it_fails(void **state)
{
	struct fx *f = *state;
	struct svc *s;

	result(f, "a", true);
	result(f, "a", true);
	synced.n = 0;
	reload(f, HEAD CHECK_A("1s") CHECK_B WEB("a, b") DNS);
	s = svc(f, "web");
	assert_int_equal(s->nsrcs, 2);
	assert_int_equal(s->srcs[1].state, SRC_PASS);
	assert_non_null(strstr(s->srcs[1].reason, "added by reload"));
	assert_int_equal(s->v.state, VERDICT_UP);
	assert_int_equal(synced.n, 0);
	result(f, "b", false);
	assert_int_equal(s->v.state, VERDICT_DOWN);
	assert_int_equal(synced.n, 1);
	assert_int_equal(synced.mode[0], SVC_MODE_NONE);
}

static void
test_service_reload_adds_and_removes_services(void **state)
{
	struct fx *f = *state;

	synced.n = 0;
	reload(f, HEAD CHECK_A("1s") WEB("a")
	    "[service api]\n"
	    "prefix = 203.0.113.11/32\n");
	assert_int_equal(f->nc.nsvcs, 2);
	/* api, without checks, is up and sent at once; dns is gone */
	assert_int_equal(synced.n, 1);
	assert_string_equal(synced.name[0], "api");
	assert_int_equal(svc(f, "api")->mode, SVC_MODE_NORMAL);
	/* a check no service uses any more is stopped */
	reload(f, HEAD
	    "[service api]\n"
	    "prefix = 203.0.113.11/32\n");
	assert_int_equal(f->nc.nsvcs, 1);
	assert_int_equal(f->nc.nchecks_rt, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_service_start_and_results, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_drain_and_undrain, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_reload_same_file_changes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_reload_changed_check_keeps_its_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_reload_added_check_passes_until_it_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_reload_adds_and_removes_services, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
