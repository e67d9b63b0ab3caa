/*
 * prefix.h - IPv4/IPv6 prefixes and addresses, pure.
 */
#ifndef NOMCAST_PREFIX_H
#define NOMCAST_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum afi {
	AFI_IPV4 = 1,		/* RFC 4760 AFI numbers */
	AFI_IPV6 = 2,
};

#define SAFI_UNICAST	1

struct addr {
	uint8_t	afi;		/* enum afi; 0 = unset */
	uint8_t	b[16];		/* IPv4 in b[0..3] */
};

struct prefix {
	uint8_t	afi;		/* enum afi */
	uint8_t	len;		/* prefix length in bits */
	uint8_t	b[16];		/* bits past len are zero */
};

#define PREFIX_STRLEN	(46 + 4)

/* parse "a.b.c.d" or an IPv6 address; 0, or -1 if not an address */
int	addr_parse(const char *s, struct addr *a);
/* format into buf (at least PREFIX_STRLEN); returns buf */
const char *addr_str(const struct addr *a, char *buf, size_t cap);
bool	addr_equal(const struct addr *a, const struct addr *b);
bool	addr_is_set(const struct addr *a);
/* bytes in an address of this family (4 or 16) */
size_t	afi_addr_len(uint8_t afi);

struct sockaddr_storage;
/* socket address of a and port (host order); returns its length */
unsigned addr_to_sockaddr(const struct addr *a, uint16_t port,
	    struct sockaddr_storage *ss);
/* the address of a socket address; a v4-mapped IPv6 address becomes IPv4 */
void	addr_from_sockaddr(const struct sockaddr_storage *ss, struct addr *a);

/*
 * parse "a.b.c.d/len" or "x::y/len" (a bare address means a host route);
 * 0 ok, -1 syntax error, -2 host bits set past len
 */
int	prefix_parse(const char *s, struct prefix *p);
const char *prefix_str(const struct prefix *p, char *buf, size_t cap);
/* total order: afi, then address bytes, then length */
int	prefix_cmp(const struct prefix *a, const struct prefix *b);
/* the host route (/32 or /128) of an address */
void	prefix_host(const struct addr *a, struct prefix *p);
bool	prefix_is_host(const struct prefix *p);
/* octets of address a prefix of this length takes on the wire */
size_t	prefix_wire_bytes(uint8_t len);

#endif
