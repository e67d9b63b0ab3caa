/*
 * pkt.h - the BFD control packet (RFC 5880 section 4): decoder, encoder
 * and the authentication section.  Pure: no I/O, no clock.
 *
 * Received bytes are read through lib/rd.h only.  Times on the wire are
 * microseconds and stay microseconds here.
 */
#ifndef NOMCAST_BFD_PKT_H
#define NOMCAST_BFD_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_VERSION		1
#define BFD_PORT_SINGLE		3784	/* RFC 5881 */
#define BFD_PORT_MULTI		4784	/* RFC 5883 */
#define BFD_SRC_PORT_MIN	49152
#define BFD_SRC_PORT_MAX	65535
#define BFD_HDR_LEN		24
#define BFD_PKT_MAX		(BFD_HDR_LEN + 28)	/* header + SHA1 section */

enum bfd_state {
	BFD_ADMIN_DOWN	= 0,
	BFD_DOWN	= 1,
	BFD_INIT	= 2,
	BFD_UP		= 3,
};

/* RFC 5880 4.1 diagnostic codes */
enum bfd_diag {
	BFD_DIAG_NONE		= 0,
	BFD_DIAG_DETECT_EXPIRED	= 1,
	BFD_DIAG_ECHO_FAILED	= 2,
	BFD_DIAG_NEIGHBOR_DOWN	= 3,
	BFD_DIAG_FWD_RESET	= 4,
	BFD_DIAG_PATH_DOWN	= 5,
	BFD_DIAG_CONCAT_DOWN	= 6,
	BFD_DIAG_ADMIN_DOWN	= 7,
	BFD_DIAG_RCONCAT_DOWN	= 8,
};

/* RFC 5880 4.1 authentication types */
enum bfd_auth_type {
	BFD_AUTH_NONE		= 0,
	BFD_AUTH_PASSWORD	= 1,
	BFD_AUTH_MD5		= 2,
	BFD_AUTH_MET_MD5	= 3,
	BFD_AUTH_SHA1		= 4,
	BFD_AUTH_MET_SHA1	= 5,
};

#define BFD_AUTH_DIGEST_MAX	20
#define BFD_AUTH_PASSWORD_MAX	16

struct bfd_auth {
	uint8_t		type;		/* enum bfd_auth_type; NONE if absent */
	uint8_t		len;		/* Auth Len as received / to send */
	uint8_t		key_id;
	uint32_t	seq;		/* MD5/SHA1 kinds */
	uint8_t		digest[BFD_AUTH_DIGEST_MAX];	/* or the password */
	uint8_t		digest_len;
};

struct bfd_pkt {
	uint8_t		vers;
	uint8_t		diag;		/* enum bfd_diag */
	uint8_t		state;		/* enum bfd_state */
	bool		poll, final, cpi, auth_present, demand, multipoint;
	uint8_t		detect_mult;
	uint8_t		length;
	uint32_t	my_disc;
	uint32_t	your_disc;
	uint32_t	desired_min_tx;		/* microseconds */
	uint32_t	required_min_rx;	/* microseconds */
	uint32_t	required_min_echo_rx;	/* microseconds */
	struct bfd_auth	auth;
};

/*
 * Decode and apply the checks of RFC 5880 6.8.6 that need no session
 * (version, length against the A bit and the bytes received, detect mult
 * nonzero, M clear, My Discriminator nonzero, Your Discriminator nonzero
 * unless State is Down or AdminDown).  Returns 0, or -1 with *why set to
 * a static reason for the discard counter and log.
 */
int	bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p,
	    const char **why);

/* Encode p (with its auth section when p->auth_present); returns the
 * length written, or 0 if cap is too small or the auth section cannot
 * be sent (unknown type, password not 1..16 bytes).  Version and the
 * Length fields are written from what is sent, not taken from p.  The
 * digest is not computed here: see bfd_auth_sign(). */
size_t	bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t cap);

/* A configured key (RFC 5880 6.7): the secret and its Key ID. */
struct bfd_key {
	uint8_t		type;		/* enum bfd_auth_type, not NONE */
	uint8_t		id;
	uint8_t		secret[64];
	size_t		secret_len;
};

/* Fill k from a configured secret: 0, or -1 + *why if the type is not a
 * keyed kind or the secret is empty or longer than its field (16 bytes
 * for the password and MD5, 20 for SHA1). */
int	bfd_key_set(struct bfd_key *k, uint8_t type, uint8_t id,
	    const char *secret, const char **why);

/* Fill the digest of an encoded packet in place (buf as returned by
 * bfd_pkt_encode, whose auth section carries the key's type, id, seq).
 * Leaves buf as it is if the section is not of the key's keyed kind and
 * id; a simple password is sent as encoded. */
void	bfd_auth_sign(uint8_t *buf, size_t len, const struct bfd_key *k);

/* Check the auth section of a received packet against the key: type and
 * Key ID match and the digest (or password) is right.  The sequence
 * number window is the session's business (bfd/fsm).  0 or -1 + *why. */
int	bfd_auth_verify(const uint8_t *buf, size_t len,
	    const struct bfd_pkt *p, const struct bfd_key *k,
	    const char **why);

const char *bfd_state_name(uint8_t state);
const char *bfd_diag_name(uint8_t diag);
/* as nomcast.ini's bfd-auth spells them; "none" for BFD_AUTH_NONE */
const char *bfd_auth_name(uint8_t type);

#endif
