/*
 * fuzz_msg.c - libFuzzer target for the message decoders: the header,
 * then the body decoder of the type it names, then msg_describe().
 * Seeds: tests/fuzz/corpus/msg/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgpd/msg.h"
#include "bgpd/notif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_update(const uint8_t *body, size_t len)
{
	static const struct upd_opts opts[] = {
		{ .as4 = true, .ibgp = false, .local_as = 65000 },
		{ .as4 = true, .ibgp = true, .local_as = 65000 },
		{ .as4 = false, .ibgp = false, .local_as = 65000 },
		{ .as4 = false, .ibgp = true, .local_as = 65000 },
	};
	struct upd_result res;
	struct bgp_err err;
	enum upd_verdict v;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		memset(&err, 0, sizeof(err));
		v = msg_update_check(body, len, &opts[i], &res, &err);
		/* a reset always names an UPDATE Message Error */
		if (v == UPD_SESSION_RESET && err.code != NOTIF_UPDATE)
			__builtin_trap();
		if (err.datalen > sizeof(err.data))
			__builtin_trap();
		if (res.eor && v != UPD_OK)
			__builtin_trap();
	}
}

/* a decoded GR capability survives our encoder unchanged */
static void
fuzz_gr(const struct bgp_open *o)
{
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_open d;
	struct bgp_err err;
	struct wr w;

	if (o->gr.time > 4095 || o->gr.af[0] || o->gr.fwd[0] ||
	    (o->gr.fwd[1] && !o->gr.af[1]) || (o->gr.fwd[2] && !o->gr.af[2]))
		__builtin_trap();
	wr_init(&w, buf, sizeof(buf));
	if (msg_open_encode(&w, o) == -1 || w.err)
		__builtin_trap();
	if (msg_open_decode(buf + BGP_HDR_LEN, wr_mark(&w) - BGP_HDR_LEN, &d,
	    &err) == -1)
		__builtin_trap();
	if (d.cap_gr != o->cap_gr ||
	    (o->cap_gr && memcmp(&d.gr, &o->gr, sizeof(d.gr)) != 0))
		__builtin_trap();
}

/* RFC 8538: a Hard Reset names its inner NOTIFICATION or is not one */
static void
fuzz_notif(const uint8_t *body, size_t len)
{
	struct bgp_notif n;

	if (msg_notif_decode(body, len, &n) == -1)
		return;
	if (n.has_shutdown_msg &&
	    strlen(n.shutdown_msg) > BGP_SHUTDOWN_MSG_MAX)
		__builtin_trap();
	if (n.hard_reset && (n.code != NOTIF_CEASE ||
	    n.subcode != NOTIF_CEASE_HARD_RESET || n.datalen < 2))
		__builtin_trap();
	if (!n.hard_reset && (n.inner_code != 0 || n.inner_subcode != 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_open o;
	struct bgp_rr rr;
	struct bgp_err err;
	char desc[256];
	uint16_t len;
	uint8_t type;
	const uint8_t *body;
	size_t blen;

	msg_describe(data, size, desc, sizeof(desc));
	if (strlen(desc) >= sizeof(desc))
		__builtin_trap();
	if (size < BGP_HDR_LEN)
		return 0;
	if (msg_hdr_decode(data, size, &len, &type, &err) == -1)
		return 0;
	if (len > size)
		return 0;
	/* the fuzzer may do what the daemon's read loop does */
	body = data + BGP_HDR_LEN;
	blen = (size_t)len - BGP_HDR_LEN;
	switch (type) {
	case BGP_OPEN:
		if (msg_open_decode(body, blen, &o, &err) == 0) {
			(void)msg_open_check(&o, msg_open_peer_as(&o), 65000,
			    0x0a000001, &err);
			(void)msg_open_check(&o, 65000, 65000, o.bgp_id, &err);
			fuzz_gr(&o);
		}
		break;
	case BGP_UPDATE:
		fuzz_update(body, blen);
		break;
	case BGP_NOTIFICATION:
		fuzz_notif(body, blen);
		break;
	case BGP_KEEPALIVE:
		break;
	case BGP_ROUTE_REFRESH:
		(void)msg_rr_decode(data, len, &rr, &err);
		break;
	}
	msg_describe(data, len, desc, sizeof(desc));
	return 0;
}
