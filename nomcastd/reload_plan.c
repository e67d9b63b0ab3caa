/*
 * reload_plan.c - mark every peer, service and check of a reload before
 * anything is touched (see reload_plan.h).
 */
#include <stdlib.h>
#include <string.h>

#include "nomcastd/reload_plan.h"

static const char *const op_names[PLAN_NOPS] = {
	[PLAN_KEEP] = "keep",
	[PLAN_RESET] = "reset",
	[PLAN_ADD] = "add",
	[PLAN_DELETE] = "delete",
};

const char *
plan_op_name(enum plan_op op)
{
	return op < PLAN_NOPS ? op_names[op] : "?";
}

/* the objects' names, so that one matcher serves every kind */
typedef const char *(*name_fn)(const struct conf *c, size_t i);

static const char *
peer_name(const struct conf *c, size_t i)
{
	return c->peers[i].name;
}

static const char *
svc_name(const struct conf *c, size_t i)
{
	return c->services[i].name;
}

static const char *
check_name(const struct conf *c, size_t i)
{
	return c->checks[i].name;
}

/* is new object i the same as old object k (same name already)? */
typedef bool (*same_fn)(const struct conf *oldc, size_t k,
	    const struct conf *newc, size_t i);

static bool
peer_same(const struct conf *oldc, size_t k, const struct conf *newc,
    size_t i)
{
	return conf_bgp_same(&oldc->bgp, &newc->bgp) &&
	    conf_peer_session_same(&oldc->peers[k], &newc->peers[i]);
}

static bool
svc_same(const struct conf *oldc, size_t k, const struct conf *newc,
    size_t i)
{
	return conf_service_same(oldc, &oldc->services[k], newc,
	    &newc->services[i]);
}

static bool
check_same(const struct conf *oldc, size_t k, const struct conf *newc,
    size_t i)
{
	return conf_check_same(&oldc->checks[k], &newc->checks[i]);
}

static void
list_free(struct plan_list *l)
{
	free(l->old_op);
	free(l->new_op);
	free(l->from);
	memset(l, 0, sizeof(*l));
}

/* match by name; every old object not taken is deleted */
static int
list_make(struct plan_list *l, const struct conf *oldc, size_t nold,
    const struct conf *newc, size_t nnew, name_fn name, same_fn same)
{
	size_t i, k;

	memset(l, 0, sizeof(*l));
	l->nold = nold;
	l->nnew = nnew;
	l->old_op = calloc(nold ? nold : 1, sizeof(*l->old_op));
	l->new_op = calloc(nnew ? nnew : 1, sizeof(*l->new_op));
	l->from = calloc(nnew ? nnew : 1, sizeof(*l->from));
	if (l->old_op == NULL || l->new_op == NULL || l->from == NULL) {
		list_free(l);
		return -1;
	}
	for (k = 0; k < nold; k++)
		l->old_op[k] = PLAN_DELETE;
	for (i = 0; i < nnew; i++) {
		l->from[i] = PLAN_NONE;
		l->new_op[i] = PLAN_ADD;
		for (k = 0; k < nold; k++) {
			if (l->old_op[k] != PLAN_DELETE ||
			    strcmp(name(oldc, k), name(newc, i)) != 0)
				continue;
			l->from[i] = k;
			l->new_op[i] = same(oldc, k, newc, i) ? PLAN_KEEP :
			    PLAN_RESET;
			l->old_op[k] = l->new_op[i];
			break;
		}
		l->n[l->new_op[i]]++;
	}
	for (k = 0; k < nold; k++)
		if (l->old_op[k] == PLAN_DELETE)
			l->n[PLAN_DELETE]++;
	return 0;
}

static void
restart_only(struct reload_plan *p, bool changed, const char *key)
{
	if (changed && p->nrestart_only < PLAN_RESTART_MAX)
		p->restart_only[p->nrestart_only++] = key;
}

int
reload_plan_make(struct reload_plan *p, const struct conf *oldc,
    const struct conf *newc)
{
	const struct conf_global *a = &oldc->g, *b = &newc->g;

	memset(p, 0, sizeof(*p));
	if (list_make(&p->peers, oldc, oldc->npeers, newc, newc->npeers,
	    peer_name, peer_same) == -1 ||
	    list_make(&p->services, oldc, oldc->nservices, newc,
	    newc->nservices, svc_name, svc_same) == -1 ||
	    list_make(&p->checks, oldc, oldc->nchecks, newc, newc->nchecks,
	    check_name, check_same) == -1) {
		reload_plan_free(p);
		return -1;
	}
	p->listen_reopen = !conf_listen_same(&oldc->bgp, oldc->peers,
	    oldc->npeers, &newc->bgp, newc->peers, newc->npeers);
	p->metrics_restart = !conf_metrics_same(a, b);
	p->nomad_same = conf_nomad_same(&oldc->nomad, &newc->nomad);
	/*
	 * The control socket carries the reload command itself; it is
	 * opened once, at start-up.
	 */
	restart_only(p, strcmp(a->control_socket, b->control_socket) != 0,
	    "control-socket");
	restart_only(p, a->control_socket_mode != b->control_socket_mode,
	    "control-socket-mode");
	restart_only(p, strcmp(a->control_socket_group,
	    b->control_socket_group) != 0, "control-socket-group");
	return 0;
}

void
reload_plan_free(struct reload_plan *p)
{
	list_free(&p->peers);
	list_free(&p->services);
	list_free(&p->checks);
}
