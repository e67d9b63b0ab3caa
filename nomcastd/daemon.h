/*
 * daemon.h - struct nomcast, the one object main() builds and passes down:
 * the loop, the config, the peers and the listening sockets.
 */
#ifndef NOMCAST_DAEMON_H
#define NOMCAST_DAEMON_H

#include <ev.h>
#include <stdbool.h>
#include <time.h>

#include "bgpd/session.h"
#include "health/check.h"
#include "nomcastd/config.h"
#include "nomcastd/reload_plan.h"
#include "nomcastd/restart.h"
#include "lib/log.h"

struct bfd;
struct ctl_server;
struct peer_bfd;
struct metrics;
struct svc;
struct vip;

struct reload_result;

/* what the control commands may ask of the daemon */
struct ctl_ops {
	int	(*drain)(struct nomcast *nc, const char *svc, bool on,
		    char *err, size_t errlen);
	int	(*reload)(struct nomcast *nc, struct reload_result *res,
		    char *err, size_t errlen);
	/* leave now, as mode says (auto: as a SIGTERM would) */
	int	(*shutdown)(struct nomcast *nc, enum gr_force mode,
		    char *err, size_t errlen);
};

struct nomcast {
	struct ev_loop	*loop;
	struct conf	 conf;		/* owned */
	struct bgp_speaker sp;		/* its peers are owned, [conf.npeers] */
	struct bfd	*bfd;		/* owned; NULL unless a peer has bfd */
	struct peer_bfd	**pbfd;		/* owned, [sp.npeers] (peer_bfd.c) */
	ev_signal	 sig_term, sig_int, sig_hup;
	ev_timer	 exit_timer;	/* bounds the goodbye on SIGTERM */
	ev_prepare	 log_prep;	/* log_io.c: flush before each wait */
	ev_io		 log_io;	/* log_io.c: fd 2 writable */
	struct svc	*svcs;		/* owned, [nsvcs] (service.c) */
	size_t		 nsvcs;
	struct check	**checks;	/* owned, [nchecks_rt] */
	size_t		 nchecks_rt;
	struct check_env check_env;
	struct vip	*vip;		/* owned; NULL unless a vip-interface */
	time_t		 started;
	struct metrics	*metrics;	/* owned; NULL unless metrics-listen */
	struct ctl_server *ctl;		/* owned; NULL if it could not open */
	time_t		 conf_loaded;	/* when conf was read (reload too) */
	/*
	 * Wired by daemon_run(), so that the parts call across only
	 * downward: a service's change goes to the peers through
	 * svc_changed; the control commands reach drain and reload
	 * through ctl_ops.  NULL: nothing to do (tests).
	 */
	void		(*svc_changed)(struct nomcast *nc, const struct svc *s);
	/* a service's verdict changed (after svc_changed, if both) */
	void		(*svc_verdict)(struct nomcast *nc, const struct svc *s);
	struct restart_state restart;	/* restart.c */
	struct ctl_ops	 ctl_ops;
};

/* run the daemon on a loaded config (takes conf); returns the exit status */
int	daemon_run(struct conf *conf);

/*
 * Operator drain of one service (svc NULL: all) on or off, as nomcastctl
 * drain/undrain asks.  0, or -1 with the reason in err.
 */
int	daemon_drain(struct nomcast *nc, const char *svc, bool on, char *err,
	    size_t errlen);
/* nomcastctl shutdown: leave as mode says; 0, or -1 with err */
int	daemon_shutdown(struct nomcast *nc, enum gr_force mode, char *err,
	    size_t errlen);
/* what a reload did, for the control socket's reply */
struct reload_result {
	unsigned	 peers[PLAN_NOPS];	/* by enum plan_op */
	unsigned	 services[PLAN_NOPS];
	unsigned	 checks[PLAN_NOPS];
	const char	*restart_only[PLAN_RESTART_MAX];	/* static */
	size_t		 nrestart_only;
};

/*
 * Re-read the config file, plan and apply the difference (res, if not
 * NULL, says what was done); an invalid file changes nothing.  0, or -1
 * with the diagnostics in err.
 */
int	daemon_reload(struct nomcast *nc, struct reload_result *res,
	    char *err, size_t errlen);

#endif
