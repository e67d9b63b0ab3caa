/*
 * test_watch_agent.c - the Nomad client (nomad/watch.c, included to
 * reach its statics) on a real libev loop and libcurl multi handle,
 * against the stand-in agent (tests/nomad_agent.py) on its Task API unix
 * socket: nomad_client_ask_alloc, the one read of the alloc's
 * DesiredStatus at exit, and that the watches do not notice it.
 *
 * The agent runs as a child of this process for the whole group (its
 * state reset before each test through its admin endpoint, driven with
 * plain blocking libcurl calls while the loop is idle).  Without
 * /usr/bin/python3 or the agent the tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nomad/watch.c"

#define PYTHON		"/usr/bin/python3"
#define AGENT		SRCDIR "/tests/nomad_agent.py"
#define OUR_ALLOC	"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"

/* the agent, for the whole group */
static struct {
	pid_t		pid;
	char		dir[64];
	char		sock[96];
	char		admin[200];	/* "http://127.0.0.1:PORT" */
	char		*state;		/* GET /admin/state at start */
	bool		ok;
} agent;

struct answer {
	unsigned	calls;
	enum nomad_desired d;
	char		why[512];
	ev_tstamp	at;
	/* what the callback does besides recording */
	struct nomad_client **free_cl;	/* free this client */
	bool		ask_again;
};

struct fx {
	struct ev_loop		*loop;
	struct curl_ev		*ce;
	struct conf_nomad	 cf;
	struct conf_nomad_watch	 nw;
	struct nomad_client	*cl;
	struct answer		 a;
	unsigned		 wcalls;
	enum src_state		 wlast;
};

/* ---- the agent ---- */

struct buf {
	char	*p;
	size_t	 len;
};

static size_t
buf_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct buf *b = userp;
	size_t n = size * nmemb;
	char *np = realloc(b->p, b->len + n + 1);

	if (np == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* an admin call (body NULL: GET); its answer (malloc'd) or NULL */
static char *
admin(const char *path, const char *body)
{
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0 };
	char url[256];
	long status = 0;
	CURL *e;
	CURLcode rc;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	snprintf(url, sizeof(url), "%s%s", agent.admin, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)&b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		h = curl_slist_append(NULL, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	if (rc != CURLE_OK || status != 200) {
		print_error("admin %s %s: curl %d http %ld: %s\n", path,
		    body != NULL ? body : "", (int)rc, status,
		    b.p != NULL ? b.p : "");
		free(b.p);
		return NULL;
	}
	if (b.p == NULL)
		b.p = calloc(1, 1);
	return b.p;
}

static void
admin_ok(const char *path, const char *body)
{
	char *r = admin(path, body);

	assert_non_null(r);
	free(r);
}

static int
group_setup(void **state)
{
	char ready[160], logf[160], line[160];
	FILE *fp;
	int i, fd;

	(void)state;
	if (access(PYTHON, X_OK) != 0 || access(AGENT, R_OK) != 0)
		return 0;
	snprintf(agent.dir, sizeof(agent.dir), "/tmp/nomcast-wa.XXXXXX");
	if (mkdtemp(agent.dir) == NULL)
		return -1;
	snprintf(agent.sock, sizeof(agent.sock), "%s/api.sock", agent.dir);
	snprintf(ready, sizeof(ready), "%s/ready", agent.dir);
	snprintf(logf, sizeof(logf), "%s/agent.log", agent.dir);
	if ((agent.pid = fork()) == -1)
		return -1;
	if (agent.pid == 0) {
		if ((fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
		}
		execl(PYTHON, PYTHON, AGENT, "--unix", agent.sock, "--admin",
		    "127.0.0.1:0", "--ready", ready, (char *)NULL);
		_exit(127);
	}
	/* up to 10 s for the ready file: "admin 127.0.0.1:PORT" */
	for (i = 0; i < 1000 && access(ready, R_OK) != 0; i++)
		usleep(10000);
	if ((fp = fopen(ready, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "admin ", 6) == 0) {
			line[strcspn(line, "\r\n")] = '\0';
			snprintf(agent.admin, sizeof(agent.admin),
			    "http://%s", line + 6);
		}
	fclose(fp);
	if (agent.admin[0] == '\0' ||
	    (agent.state = admin("/admin/state", NULL)) == NULL)
		return -1;
	agent.ok = true;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (agent.pid > 0) {
		kill(agent.pid, SIGTERM);
		(void)waitpid(agent.pid, NULL, 0);
	}
	free(agent.state);
	if (agent.dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", agent.dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* ---- the client on a loop ---- */

static int
setup(void **state)
{
	struct fx *f;

	if (!agent.ok) {
		*state = NULL;
		return 0;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->loop = ev_loop_new(EVFLAG_AUTO)) == NULL ||
	    (f->ce = curl_ev_new(f->loop)) == NULL)
		return -1;
	/* every test starts from the agent's first state, faults cleared */
	free(admin("/admin/fault", "{\"mode\": \"clear\"}"));
	free(admin("/admin/state", agent.state));
	snprintf(f->cf.address, sizeof(f->cf.address), "unix://%s",
	    agent.sock);
	snprintf(f->cf.unix_path, sizeof(f->cf.unix_path), "%s", agent.sock);
	snprintf(f->cf.token, sizeof(f->cf.token), "test-token");
	snprintf(f->cf.ns, sizeof(f->cf.ns), "default");
	snprintf(f->cf.alloc_id, sizeof(f->cf.alloc_id), OUR_ALLOC);
	f->cf.check_interval_ms = 200;
	f->cf.wait_ms = 10000;
	f->cf.grace_ms = 15000;
	f->cf.outage_hold = true;
	f->cf.used = true;
	snprintf(f->nw.service, sizeof(f->nw.service), "traefik");
	f->nw.checks = CONF_NOMAD_CHECKS_ALL;
	if ((f->cl = nomad_client_new(f->loop, f->ce, &f->cf)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f == NULL)
		return 0;
	nomad_client_free(f->cl);
	curl_ev_free(f->ce);
	ev_loop_destroy(f->loop);
	free(f);
	free(admin("/admin/fault", "{\"mode\": \"clear\"}"));
	return 0;
}

#define NEED_AGENT(f) do {						\
	if ((f) == NULL) {						\
		print_message("no " PYTHON " or " AGENT ": skipped\n");	\
		skip();							\
	}								\
} while (0)

static void
on_answer(void *ctx, enum nomad_desired d, const char *why)
{
	struct fx *f = ctx;
	struct answer *a = &f->a;

	a->calls++;
	a->d = d;
	a->at = ev_time();
	snprintf(a->why, sizeof(a->why), "%s", why);
	if (a->free_cl != NULL) {
		nomad_client_free(*a->free_cl);
		*a->free_cl = NULL;
		a->free_cl = NULL;
	}
	if (a->ask_again) {
		a->ask_again = false;
		assert_int_equal(nomad_client_ask_alloc(f->cl, 2000, on_answer,
		    f), 0);
	}
}

static void
on_watch(void *ctx, struct nomad_watch *w, enum src_state st,
    const char *reason)
{
	struct fx *f = ctx;

	(void)w;
	(void)reason;
	f->wcalls++;
	f->wlast = st;
}

static void
tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
}

/* run the loop until *calls reaches want or secs pass; true if reached */
static bool
run_until(struct fx *f, const unsigned *calls, unsigned want, double secs)
{
	ev_timer tick;
	ev_tstamp end;

	ev_now_update(f->loop);
	end = ev_now(f->loop) + secs;
	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(f->loop, &tick);
	while ((calls == NULL || *calls < want) && ev_now(f->loop) < end)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &tick);
	return calls != NULL && *calls >= want;
}

/* run the loop until the watch's state is st, at most secs */
static bool
run_until_state(struct fx *f, struct nomad_watch *w, enum src_state st,
    double secs)
{
	ev_timer tick;
	ev_tstamp end;

	ev_now_update(f->loop);
	end = ev_now(f->loop) + secs;
	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(f->loop, &tick);
	while (nomad_watch_state(w, NULL) != st && ev_now(f->loop) < end)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &tick);
	return nomad_watch_state(w, NULL) == st;
}

/* one ask answered within secs: its desired status */
static enum nomad_desired
ask(struct fx *f, uint32_t timeout_ms, double secs)
{
	unsigned before = f->a.calls;

	assert_int_equal(nomad_client_ask_alloc(f->cl, timeout_ms, on_answer,
	    f), 0);
	/* never from the call itself */
	assert_int_equal(f->a.calls, before);
	assert_true(run_until(f, &f->a.calls, before + 1, secs));
	return f->a.d;
}

static void
set_desired(const char *value)
{
	char body[160];

	snprintf(body, sizeof(body), "{\"alloc\": \"%s\", \"set\": "
	    "{\"DesiredStatus\": \"%s\"}}", OUR_ALLOC, value);
	admin_ok("/admin/alloc", body);
}

/* ---- the tests ---- */

static void
test_ask_run_stop_evict(void **state)
{
	struct fx *f = *state;

	NEED_AGENT(f);
	/* the client need not be started */
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_non_null(strstr(f->a.why, "DesiredStatus run"));
	set_desired("stop");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_STOP);
	assert_non_null(strstr(f->a.why, "stop or evict"));
	set_desired("evict");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_STOP);
	/* a task restart keeps run */
	set_desired("run");
	admin_ok("/admin/alloc", "{\"alloc\": \"" OUR_ALLOC "\", \"task\": "
	    "\"traefik\", \"state\": \"pending\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	/* as the client stops the alloc */
	admin_ok("/admin/stop_alloc", "{\"alloc\": \"" OUR_ALLOC "\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_STOP);
	/* exactly one call each */
	run_until(f, NULL, 0, 0.2);
	assert_int_equal(f->a.calls, 5);
}

static void
test_ask_404_is_stop(void **state)
{
	struct fx *f = *state;

	NEED_AGENT(f);
	admin_ok("/admin/alloc", "{\"alloc\": \"" OUR_ALLOC "\", "
	    "\"delete\": true}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_STOP);
	assert_non_null(strstr(f->a.why, "http 404"));
	assert_non_null(strstr(f->a.why, "alloc not found"));
}

static void
test_ask_errors_are_unknown(void **state)
{
	struct fx *f = *state;

	NEED_AGENT(f);
	/* the leader does not answer: a follower does (stale) */
	admin_ok("/admin/fault", "{\"mode\": \"500\", \"endpoint\": "
	    "\"alloc\", \"count\": 1}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_non_null(strstr(f->a.why, "(stale)"));
	/* nor does the follower */
	admin_ok("/admin/fault", "{\"mode\": \"500\", \"endpoint\": "
	    "\"alloc\", \"count\": 2}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	assert_non_null(strstr(f->a.why, "http 500"));
	admin_ok("/admin/fault", "{\"mode\": \"403\", \"endpoint\": "
	    "\"alloc\", \"count\": 1}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	assert_non_null(strstr(f->a.why, "Permission denied"));
	admin_ok("/admin/fault", "{\"mode\": \"garbage\", \"endpoint\": "
	    "\"alloc\", \"count\": 1}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	assert_non_null(strstr(f->a.why, "bad answer"));
	admin_ok("/admin/fault", "{\"mode\": \"truncated\", \"endpoint\": "
	    "\"alloc\", \"count\": 1}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	/*
	 * no count: libcurl sends a request again, once, when a reused
	 * connection dies before the answer
	 */
	admin_ok("/admin/fault", "{\"mode\": \"reset\", \"endpoint\": "
	    "\"alloc\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	admin_ok("/admin/fault", "{\"mode\": \"clear\"}");
	/* the faults were one each: the agent answers again */
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_int_equal(f->a.calls, 7);
}

static void
test_ask_slow_answer_times_out(void **state)
{
	struct fx *f = *state;
	ev_tstamp t0;

	NEED_AGENT(f);
	admin_ok("/admin/fault", "{\"mode\": \"slow\", \"endpoint\": "
	    "\"alloc\", \"ms\": 1500}");
	ev_now_update(f->loop);
	t0 = ev_time();
	assert_int_equal(ask(f, 300, 3.), NOMAD_DESIRED_UNKNOWN);
	assert_string_equal(f->a.why, "no answer within 300 ms");
	assert_true(f->a.at - t0 >= 0.29);
	assert_true(f->a.at - t0 < 0.8);
	/* the answer that comes later is not a second call */
	run_until(f, NULL, 0, 1.6);
	assert_int_equal(f->a.calls, 1);
	/* a hung agent too, and a new ask after it works */
	admin_ok("/admin/fault", "{\"mode\": \"hang\", \"endpoint\": "
	    "\"alloc\"}");
	assert_int_equal(ask(f, 200, 3.), NOMAD_DESIRED_UNKNOWN);
	assert_string_equal(f->a.why, "no answer within 200 ms");
	admin_ok("/admin/fault", "{\"mode\": \"clear\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_int_equal(f->a.calls, 3);
}

static void
test_ask_one_at_a_time(void **state)
{
	struct fx *f = *state;

	NEED_AGENT(f);
	assert_int_equal(nomad_client_ask_alloc(f->cl, 0, on_answer, f), -1);
	assert_int_equal(nomad_client_ask_alloc(f->cl, 1000, NULL, f), -1);
	assert_int_equal(nomad_client_ask_alloc(NULL, 1000, on_answer, f), -1);
	admin_ok("/admin/fault", "{\"mode\": \"slow\", \"endpoint\": "
	    "\"alloc\", \"ms\": 200}");
	assert_int_equal(nomad_client_ask_alloc(f->cl, 2000, on_answer, f), 0);
	/* a second one while the first is in flight: refused */
	assert_int_equal(nomad_client_ask_alloc(f->cl, 2000, on_answer, f),
	    -1);
	assert_true(run_until(f, &f->a.calls, 1, 3.));
	assert_int_equal(f->a.d, NOMAD_DESIRED_RUN);
	run_until(f, NULL, 0, 0.3);
	assert_int_equal(f->a.calls, 1);
	/* fn may ask again from inside the call */
	f->a.ask_again = true;
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_true(run_until(f, &f->a.calls, 3, 3.));
	assert_int_equal(f->a.d, NOMAD_DESIRED_RUN);
}

static void
test_ask_needs_an_alloc_id(void **state)
{
	struct fx *f = *state;
	struct conf_nomad cf;
	struct nomad_client *cl;

	NEED_AGENT(f);
	cf = f->cf;
	cf.alloc_id[0] = '\0';
	assert_non_null(cl = nomad_client_new(f->loop, f->ce, &cf));
	assert_int_equal(nomad_client_ask_alloc(cl, 1000, on_answer, f), -1);
	nomad_client_free(cl);
	run_until(f, NULL, 0, 0.1);
	assert_int_equal(f->a.calls, 0);
}

static void
test_ask_free_in_flight_no_callback(void **state)
{
	struct fx *f = *state;

	NEED_AGENT(f);
	admin_ok("/admin/fault", "{\"mode\": \"hang\", \"endpoint\": "
	    "\"alloc\"}");
	assert_int_equal(nomad_client_ask_alloc(f->cl, 2000, on_answer, f), 0);
	/* the request is out and held */
	run_until(f, NULL, 0, 0.2);
	nomad_client_free(f->cl);
	f->cl = NULL;
	run_until(f, NULL, 0, 2.5);
	assert_int_equal(f->a.calls, 0);
	admin_ok("/admin/fault", "{\"mode\": \"clear\"}");

	/* fn may free the client it was called from */
	assert_non_null(f->cl = nomad_client_new(f->loop, f->ce, &f->cf));
	f->a.free_cl = &f->cl;
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	assert_null(f->cl);
	run_until(f, NULL, 0, 0.2);
	assert_int_equal(f->a.calls, 1);
}

static void
test_ask_leaves_the_watches_alone(void **state)
{
	struct fx *f = *state;
	struct nomad_watch *w;
	struct nomad_stats before, after;
	struct nomad_regq *q;
	uint64_t index;

	NEED_AGENT(f);
	assert_non_null(w = nomad_watch_add(f->cl, "web", &f->nw, on_watch,
	    f));
	assert_int_equal(nomad_watch_registered(w), NSRC_REG_UNKNOWN);
	nomad_client_start(f->cl);
	assert_true(run_until_state(f, w, SRC_PASS, 5.));
	assert_int_equal(nomad_watch_registered(w), NSRC_REG_YES);
	/* the blocking query is held with an index */
	run_until(f, NULL, 0, 0.3);
	q = w->q;
	assert_true(q->sent_index > 0);
	assert_true(nomad_req_busy(&q->req));
	index = q->sent_index;
	nomad_client_stats(f->cl, &before);

	/* failing asks of every kind */
	admin_ok("/admin/fault", "{\"mode\": \"500\", \"endpoint\": "
	    "\"alloc\", \"count\": 2}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	/*
	 * no count: libcurl sends a request again, once, when a reused
	 * connection dies before the answer
	 */
	admin_ok("/admin/fault", "{\"mode\": \"reset\", \"endpoint\": "
	    "\"alloc\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_UNKNOWN);
	admin_ok("/admin/fault", "{\"mode\": \"clear\"}");
	admin_ok("/admin/fault", "{\"mode\": \"hang\", \"endpoint\": "
	    "\"alloc\"}");
	assert_int_equal(ask(f, 300, 3.), NOMAD_DESIRED_UNKNOWN);
	admin_ok("/admin/fault", "{\"mode\": \"clear\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	/* and the polls went on meanwhile */
	run_until(f, NULL, 0, 0.5);

	nomad_client_stats(f->cl, &after);
	assert_int_equal(after.outage, NOMAD_OUT_NONE);
	assert_int_equal(after.outages, before.outages);
	assert_memory_equal(after.err, before.err, sizeof(after.err));
	assert_true(after.ok[NOMAD_EP_CHECKS] > before.ok[NOMAD_EP_CHECKS]);
	assert_int_equal(after.ok[NOMAD_EP_PROBE], before.ok[NOMAD_EP_PROBE]);
	assert_int_equal(nomad_watch_outage(w, NULL), NOMAD_OUT_NONE);
	assert_int_equal(nomad_watch_state(w, NULL), SRC_PASS);
	assert_int_equal(f->cl->checks.nerr, 0);
	assert_int_equal(q->req.nerr, 0);
	/* the same held query, not re-sent */
	assert_int_equal(q->sent_index, index);
	assert_true(nomad_req_busy(&q->req));

	/* the watch still hears of a change within a round trip */
	admin_ok("/admin/deregister", "{\"service\": \"traefik\", \"alloc\": "
	    "\"" OUR_ALLOC "\"}");
	assert_true(run_until_state(f, w, SRC_FAIL, 2.));
	assert_int_equal(nomad_watch_registered(w), NSRC_REG_NO);
	/* and an ask while the query is in flight still answers */
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_RUN);
	/* a stop: the alloc says stop, the watch has failed */
	admin_ok("/admin/stop_alloc", "{\"alloc\": \"" OUR_ALLOC "\"}");
	assert_int_equal(ask(f, 2000, 3.), NOMAD_DESIRED_STOP);
	assert_int_equal(nomad_watch_state(w, NULL), SRC_FAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ask_run_stop_evict,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_404_is_stop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ask_errors_are_unknown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_slow_answer_times_out,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_one_at_a_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ask_needs_an_alloc_id,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ask_free_in_flight_no_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ask_leaves_the_watches_alone, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
