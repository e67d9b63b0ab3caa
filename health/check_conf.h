/*
 * check_conf.h - a [check NAME] section: its settings and its key parser
 * (on lib/conf.h).  The section dispatch and the checks across sections
 * (which service names which check) are nomcastd/config.c's.
 */
#ifndef NOMCAST_CHECK_CONF_H
#define NOMCAST_CHECK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/conf.h"
#include "lib/prefix.h"

#define CONF_MAX_EXPECT		16	/* expected HTTP status ranges */
#define CONF_MAX_ARGV		32	/* exec arguments */

enum check_type {
	CHECK_HTTP,		/* http:// or https:// URL, libcurl */
	CHECK_TCP,		/* connect() to host:port */
	CHECK_WATCH,		/* a held TCP connection: reset/close fails at once */
	CHECK_EXEC,		/* fork/exec; exit 0 passes */
};

struct conf_check {
	char		name[CONF_NAME_MAX];
	enum check_type	type;
	uint32_t	interval_ms;		/* default 1000; > 0 */
	uint32_t	timeout_ms;		/* default 500, or interval / 2
						   rounded up below 500ms;
						   <= interval */
	uint16_t	rise;			/* default 2 */
	uint16_t	fall;			/* default 1 */
	/* http */
	char		url[512];
	char		host_header[256];	/* optional Host: */
	char		unix_socket[CONF_PATH_MAX];	/* optional */
	size_t		nexpect;		/* default one range 200-299 */
	uint16_t	expect_lo[CONF_MAX_EXPECT];
	uint16_t	expect_hi[CONF_MAX_EXPECT];
	char		body[256];		/* substring; "" = any body */
	bool		tls_verify;		/* default yes */
	/* tcp, watch */
	struct addr	addr;
	uint16_t	port;
	/* exec: argv[0] is the program, run without a shell */
	size_t		argc;
	char		*argv[CONF_MAX_ARGV + 1];	/* owned, NULL-terminated */
	int		line;
};

/* what the key parser notes about one check while the file is read */
struct check_conf_aux {
	int		 seen[CONF_KEYS_MAX];	/* line of each key, 0 = absent */
	bool		 type_ok;	/* a known type was given */
	bool		 interval_ok, timeout_ok;
	bool		 full_expect;	/* "too many" said once */
};

/* a check named name, opened at line, with every default; x zeroed */
void	check_conf_init(struct conf_check *k, struct check_conf_aux *x,
	    const char *name, int line);
/* one "name = value" of the check's section */
void	check_conf_key(struct conf_ctx *cx, struct conf_check *k,
	    struct check_conf_aux *x, const char *name, const char *value);
/*
 * Once the file is read: the keys its type needs and those it does not
 * take are errors; a timeout left out fits the interval.
 */
void	check_conf_finish(struct conf_ctx *cx, struct conf_check *k,
	    const struct check_conf_aux *x);
/* frees the argv; k stays usable (argc 0) */
void	check_conf_free(struct conf_check *k);

/* for a reload's plan: would the running check probe differently? */
bool	conf_check_same(const struct conf_check *a, const struct conf_check *b);

#endif
