/*
 * fuzz_bfd.c - libFuzzer target for the BFD control packet: decode any
 * bytes; what decodes must encode, decode again to the same packet, and
 * verify once signed; verify runs against fixed keys of every kind.
 * Seeds: tests/fuzz/corpus/bfd/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bfd/pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const struct bfd_pkt *a, const struct bfd_pkt *b)
{
	return a->vers == b->vers && a->diag == b->diag &&
	    a->state == b->state && a->poll == b->poll &&
	    a->final == b->final && a->cpi == b->cpi &&
	    a->auth_present == b->auth_present && a->demand == b->demand &&
	    a->multipoint == b->multipoint &&
	    a->detect_mult == b->detect_mult && a->length == b->length &&
	    a->my_disc == b->my_disc && a->your_disc == b->your_disc &&
	    a->desired_min_tx == b->desired_min_tx &&
	    a->required_min_rx == b->required_min_rx &&
	    a->required_min_echo_rx == b->required_min_echo_rx &&
	    a->auth.type == b->auth.type && a->auth.len == b->auth.len &&
	    a->auth.key_id == b->auth.key_id && a->auth.seq == b->auth.seq &&
	    a->auth.digest_len == b->auth.digest_len &&
	    memcmp(a->auth.digest, b->auth.digest, a->auth.digest_len) == 0;
}

static void
verify_fixed_keys(const uint8_t *data, size_t size, const struct bfd_pkt *p)
{
	static const char *const secret[] = { "", "password", "md5-secret",
	    "met-md5-secret", "sha1-secret-twenty!!", "meticulous-sha1" };
	struct bfd_key k;
	const char *why = NULL;
	uint8_t type;

	for (type = BFD_AUTH_PASSWORD; type <= BFD_AUTH_MET_SHA1; type++) {
		if (bfd_key_set(&k, type, 1, secret[type], &why) == -1)
			__builtin_trap();
		why = NULL;
		if (bfd_auth_verify(data, size, p, &k, &why) == -1 &&
		    why == NULL)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_pkt p, q;
	struct bfd_key k;
	uint8_t buf[256];
	const char *why = NULL;
	size_t n;

	if (bfd_pkt_decode(data, size, &p, &why) == -1) {
		if (why == NULL)
			__builtin_trap();
		return 0;
	}
	if (p.length > size || bfd_state_name(p.state) == NULL ||
	    bfd_diag_name(p.diag) == NULL)
		__builtin_trap();
	verify_fixed_keys(data, size, &p);

	/* the encoder writes no bytes past the auth section, so Length is
	 * the one field that may differ */
	if ((n = bfd_pkt_encode(&p, buf, sizeof(buf))) == 0)
		__builtin_trap();
	if (n > p.length)
		__builtin_trap();
	p.length = (uint8_t)n;
	if (bfd_pkt_decode(buf, n, &q, &why) == -1 || !same(&p, &q))
		__builtin_trap();

	/* a keyed packet signed with a key of its kind and id verifies */
	if (p.auth_present && p.auth.type != BFD_AUTH_PASSWORD) {
		if (bfd_key_set(&k, p.auth.type, p.auth.key_id, "fuzz",
		    &why) == -1)
			__builtin_trap();
		bfd_auth_sign(buf, n, &k);
		if (bfd_pkt_decode(buf, n, &q, &why) == -1 ||
		    bfd_auth_verify(buf, n, &q, &k, &why) == -1)
			__builtin_trap();
	}
	return 0;
}
