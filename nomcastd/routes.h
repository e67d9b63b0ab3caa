/*
 * routes.h - the services' prefixes into each peer's Adj-RIB-Out.
 */
#ifndef NOMCAST_ROUTES_H
#define NOMCAST_ROUTES_H

struct nomcast;
struct peer;
struct svc;

/*
 * Put into the peer's Adj-RIB-Out what it should hold now, and send the
 * difference if the session is up.  Called when a session comes up and
 * after a reload.
 */
void	routes_sync_peer(struct nomcast *nc, struct peer *p);
/*
 * One service changed: send every Established peer the difference for its
 * prefixes alone (the hot path from a verdict to the wire).
 */
void	routes_sync_service(struct nomcast *nc, const struct svc *s);

#endif
