/*
 * gr_decide.c - which exit is graceful; see gr_decide.h.  The rules are
 * tried in order and the first that applies decides; each names its
 * reason, which the daemon logs and nomcastd(8) lists.
 */
#include "nomcastd/gr_decide.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* fill out; returns true so that a rule reads "if (...) return say(...)" */
static bool
say(struct gr_out *out, bool graceful, const char *fmt, ...)
{
	va_list ap;

	out->graceful = graceful;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return true;
}

/* the first service for which pick() holds, else NULL */
static const struct gr_svc *
find(const struct gr_in *in, bool (*pick)(const struct gr_svc *))
{
	size_t i;

	for (i = 0; i < in->nsvc; i++)
		if (pick(&in->svc[i]))
			return &in->svc[i];
	return NULL;
}

static bool
is_draining(const struct gr_svc *s)
{
	return s->draining;
}

static bool
is_deregistered(const struct gr_svc *s)
{
	return s->nomad && s->reg == GR_REG_NO;
}

static bool
is_announced(const struct gr_svc *s)
{
	return s->announced;
}

/* announced from Nomad's catalog, yet not known to be registered */
static bool
is_unconfirmed(const struct gr_svc *s)
{
	return s->announced && s->nomad && s->reg != GR_REG_YES;
}

static bool
rules(const struct gr_in *in, struct gr_out *out)
{
	const struct gr_svc *s;

	if (in->force == GR_FORCE_HARD)
		return say(out, false, "exit-mode hard");
	/* nobody would keep the routes: nothing to be graceful with */
	if (in->peers_gr == 0)
		return say(out, false, "no Established peer negotiated "
		    "graceful restart");
	if (in->force == GR_FORCE_GRACEFUL)
		return say(out, true, "exit-mode graceful");
	/* a drain means traffic is meant to leave this node */
	if ((s = find(in, is_draining)) != NULL)
		return say(out, false, "service %s is draining", s->name);
	/* Nomad deregisters an alloc's services before it stops them */
	if ((s = find(in, is_deregistered)) != NULL)
		return say(out, false, "Nomad deregistered %s", s->name);
	if (in->alloc == GR_ALLOC_STOP)
		return say(out, false, "Nomad is stopping this allocation");
	if (find(in, is_announced) == NULL)
		return say(out, false, "no service is announced: nothing to "
		    "keep");
	if (!in->nomad)
		return say(out, false, "without Nomad a stop cannot be told "
		    "from a restart; nomcastctl exit-mode graceful asks for "
		    "one");
	if (in->alloc != GR_ALLOC_RUN)
		return say(out, false, "Nomad did not say whether this "
		    "allocation is stopping");
	if ((s = find(in, is_unconfirmed)) != NULL)
		return say(out, false, "Nomad's registration of %s is not "
		    "known", s->name);
	return say(out, true, "Nomad still runs this allocation: a restart "
	    "of the nomcast task alone");
}

void
gr_decide(const struct gr_in *in, struct gr_out *out)
{
	(void)rules(in, out);
}

static const char *const mode_names[] = {
	[GR_FORCE_NONE] = "auto",
	[GR_FORCE_GRACEFUL] = "graceful",
	[GR_FORCE_HARD] = "hard",
};

const char *
gr_force_name(enum gr_force f)
{
	return (size_t)f < sizeof(mode_names) / sizeof(mode_names[0]) ?
	    mode_names[f] : "?";
}

int
gr_force_parse(const char *s, enum gr_force *f)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*f = (enum gr_force)i;
			return 0;
		}
	return -1;
}
