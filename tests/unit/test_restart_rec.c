/*
 * test_restart_rec.c - the graceful restart record: written and taken
 * back, taken once only, stale by age or boot, and every kind of bad file
 * (not ours, truncated, too big, a FIFO, a symlink) refused without
 * blocking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nomcastd/restart_rec.h"

static char dir[64], path[128];

static int
setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/test_restart_rec.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/nomcast.restart", dir);
	return 0;
}

static int
teardown(void **st)
{
	char cmd[128];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static struct restart_rec
sample(void)
{
	struct restart_rec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.boot_id, sizeof(r.boot_id), "b00t");
	r.at_ms = 1000000;
	r.restart_time = 30;
	r.wall = 1796000000;
	r.pid = 4242;
	snprintf(r.reason, sizeof(r.reason), "exit-mode graceful\nsecond");
	snprintf(r.bfd[0].peer, sizeof(r.bfd[0].peer), "edge4");
	r.bfd[0].h = (struct bfd_handover){ 0xdeadbeef, 7, 4000000000u,
	    10000000, 50000, 50000, 50000, 3, 3, 49999 };
	snprintf(r.bfd[1].peer, sizeof(r.bfd[1].peer), "edge6");
	r.bfd[1].h = (struct bfd_handover){ 1, 2, 3, 4, 5, 6, 7, 1, 0, 65535 };
	r.nbfd = 2;
	return r;
}

static void
t_round_trip(void **st)
{
	struct restart_rec w = sample(), r;
	char why[200], err[200];
	struct stat sb;

	(void)st;
	assert_int_equal(restart_rec_write(path, &w, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1000000 + 29999,
	    &r, why, sizeof(why)), 1);
	assert_string_equal(r.boot_id, "b00t");
	assert_int_equal(r.at_ms, 1000000);
	assert_int_equal(r.restart_time, 30);
	assert_int_equal(r.wall, 1796000000);
	assert_int_equal(r.pid, 4242);
	/* a newline in the reason cannot end its line early */
	assert_string_equal(r.reason, "exit-mode graceful second");
	/* the BFD sessions handed over, every field */
	assert_int_equal(r.nbfd, 2);
	assert_string_equal(r.bfd[0].peer, "edge4");
	assert_memory_equal(&r.bfd[0].h, &w.bfd[0].h, sizeof(w.bfd[0].h));
	assert_string_equal(r.bfd[1].peer, "edge6");
	assert_memory_equal(&r.bfd[1].h, &w.bfd[1].h, sizeof(w.bfd[1].h));
	/* spent: the next start is a plain one */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1000001, &r, why,
	    sizeof(why)), 0);
	assert_string_equal(why, "");
}

static void
t_stale(void **st)
{
	struct restart_rec w = sample(), r;
	char why[200], err[200];

	(void)st;
	/* older than the restart time: the routers dropped the routes */
	assert_int_equal(restart_rec_write(path, &w, err, sizeof(err)), 0);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1000000 + 30001,
	    &r, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "longer than the restart time"));
	assert_int_equal(access(path, F_OK), -1);
	/* another boot: the routers cannot have kept anything */
	assert_int_equal(restart_rec_write(path, &w, err, sizeof(err)), 0);
	assert_int_equal(restart_rec_take_at(path, "other", 1000001, &r, why,
	    sizeof(why)), 0);
	assert_string_equal(why, "left on another boot");
	/* a clock behind the record */
	assert_int_equal(restart_rec_write(path, &w, err, sizeof(err)), 0);
	assert_int_equal(restart_rec_take_at(path, "b00t", 999999, &r, why,
	    sizeof(why)), 0);
	assert_string_equal(why, "written in the future");
}

static void
t_this_boot(void **st)
{
	struct restart_rec w, r;
	char why[200], err[200];

	(void)st;
	memset(&w, 0, sizeof(w));
	w.restart_time = 5;
	assert_int_equal(restart_rec_stamp(&w, err, sizeof(err)), 0);
	assert_true(strlen(w.boot_id) >= 32);
	assert_int_equal(w.pid, (long)getpid());
	assert_int_equal(restart_rec_write(path, &w, err, sizeof(err)), 0);
	assert_int_equal(restart_rec_take(path, &r, why, sizeof(why)), 1);
	assert_string_equal(r.boot_id, w.boot_id);
}

/* text -> take: 0 and why contains want */
static void
bad(const char *text, size_t len, const char *want)
{
	struct restart_rec r;
	char why[200];

	put(text, len);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1000001, &r, why,
	    sizeof(why)), 0);
	if (strstr(why, want) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", why, want);
	assert_int_equal(access(path, F_OK), -1);
}

#define BAD(t, w)	bad(t, sizeof(t) - 1, w)

static void
t_bad_text(void **st)
{
	char big[RESTART_REC_MAX + 100];

	(void)st;
	BAD("", "empty");
	BAD("hello\n", "first line");
	BAD("nomcast-restart 2\nboot_id b00t\n", "first line");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1000000\n",
	    "missing");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms -1\nrestart_time 30\n",
	    "bad line 3");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1000000\n"
	    "restart_time 4096\n", "bad line 4");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1000000\n"
	    "restart_time 0\n", "bad line 4");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 10x\nrestart_time 3\n",
	    "bad line 3");
	BAD("nomcast-restart 1\nboot_id \nat_ms 1\nrestart_time 3\n",
	    "bad line 2");
	BAD("nomcast-restart 1\nboot_id b00t\0\nat_ms 1\nrestart_time 3\n",
	    "NUL");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1\nrestart_time 3\n"
	    "bfd edge 1 2 3 4 5 6 7 0 3 49152\n", "bad line 5");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1\nrestart_time 3\n"
	    "bfd edge 1 2 3 4 5 6 7 3 3\n", "bad line 5");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1\nrestart_time 3\n"
	    "bfd edge 1 2 3 4 5 6 7 3 3 49152 x\n", "bad line 5");
	BAD("nomcast-restart 1\nboot_id b00t\nat_ms 1\nrestart_time 3\n"
	    "bfd edge 0 2 3 4 5 6 7 3 3 49152\n", "bad line 5");
	memset(big, 'x', sizeof(big));
	bad(big, sizeof(big), "larger than");
	/* unknown keys are a later version's: ignored */
	{
		static const char ok[] = "nomcast-restart 1\nboot_id b00t\n"
		    "at_ms 1000000\nrestart_time 3\nfuture 1\n";
		struct restart_rec r;
		char why[200];

		put(ok, sizeof(ok) - 1);
		assert_int_equal(restart_rec_take_at(path, "b00t", 1000001,
		    &r, why, sizeof(why)), 1);
		assert_int_equal(r.restart_time, 3);
	}
}

static void
t_not_regular(void **st)
{
	struct restart_rec r;
	char why[200], target[160];

	(void)st;
	/* a FIFO: refused at once, not waited on */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1, &r, why,
	    sizeof(why)), 0);
	assert_string_equal(why, "not a regular file");
	unlink(path);
	/* a symlink is not followed, nor removed through */
	snprintf(target, sizeof(target), "%s/target", dir);
	put("x", 1);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(restart_rec_take_at(path, "b00t", 1, &r, why,
	    sizeof(why)), 0);
	assert_true(why[0] != '\0');
	assert_int_equal(access(target, F_OK), 0);
	unlink(path);
	unlink(target);
}

static void
t_write_errors(void **st)
{
	struct restart_rec w = sample();
	char err[200], p[200];

	(void)st;
	/* the missing folder is made (one level, like /run/nomcast) */
	snprintf(p, sizeof(p), "%s/sub/nomcast.restart", dir);
	assert_int_equal(restart_rec_write(p, &w, err, sizeof(err)), 0);
	assert_int_equal(access(p, F_OK), 0);
	/* two levels missing: an error, said */
	snprintf(p, sizeof(p), "%s/a/b/nomcast.restart", dir);
	assert_int_equal(restart_rec_write(p, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(t_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(t_this_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(t_bad_text, setup, teardown),
		cmocka_unit_test_setup_teardown(t_not_regular, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_write_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
