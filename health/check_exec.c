/*
 * check_exec.c - the `exec` check: run a command, exit 0 passes.
 *
 * The command runs without a shell (argv from the config), in a session
 * and process group of its own, with stdin on /dev/null and stdout and
 * stderr on one pipe.  The first line of output is kept for the reason
 * and the rest is read and dropped, so a command that prints a megabyte
 * costs a few reads and no memory.  The probe ends on the exit status
 * (ev_child), not on the pipe's EOF: a background child that keeps the
 * pipe open does not keep the probe open.  When the probe ends, however
 * it ends, the whole process group is killed, so nothing the command
 * started outlives it.
 *
 * A run that timed out is abandoned, not forgotten: its group is killed
 * and its ev_child watcher stays until the kernel reports the exit, so
 * every child is reaped.  (libev reaps every child of the process on
 * SIGCHLD, so even a run dropped by fini() leaves no zombie while the
 * loop runs.)
 *
 * A command may leave its group: a child that calls setsid() (a daemon's
 * double fork, `setsid cmd &`) is out of reach of the group kill.
 * nomcastd makes itself the subreaper of its descendants (main.c), so
 * such a child becomes ours when its parent exits.  The exec checks are
 * the only processes nomcastd starts, so a child of ours that is not the
 * leader of a known run can only be something a command left behind: each
 * time a run ends, chk_exec_sweep() kills every such stray, with its own
 * group, and libev's SIGCHLD handler reaps it (waitpid(-1) for any
 * child).  A stray whose parent outlives the sweep is caught by the next.
 */
#include "health/check.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* bytes of the first line kept: the reason (255 at most) fits it */
#define EXEC_LINE_MAX	160
#define EXEC_READ_BUF	4096
/* reads per event: a busy pipe gets a slice of the loop, not all of it */
#define EXEC_READ_MAX	16

struct chk_exec_run {
	struct chk_exec_run	*next;
	struct chk_exec		*x;
	bool			 abandoned;	/* cancelled: no report */
	pid_t			 pid;		/* and process group */
	int			 fd;		/* pipe's read end; -1 */
	ev_io			 io;
	ev_child		 child;
	size_t			 len;
	bool			 line_done;
	char			 line[EXEC_LINE_MAX + 1];
};

struct chk_exec {
	struct chk_exec		*next;	/* every exec check of the process */
	struct check		*c;
	struct chk_exec_run	*runs;	/* live and abandoned */
	struct chk_exec_run	*cur;	/* the probe's, or NULL */
};

/*
 * Every exec check of the process: their runs' leaders are the only
 * children nomcastd knows of.  Process-wide because children are.
 */
static struct chk_exec *chk_exec_all;

static void
chk_exec_take(struct chk_exec_run *r, const char *buf, size_t n)
{
	size_t i;
	char ch;

	for (i = 0; i < n && !r->line_done; i++) {
		ch = buf[i];
		if (ch == '\n' || r->len == EXEC_LINE_MAX) {
			r->line_done = true;
			break;
		}
		if (ch == '\r')
			continue;
		/* the reason is logged inside quotes, on one line */
		if ((unsigned char)ch < 0x20 || ch == 0x7f)
			ch = ' ';
		else if (ch == '"')
			ch = '\'';
		r->line[r->len++] = ch;
	}
	r->line[r->len] = '\0';
}

static void
chk_exec_close_pipe(struct chk_exec_run *r)
{
	if (r->fd == -1)
		return;
	ev_io_stop(r->x->c->env->loop, &r->io);
	close(r->fd);
	r->fd = -1;
}

/* read what is there, bounded; closes the pipe on EOF or error */
static void
chk_exec_drain(struct chk_exec_run *r)
{
	char buf[EXEC_READ_BUF];
	ssize_t n;
	int i;

	for (i = 0; i < EXEC_READ_MAX && r->fd != -1; i++) {
		n = read(r->fd, buf, sizeof(buf));
		if (n > 0) {
			chk_exec_take(r, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		chk_exec_close_pipe(r);
	}
}

static void
chk_exec_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	chk_exec_drain(w->data);
}

static void
chk_exec_unlink(struct chk_exec_run *r)
{
	struct chk_exec_run **pp;

	for (pp = &r->x->runs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	if (r->x->cur == r)
		r->x->cur = NULL;
}

/* kill the group, stop watching, free: the run is over for us */
static void
chk_exec_run_free(struct chk_exec_run *r)
{
	/*
	 * The leader may be gone, but its group lives on in whatever it
	 * started, and a group id is not reused while it has members.
	 */
	(void)kill(-r->pid, SIGKILL);
	chk_exec_close_pipe(r);
	ev_child_stop(r->x->c->env->loop, &r->child);
	chk_exec_unlink(r);
	free(r);
}

static bool
chk_exec_known(pid_t pid)
{
	struct chk_exec *x;
	struct chk_exec_run *r;

	for (x = chk_exec_all; x != NULL; x = x->next)
		for (r = x->runs; r != NULL; r = r->next)
			if (r->pid == pid)
				return true;
	return false;
}

/* kill the strays among the children one thread file lists */
static unsigned
chk_exec_sweep_file(const char *path)
{
	unsigned n = 0;
	FILE *f;
	long v;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fscanf(f, "%ld", &v) == 1) {
		if (v <= 0 || chk_exec_known((pid_t)v))
			continue;
		/*
		 * Not reaped yet (only this thread reaps), so the pid is not
		 * reused; a group of that id can only be the stray's own.
		 */
		(void)kill(-(pid_t)v, SIGKILL);
		(void)kill((pid_t)v, SIGKILL);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * Kill every child that is not a known run's leader.  The children are
 * listed per thread (/proc/self/task/TID/children): an orphan goes to
 * some live thread of the subreaper, not always the main one.
 */
static void
chk_exec_sweep(struct check *c)
{
	char path[64], self[32];
	struct dirent *de;
	unsigned n = 0;
	ssize_t len;
	DIR *d;

	/*
	 * /proc must number processes as we do: one mounted for another pid
	 * namespace would name other processes by our children's numbers.
	 */
	if ((len = readlink("/proc/self", self, sizeof(self) - 1)) <= 0)
		return;
	self[len] = '\0';
	if (strtol(self, NULL, 10) != (long)getpid())
		return;
	if ((d = opendir("/proc/self/task")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/children",
		    de->d_name);
		n += chk_exec_sweep_file(path);
	}
	closedir(d);
	if (n > 0)
		check_log_rl(c, LOG_LVL_WARN, "msg=\"exec: killed %u "
		    "process%s left behind outside the command's group\"", n,
		    n == 1 ? "" : "es");
}

static void
chk_exec_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct chk_exec_run *r = w->data;
	struct check *c = r->x->c;
	const char *prog = c->cf->argv[0];
	char line[EXEC_LINE_MAX + 3];
	int st = w->rstatus;
	bool abandoned = r->abandoned;

	(void)loop;
	(void)revents;
	if (!abandoned && !r->line_done)
		chk_exec_drain(r);	/* output may still sit in the pipe */
	line[0] = '\0';
	if (r->len > 0)
		snprintf(line, sizeof(line), ": %s", r->line);
	chk_exec_run_free(r);
	/* the result first: the sweep below is not on the way to the wire */
	if (!abandoned && WIFEXITED(st))
		check_done(c, WEXITSTATUS(st) == 0, "exec %s exited %d%s",
		    prog, WEXITSTATUS(st), line);
	else if (!abandoned && WIFSIGNALED(st))
		check_done(c, false, "exec %s killed by signal %d%s", prog,
		    WTERMSIG(st), line);
	else if (!abandoned)
		check_done(c, false, "exec %s ended with status %#x", prog,
		    (unsigned)st);
	/* its orphans are ours by now: the leader exited before SIGCHLD */
	chk_exec_sweep(c);
}

static int
chk_exec_init(struct check *c)
{
	struct chk_exec *x;

	if (c->cf->argc == 0 || c->cf->argv[0] == NULL) {
		check_log(c, LOG_LVL_ERR, "msg=\"exec: no command\"");
		return -1;
	}
	/* libev watches children only on the default loop */
	if (!ev_is_default_loop(c->env->loop)) {
		check_log(c, LOG_LVL_ERR, "msg=\"exec: needs the default loop\"");
		return -1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->c = c;
	x->next = chk_exec_all;
	chk_exec_all = x;
	c->priv = x;
	return 0;
}

/* 0, or an errno value: posix_spawn reports a failed exec itself */
static int
chk_exec_spawn(struct check *c, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	/*
	 * Its own session (so its own process group, killed as one), no
	 * signal blocked, and every disposition back to the default: the
	 * daemon ignores SIGPIPE, the command must not inherit that.
	 */
	if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
	    (rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out,
	    STDOUT_FILENO)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out,
	    STDERR_FILENO)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0)
		goto out;
	/* argv[0] is an absolute path (config.c): no PATH search */
	rc = posix_spawn(pid, c->cf->argv[0], &fa, &attr, c->cf->argv,
	    environ);
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static void
chk_exec_probe(struct check *c)
{
	struct chk_exec *x = c->priv;
	struct chk_exec_run *r;
	int p[2], rc;
	pid_t pid;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		check_done(c, false, "exec %s: %s", c->cf->argv[0],
		    strerror(ENOMEM));
		return;
	}
	/* only our end is non-blocking: the command writes as usual */
	if (pipe2(p, O_CLOEXEC) == -1 ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) == -1) {
		rc = errno;
		free(r);
		check_done(c, false, "exec %s: pipe: %s", c->cf->argv[0],
		    strerror(rc));
		return;
	}
	rc = chk_exec_spawn(c, p[1], &pid);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		free(r);
		check_done(c, false, "exec %s: %s", c->cf->argv[0],
		    strerror(rc));
		return;
	}
	r->x = x;
	r->pid = pid;
	r->fd = p[0];
	ev_io_init(&r->io, chk_exec_io_cb, r->fd, EV_READ);
	r->io.data = r;
	ev_io_start(c->env->loop, &r->io);
	/*
	 * Started before the loop runs again, so the SIGCHLD of even the
	 * quickest command finds its watcher.
	 */
	ev_child_init(&r->child, chk_exec_child_cb, pid, 0);
	r->child.data = r;
	ev_child_start(c->env->loop, &r->child);
	r->next = x->runs;
	x->runs = r;
	x->cur = r;
}

static void
chk_exec_cancel(struct check *c)
{
	struct chk_exec *x = c->priv;
	struct chk_exec_run *r = x->cur;

	if (r == NULL)
		return;
	x->cur = NULL;
	r->abandoned = true;
	/* the child watcher stays: the exit is still reaped and freed */
	(void)kill(-r->pid, SIGKILL);
	chk_exec_close_pipe(r);
}

static void
chk_exec_fini(struct check *c)
{
	struct chk_exec *x = c->priv;
	struct chk_exec **pp;

	if (x == NULL)
		return;
	while (x->runs != NULL)
		chk_exec_run_free(x->runs);
	for (pp = &chk_exec_all; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	/* what its runs left outside their groups goes with them */
	chk_exec_sweep(c);
	free(x);
	c->priv = NULL;
}

const struct check_ops chk_exec_ops = {
	.name = "exec",
	.init = chk_exec_init,
	.probe = chk_exec_probe,
	.cancel = chk_exec_cancel,
	.fini = chk_exec_fini,
	.event_driven = false,
};
