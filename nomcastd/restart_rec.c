/*
 * restart_rec.c - the graceful restart record; see restart_rec.h.
 */
#include "nomcastd/restart_rec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_MAGIC	"nomcast-restart 1"
#define BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"

static int
fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t
restart_rec_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
restart_rec_boot_id(char *buf, size_t len, char *err, size_t errlen)
{
	FILE *f;
	size_t n;

	if ((f = fopen(BOOT_ID_PATH, "re")) == NULL)
		return fail(err, errlen, "%s: %s", BOOT_ID_PATH,
		    strerror(errno));
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return fail(err, errlen, "%s: empty", BOOT_ID_PATH);
	}
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	if (n == 0)
		return fail(err, errlen, "%s: empty", BOOT_ID_PATH);
	return 0;
}

int
restart_rec_stamp(struct restart_rec *r, char *err, size_t len)
{
	if (restart_rec_boot_id(r->boot_id, sizeof(r->boot_id), err,
	    len) == -1)
		return -1;
	if ((r->at_ms = restart_rec_now_ms()) == 0)
		return fail(err, len, "CLOCK_BOOTTIME: %s", strerror(errno));
	r->wall = (int64_t)time(NULL);
	r->pid = (long)getpid();
	return 0;
}

int
restart_rec_format(const struct restart_rec *r, char *buf, size_t len)
{
	char reason[sizeof(r->reason)];
	size_t i;
	int n;


	/* one line per key: a reason may not end the line early */
	snprintf(reason, sizeof(reason), "%s", r->reason);
	for (i = 0; reason[i] != '\0'; i++)
		if (reason[i] == '\n' || reason[i] == '\r')
			reason[i] = ' ';
	n = snprintf(buf, len, REC_MAGIC "\nboot_id %s\nat_ms %" PRIu64
	    "\nrestart_time %" PRIu32 "\nwall %" PRId64 "\npid %ld\n"
	    "reason %s\n", r->boot_id, r->at_ms, r->restart_time, r->wall,
	    r->pid, reason);
	if (n < 0 || (size_t)n >= len)
		return -1;
	for (i = 0; i < r->nbfd && i < RESTART_REC_BFD_MAX; i++) {
		const struct bfd_handover *h = &r->bfd[i].h;
		int m;

		m = snprintf(buf + n, len - (size_t)n, "bfd %s %" PRIu32 " %"
		    PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
		    " %" PRIu32 " %u %u %u\n", r->bfd[i].peer, h->local_discr,
		    h->remote_discr, h->xmit_auth_seq, h->desired_min_tx,
		    h->required_min_rx, h->remote_min_rx,
		    h->remote_desired_min_tx, h->detect_mult,
		    h->remote_detect_mult, h->src_port);
		if (m < 0 || (size_t)m >= len - (size_t)n)
			return -1;
		n += m;
	}
	return n;
}

/* "bfd PEER LD RD SEQ TX RX RMINRX RTX MULT RMULT SPORT" */
static bool
parse_bfd(const char *v, struct restart_rec *r)
{
	struct restart_bfd *b;
	unsigned mult, rmult, sport;
	int end = -1;

	if (r->nbfd == RESTART_REC_BFD_MAX)
		return false;
	b = &r->bfd[r->nbfd];
	memset(b, 0, sizeof(*b));
	if (sscanf(v, "%63s %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32
	    " %" SCNu32 " %" SCNu32 " %" SCNu32 " %u %u %u%n", b->peer,
	    &b->h.local_discr, &b->h.remote_discr, &b->h.xmit_auth_seq,
	    &b->h.desired_min_tx, &b->h.required_min_rx, &b->h.remote_min_rx,
	    &b->h.remote_desired_min_tx, &mult, &rmult, &sport, &end) != 11 ||
	    v[end] != '\0' || mult == 0 || mult > 255 || rmult > 255 ||
	    sport > 65535 || b->h.local_discr == 0)
		return false;
	b->h.detect_mult = (uint8_t)mult;
	b->h.remote_detect_mult = (uint8_t)rmult;
	b->h.src_port = (uint16_t)sport;
	r->nbfd++;
	return true;
}

/* make the record's folder if it is missing (one level: /run/nomcast) */
static void
make_parent(const char *path)
{
	char dir[4096];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	(void)mkdir(dirname(dir), 0700);
}

int
restart_rec_write(const char *path, const struct restart_rec *r, char *err,
    size_t len)
{
	char text[RESTART_REC_MAX], tmp[4096 + 16];
	int fd, n;

	if ((n = restart_rec_format(r, text, sizeof(text))) == -1)
		return fail(err, len, "record too long");
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return fail(err, len, "path too long");
	make_parent(path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return fail(err, len, "%s: %s", tmp, strerror(errno));
	/* rename after fsync: a crash leaves the old state or the whole record */
	if (write(fd, text, (size_t)n) != n || fsync(fd) == -1) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return fail(err, len, "%s: %s", tmp, strerror(e ? e : EIO));
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		int e = errno;

		unlink(tmp);
		return fail(err, len, "%s: %s", path, strerror(e));
	}
	return 0;
}

/* the value of "key value" if line starts with key and a space */
static const char *
value_of(const char *line, const char *key)
{
	size_t k = strlen(key);

	return strncmp(line, key, k) == 0 && line[k] == ' ' ? line + k + 1 :
	    NULL;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* one "key value" line into r; false if a known key's value is bad */
static bool
parse_line(const char *line, struct restart_rec *r, unsigned *seen)
{
	const char *v;
	uint64_t u;

	if ((v = value_of(line, "boot_id")) != NULL) {
		if (*v == '\0' || strlen(v) >= sizeof(r->boot_id))
			return false;
		snprintf(r->boot_id, sizeof(r->boot_id), "%s", v);
		*seen |= 1u;
	} else if ((v = value_of(line, "at_ms")) != NULL) {
		if (!parse_u64(v, UINT64_MAX, &r->at_ms))
			return false;
		*seen |= 2u;
	} else if ((v = value_of(line, "restart_time")) != NULL) {
		if (!parse_u64(v, 4095, &u) || u == 0)
			return false;
		r->restart_time = (uint32_t)u;
		*seen |= 4u;
	} else if ((v = value_of(line, "wall")) != NULL) {
		if (!parse_u64(v, INT64_MAX, &u))
			return false;
		r->wall = (int64_t)u;
	} else if ((v = value_of(line, "pid")) != NULL) {
		if (!parse_u64(v, 0x7fffffff, &u))
			return false;
		r->pid = (long)u;
	} else if ((v = value_of(line, "reason")) != NULL)
		snprintf(r->reason, sizeof(r->reason), "%s", v);
	else if ((v = value_of(line, "bfd")) != NULL)
		return parse_bfd(v, r);
	/* other keys: a later version's, ignored */
	return true;
}

int
restart_rec_parse(const char *text, size_t len, struct restart_rec *r,
    char *why, size_t whylen)
{
	char buf[RESTART_REC_MAX + 1], *line, *save = NULL;
	unsigned seen = 0;
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	if (len > RESTART_REC_MAX)
		return fail(why, whylen, "larger than %d bytes",
		    RESTART_REC_MAX);
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return fail(why, whylen, "a NUL byte in the record");
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0) {
			if (strcmp(line, REC_MAGIC) != 0)
				return fail(why, whylen, "not a nomcast "
				    "restart record (first line)");
			continue;
		}
		if (!parse_line(line, r, &seen))
			return fail(why, whylen, "bad line %zu", n + 1);
	}
	if (n == 0)
		return fail(why, whylen, "empty");
	if (seen != 7u)
		return fail(why, whylen, "boot_id, at_ms or restart_time "
		    "missing");
	return 0;
}

/* read the whole (small, regular) file; -1 with why set, errno kept */
static ssize_t
read_record(const char *path, char *buf, size_t len, char *why,
    size_t whylen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	/* O_NONBLOCK: a FIFO planted there must not hang the start */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			fail(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(why, whylen, "not a regular file");
	}
	while (got < len && (n = read(fd, buf + got, len - got)) > 0)
		got += (size_t)n;
	close(fd);
	return (ssize_t)got;
}

int
restart_rec_take_at(const char *path, const char *boot_id, uint64_t now_ms,
    struct restart_rec *r, char *why, size_t len)
{
	char buf[RESTART_REC_MAX + 1];
	ssize_t n;
	uint64_t age;

	why[0] = '\0';
	n = read_record(path, buf, sizeof(buf), why, len);
	if (n == -1)
		return 0;
	/* once read it is spent, whatever it says */
	(void)unlink(path);
	if (restart_rec_parse(buf, (size_t)n, r, why, len) == -1)
		return 0;
	if (strcmp(r->boot_id, boot_id) != 0) {
		fail(why, len, "left on another boot");
		return 0;
	}
	if (now_ms < r->at_ms) {
		fail(why, len, "written in the future");
		return 0;
	}
	age = now_ms - r->at_ms;
	if (age > (uint64_t)r->restart_time * 1000u) {
		fail(why, len, "%" PRIu64 " ms old, longer than the restart "
		    "time of %" PRIu32 " s", age, r->restart_time);
		return 0;
	}
	return 1;
}

int
restart_rec_take(const char *path, struct restart_rec *r, char *why,
    size_t len)
{
	char boot[RESTART_REC_BOOT_ID];

	if (restart_rec_boot_id(boot, sizeof(boot), why, len) == -1) {
		(void)unlink(path);
		return 0;
	}
	return restart_rec_take_at(path, boot, restart_rec_now_ms(), r, why,
	    len);
}
