/*
 * conf_same.c - the "is it the same?" rules of a reload, one per struct.
 */
#include <string.h>

#include "nomcastd/conf_same.h"

static bool
str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool
conf_speaker_same(const struct conf_global *a, const struct conf_global *b)
{
	return a->asn == b->asn && a->router_id == b->router_id;
}

bool
conf_peer_session_same(const struct conf_peer *a, const struct conf_peer *b)
{
	return addr_equal(&a->addr, &b->addr) && a->asn == b->asn &&
	    a->port == b->port && a->passive == b->passive &&
	    a->hold_time == b->hold_time &&
	    addr_equal(&a->local_addr, &b->local_addr) &&
	    str_eq(a->password, b->password) &&
	    a->ttl_security == b->ttl_security && a->multihop == b->multihop;
}

bool
conf_listen_same(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->g.listen != b->g.listen || a->g.listen_port != b->g.listen_port ||
	    !addr_equal(&a->g.listen_addr, &b->g.listen_addr) ||
	    a->npeers != b->npeers)
		return false;
	/* TCP-MD5 keys are set on the listener, per peer address */
	for (i = 0; i < a->npeers; i++)
		if (!addr_equal(&a->peers[i].addr, &b->peers[i].addr) ||
		    !str_eq(a->peers[i].password, b->peers[i].password))
			return false;
	return true;
}

bool
conf_metrics_same(const struct conf_global *a, const struct conf_global *b)
{
	return a->metrics == b->metrics && (!a->metrics ||
	    (addr_equal(&a->metrics_addr, &b->metrics_addr) &&
	    a->metrics_port == b->metrics_port));
}

bool
conf_check_same(const struct conf_check *a, const struct conf_check *b)
{
	size_t i;

	if (!str_eq(a->name, b->name) || a->type != b->type ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms ||
	    a->rise != b->rise || a->fall != b->fall ||
	    !str_eq(a->url, b->url) || !str_eq(a->host_header, b->host_header) ||
	    !str_eq(a->unix_socket, b->unix_socket) ||
	    a->nexpect != b->nexpect || !str_eq(a->body, b->body) ||
	    a->tls_verify != b->tls_verify || !addr_equal(&a->addr, &b->addr) ||
	    a->port != b->port || a->argc != b->argc)
		return false;
	for (i = 0; i < a->nexpect; i++)
		if (a->expect_lo[i] != b->expect_lo[i] ||
		    a->expect_hi[i] != b->expect_hi[i])
			return false;
	for (i = 0; i < a->argc; i++)
		if (!str_eq(a->argv[i], b->argv[i]))
			return false;
	return true;
}

bool
conf_nomad_same(const struct conf_nomad *a, const struct conf_nomad *b)
{
	return a->used == b->used && str_eq(a->address, b->address) &&
	    str_eq(a->unix_path, b->unix_path) && str_eq(a->token, b->token) &&
	    str_eq(a->ns, b->ns) && str_eq(a->alloc_id, b->alloc_id) &&
	    str_eq(a->node_id, b->node_id) && a->node_filter == b->node_filter &&
	    str_eq(a->cacert, b->cacert) &&
	    str_eq(a->client_cert, b->client_cert) &&
	    str_eq(a->client_key, b->client_key) &&
	    a->check_interval_ms == b->check_interval_ms &&
	    a->wait_ms == b->wait_ms && a->grace_ms == b->grace_ms &&
	    a->outage_hold == b->outage_hold;
}

/* does the service go to the same peers (by name)? */
static bool
svc_peers_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	size_t i, k;

	if (a->all_peers != b->all_peers)
		return false;
	if (a->all_peers)
		return true;
	for (i = 0; i < ca->npeers; i++) {
		bool in_b = false;

		for (k = 0; k < cb->npeers; k++)
			if (str_eq(ca->peers[i].name, cb->peers[k].name))
				in_b = b->use_peer[k];
		if (a->use_peer[i] != in_b)
			return false;
	}
	/* a peer new to the file that b uses */
	for (k = 0; k < cb->npeers; k++) {
		bool in_a = false;

		if (!b->use_peer[k])
			continue;
		for (i = 0; i < ca->npeers; i++)
			if (str_eq(ca->peers[i].name, cb->peers[k].name))
				in_a = true;
		if (!in_a)
			return false;
	}
	return true;
}

static bool
svc_checks_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	size_t i;

	if (a->nchecks != b->nchecks)
		return false;
	for (i = 0; i < a->nchecks; i++)
		if (!str_eq(ca->checks[a->checks[i]].name,
		    cb->checks[b->checks[i]].name))
			return false;
	return true;
}

static bool
svc_attrs_same(const struct conf_service *a, const struct conf_service *b)
{
	size_t i;

	if (a->nprefixes != b->nprefixes || a->ncomm != b->ncomm ||
	    a->nlcomm != b->nlcomm || a->has_med != b->has_med ||
	    (a->has_med && a->med != b->med) ||
	    a->has_local_pref != b->has_local_pref ||
	    (a->has_local_pref && a->local_pref != b->local_pref) ||
	    a->origin != b->origin)
		return false;
	for (i = 0; i < a->nprefixes; i++)
		if (prefix_cmp(&a->prefixes[i], &b->prefixes[i]) != 0)
			return false;
	return memcmp(a->comm, b->comm, a->ncomm * sizeof(a->comm[0])) == 0 &&
	    memcmp(a->lcomm, b->lcomm, a->nlcomm * sizeof(a->lcomm[0])) == 0;
}

static bool
svc_health_same(const struct conf_service *a, const struct conf_service *b)
{
	size_t i;

	if (a->hold_down_ms != b->hold_down_ms || a->on_down != b->on_down ||
	    a->has_degrade_med != b->has_degrade_med ||
	    (a->has_degrade_med && a->degrade_med != b->degrade_med) ||
	    a->degrade_prepend != b->degrade_prepend ||
	    a->ndegrade_comm != b->ndegrade_comm ||
	    memcmp(a->degrade_comm, b->degrade_comm,
	    a->ndegrade_comm * sizeof(a->degrade_comm[0])) != 0 ||
	    !str_eq(a->vip_interface, b->vip_interface) ||
	    a->drain_time_ms != b->drain_time_ms ||
	    !str_eq(a->nomad_service, b->nomad_service) ||
	    a->nomad_checks != b->nomad_checks ||
	    a->nnomad_checks != b->nnomad_checks)
		return false;
	for (i = 0; i < a->nnomad_checks; i++)
		if (!str_eq(a->nomad_check_names[i], b->nomad_check_names[i]))
			return false;
	return true;
}

bool
conf_service_same(const struct conf *ca, const struct conf_service *a,
    const struct conf *cb, const struct conf_service *b)
{
	return str_eq(a->name, b->name) && svc_attrs_same(a, b) &&
	    svc_health_same(a, b) && svc_peers_same(ca, a, cb, b) &&
	    svc_checks_same(ca, a, cb, b);
}
