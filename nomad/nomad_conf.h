/*
 * nomad_conf.h - the [nomad] section (how to reach the agent, and whose
 * registration to watch) and a service's Nomad source (nomad-service,
 * nomad-checks): their settings, and the [nomad] key parser on
 * lib/conf.h.  A key left out of [nomad] takes its default from the task
 * environment Nomad gives a sidecar, see nomcast.ini(5).
 */
#ifndef NOMCAST_NOMAD_CONF_H
#define NOMCAST_NOMAD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/conf.h"

/* which of the Nomad service's checks count (nomad-checks =) */
enum conf_nomad_checks {
	CONF_NOMAD_CHECKS_ALL,	/* default: every healthiness check */
	CONF_NOMAD_CHECKS_NONE,	/* registration only */
	CONF_NOMAD_CHECKS_NAMED,
};

#define CONF_NOMAD_NAME_MAX	64	/* Nomad service and check names */
#define CONF_NOMAD_TOKEN_MAX	4096	/* a workload identity JWT */
#define CONF_NOMAD_MAX_CHECKS	16	/* nomad-checks names per service */

#define CONF_NOMAD_DEFAULT_CHECK_INTERVAL	500	/* ms */
#define CONF_NOMAD_DEFAULT_WAIT			60000	/* ms */
#define CONF_NOMAD_MAX_WAIT			300000	/* Nomad's own cap */
#define CONF_NOMAD_DEFAULT_GRACE		15000	/* ms */

struct conf_nomad {
	bool		used;			/* some service has nomad-service */
	char		address[512];		/* unix:///path, http(s)://h:p */
	char		unix_path[CONF_PATH_MAX];	/* from a unix:// address */
	char		token[CONF_NOMAD_TOKEN_MAX];	/* "" = none */
	char		ns[129];		/* namespace; default "default" */
	char		alloc_id[37];		/* a full UUID */
	char		node_id[37];		/* only with node_filter */
	bool		node_filter;
	char		cacert[512];		/* https only */
	char		client_cert[512];
	char		client_key[512];
	uint32_t	check_interval_ms;	/* default 500 */
	uint32_t	wait_ms;		/* blocking query wait, default 60s */
	uint32_t	grace_ms;		/* default 15s */
	/*
	 * on-outage: an agent that gives no facts (unreachable, 5xx, 401,
	 * 403, bad answers) keeps the last Nomad state (hold, default), or
	 * fails the source after grace (withdraw)
	 */
	bool		outage_hold;
	int		line;
};

/* a service's Nomad source: watched if service[0] */
struct conf_nomad_watch {
	char		service[CONF_NOMAD_NAME_MAX];
	enum conf_nomad_checks checks;
	size_t		nchecks;
	char		check_names[CONF_NOMAD_MAX_CHECKS][CONF_NOMAD_NAME_MAX];
};

/* what the key parser notes about [nomad] while the file is read */
struct nomad_conf_aux {
	int		 seen[CONF_KEYS_MAX];	/* line of each key, 0 = absent */
	bool		 bad_addr;	/* address said bad already */
};

/* the defaults of the keys the environment does not supply */
void	nomad_conf_defaults(struct conf_nomad *n);
/* one "name = value" of [nomad] */
void	nomad_conf_key(struct conf_ctx *cx, struct conf_nomad *n,
	    struct nomad_conf_aux *x, const char *name, const char *value);
/*
 * Once the file is read and some service uses Nomad: what the file left
 * out comes from the task environment, read here (at parse time, so
 * nomcastd -t sees what the daemon would see), and is checked like the
 * file's own values; errors about the environment are reported at line.
 */
void	nomad_conf_finish(struct conf_ctx *cx, struct conf_nomad *n,
	    const struct nomad_conf_aux *x, int line);
/* a Nomad service name: an RFC 1123 label, as Nomad checks it */
bool	nomad_conf_name_ok(const char *s);

/*
 * For a reload's plan: the agent, identity and timing of the client, and
 * what one service watches.
 */
bool	conf_nomad_same(const struct conf_nomad *a, const struct conf_nomad *b);
bool	conf_nomad_watch_same(const struct conf_nomad_watch *a,
	    const struct conf_nomad_watch *b);

#endif
