/*
 * vip.h - the service address on a local interface, through libnl
 * (route/addr), so the proxy can bind to the anycast address.
 *
 * Order protects connections: the daemon adds the address before the
 * route is announced and removes it only after the withdraw is written.
 */
#ifndef NOMCAST_VIP_H
#define NOMCAST_VIP_H

#include <stdbool.h>

#include "lib/prefix.h"

struct vip;

/* a netlink route socket; NULL (logged) if netlink is unavailable */
struct vip *vip_new(void);
void	vip_free(struct vip *v);

/*
 * Make sure interface ifname exists: "lo" and existing interfaces are used
 * as they are; a missing one is created as a dummy interface and set up.
 * 0, or -1 with a logged reason.
 */
int	vip_ensure_interface(struct vip *v, const char *ifname);
/*
 * Add / remove the host address of prefix p (/32 or /128) on ifname.
 * Adding an address that is there already, or removing one that is not,
 * succeeds.  0, or -1 with a logged reason.
 */
int	vip_add(struct vip *v, const char *ifname, const struct prefix *p);
int	vip_del(struct vip *v, const char *ifname, const struct prefix *p);
/* is the address on the interface now? (for tests and show) */
bool	vip_present(struct vip *v, const char *ifname, const struct prefix *p);
/* remove any dummy interface this struct vip created */
void	vip_cleanup(struct vip *v);

#endif
