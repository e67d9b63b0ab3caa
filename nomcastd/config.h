/*
 * config.h - the INI configuration (inih), parsed and validated whole.
 *
 * conf_load() reads a file into a fresh struct conf; every error is
 * collected as "file:line: message" (all of them in one run), so that a
 * reload can reject a bad file and keep the running config untouched.
 */
#ifndef NOMCAST_CONFIG_H
#define NOMCAST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bfd/bfd_conf.h"
#include "bgpd/msg.h"
#include "bgpd/peer_conf.h"
#include "health/check_conf.h"
#include "nomad/nomad_conf.h"
#include "nomcastd/service_conf.h"
#include "lib/conf.h"
#include "lib/ctl_path.h"
#include "lib/prefix.h"


#define CONF_DEFAULT_CONTROL_SOCKET	CTL_DEFAULT_SOCKET
#define CONF_DEFAULT_CONTROL_SOCKET_MODE 0660
#define CONF_DEFAULT_RESTART_DEFER_MS	10000


/* the daemon's keys of [global] (the speaker's are struct conf_bgp) */
struct conf_global {
	char		control_socket[CONF_PATH_MAX];
	bool		control_socket_set;	/* else Nomad's dirs may decide */
	uint32_t	control_socket_mode;	/* default 0660 */
	char		control_socket_group[32];	/* "" = the daemon's */
	uint32_t	shutdown_drain_ms;	/* SIGTERM drains this long */
	char		restart_state[CONF_PATH_MAX];	/* the graceful
						 * restart record; "" = the
						 * default (restart.c) */
	uint32_t	restart_defer_ms;	/* End-of-RIB waits at most
						 * this long for first verdicts */
	bool		metrics;		/* metrics-listen given */
	struct addr	metrics_addr;		/* GET /metrics served here */
	uint16_t	metrics_port;
	int		line;
};

struct conf {
	char		path[4096];
	struct conf_bgp	bgp;
	struct conf_global g;
	size_t		npeers;
	struct conf_peer *peers;		/* owned */
	struct conf_bfd	*peer_bfd;		/* owned, [npeers]: each
						 * peer's bfd* keys */
	size_t		nservices;
	struct conf_service *services;		/* owned */
	size_t		nchecks;
	struct conf_check *checks;		/* owned */
	struct conf_nomad nomad;
};

/* 0 ok (warnings possible), -1 errors (conf is empty then) */
int	conf_load(const char *path, struct conf *c, struct conf_diag *d);
/* same, from a string; name is used as the file name in messages */
int	conf_load_string(const char *name, const char *text, struct conf *c,
	    struct conf_diag *d);
void	conf_free(struct conf *c);

/* does any peer have graceful-restart? */
bool	conf_gr_configured(const struct conf *c);
/* the longest restart time promised to a peer, seconds (0: none) */
uint32_t conf_gr_restart_time_max(const struct conf *c);

/* for a reload's plan: would the metrics endpoint move? */
bool	conf_metrics_same(const struct conf_global *a,
	    const struct conf_global *b);

#endif
