/*
 * vip.c - the service address on a local interface, through libnl
 * (route/addr, route/link); see vip.h.
 *
 * Every call is one synchronous netlink request answered by the kernel's
 * ACK, so when vip_add() returns 0 the address is on the interface and a
 * proxy can bind to it.  Nothing is cached between calls: the kernel is the
 * only record of what is configured, and an address or interface changed
 * behind our back is seen as it is at the next call.
 *
 * Scope: on the loopback interface an IPv4 VIP gets scope host.  Incoming
 * packets are delivered by the local routing table whatever the scope, so a
 * proxy bound to the VIP still receives its traffic, but the kernel never
 * picks a host-scoped address as the source of the node's own connections
 * (BGP, health checks): those must not leave with an anycast source that
 * every node shares.  On any other interface (a dummy made for the VIP, or
 * one the operator chose) the address is global, as `ip addr add` makes it.
 * IPv6 derives the scope from the address itself; it is not set.
 *
 * IPv6 addresses are added with IFA_F_NODAD: RFC 4862 5.4 leaves a
 * tentative address unassigned until DAD ends (Linux refuses to bind it),
 * the VIP must be usable before the route is announced, and an anycast
 * address is duplicated on purpose.
 */
#include "nomcastd/vip.h"

#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "lib/log.h"

/*
 * The kind of interface made for a missing vip-interface.  A build switch
 * only so that the create/cleanup path can be exercised on a test kernel
 * without the dummy driver (-DVIP_LINK_KIND='"bridge"'); never changed in
 * a normal build.
 */
#ifndef VIP_LINK_KIND
#define VIP_LINK_KIND	"dummy"
#endif

/* a dummy interface we created, removed by vip_cleanup() */
struct vip_made {
	char	name[IFNAMSIZ];		/* for the log */
	int	ifindex;		/* what is deleted: a later interface
					   of the same name is not ours */
};

struct vip {
	struct nl_sock	*sk;
	struct vip_made	*made;
	size_t		 nmade;
};

/* the one line for p on ifname: "lvl=info vip=... dev=... msg=..." */
static void
vip_log(enum log_level lvl, const struct prefix *p, const char *ifname,
    const char *msg)
{
	char pbuf[PREFIX_STRLEN];

	log_msg(lvl, "vip=%s dev=%s msg=%s", prefix_str(p, pbuf, sizeof(pbuf)),
	    LV(ifname), LQ(msg));
}

struct vip *
vip_new(void)
{
	struct vip *v;
	int err;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		log_err("vip=- msg=\"out of memory\"");
		return NULL;
	}
	if ((v->sk = nl_socket_alloc()) == NULL) {
		log_err("vip=- msg=\"netlink socket: out of memory\"");
		goto fail;
	}
	if ((err = nl_connect(v->sk, NETLINK_ROUTE)) < 0) {
		log_err("vip=- msg=\"netlink route socket: %s\"",
		    LE(nl_geterror(err)));
		goto fail;
	}
	return v;
fail:
	vip_free(v);
	return NULL;
}

void
vip_free(struct vip *v)
{
	if (v == NULL)
		return;
	if (v->sk != NULL)
		nl_socket_free(v->sk);	/* closes it if connected */
	free(v->made);
	free(v);
}

/*
 * The kernel's dev_valid_name(): 1..IFNAMSIZ-1 bytes, not "." or "..",
 * no '/', ':' or white space.  Checked here so that a bad name gets a
 * clear reason instead of the kernel's EINVAL.
 */
static const char *
vip_bad_name(const char *ifname)
{
	size_t n;
	const char *s;

	if (ifname == NULL || (n = strlen(ifname)) == 0)
		return "empty interface name";
	if (n >= IFNAMSIZ)
		return "interface name longer than 15 bytes";
	if (strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0)
		return "invalid interface name";
	for (s = ifname; *s != '\0'; s++) {
		if (*s == '/' || *s == ':' || *s == ' ' ||
		    (*s >= '\t' && *s <= '\r'))
			return "invalid character in interface name";
	}
	return NULL;
}

/*
 * The interface as the kernel sees it now; 0 and *out (caller puts it),
 * 1 if there is no such interface, -1 with *why set on any other error.
 */
static int
vip_link_get(struct vip *v, const char *ifname, struct rtnl_link **out,
    const char **why)
{
	int err;

	*out = NULL;
	err = rtnl_link_get_kernel(v->sk, 0, ifname, out);
	if (err == 0)
		return 0;
	/* ENODEV from the kernel comes back as NLE_OBJ_NOTFOUND */
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return 1;
	*why = nl_geterror(err);
	return -1;
}

static int
vip_remember(struct vip *v, const char *ifname, int ifindex)
{
	struct vip_made *m;

	m = realloc(v->made, (v->nmade + 1) * sizeof(*m));
	if (m == NULL)
		return -1;
	v->made = m;
	m = &v->made[v->nmade++];
	/* vip_bad_name() bounded it below IFNAMSIZ */
	strncpy(m->name, ifname, sizeof(m->name) - 1);
	m->name[sizeof(m->name) - 1] = '\0';
	m->ifindex = ifindex;
	return 0;
}

int
vip_ensure_interface(struct vip *v, const char *ifname)
{
	struct rtnl_link *link = NULL;
	const char *why;
	int err, rc, ifindex;

	if ((why = vip_bad_name(ifname)) != NULL)
		goto fail;
	if ((rc = vip_link_get(v, ifname, &link, &why)) == -1)
		goto fail;
	if (rc == 0) {
		/*
		 * Used as it is: an interface we did not make belongs to the
		 * operator.  Down, it would hold the address but deliver
		 * nothing, so say so once.
		 */
		if ((rtnl_link_get_flags(link) & IFF_UP) == 0)
			log_warn("dev=%s msg=\"interface is down; the "
			    "service address will not be reachable\"",
			    LV(ifname));
		rtnl_link_put(link);
		return 0;
	}

	if ((link = rtnl_link_alloc()) == NULL) {
		why = "out of memory";
		goto fail;
	}
	rtnl_link_set_name(link, ifname);
	if ((err = rtnl_link_set_type(link, VIP_LINK_KIND)) < 0) {
		why = nl_geterror(err);
		goto fail;
	}
	/* IFF_UP in the request: the kernel opens it as part of the create */
	rtnl_link_set_flags(link, IFF_UP);
	err = rtnl_link_add(v->sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	link = NULL;
	if (err == -NLE_EXIST)
		return 0;	/* made by someone else just now: not ours */
	if (err == -NLE_OPNOTSUPP) {
		/* the kernel's "Unknown device type" */
		why = "cannot create " VIP_LINK_KIND " interface: not "
		    "supported by this kernel";
		goto fail;
	}
	if (err < 0) {
		why = nl_geterror(err);
		goto fail;
	}
	if ((rc = vip_link_get(v, ifname, &link, &why)) != 0) {
		if (rc == 1)
			why = "created interface vanished";
		goto fail;
	}
	ifindex = rtnl_link_get_ifindex(link);
	if (vip_remember(v, ifname, ifindex) == -1) {
		/* cannot promise to remove it later: take it back now */
		(void)rtnl_link_delete(v->sk, link);
		why = "out of memory";
		goto fail;
	}
	rtnl_link_put(link);
	log_info("dev=%s ifindex=%d msg=\"created " VIP_LINK_KIND
	    " interface\"", LV(ifname), ifindex);
	return 0;
fail:
	if (link != NULL)
		rtnl_link_put(link);
	log_warn("dev=%s msg=%s", LV(ifname), LQ(why));
	return -1;
}

/*
 * The rtnl_addr for p on ifindex, with the flags and scope of the file
 * comment; NULL with *why set on error.
 */
static struct rtnl_addr *
vip_addr_build(const struct prefix *p, int ifindex, bool loopback,
    const char **why)
{
	struct rtnl_addr *a;
	struct nl_addr *local;
	int family, err;

	if (p->afi == AFI_IPV4)
		family = AF_INET;
	else if (p->afi == AFI_IPV6)
		family = AF_INET6;
	else {
		*why = "unknown address family";
		return NULL;
	}
	if (!prefix_is_host(p)) {
		*why = "not a host prefix (/32 or /128)";
		return NULL;
	}
	if ((local = nl_addr_build(family, p->b, afi_addr_len(p->afi))) ==
	    NULL) {
		*why = "out of memory";
		return NULL;
	}
	nl_addr_set_prefixlen(local, p->len);
	if ((a = rtnl_addr_alloc()) == NULL) {
		nl_addr_put(local);
		*why = "out of memory";
		return NULL;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, family);
	/* rtnl_addr_set_local() takes its own reference */
	err = rtnl_addr_set_local(a, local);
	nl_addr_put(local);
	if (err < 0) {
		rtnl_addr_put(a);
		*why = nl_geterror(err);
		return NULL;
	}
	rtnl_addr_set_prefixlen(a, p->len);
	if (family == AF_INET)
		rtnl_addr_set_scope(a, loopback ? RT_SCOPE_HOST :
		    RT_SCOPE_UNIVERSE);
	else
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	return a;
}

/* ifindex and loopback-ness of ifname: 0, 1 if missing, -1 with *why */
static int
vip_ifindex(struct vip *v, const char *ifname, int *ifindex, bool *loopback,
    const char **why)
{
	struct rtnl_link *link;
	int rc;

	if ((*why = vip_bad_name(ifname)) != NULL)
		return -1;
	if ((rc = vip_link_get(v, ifname, &link, why)) != 0)
		return rc;
	*ifindex = rtnl_link_get_ifindex(link);
	*loopback = (rtnl_link_get_flags(link) & IFF_LOOPBACK) != 0;
	rtnl_link_put(link);
	return 0;
}

int
vip_add(struct vip *v, const char *ifname, const struct prefix *p)
{
	struct rtnl_addr *a;
	const char *why;
	bool loopback;
	int ifindex, err, rc;

	if ((rc = vip_ifindex(v, ifname, &ifindex, &loopback, &why)) != 0) {
		if (rc == 1)
			why = "no such interface";
		goto fail;
	}
	if ((a = vip_addr_build(p, ifindex, loopback, &why)) == NULL)
		goto fail;
	err = rtnl_addr_add(v->sk, a, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(a);
	if (err == -NLE_EXIST)
		return 0;	/* already there: the state we want */
	if (err < 0) {
		why = nl_geterror(err);
		goto fail;
	}
	vip_log(LOG_LVL_DEBUG, p, ifname, "added");
	return 0;
fail:
	vip_log(LOG_LVL_WARN, p, ifname, why);
	return -1;
}

int
vip_del(struct vip *v, const char *ifname, const struct prefix *p)
{
	struct rtnl_addr *a;
	const char *why;
	bool loopback;
	int ifindex, err, rc;

	if ((rc = vip_ifindex(v, ifname, &ifindex, &loopback, &why)) == -1)
		goto fail;
	if (rc == 1)
		return 0;	/* no interface, so no address on it */
	if ((a = vip_addr_build(p, ifindex, loopback, &why)) == NULL)
		goto fail;
	err = rtnl_addr_delete(v->sk, a, 0);
	rtnl_addr_put(a);
	/* EADDRNOTAVAIL (NLE_NOADDR): not there, the state we want */
	if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND)
		return 0;
	if (err < 0) {
		why = nl_geterror(err);
		goto fail;
	}
	vip_log(LOG_LVL_DEBUG, p, ifname, "removed");
	return 0;
fail:
	vip_log(LOG_LVL_WARN, p, ifname, why);
	return -1;
}

bool
vip_present(struct vip *v, const char *ifname, const struct prefix *p)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	const char *why;
	bool loopback, found = false;
	int ifindex, err, family;
	size_t alen;

	if (vip_ifindex(v, ifname, &ifindex, &loopback, &why) != 0)
		return false;
	family = p->afi == AFI_IPV4 ? AF_INET : AF_INET6;
	alen = afi_addr_len(p->afi);
	/* a fresh dump: the kernel's view now, not a cache kept in sync */
	if ((err = rtnl_addr_alloc_cache(v->sk, &cache)) < 0) {
		vip_log(LOG_LVL_WARN, p, ifname, nl_geterror(err));
		return false;
	}
	for (o = nl_cache_get_first(cache); o != NULL && !found;
	    o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != ifindex ||
		    rtnl_addr_get_family(a) != family ||
		    rtnl_addr_get_prefixlen(a) != p->len || local == NULL ||
		    nl_addr_get_len(local) != alen)
			continue;
		found = memcmp(nl_addr_get_binary_addr(local), p->b, alen) ==
		    0;
	}
	nl_cache_free(cache);
	return found;
}

void
vip_cleanup(struct vip *v)
{
	struct rtnl_link *link;
	const char *name;
	size_t i;
	int err;

	if (v == NULL)
		return;
	for (i = 0; i < v->nmade; i++) {
		name = v->made[i].name;
		if ((link = rtnl_link_alloc()) == NULL) {
			log_warn("dev=%s msg=\"cannot remove interface: out "
			    "of memory\"", LV(name));
			continue;
		}
		/* by index: the kernel ignores the name when it has one */
		rtnl_link_set_ifindex(link, v->made[i].ifindex);
		err = rtnl_link_delete(v->sk, link);
		rtnl_link_put(link);
		if (err == 0)
			log_info("dev=%s msg=\"removed " VIP_LINK_KIND
			    " interface\"", LV(name));
		else if (err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
			log_warn("dev=%s msg=\"cannot remove interface: %s\"",
			    LV(name), LE(nl_geterror(err)));
		/* else gone already (deleted by hand): nothing left to do */
	}
	free(v->made);
	v->made = NULL;
	v->nmade = 0;
}
