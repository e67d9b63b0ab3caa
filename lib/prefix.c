/* prefix.c - addresses and prefixes; see prefix.h */
#include "lib/prefix.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t
afi_addr_len(uint8_t afi)
{
	return afi == AFI_IPV6 ? 16 : 4;
}

int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->afi = AFI_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->afi = AFI_IPV6;
		return 0;
	}
	return -1;
}

const char *
addr_str(const struct addr *a, char *buf, size_t cap)
{
	if (a->afi == AFI_IPV4 || a->afi == AFI_IPV6) {
		if (inet_ntop(a->afi == AFI_IPV4 ? AF_INET : AF_INET6, a->b,
		    buf, (socklen_t)cap) != NULL)
			return buf;
	}
	snprintf(buf, cap, "-");
	return buf;
}

bool
addr_equal(const struct addr *a, const struct addr *b)
{
	return a->afi == b->afi &&
	    memcmp(a->b, b->b, afi_addr_len(a->afi)) == 0;
}

bool
addr_is_set(const struct addr *a)
{
	return a->afi == AFI_IPV4 || a->afi == AFI_IPV6;
}

size_t
prefix_wire_bytes(uint8_t len)
{
	return (size_t)(len + 7) / 8;
}

unsigned
addr_to_sockaddr(const struct addr *a, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->afi == AFI_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->b, 16);
		return sizeof(*sin6);
	}
}

void
addr_from_sockaddr(const struct sockaddr_storage *ss, struct addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		a->afi = AFI_IPV4;
		memcpy(a->b, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)ss;

		if (memcmp(sin6->sin6_addr.s6_addr, mapped, 12) == 0) {
			a->afi = AFI_IPV4;
			memcpy(a->b, sin6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->afi = AFI_IPV6;
			memcpy(a->b, sin6->sin6_addr.s6_addr, 16);
		}
	}
}

int
prefix_parse(const char *s, struct prefix *p)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	struct addr a;
	unsigned long len;
	char *end;
	size_t n, i, max;

	memset(p, 0, sizeof(*p));
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (addr_parse(tmp, &a) == -1)
		return -1;
	max = a.afi == AFI_IPV4 ? 32 : 128;
	len = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > max)
			return -1;
	}
	p->afi = a.afi;
	p->len = (uint8_t)len;
	memcpy(p->b, a.b, sizeof(p->b));
	/* host bits must be zero: a prefix says what it means */
	for (i = 0; i < max; i++) {
		if (i < len)
			continue;
		if (p->b[i / 8] & (0x80u >> (i % 8)))
			return -2;
	}
	return 0;
}

const char *
prefix_str(const struct prefix *p, char *buf, size_t cap)
{
	struct addr a;
	char tmp[INET6_ADDRSTRLEN];

	a.afi = p->afi;
	memcpy(a.b, p->b, sizeof(a.b));
	snprintf(buf, cap, "%s/%u", addr_str(&a, tmp, sizeof(tmp)), p->len);
	return buf;
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	c = memcmp(a->b, b->b, afi_addr_len(a->afi));
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

void
prefix_host(const struct addr *a, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = a->afi;
	p->len = a->afi == AFI_IPV4 ? 32 : 128;
	memcpy(p->b, a->b, afi_addr_len(a->afi));
}

bool
prefix_is_host(const struct prefix *p)
{
	return p->len == (p->afi == AFI_IPV4 ? 32 : 128);
}
