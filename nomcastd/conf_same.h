/*
 * conf_same.h - "is it the same?" for each part of the config: the rules
 * a reload plan (reload_plan.h) uses to keep a running object untouched.
 * Each compares every field that changes how the running object behaves;
 * fields a running object reads afresh (a peer's next hop, its connect
 * retry) or that only locate it (line numbers) are left out on purpose.
 */
#ifndef NOMCAST_CONF_SAME_H
#define NOMCAST_CONF_SAME_H

#include <stdbool.h>

#include "nomcastd/config.h"

/* the identity every session carries in its OPEN: AS and router id */
bool	conf_speaker_same(const struct conf_global *a,
	    const struct conf_global *b);
/* would the peer's session need to be set up again? */
bool	conf_peer_session_same(const struct conf_peer *a,
	    const struct conf_peer *b);
/* the listening socket: address, port, and the peers' TCP-MD5 keys on it */
bool	conf_listen_same(const struct conf *a, const struct conf *b);
bool	conf_metrics_same(const struct conf_global *a,
	    const struct conf_global *b);
/* would the running check probe differently? */
bool	conf_check_same(const struct conf_check *a, const struct conf_check *b);
/* the agent, identity and timing of the Nomad client */
bool	conf_nomad_same(const struct conf_nomad *a, const struct conf_nomad *b);
/*
 * The service's definition: peers and checks are compared by name (their
 * indexes differ between two files); a check's own definition is
 * conf_check_same's business.
 */
bool	conf_service_same(const struct conf *ca, const struct conf_service *a,
	    const struct conf *cb, const struct conf_service *b);

#endif
