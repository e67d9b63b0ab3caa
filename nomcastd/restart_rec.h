/*
 * restart_rec.h - the record a graceful exit leaves for the next start.
 *
 * A small text file ("nomcast-restart 1" and key-value lines) in the
 * alloc directory, which outlives a restart of the nomcast task and
 * dies with the alloc.  It says the exit was graceful, when (CLOCK_BOOTTIME,
 * which counts a suspend and does not jump with the wall clock) and on
 * which boot: a record of another boot, or older than the restart time
 * it promised, is stale, because the routers have dropped the routes by
 * then.  It is read once and removed, so no later start can reuse it.
 * It also carries the BFD sessions the old process handed over (one
 * "bfd" line each), for the new one to take up.
 */
#ifndef NOMCAST_RESTART_REC_H
#define NOMCAST_RESTART_REC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bfd/fsm.h"
#include "lib/conf.h"

#define RESTART_REC_MAX		4096	/* a bigger file is not ours */
#define RESTART_REC_BOOT_ID	40
#define RESTART_REC_BFD_MAX	16	/* BFD sessions handed over */

/* a BFD session handed to the next process, by its BGP peer's name */
struct restart_bfd {
	char			peer[CONF_NAME_MAX];
	struct bfd_handover	h;
};

struct restart_rec {
	char		boot_id[RESTART_REC_BOOT_ID];	/* kernel random/boot_id */
	uint64_t	at_ms;		/* CLOCK_BOOTTIME at the exit */
	uint32_t	restart_time;	/* seconds promised in the OPEN */
	int64_t		wall;		/* time(NULL) at the exit, for logs */
	long		pid;		/* the process that left */
	char		reason[160];	/* why the exit was graceful */
	struct restart_bfd bfd[RESTART_REC_BFD_MAX];
	size_t		nbfd;
};

/* CLOCK_BOOTTIME in milliseconds */
uint64_t restart_rec_now_ms(void);
/* this boot's id; -1 with err set if it cannot be read */
int	restart_rec_boot_id(char *buf, size_t len, char *err, size_t errlen);
/* boot id, time, wall clock and pid of now, into r */
int	restart_rec_stamp(struct restart_rec *r, char *err, size_t len);
/*
 * Write r at path atomically (a temporary file, fsync, rename; mode 0600;
 * the parent directory made if missing).  -1 with err set on failure.
 */
int	restart_rec_write(const char *path, const struct restart_rec *r,
	    char *err, size_t len);
/* the text of r as written; -1 if buf is too small */
int	restart_rec_format(const struct restart_rec *r, char *buf,
	    size_t len);
/* parse a record's text (not NUL-terminated); -1 with why set if invalid */
int	restart_rec_parse(const char *text, size_t len, struct restart_rec *r,
	    char *why, size_t whylen);
/*
 * Read and remove the record at path: 1 if it is valid, of boot_id and
 * no older than its restart time at now_ms; 0 otherwise, with why saying
 * why (empty when there is no record: a plain start).  Only a regular
 * file is opened, without blocking and without following a symlink.
 */
int	restart_rec_take_at(const char *path, const char *boot_id,
	    uint64_t now_ms, struct restart_rec *r, char *why, size_t len);
/* the same for this boot, now */
int	restart_rec_take(const char *path, struct restart_rec *r, char *why,
	    size_t len);

#endif
