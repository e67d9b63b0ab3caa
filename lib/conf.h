/*
 * conf.h - the config reader's core, shared by every owner of a section.
 *
 * It reads an INI file through inih one line at a time, hands each section
 * header and each "key = value" to the caller (nomcastd/config.c, which
 * knows the sections), and collects every problem as "file:line: message"
 * so that one run shows them all.  The owners' key parsers (bgpd/peer_conf.c,
 * health/check_conf.c, nomad/nomad_conf.c, nomcastd/service_conf.c) use the
 * value parsers below; each reports its own error at the key's line.
 *
 * The core knows no owner's struct: a key's parser finds what it fills in
 * cx->obj, and that object's parse-time companion (lines seen, "said once"
 * flags) in cx->aux, both set by conf_key_run() for the section at hand.
 */
#ifndef NOMCAST_CONF_H
#define NOMCAST_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/prefix.h"

#define CONF_NAME_MAX		64	/* section names */
#define CONF_PATH_MAX		108	/* sun_path */
#define CONF_KEYS_MAX		24	/* keys of one section: seen[] */

/* longest duration anywhere: a day, so interval + timeout fits 32 bits */
#define CONF_DURATION_MAX_MS	86400000u

/* collected diagnostics, each "file:line: message" */
struct conf_diag {
	size_t		nerr;
	size_t		nwarn;
	size_t		n;
	char		**lines;		/* owned; errors and warnings */
	bool		*is_err;
};

void	conf_diag_free(struct conf_diag *d);

struct conf_ctx;
struct conf_dl;

/* a key's parser: the value is never NULL; errors go through KEY_ERR */
typedef void conf_key_fn(struct conf_ctx *, const char *);

struct conf_key {
	const char	*name;
	bool		 list;		/* may repeat; values add up */
	bool		 empty_ok;
	conf_key_fn	*fn;
};

/* a "[...]" header line (modifiable), and a key line, for the caller */
typedef void conf_section_fn(struct conf_ctx *, char *);
typedef void conf_entry_fn(struct conf_ctx *, const char *, const char *);

struct conf_ctx {
	const char	*file;
	void		*user;		/* the caller's, for its callbacks */
	conf_section_fn	*section;
	conf_entry_fn	*entry;
	int		 lineno;	/* last line read */
	char		 label[CONF_NAME_MAX + 16];	/* "peer edge1" */
	const char	*key;		/* key being handled */
	int		 keyline;
	void		*obj;		/* what its section's keys fill */
	void		*aux;		/* obj's parse-time companion */
	size_t		 nerr, nwarn;
	/* the reader's own */
	FILE		*fp;
	char		*line;		/* getline() buffer */
	size_t		 linecap;
	int		 pending;	/* key line the handler has not seen yet */
	struct conf_dl	*dl;
	size_t		 ndl, dlcap;
};

/* the largest config file read: anything bigger is a mistake */
#define CONF_FILE_MAX		(1024 * 1024)

/*
 * Open path for reading as a config file, without ever blocking: only a
 * regular file (a symlink to one is fine) of at most CONF_FILE_MAX bytes
 * is read.  A FIFO, a device, a directory or a socket at the path is
 * refused, not opened for a read that could wait forever or never end.
 * NULL with err set to the message ("cannot open: ...", "not a regular
 * file (a FIFO)", ...), to be reported against the whole file.
 */
FILE	*conf_fopen(const char *path, char *err, size_t errlen);

/* a fresh context for file (its name in every message) */
void	conf_ctx_init(struct conf_ctx *cx, const char *file);
/*
 * Read fp (NULL: nothing) through inih, calling cx->section for each
 * header and cx->entry for each key, both with cx->user set by the caller.
 */
void	conf_ctx_read(struct conf_ctx *cx, FILE *fp);
/* hand the diagnostics, in line order, to d; frees what cx holds */
void	conf_ctx_done(struct conf_ctx *cx, struct conf_diag *d);

/* an error or a warning at line (0: the whole file); counted */
void	conf_diag(struct conf_ctx *cx, int line, bool err, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));

/* a blank before a section name, unless there is none: "[peer]" */
#define CONF_SP(name)		((name)[0] != '\0' ? " " : "")

/* error at the line of the key being handled */
#define KEY_ERR(cx, ...)	conf_diag((cx), (cx)->keyline, true, __VA_ARGS__)

/*
 * The key name among keys[nkeys] of the section at hand: an unknown,
 * duplicate (seen[] has the first line of each) or empty one is an error;
 * else its fn parses value with cx->obj = obj and cx->aux = aux.
 */
void	conf_key_run(struct conf_ctx *cx, const struct conf_key *keys,
	    size_t nkeys, int *seen, void *obj, void *aux, const char *name,
	    const char *value);

/* is name among keys[nkeys]? (a section whose keys two owners share) */
bool	conf_key_known(const struct conf_key *keys, size_t nkeys,
	    const char *name);

/* ---- value parsers: each reports its own error, 0 or -1 ---- */

/* decimal digits only; values past 32 bits saturate but stay numbers */
int	conf_num(const char *s, uint64_t *out);
/* a number in min..max */
int	conf_u32(struct conf_ctx *cx, const char *val, uint32_t min,
	    uint32_t max, uint32_t *out);
/* yes/no, true/false, on/off, 1/0 */
int	conf_bool(struct conf_ctx *cx, const char *val, bool *out);
/* "250ms", "1s", "1.5s", "2m" or seconds, into ms, at most max_ms */
int	conf_duration(struct conf_ctx *cx, const char *val, uint32_t max_ms,
	    uint32_t *out);
/* an address of family afi (0: either) */
int	conf_addr(struct conf_ctx *cx, const char *val, uint8_t afi,
	    struct addr *out);
/* "192.0.2.1:80" or "[2001:db8::1]:80" */
int	conf_addr_port(struct conf_ctx *cx, const char *v, struct addr *a,
	    uint16_t *port);
bool	conf_addr_is_zero(const struct addr *a);
/* fe80::/10 */
bool	conf_addr_is_ll6(const struct addr *a);
/* valid UTF-8 (no overlong forms, no surrogates) */
bool	conf_utf8_ok(const char *s);
/* call fn for each item of a list separated by spaces or commas */
void	conf_list(struct conf_ctx *cx, const char *val, conf_key_fn *fn);

#endif
