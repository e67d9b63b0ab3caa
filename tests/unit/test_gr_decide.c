/*
 * test_gr_decide.c - which exit is graceful: every rule, its order, and
 * the reason each gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "nomcastd/gr_decide.h"

/* one announced Nomad service, registered; one peer; Nomad says run */
static struct gr_svc svc[3];
static struct gr_in in;

static void
base(void)
{
	memset(svc, 0, sizeof(svc));
	svc[0] = (struct gr_svc){ "web", true, false, true, GR_REG_YES };
	memset(&in, 0, sizeof(in));
	in.force = GR_FORCE_NONE;
	in.peers_gr = 1;
	in.nomad = true;
	in.alloc = GR_ALLOC_RUN;
	in.svc = svc;
	in.nsvc = 1;
}

static void
expect(bool graceful, const char *why_part)
{
	struct gr_out out;

	memset(&out, 0x55, sizeof(out));
	gr_decide(&in, &out);
	assert_int_equal(out.graceful, graceful);
	if (strstr(out.why, why_part) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", out.why, why_part);
}

static void
t_task_restart(void **st)
{
	(void)st;
	base();
	expect(true, "Nomad still runs this allocation");
	/* a local-check service beside it changes nothing */
	svc[1] = (struct gr_svc){ "local", true, false, false, GR_REG_UNKNOWN };
	in.nsvc = 2;
	expect(true, "restart of the nomcast task");
	/* nor does a service that is down (not announced, nothing kept) */
	svc[2] = (struct gr_svc){ "down", false, false, true, GR_REG_YES };
	in.nsvc = 3;
	expect(true, "Nomad still runs");
}

static void
t_forced(void **st)
{
	(void)st;
	base();
	in.force = GR_FORCE_HARD;
	expect(false, "exit-mode hard");
	/* graceful by hand wins over what Nomad says ... */
	base();
	in.force = GR_FORCE_GRACEFUL;
	in.alloc = GR_ALLOC_STOP;
	svc[0].reg = GR_REG_NO;
	expect(true, "exit-mode graceful");
	/* ... and over no Nomad at all */
	in.nomad = false;
	in.alloc = GR_ALLOC_UNKNOWN;
	expect(true, "exit-mode graceful");
	/* but not over peers that would not keep the routes */
	in.peers_gr = 0;
	expect(false, "no Established peer");
}

static void
t_no_gr_peer(void **st)
{
	(void)st;
	base();
	in.peers_gr = 0;
	expect(false, "no Established peer negotiated");
}

static void
t_stopping(void **st)
{
	(void)st;
	base();
	svc[0].reg = GR_REG_NO;
	expect(false, "Nomad deregistered web");
	base();
	in.alloc = GR_ALLOC_STOP;
	expect(false, "Nomad is stopping this allocation");
	/* deregistration is named first: it is the fact Nomad gave first */
	svc[0].reg = GR_REG_NO;
	expect(false, "deregistered web");
	/* a deregistered service that is already down still means a stop */
	base();
	svc[0].announced = false;
	svc[0].reg = GR_REG_NO;
	svc[1] = (struct gr_svc){ "api", true, false, true, GR_REG_YES };
	in.nsvc = 2;
	expect(false, "deregistered web");
}

static void
t_draining(void **st)
{
	(void)st;
	base();
	svc[1] = (struct gr_svc){ "api", false, true, true, GR_REG_YES };
	in.nsvc = 2;
	expect(false, "service api is draining");
}

static void
t_nothing_announced(void **st)
{
	(void)st;
	base();
	svc[0].announced = false;
	expect(false, "no service is announced");
	in.nsvc = 0;
	expect(false, "no service is announced");
}

static void
t_unknown(void **st)
{
	(void)st;
	/* Nomad did not answer: a stop cannot be ruled out */
	base();
	in.alloc = GR_ALLOC_UNKNOWN;
	expect(false, "did not say");
	/* it said run, but the registration was never seen */
	base();
	svc[0].reg = GR_REG_UNKNOWN;
	expect(false, "registration of web is not known");
	/* no Nomad: only the operator can tell */
	base();
	in.nomad = false;
	in.alloc = GR_ALLOC_UNKNOWN;
	svc[0].nomad = false;
	expect(false, "without Nomad");
	expect(false, "exit-mode graceful asks");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_task_restart),
		cmocka_unit_test(t_forced),
		cmocka_unit_test(t_no_gr_peer),
		cmocka_unit_test(t_stopping),
		cmocka_unit_test(t_draining),
		cmocka_unit_test(t_nothing_announced),
		cmocka_unit_test(t_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
