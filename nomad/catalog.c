/*
 * catalog.c - Nomad API answers to health facts; see catalog.h and
 * docs/nomad-api.md for the shapes.
 *
 * Pure: json-c and libc only, no I/O.  Every json-c object is parsed and
 * put in this file; callers see plain C values.
 *
 * Decisions taken here:
 *
 * - A body is bounded before json-c sees it: empty, over NOMAD_BODY_MAX
 *   octets, or holding a NUL octet is an error.  A NUL can never occur in
 *   JSON text (RFC 8259 section 7: control characters must be escaped),
 *   and json-c would take it for the end of input and ignore what
 *   follows, so it is refused rather than cut at.
 * - The tokenizer runs strict (no comments, single quotes or trailing
 *   commas), validates UTF-8 and stops at NOMAD_JSON_DEPTH; anything after
 *   the value other than JSON white space is trailing garbage.
 * - Fields nomcast does not use are ignored: Nomad adds fields over
 *   versions.  A field that is used must have its JSON type, and a field
 *   that Nomad always sends (Service, Status, Check; AllocID, ServiceName,
 *   NodeID) must be there: a body of another shape is an error, which the
 *   watcher treats as a failing source after its grace, never as healthy.
 * - Checks: a readiness-mode check does not gate health (Nomad's own rule
 *   for on_update = "ignore").  A Status other than success, failure and
 *   pending is an error, not a guess.  A check named in nomad-checks that
 *   has no result counts as pending: Nomad creates a pending stub for
 *   every check when the alloc starts, so a missing name is a typo or a
 *   check that is gone, and neither may announce.
 * - Reasons and errors are one printable line: control bytes become
 *   spaces, only the first line of a check's Output is kept, and a cut
 *   never splits a UTF-8 sequence.
 */
#include "nomad/catalog.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

/* ---- bounded, sanitised text ---- */

static bool
nomad_is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Copy at most srclen bytes of src into dst (size bytes, always
 * NUL-terminated) as one printable line: control bytes become spaces,
 * and with eol the copy stops at the first CR or LF.  A cut backs off
 * to a UTF-8 sequence boundary and is marked with "...".
 */
static void
nomad_clean(char *dst, size_t size, const char *src, size_t srclen, bool eol)
{
	static const char more[] = "...";
	size_t n = 0, i, room;

	if (size == 0)
		return;
	dst[0] = '\0';
	if (src == NULL)
		return;
	if (eol) {
		for (i = 0; i < srclen; i++)
			if (src[i] == '\r' || src[i] == '\n')
				break;
		srclen = i;
	}
	room = size - 1;
	if (srclen > room) {
		/* leave room for the marker when there is any */
		n = room >= sizeof(more) - 1 + 1 ? room - (sizeof(more) - 1) :
		    room;
		while (n > 0 && nomad_is_cont((unsigned char)src[n]))
			n--;
	} else
		n = srclen;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	if (srclen > room && room - n >= sizeof(more) - 1)
		memcpy(dst + n, more, sizeof(more));
}

static void
nomad_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* format, then clean: every err is one printable line */
static void
nomad_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	nomad_clean(err, errlen, buf, strlen(buf), false);
}

/* ---- bounded parsing ---- */

static bool
nomad_is_ws(char c)
{
	/* RFC 8259 section 2: the four insignificant white space bytes */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Parse one JSON value filling exactly body[0..len).  Returns 0 and sets
 * *root (NULL for a JSON null; the caller puts it), or -1 with err set.
 */
static int
nomad_json_parse(const char *body, size_t len, struct json_object **root,
    char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end, i;

	*root = NULL;
	if (body == NULL || len == 0) {
		nomad_seterr(err, errlen, "empty body");
		return -1;
	}
	if (len > NOMAD_BODY_MAX) {
		nomad_seterr(err, errlen, "body of %zu octets is over the "
		    "%d-octet limit", len, NOMAD_BODY_MAX);
		return -1;
	}
	if (memchr(body, '\0', len) != NULL) {
		nomad_seterr(err, errlen, "NUL octet in body at offset %zu",
		    (size_t)((const char *)memchr(body, '\0', len) - body));
		return -1;
	}
	if ((tok = json_tokener_new_ex(NOMAD_JSON_DEPTH)) == NULL) {
		nomad_seterr(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* len <= NOMAD_BODY_MAX, so the int cast cannot narrow */
	obj = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL && jerr == json_tokener_continue) {
		/*
		 * A literal or number that ends the input ("null", "12")
		 * is complete only once json-c sees the end: feed it the
		 * terminating NUL.  Everything before was consumed.
		 */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	if (jerr != json_tokener_success) {
		nomad_seterr(err, errlen, "invalid JSON at offset %zu: %s",
		    end, json_tokener_error_desc(jerr));
		goto fail;
	}
	/* json-c strict mode refuses this already; keep the rule here too */
	for (i = end; i < len; i++)
		if (!nomad_is_ws(body[i])) {
			nomad_seterr(err, errlen, "trailing data after the "
			    "JSON value at offset %zu", i);
			goto fail;
		}
	json_tokener_free(tok);
	*root = obj;
	return 0;

fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return -1;
}

static const char *
nomad_type_name(struct json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

/*
 * Field key of object o as a string.  Returns 1 and sets *s, *slen if
 * there, 0 if absent (and !required), -1 with err set if of another type
 * or absent though required.  what names the entry in the error.
 */
static int
nomad_get_string(struct json_object *o, const char *key, bool required,
    const char *what, const char **s, size_t *slen, char *err, size_t errlen)
{
	struct json_object *v;
	int n;

	*s = NULL;
	*slen = 0;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (!required)
			return 0;
		nomad_seterr(err, errlen, "%s: no \"%s\" field", what, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		nomad_seterr(err, errlen, "%s: \"%s\" is %s, not a string",
		    what, key, nomad_type_name(v));
		return -1;
	}
	*s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	*slen = n > 0 ? (size_t)n : 0;
	return 1;
}

/* a JSON string (which may hold \u0000) equal to the C string c */
static bool
nomad_str_eq(const char *s, size_t slen, const char *c, size_t clen)
{
	return s != NULL && slen == clen && memcmp(s, c, clen) == 0;
}

/* ---- GET /v1/service/<service> ---- */

int
nomad_parse_service(const char *body, size_t len, const char *service,
    const char *alloc_id, const char *node_id, bool *registered,
    char *err, size_t errlen)
{
	struct json_object *root = NULL, *e;
	const char *alloc, *name, *node;
	size_t alen, nlen, dlen, i, n;
	char what[48];

	*registered = false;
	if (service == NULL || service[0] == '\0' || alloc_id == NULL ||
	    alloc_id[0] == '\0') {
		nomad_seterr(err, errlen, "no service name or alloc id to "
		    "match");
		return -1;
	}
	if (nomad_json_parse(body, len, &root, err, errlen) == -1)
		return -1;
	/* an unknown name is [] with HTTP 200, never null or 404 (README 1) */
	if (!json_object_is_type(root, json_type_array)) {
		nomad_seterr(err, errlen, "service registrations: %s, not an "
		    "array", nomad_type_name(root));
		goto fail;
	}
	n = json_object_array_length(root);
	for (i = 0; i < n; i++) {
		(void)snprintf(what, sizeof(what), "registration %zu", i);
		e = json_object_array_get_idx(root, i);
		if (!json_object_is_type(e, json_type_object)) {
			nomad_seterr(err, errlen, "%s: %s, not an object",
			    what, nomad_type_name(e));
			goto fail;
		}
		if (nomad_get_string(e, "AllocID", true, what, &alloc, &alen,
		    err, errlen) == -1 ||
		    nomad_get_string(e, "ServiceName", true, what, &name,
		    &nlen, err, errlen) == -1 ||
		    nomad_get_string(e, "NodeID", true, what, &node, &dlen,
		    err, errlen) == -1)
			goto fail;
		/*
		 * Every element is checked before the answer counts: a
		 * match followed by a malformed element is still the
		 * wrong shape.
		 */
		if (nomad_str_eq(alloc, alen, alloc_id, strlen(alloc_id)) &&
		    nomad_str_eq(name, nlen, service, strlen(service)) &&
		    (node_id == NULL || node_id[0] == '\0' ||
		    nomad_str_eq(node, dlen, node_id, strlen(node_id))))
			*registered = true;
	}
	json_object_put(root);
	return 0;

fail:
	*registered = false;
	json_object_put(root);
	return -1;
}

/* ---- GET /v1/client/allocation/<alloc>/checks ---- */

/* the reason for one check: nomad check "NAME" STATUS: OUTPUT (HTTP N) */
static void
nomad_check_reason(char *dst, size_t size, const char *check, size_t clen,
    const char *status, const char *output, size_t olen, int64_t code)
{
	char name[64], head[128], tail[32], out[200];
	size_t used, room;

	nomad_clean(name, sizeof(name), check, clen, true);
	(void)snprintf(head, sizeof(head), "nomad check \"%s\" %s", name,
	    status);
	tail[0] = '\0';
	if (code > 0)
		(void)snprintf(tail, sizeof(tail), " (HTTP %" PRId64 ")",
		    code);
	/* what is left for the output once head, ": " and tail are in */
	used = strlen(head) + 2 + strlen(tail);
	room = size > used ? size - used : 0;
	if (room > sizeof(out))
		room = sizeof(out);
	out[0] = '\0';
	if (output != NULL && olen > 0 && room > 1)
		nomad_clean(out, room, output, olen, true);
	(void)snprintf(dst, size, "%s%s%s%s", head, out[0] != '\0' ? ": " :
	    "", out, tail);
}

static bool
nomad_filter_valid(const struct nomad_check_filter *f)
{
	switch (f->mode) {
	case NOMAD_CHECKS_ALL:
	case NOMAD_CHECKS_NONE:
		return true;
	case NOMAD_CHECKS_NAMED:
		return f->nnames <= NOMAD_MAX_CHECK_NAMES;
	}
	return false;
}

/* index of check name s in the filter, or -1 */
static int
nomad_filter_find(const struct nomad_check_filter *f, const char *s,
    size_t slen)
{
	size_t i;

	for (i = 0; i < f->nnames; i++)
		if (nomad_str_eq(s, slen, f->names[i],
		    strnlen(f->names[i], sizeof(f->names[i]))))
			return (int)i;
	return -1;
}

struct nomad_entry {
	const char	*check, *status, *mode, *output;
	size_t		 clen, slen, mlen, olen;
	int64_t		 code;		/* StatusCode; 0 when absent */
};

/* the fields of one check result that nomcast uses, type-checked */
static int
nomad_entry_read(struct json_object *e, const char *what,
    struct nomad_entry *ent, char *err, size_t errlen)
{
	struct json_object *v;

	memset(ent, 0, sizeof(*ent));
	if (nomad_get_string(e, "Check", true, what, &ent->check, &ent->clen,
	    err, errlen) == -1 ||
	    nomad_get_string(e, "Status", true, what, &ent->status,
	    &ent->slen, err, errlen) == -1 ||
	    nomad_get_string(e, "Mode", false, what, &ent->mode, &ent->mlen,
	    err, errlen) == -1 ||
	    nomad_get_string(e, "Output", false, what, &ent->output,
	    &ent->olen, err, errlen) == -1)
		return -1;
	/* StatusCode is omitted for tcp checks and pending stubs (README 3) */
	if (json_object_object_get_ex(e, "StatusCode", &v)) {
		if (!json_object_is_type(v, json_type_int)) {
			nomad_seterr(err, errlen, "%s: \"StatusCode\" is %s, "
			    "not an integer", what, nomad_type_name(v));
			return -1;
		}
		ent->code = json_object_get_int64(v);
	}
	return 0;
}

/* list one selected check (the first NOMAD_MAX_ENTRIES only) */
static void
nomad_entry_add(struct nomad_checks *out, const struct nomad_entry *ent,
    enum nomad_cstat st, const char *status)
{
	struct nomad_check_entry *ce;

	if (out->nent >= NOMAD_MAX_ENTRIES)
		return;
	ce = &out->ent[out->nent++];
	nomad_clean(ce->name, sizeof(ce->name), ent->check, ent->clen, true);
	ce->st = st;
	nomad_check_reason(ce->reason, sizeof(ce->reason), ent->check,
	    ent->clen, status, ent->output, ent->olen, ent->code);
}

/* what a checks answer has told so far, while it is read */
struct checks_acc {
	struct nomad_checks	*out;
	const struct nomad_check_filter *f;
	bool			 found[NOMAD_MAX_CHECK_NAMES];
	bool			 have_fail, have_pend;
	/* the first failing and first pending check say why */
	char			 fail_reason[NOMAD_REASON_MAX];
	char			 pend_reason[NOMAD_REASON_MAX];
};

/* one result object of the answer, keyed k; 0, or -1 (err set) */
static int
checks_entry(struct checks_acc *a, const char *k, struct json_object *e,
    const char *service, char *err, size_t errlen)
{
	struct nomad_checks *out = a->out;
	struct nomad_entry ent;
	const char *svc;
	size_t svclen;
	char what[96], key[72];
	int idx;

	nomad_clean(key, sizeof(key), k, strlen(k), false);
	(void)snprintf(what, sizeof(what), "check %s", key);
	if (!json_object_is_type(e, json_type_object)) {
		nomad_seterr(err, errlen, "%s: %s, not an object", what,
		    nomad_type_name(e));
		return -1;
	}
	if (nomad_get_string(e, "Service", true, what, &svc, &svclen, err,
	    errlen) == -1)
		return -1;
	if (!nomad_str_eq(svc, svclen, service, strlen(service)))
		return 0;
	if (nomad_entry_read(e, what, &ent, err, errlen) == -1)
		return -1;
	if (a->f->mode == NOMAD_CHECKS_NAMED) {
		if ((idx = nomad_filter_find(a->f, ent.check, ent.clen)) == -1)
			return 0;
		a->found[idx] = true;
	}
	if (nomad_str_eq(ent.mode, ent.mlen, "readiness", 9))
		return 0;
	if (nomad_str_eq(ent.status, ent.slen, "success", 7)) {
		out->nsuccess++;
		nomad_entry_add(out, &ent, NOMAD_CS_SUCCESS, "success");
	} else if (nomad_str_eq(ent.status, ent.slen, "failure", 7)) {
		out->nfailure++;
		if (!a->have_fail)
			nomad_check_reason(a->fail_reason,
			    sizeof(a->fail_reason), ent.check, ent.clen,
			    "failure", ent.output, ent.olen, ent.code);
		a->have_fail = true;
		nomad_entry_add(out, &ent, NOMAD_CS_FAILURE, "failure");
	} else if (nomad_str_eq(ent.status, ent.slen, "pending", 7)) {
		out->npending++;
		if (!a->have_pend)
			nomad_check_reason(a->pend_reason,
			    sizeof(a->pend_reason), ent.check, ent.clen,
			    "pending", ent.output, ent.olen, ent.code);
		a->have_pend = true;
		nomad_entry_add(out, &ent, NOMAD_CS_PENDING, "pending");
	} else {
		nomad_clean(key, sizeof(key), ent.status, ent.slen, true);
		nomad_seterr(err, errlen, "%s: unknown \"Status\" \"%s\"",
		    what, key);
		return -1;
	}
	return 0;
}

/* every result object of the answer (an object); 0, or -1 (err set) */
static int
checks_entries(struct checks_acc *a, struct json_object *root,
    const char *service, char *err, size_t errlen)
{
	struct json_object_iterator it, itend;

	if (!json_object_is_type(root, json_type_object)) {
		nomad_seterr(err, errlen, "check results: %s, not an object",
		    nomad_type_name(root));
		return -1;
	}
	it = json_object_iter_begin(root);
	itend = json_object_iter_end(root);
	for (; !json_object_iter_equal(&it, &itend);
	    json_object_iter_next(&it))
		if (checks_entry(a, json_object_iter_peek_name(&it),
		    json_object_iter_peek_value(&it), service, err,
		    errlen) == -1)
			return -1;
	return 0;
}

/* nomad-checks = NAMES: a named check without a result is pending */
static void
checks_missing(struct checks_acc *a)
{
	struct nomad_checks *out = a->out;
	char key[72];
	size_t i;

	for (i = 0; i < a->f->nnames; i++) {
		if (a->found[i])
			continue;
		out->npending++;
		nomad_clean(key, sizeof(key), a->f->names[i],
		    strnlen(a->f->names[i], sizeof(a->f->names[i])), true);
		if (!a->have_pend)
			(void)snprintf(a->pend_reason, sizeof(a->pend_reason),
			    "nomad check \"%s\" has no result", key);
		a->have_pend = true;
		if (out->nent < NOMAD_MAX_ENTRIES) {
			struct nomad_check_entry *ce = &out->ent[out->nent++];

			memcpy(ce->name, key, sizeof(ce->name) < sizeof(key) ?
			    sizeof(ce->name) : sizeof(key));
			ce->name[sizeof(ce->name) - 1] = '\0';
			ce->st = NOMAD_CS_MISSING;
			(void)snprintf(ce->reason, sizeof(ce->reason),
			    "nomad check \"%s\" has no result", key);
		}
	}
}

/* the health the counts add up to, and why */
static void
checks_sum(struct checks_acc *a, const char *service)
{
	struct nomad_checks *out = a->out;
	char key[72];

	if (a->f->mode == NOMAD_CHECKS_NONE) {
		/* the body was still checked: a broken agent is an error */
		out->nsuccess = out->nfailure = out->npending = 0;
		out->nent = 0;
		out->health = NOMAD_HEALTH_NO_CHECKS;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "nomad checks not used");
	} else if (out->nfailure > 0) {
		out->health = NOMAD_HEALTH_FAIL;
		memcpy(out->reason, a->fail_reason, sizeof(out->reason));
	} else if (out->npending > 0) {
		out->health = NOMAD_HEALTH_PENDING;
		memcpy(out->reason, a->pend_reason, sizeof(out->reason));
	} else if (out->nsuccess == 0) {
		out->health = NOMAD_HEALTH_NO_CHECKS;
		nomad_clean(key, sizeof(key), service, strlen(service), true);
		(void)snprintf(out->reason, sizeof(out->reason),
		    "no nomad checks for service \"%s\"%s", key,
		    out->null_body ? " (null: the alloc has none)" : "");
	} else {
		out->health = NOMAD_HEALTH_PASS;
		(void)snprintf(out->reason, sizeof(out->reason),
		    "nomad checks passing: %u", out->nsuccess);
	}
}

int
nomad_parse_checks(const char *body, size_t len, const char *service,
    const struct nomad_check_filter *f, struct nomad_checks *out,
    char *err, size_t errlen)
{
	struct json_object *root = NULL;
	struct checks_acc a;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.out = out;
	a.f = f;
	/* never PASS (0) by accident if a caller ignores -1 */
	out->health = NOMAD_HEALTH_FAIL;
	if (service == NULL || service[0] == '\0' || f == NULL ||
	    !nomad_filter_valid(f)) {
		nomad_seterr(err, errlen, "no service name or an invalid "
		    "check filter");
		return -1;
	}
	if (nomad_json_parse(body, len, &root, err, errlen) == -1)
		goto fail;
	/*
	 * null: no check results for the alloc at all (nomad-api.md 2): its
	 * services have no checks, or a stopping alloc's were purged; never
	 * "not run yet" (that is a pending stub).  Named checks then simply
	 * have no result.
	 */
	if (root == NULL)
		out->null_body = true;
	else if (checks_entries(&a, root, service, err, errlen) == -1)
		goto fail;
	json_object_put(root);
	if (f->mode == NOMAD_CHECKS_NAMED)
		checks_missing(&a);
	checks_sum(&a, service);
	return 0;

fail:
	json_object_put(root);
	memset(out, 0, sizeof(*out));
	out->health = NOMAD_HEALTH_FAIL;
	if (err != NULL && errlen > 0)
		nomad_clean(out->reason, sizeof(out->reason), err,
		    strnlen(err, errlen), false);
	return -1;
}

/* ---- GET /v1/allocation/<id> ---- */

int
nomad_parse_alloc_desired(const char *body, size_t len, const char *alloc_id,
    enum nomad_desired *out, char *err, size_t errlen)
{
	struct json_object *root = NULL;
	const char *id, *ds;
	size_t idlen, dslen;
	char val[40];

	*out = NOMAD_DESIRED_UNKNOWN;
	if (nomad_json_parse(body, len, &root, err, errlen) == -1)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		nomad_seterr(err, errlen, "allocation: %s, not an object",
		    nomad_type_name(root));
		goto fail;
	}
	if (alloc_id != NULL && alloc_id[0] != '\0') {
		if (nomad_get_string(root, "ID", true, "allocation", &id,
		    &idlen, err, errlen) == -1)
			goto fail;
		if (!nomad_str_eq(id, idlen, alloc_id, strlen(alloc_id))) {
			nomad_clean(val, sizeof(val), id, idlen, true);
			nomad_seterr(err, errlen, "allocation: \"ID\" is "
			    "\"%s\", not the alloc asked for", val);
			goto fail;
		}
	}
	if (nomad_get_string(root, "DesiredStatus", true, "allocation", &ds,
	    &dslen, err, errlen) == -1)
		goto fail;
	/* nomad/structs/structs.go: AllocDesiredStatus{Run,Stop,Evict} */
	if (nomad_str_eq(ds, dslen, "run", 3))
		*out = NOMAD_DESIRED_RUN;
	else if (nomad_str_eq(ds, dslen, "stop", 4) ||
	    nomad_str_eq(ds, dslen, "evict", 5))
		*out = NOMAD_DESIRED_STOP;
	else {
		nomad_clean(val, sizeof(val), ds, dslen, true);
		nomad_seterr(err, errlen, "allocation: unknown "
		    "\"DesiredStatus\" \"%s\"", val);
		goto fail;
	}
	json_object_put(root);
	return 0;

fail:
	*out = NOMAD_DESIRED_UNKNOWN;
	json_object_put(root);
	return -1;
}

const char *
nomad_desired_name(enum nomad_desired d)
{
	switch (d) {
	case NOMAD_DESIRED_RUN:
		return "run";
	case NOMAD_DESIRED_STOP:
		return "stop";
	case NOMAD_DESIRED_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- headers, statuses, indexes ---- */

/*
 * If line (len octets, not NUL-terminated) is header `name` (lower case;
 * the line's name in any case), point *v at its value without the
 * surrounding blanks and the trailing CRLF or LF, and return true.
 */
static bool
nomad_header_value(const char *line, size_t len, const char *name,
    const char **v, size_t *vlen)
{
	size_t nlen = strlen(name), i, end;
	char c;

	if (line == NULL || len <= nlen)
		return false;
	for (i = 0; i < nlen; i++) {
		c = line[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != name[i])
			return false;
	}
	/* RFC 9110 5.1 / RFC 9112 5.1: no white space before the colon */
	if (line[i++] != ':')
		return false;
	/* a libcurl header line keeps its CRLF; a bare LF is tolerated */
	end = len;
	if (end > i && line[end - 1] == '\n')
		end--;
	if (end > i && line[end - 1] == '\r')
		end--;
	while (i < end && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	*v = line + i;
	*vlen = end - i;
	return true;
}

/* a strict decimal uint64: digits only, no overflow */
static bool
nomad_decimal(const char *v, size_t vlen, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;
	unsigned d;

	if (vlen == 0)
		return false;
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		d = (unsigned)(v[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

bool
nomad_header_index(const char *line, size_t len, uint64_t *index)
{
	const char *v;
	size_t vlen;
	uint64_t n;

	if (!nomad_header_value(line, len, "x-nomad-index", &v, &vlen) ||
	    !nomad_decimal(v, vlen, &n))
		return false;
	*index = n;
	return true;
}

bool
nomad_header_meta(const char *line, size_t len, struct nomad_meta *m)
{
	const char *v;
	size_t vlen;
	uint64_t n;

	if (nomad_header_index(line, len, &n)) {
		m->has_index = true;
		m->index = n;
		return true;
	}
	if (nomad_header_value(line, len, "x-nomad-knownleader", &v, &vlen)) {
		/* Go writes strconv.FormatBool: exactly true or false */
		if (nomad_str_eq(v, vlen, "true", 4))
			m->known_leader = true;
		else if (nomad_str_eq(v, vlen, "false", 5))
			m->known_leader = false;
		else
			return false;
		m->has_known_leader = true;
		return true;
	}
	if (nomad_header_value(line, len, "x-nomad-lastcontact", &v, &vlen) &&
	    nomad_decimal(v, vlen, &n)) {
		m->has_last_contact = true;
		m->last_contact_ms = n;
		return true;
	}
	return false;
}

bool
nomad_body_unknown_alloc(const char *body, size_t len)
{
	static const char needle[] = "Unknown allocation \"";
	const size_t nl = sizeof(needle) - 1;
	size_t i;

	if (body == NULL)
		return false;
	for (i = 0; i + nl <= len; i++)
		if (memcmp(body + i, needle, nl) == 0)
			return true;
	return false;
}

const char *
nomad_status_hint(long status, bool checks_endpoint)
{
	if (status == 401)
		return "401: the request carried no valid token: is "
		    "NOMAD_TOKEN missing? set identity { env = true } in "
		    "the nomcast task";
	if (status == 403)
		return "403: the token was refused (Forbidden: expired or "
		    "not a workload identity) or lacks namespace:read-job "
		    "on the job's namespace: apply examples/nomad/nomcast-policy.hcl "
		    "to the task's workload identity with nomad acl policy "
		    "apply -namespace NS -job JOB -group GROUP -task TASK "
		    "nomcast-read examples/nomad/nomcast-policy.hcl";
	if (status == 404 && checks_endpoint)
		return "404: the alloc is unknown to this Nomad client "
		    "(NOMAD_ALLOC_ID of another node, or the alloc is gone): "
		    "the source fails at once; a 404 with another body (No "
		    "path to node) is a routing error like any other";
	if (status == 400)
		return "400: the agent refused the query: a bad filter, "
		    "index or wait parameter";
	if (status >= 500 && status <= 599)
		return "5xx: the agent could not reach a server or the leader "
		    "(every Task API request needs one; a leader election or "
		    "a quorum loss hits every node at once), or failed "
		    "inside: an outage, see on-outage";
	return "unexpected status";
}

uint64_t
nomad_next_index(uint64_t prev, uint64_t got)
{
	/*
	 * nomad-api.md 3: the server blocks while its index <= ours, so
	 * an index that went backwards (state restored or rebuilt) would
	 * make every query sit out the whole wait: re-read with 0.
	 */
	if (got < prev)
		return 0;
	return got;
}
