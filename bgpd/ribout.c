/*
 * ribout.c - the Adj-RIB-Out of one peer; see ribout.h.
 *
 * Two tables.  Attribute sets are interned: every prefix with equal
 * attributes points at one refcounted struct aset, so 10,000 prefixes of
 * two attribute sets cost two sets plus 10,000 small entries.  Entries
 * (prefix, desired set, sent set) live inline in an open-addressing hash
 * table with linear probing, so ribout_set() is O(1) amortised.  An entry
 * with neither a desired nor a sent set is dead: it stays in its slot as
 * a tombstone (probe chains stay intact, and pointers into the table stay
 * valid during a flush) and is dropped when the table is rebuilt.
 *
 * ribout_flush() collects the pending entries, sorts them (withdrawals
 * first, then announcements grouped by family and attribute set, each run
 * in prefix order) and packs each run into as few UPDATEs as fit.
 *
 * Pure: no I/O; the caller's emit callback does the sending.
 */
#include "bgpd/ribout.h"

#include <stdlib.h>
#include <string.h>

struct aset {
	struct bgp_attrs a;
	struct aset	*next;		/* hash chain */
	uint64_t	 id;		/* creation order: stable grouping */
	uint32_t	 hash;
	uint32_t	 refs;		/* entries whose want or sent is this */
};

struct rentry {
	struct prefix	 p;		/* p.afi == 0: empty slot */
	struct aset	*want;		/* desired attributes, NULL: none */
	struct aset	*sent;		/* what the peer holds, NULL: none */
	int64_t		 sent_at;	/* ro->now when sent was emitted */
};

struct ribout {
	struct rentry	*tab;
	size_t		 cap;		/* power of two, or 0 */
	size_t		 nused;		/* non-empty slots, dead ones too */
	size_t		 nlive;		/* entries with want or sent */
	size_t		 ndesired;
	size_t		 nsent;
	size_t		 npending;	/* want != sent */

	struct aset	**sets;		/* interned attribute sets */
	size_t		 nbuckets;	/* power of two, or 0 */
	size_t		 nsets;
	uint64_t	 next_id;
	int64_t		 now;		/* ribout_set_time(): stamps sends */
};

#define TAB_MIN		16
#define SETS_MIN	16

/* ---- hashing ---- */

static uint32_t
fnv(uint32_t h, const void *buf, size_t n)
{
	const uint8_t *s = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
fnv_u32(uint32_t h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return fnv(h, b, sizeof(b));
}

/* final avalanche, so that consecutive prefixes spread over the table */
static uint32_t
mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static uint32_t
prefix_hash(const struct prefix *p)
{
	uint32_t h = 2166136261u;

	h = fnv(h, &p->afi, 1);
	h = fnv(h, &p->len, 1);
	h = fnv(h, p->b, afi_addr_len(p->afi));
	return mix(h);
}

static uint32_t
addr_hash(uint32_t h, const struct addr *a)
{
	h = fnv(h, &a->afi, 1);
	if (addr_is_set(a))
		h = fnv(h, a->b, afi_addr_len(a->afi));
	return h;
}

/* covers exactly the fields attrs_equal() compares */
static uint32_t
attrs_hash(const struct bgp_attrs *a)
{
	uint32_t h = 2166136261u;
	size_t i;

	h = fnv(h, &a->origin, 1);
	h = fnv(h, &a->aspath_len, 1);
	for (i = 0; i < a->aspath_len; i++)
		h = fnv_u32(h, a->aspath[i]);
	h = fnv_u32(h, a->has_med ? a->med : 0);
	h = fnv_u32(h, a->has_local_pref ? a->local_pref : 0);
	h = fnv(h, &a->ncomm, 1);
	for (i = 0; i < a->ncomm; i++)
		h = fnv_u32(h, a->comm[i]);
	h = fnv(h, &a->nlcomm, 1);
	for (i = 0; i < a->nlcomm; i++) {
		h = fnv_u32(h, a->lcomm[i].global);
		h = fnv_u32(h, a->lcomm[i].local1);
		h = fnv_u32(h, a->lcomm[i].local2);
	}
	h = addr_hash(h, &a->nh4);
	h = addr_hash(h, &a->nh6);
	h = addr_hash(h, &a->nh6_ll);
	return mix(h);
}

/* ---- interned attribute sets ---- */

static void
addr_canon(struct addr *dst, const struct addr *src)
{
	memset(dst, 0, sizeof(*dst));
	if (addr_is_set(src)) {
		dst->afi = src->afi;
		memcpy(dst->b, src->b, afi_addr_len(src->afi));
	}
}

/* copy only the meaningful fields, so walkers never see stale slots */
static void
attrs_canon(struct bgp_attrs *dst, const struct bgp_attrs *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->origin = src->origin;
	dst->aspath_len = src->aspath_len;
	memcpy(dst->aspath, src->aspath,
	    (size_t)src->aspath_len * sizeof(src->aspath[0]));
	dst->has_med = src->has_med;
	dst->med = src->has_med ? src->med : 0;
	dst->has_local_pref = src->has_local_pref;
	dst->local_pref = src->has_local_pref ? src->local_pref : 0;
	dst->ncomm = src->ncomm;
	memcpy(dst->comm, src->comm,
	    (size_t)src->ncomm * sizeof(src->comm[0]));
	dst->nlcomm = src->nlcomm;
	memcpy(dst->lcomm, src->lcomm,
	    (size_t)src->nlcomm * sizeof(src->lcomm[0]));
	addr_canon(&dst->nh4, &src->nh4);
	addr_canon(&dst->nh6, &src->nh6);
	addr_canon(&dst->nh6_ll, &src->nh6_ll);
}

static int
sets_grow(struct ribout *ro)
{
	struct aset **nb, *s, *next;
	size_t n, i, ncap = ro->nbuckets ? ro->nbuckets * 2 : SETS_MIN;

	if ((nb = calloc(ncap, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < ro->nbuckets; i++) {
		for (s = ro->sets[i]; s != NULL; s = next) {
			next = s->next;
			n = s->hash & (ncap - 1);
			s->next = nb[n];
			nb[n] = s;
		}
	}
	free(ro->sets);
	ro->sets = nb;
	ro->nbuckets = ncap;
	return 0;
}

/* the set equal to a, with one reference taken for the caller; NULL: ENOMEM */
static struct aset *
aset_intern(struct ribout *ro, const struct bgp_attrs *a)
{
	struct aset *s;
	uint32_t h = attrs_hash(a);
	size_t n;

	if (ro->nbuckets > 0) {
		for (s = ro->sets[h & (ro->nbuckets - 1)]; s; s = s->next) {
			if (s->hash == h && attrs_equal(&s->a, a)) {
				s->refs++;
				return s;
			}
		}
	}
	if (ro->nsets >= ro->nbuckets && sets_grow(ro) == -1 &&
	    ro->nbuckets == 0)
		return NULL;	/* a full table only gets longer chains */
	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	attrs_canon(&s->a, a);
	s->hash = h;
	s->refs = 1;
	s->id = ro->next_id++;
	n = h & (ro->nbuckets - 1);
	s->next = ro->sets[n];
	ro->sets[n] = s;
	ro->nsets++;
	return s;
}

static void
aset_unref(struct ribout *ro, struct aset *s)
{
	struct aset **pp;

	if (s == NULL || --s->refs > 0)
		return;
	for (pp = &ro->sets[s->hash & (ro->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	ro->nsets--;
	free(s);
}

/* ---- the entry table ---- */

static bool
entry_live(const struct rentry *e)
{
	return e->want != NULL || e->sent != NULL;
}

/*
 * Move an entry to a new (want, sent) state: take the new references
 * before dropping the old ones (they may be the same set), and keep every
 * counter right in one place.
 */
static void
entry_state(struct ribout *ro, struct rentry *e, struct aset *want,
    struct aset *sent)
{
	struct aset *ow = e->want, *os = e->sent;

	ro->ndesired -= (size_t)(ow != NULL);
	ro->nsent -= (size_t)(os != NULL);
	ro->npending -= (size_t)(ow != os);
	ro->nlive -= (size_t)(entry_live(e));
	if (want != NULL)
		want->refs++;
	if (sent != NULL)
		sent->refs++;
	e->want = want;
	e->sent = sent;
	ro->ndesired += (size_t)(want != NULL);
	ro->nsent += (size_t)(sent != NULL);
	ro->npending += (size_t)(want != sent);
	ro->nlive += (size_t)(entry_live(e));
	aset_unref(ro, ow);
	aset_unref(ro, os);
}

/* rebuild with only the live entries; -1 (table unchanged) on ENOMEM */
static int
tab_rebuild(struct ribout *ro, size_t ncap)
{
	struct rentry *nt, *e;
	size_t i, j;

	if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
		return -1;
	for (i = 0; i < ro->cap; i++) {
		e = &ro->tab[i];
		if (e->p.afi == 0 || !entry_live(e))
			continue;
		j = prefix_hash(&e->p) & (ncap - 1);
		while (nt[j].p.afi != 0)
			j = (j + 1) & (ncap - 1);
		nt[j] = *e;
	}
	free(ro->tab);
	ro->tab = nt;
	ro->cap = ncap;
	ro->nused = ro->nlive;
	return 0;
}

/* smallest power of two keeping the live entries at most half the table */
static size_t
tab_size_for(size_t nlive)
{
	size_t ncap = TAB_MIN;

	while (ncap / 2 < nlive)
		ncap *= 2;
	return ncap;
}

static struct rentry *
entry_find(const struct ribout *ro, const struct prefix *p)
{
	struct rentry *e;
	size_t i;

	if (ro->cap == 0)
		return NULL;
	i = prefix_hash(p) & (ro->cap - 1);
	for (;;) {
		e = &ro->tab[i];
		if (e->p.afi == 0)
			return NULL;
		if (prefix_cmp(&e->p, p) == 0)
			return e;
		i = (i + 1) & (ro->cap - 1);
	}
}

/* find p or make a dead entry for it; NULL on ENOMEM */
static struct rentry *
entry_get(struct ribout *ro, const struct prefix *p)
{
	struct rentry *e, *dead = NULL;
	size_t i;

	/* keep at least a quarter of the slots empty so probes stay short */
	if ((ro->nused + 1) * 4 > ro->cap * 3 &&
	    tab_rebuild(ro, tab_size_for(ro->nlive + 1)) == -1)
		return NULL;
	i = prefix_hash(p) & (ro->cap - 1);
	for (;;) {
		e = &ro->tab[i];
		if (e->p.afi == 0)
			break;
		if (prefix_cmp(&e->p, p) == 0)
			return e;
		if (dead == NULL && !entry_live(e))
			dead = e;
		i = (i + 1) & (ro->cap - 1);
	}
	if (dead != NULL)
		e = dead;	/* reuse a tombstone; probe chains hold */
	else
		ro->nused++;
	e->p = *p;
	e->want = e->sent = NULL;
	return e;
}

/* a valid prefix with the bits past its length cleared; -1 if invalid */
static int
prefix_canon(const struct prefix *in, struct prefix *out)
{
	size_t max, i;

	if (in->afi != AFI_IPV4 && in->afi != AFI_IPV6)
		return -1;
	max = afi_addr_len(in->afi) * 8;
	if (in->len > max)
		return -1;
	memset(out, 0, sizeof(*out));
	out->afi = in->afi;
	out->len = in->len;
	memcpy(out->b, in->b, prefix_wire_bytes(in->len));
	i = in->len / 8;
	if (in->len % 8 != 0)
		out->b[i] &= (uint8_t)(0xff00u >> (in->len % 8));
	return 0;
}

/* ---- API ---- */

struct ribout *
ribout_new(void)
{
	return calloc(1, sizeof(struct ribout));
}

void
ribout_free(struct ribout *ro)
{
	struct aset *s, *next;
	size_t i;

	if (ro == NULL)
		return;
	for (i = 0; i < ro->nbuckets; i++) {
		for (s = ro->sets[i]; s != NULL; s = next) {
			next = s->next;
			free(s);
		}
	}
	free(ro->sets);
	free(ro->tab);
	free(ro);
}

int
ribout_set(struct ribout *ro, const struct prefix *p,
    const struct bgp_attrs *attrs)
{
	struct prefix cp;
	struct aset *s;
	struct rentry *e;

	if (prefix_canon(p, &cp) == -1 ||
	    attrs->aspath_len > ATTR_MAX_ASPATH ||
	    attrs->ncomm > ATTR_MAX_COMMUNITIES ||
	    attrs->nlcomm > ATTR_MAX_LCOMMUNITIES)
		return -1;
	if ((s = aset_intern(ro, attrs)) == NULL)
		return -1;
	if ((e = entry_get(ro, &cp)) == NULL) {
		aset_unref(ro, s);
		return -1;
	}
	entry_state(ro, e, s, e->sent);
	aset_unref(ro, s);		/* the reference aset_intern took */
	return 0;
}

void
ribout_unset(struct ribout *ro, const struct prefix *p)
{
	struct prefix cp;
	struct rentry *e;

	if (prefix_canon(p, &cp) == -1 || (e = entry_find(ro, &cp)) == NULL)
		return;
	entry_state(ro, e, NULL, e->sent);
}

void
ribout_unset_all(struct ribout *ro)
{
	size_t i;

	for (i = 0; i < ro->cap; i++)
		if (ro->tab[i].p.afi != 0)
			entry_state(ro, &ro->tab[i], NULL, ro->tab[i].sent);
}

void
ribout_set_time(struct ribout *ro, int64_t now)
{
	ro->now = now;
}

void
ribout_clear_sent(struct ribout *ro)
{
	size_t i;

	for (i = 0; i < ro->cap; i++)
		if (ro->tab[i].p.afi != 0)
			entry_state(ro, &ro->tab[i], ro->tab[i].want, NULL);
}

size_t
ribout_desired_count(const struct ribout *ro)
{
	return ro->ndesired;
}

size_t
ribout_sent_count(const struct ribout *ro)
{
	return ro->nsent;
}

bool
ribout_is_pending(const struct ribout *ro)
{
	return ro->npending > 0;
}

/* withdrawals first, then by family, attribute set and prefix */
static int
pending_cmp(const void *x, const void *y)
{
	const struct rentry *a = *(const struct rentry *const *)x;
	const struct rentry *b = *(const struct rentry *const *)y;

	if ((a->want == NULL) != (b->want == NULL))
		return a->want == NULL ? -1 : 1;
	if (a->p.afi != b->p.afi)
		return a->p.afi < b->p.afi ? -1 : 1;
	if (a->want != b->want)
		return a->want->id < b->want->id ? -1 : 1;
	return prefix_cmp(&a->p, &b->p);
}

static enum updb_kind
pending_kind(const struct rentry *e)
{
	if (e->want == NULL)
		return e->p.afi == AFI_IPV4 ? UPDB_WITHDRAW4 : UPDB_WITHDRAW6;
	return e->p.afi == AFI_IPV4 ? UPDB_ANNOUNCE4 : UPDB_ANNOUNCE6;
}

static bool
same_run(const struct rentry *a, const struct rentry *b)
{
	return a->p.afi == b->p.afi && a->want == b->want;
}

/* finish and emit one message; on success its prefixes are sent */
static int
emit_one(struct ribout *ro, struct updb *b, struct rentry **v, size_t from,
    size_t to, ribout_emit_fn emit, void *ctx)
{
	size_t len = updb_finish(b), k;

	if (len == 0 || emit(ctx, b->buf, len) < 0)
		return -1;
	for (k = from; k < to; k++) {
		entry_state(ro, v[k], v[k]->want, v[k]->want);
		v[k]->sent_at = ro->now;
	}
	return 0;
}

/*
 * One run: pending entries of one kind, family and attribute set.
 * Returns the number of UPDATEs emitted, 0 if the run was held back
 * (attributes unusable for the family), -1 if emit failed.
 */
static int
flush_run(struct ribout *ro, const struct upd_opts *o, struct rentry **v,
    size_t from, size_t to, ribout_emit_fn emit, void *ctx)
{
	struct updb b;
	enum updb_kind kind = pending_kind(v[from]);
	const struct bgp_attrs *a = v[from]->want ? &v[from]->want->a : NULL;
	size_t k, first = from;
	int nmsg = 0;

	/* e.g. no IPv6 next hop: the routes wait rather than go out broken */
	if (updb_begin(&b, kind, a, o) == -1)
		return 0;
	for (k = from; k < to; k++) {
		if (updb_add(&b, &v[k]->p))
			continue;
		if (k == first ||
		    emit_one(ro, &b, v, first, k, emit, ctx) == -1)
			return -1;
		nmsg++;
		first = k;
		if (updb_begin(&b, kind, a, o) == -1 ||
		    !updb_add(&b, &v[k]->p))
			return -1;
	}
	if (emit_one(ro, &b, v, first, to, emit, ctx) == -1)
		return -1;
	return nmsg + 1;
}

int
ribout_flush(struct ribout *ro, const struct upd_opts *o,
    const bool afi_ok[3], ribout_emit_fn emit, void *ctx)
{
	struct rentry **v, *e;
	size_t i, j, n = 0;
	int nmsg = 0, r = 0;

	/* nothing changed: say nothing (and allocate nothing) */
	if (ro->npending == 0)
		return 0;
	if ((v = malloc(ro->npending * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < ro->cap; i++) {
		e = &ro->tab[i];
		if (e->p.afi == 0 || e->want == e->sent)
			continue;
		/* a family the peer did not negotiate waits, unsent */
		if (afi_ok != NULL && !afi_ok[e->p.afi])
			continue;
		v[n++] = e;
	}
	qsort(v, n, sizeof(*v), pending_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_run(v[i], v[j]); j++)
			;
		if ((r = flush_run(ro, o, v, i, j, emit, ctx)) == -1)
			break;
		nmsg += r;
	}
	free(v);
	/* after mass withdrawals, give the memory back (best effort) */
	if (ro->cap > TAB_MIN && ro->nlive * 8 < ro->cap)
		(void)tab_rebuild(ro, tab_size_for(ro->nlive));
	return r == -1 ? -1 : nmsg;
}

static int
sent_cmp(const void *x, const void *y)
{
	const struct rentry *a = *(const struct rentry *const *)x;
	const struct rentry *b = *(const struct rentry *const *)y;

	return prefix_cmp(&a->p, &b->p);
}

int
ribout_walk_sent(const struct ribout *ro, ribout_walk_fn fn, void *ctx)
{
	const struct rentry **v;
	size_t i, n = 0;
	int r;

	if (ro->nsent == 0)
		return 0;
	if ((v = malloc(ro->nsent * sizeof(*v))) == NULL) {
		/* no memory to sort: walk in table order, not at all */
		for (i = 0; i < ro->cap; i++)
			if (ro->tab[i].sent != NULL &&
			    (r = fn(ctx, &ro->tab[i].p,
			    &ro->tab[i].sent->a, ro->tab[i].sent_at)) != 0)
				return r;
		return 0;
	}
	for (i = 0; i < ro->cap; i++)
		if (ro->tab[i].sent != NULL)
			v[n++] = &ro->tab[i];
	qsort(v, n, sizeof(*v), sent_cmp);
	r = 0;
	for (i = 0; i < n && r == 0; i++)
		r = fn(ctx, &v[i]->p, &v[i]->sent->a, v[i]->sent_at);
	free(v);
	return r;
}
