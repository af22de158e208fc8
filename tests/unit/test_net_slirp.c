/* Unit tests for the user-mode network backend (src/devices/net_slirp.c,
 * net_slirp_fwd.c): the test plays the guest with hand-built Ethernet
 * frames. DHCP offers 10.0.2.15, ARP answers for 10.0.2.2, host forwards
 * reach the guest, guest connections reach the host's loopback, the
 * receive queue stays bounded, and the hostfwd parser is strict. Needs no
 * network beyond 127.0.0.1.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_slirp.h"
#include "net_slirp_internal.h"
#include "test_runner.h"

#define WAIT_MS	 5000
#define ETH_HLEN 14
#define IP_HLEN	 20
#define UDP_HLEN 8
#define TCP_HLEN 20

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct net_backend *be;
static char err[256];

static void setup(void)
{
	be = NULL;
	err[0] = '\0';
}

static void teardown(void)
{
	net_backend_destroy(be);
}

static void start(const struct net_slirp_options *o)
{
	int ret = net_slirp_create(o, &be, err, sizeof(err));

	ck_assert_msg(ret == 0, "create: %d %s", ret, err);
}

/* ---- frame building ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A 32-bit field as it lies in the frame (network order), unaligned. */
static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr; /* network order */
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_hdr(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, type);
}

/* An IPv4 header at f + ETH_HLEN for a payload of len bytes. */
static void ip_hdr(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst,
		   size_t len)
{
	uint8_t *ip = f + ETH_HLEN;

	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HLEN + len));
	put16(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, fold(sum16(ip, IP_HLEN, 0)));
}

/* The transport checksum over the IPv4 pseudo-header. */
static uint16_t l4_csum(const uint8_t *f, uint8_t proto, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	uint32_t sum = sum16(ip + 12, 8, 0) + proto + (uint32_t)len;

	return fold(sum16(ip + IP_HLEN, len, sum));
}

/* A DHCPDISCOVER (RFC 2131) from guest_mac; returns the frame length. */
static size_t build_dhcp_discover(uint8_t *f, uint32_t xid)
{
	const size_t bootp_len = 236 + 312; /* fixed part + options */
	uint8_t *udp = f + ETH_HLEN + IP_HLEN, *bp = udp + UDP_HLEN;
	uint8_t *opt = bp + 236;

	memset(f, 0, ETH_HLEN + IP_HLEN + UDP_HLEN + bootp_len);
	eth_hdr(f, bcast_mac, 0x0800);
	ip_hdr(f, IPPROTO_UDP, 0, 0xffffffff, UDP_HLEN + bootp_len);
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)(UDP_HLEN + bootp_len));
	bp[0] = 1; /* BOOTREQUEST */
	bp[1] = 1; /* Ethernet */
	bp[2] = 6;
	memcpy(bp + 4, &xid, 4);
	memcpy(bp + 28, guest_mac, 6);
	memcpy(opt, "\x63\x82\x53\x63", 4);	/* magic cookie */
	memcpy(opt + 4, "\x35\x01\x01\xff", 4); /* DHCPDISCOVER, end */
	put16(udp + 6, l4_csum(f, IPPROTO_UDP, UDP_HLEN + bootp_len));
	return ETH_HLEN + IP_HLEN + UDP_HLEN + bootp_len;
}

/* An ARP request from 10.0.2.15 for tpa; it also teaches slirp our MAC. */
static size_t build_arp_request(uint8_t *f, const char *tpa)
{
	uint8_t *a = f + ETH_HLEN;
	uint32_t spa = ip4("10.0.2.15"), t = ip4(tpa);

	memset(f, 0, 60);
	eth_hdr(f, bcast_mac, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1); /* request */
	memcpy(a + 8, guest_mac, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 24, &t, 4);
	return 60;
}

static size_t build_tcp_syn(uint8_t *f, const char *dst, uint16_t sport,
			    uint16_t dport)
{
	uint8_t *tcp = f + ETH_HLEN + IP_HLEN;
	static const uint8_t slirp_mac[6] = {0x52, 0x55, 10, 0, 2, 2};

	memset(f, 0, ETH_HLEN + IP_HLEN + TCP_HLEN);
	eth_hdr(f, slirp_mac, 0x0800);
	ip_hdr(f, IPPROTO_TCP, ip4("10.0.2.15"), ip4(dst), TCP_HLEN);
	put16(tcp, sport);
	put16(tcp + 2, dport);
	memcpy(tcp + 4, "\x00\x01\x00\x00", 4); /* seq */
	tcp[12] = (TCP_HLEN / 4) << 4;
	tcp[13] = 0x02; /* SYN */
	put16(tcp + 14, 65535);
	put16(tcp + 16, l4_csum(f, IPPROTO_TCP, TCP_HLEN));
	return ETH_HLEN + IP_HLEN + TCP_HLEN;
}

static size_t build_udp(uint8_t *f, const char *dst, uint16_t sport,
			uint16_t dport, const char *payload)
{
	static const uint8_t slirp_mac[6] = {0x52, 0x55, 10, 0, 2, 2};
	uint8_t *udp = f + ETH_HLEN + IP_HLEN;
	size_t plen = strlen(payload);

	memset(f, 0, ETH_HLEN + IP_HLEN + UDP_HLEN);
	eth_hdr(f, slirp_mac, 0x0800);
	ip_hdr(f, IPPROTO_UDP, ip4("10.0.2.15"), ip4(dst), UDP_HLEN + plen);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(UDP_HLEN + plen));
	memcpy(udp + UDP_HLEN, payload, plen);
	put16(udp + 6, l4_csum(f, IPPROTO_UDP, UDP_HLEN + plen));
	return ETH_HLEN + IP_HLEN + UDP_HLEN + plen;
}

/* A router solicitation (RFC 4861 §4.1) from the guest's link-local
 * address to all routers. */
static size_t build_router_solicit(uint8_t *f)
{
	static const uint8_t all_routers_mac[6] = {0x33, 0x33, 0, 0, 0, 2};
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + 40;
	uint32_t sum;

	memset(f, 0, ETH_HLEN + 40 + 8);
	memcpy(f, all_routers_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, 0x86dd);
	ip[0] = 0x60;
	put16(ip + 4, 8);
	ip[6] = 58; /* ICMPv6 */
	ip[7] = 255;
	inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", ip + 8);
	inet_pton(AF_INET6, "ff02::2", ip + 24);
	icmp[0] = 133;
	sum = sum16(ip + 8, 32, 0) + 8 + 58;
	put16(icmp + 2, fold(sum16(icmp, 8, sum)));
	return ETH_HLEN + 40 + 8;
}

static void send_frame(const uint8_t *f, size_t len)
{
	struct iovec iov = {.iov_base = (void *)f, .iov_len = len};

	ck_assert_int_eq(net_backend_send(be, 0, &iov, 1), 0);
	/* The end of a transmit pass, as the device says it: libslirp's
	 * thread looks at its sockets again. */
	net_backend_send_done(be, 0);
}

/* ---- receiving ---- */

static bool rx_readable(int timeout_ms)
{
	struct pollfd p = {.fd = be->ops->rx_fd(be, 0), .events = POLLIN};

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Receives frames until match() accepts one, for up to WAIT_MS. Returns
 * its length; fails the test on timeout. */
static size_t recv_match(uint8_t *f, size_t cap,
			 bool (*match)(const uint8_t *f, size_t len))
{
	struct iovec iov = {.iov_base = f, .iov_len = cap};
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long ms = (t1.tv_sec - t0.tv_sec) * 1000 +
			  (t1.tv_nsec - t0.tv_nsec) / 1000000;
		ck_assert_msg(ms < WAIT_MS, "no matching frame");
		if (!rx_readable((int)(WAIT_MS - ms)))
			continue;
		n = net_backend_recv(be, 0, &iov, 1);
		ck_assert_int_ge(n, 0);
		if (n > 0 && match(f, (size_t)n))
			return (size_t)n;
	}
}

static bool is_ipv4(const uint8_t *f, size_t len, uint8_t proto)
{
	return len >= ETH_HLEN + IP_HLEN && get16(f + 12) == 0x0800 &&
	       f[ETH_HLEN + 9] == proto;
}

static bool match_dhcp_reply(const uint8_t *f, size_t len)
{
	return is_ipv4(f, len, IPPROTO_UDP) &&
	       len >= ETH_HLEN + IP_HLEN + UDP_HLEN + 240 &&
	       get16(f + ETH_HLEN + IP_HLEN) == 67 &&
	       get16(f + ETH_HLEN + IP_HLEN + 2) == 68;
}

static bool match_arp_reply(const uint8_t *f, size_t len)
{
	return len >= ETH_HLEN + 28 && get16(f + 12) == 0x0806 &&
	       get16(f + ETH_HLEN + 6) == 2;
}

static bool match_tcp_syn_to_80(const uint8_t *f, size_t len)
{
	const uint8_t *tcp = f + ETH_HLEN + IP_HLEN;

	return is_ipv4(f, len, IPPROTO_TCP) &&
	       len >= ETH_HLEN + IP_HLEN + TCP_HLEN && get16(tcp + 2) == 80 &&
	       (tcp[13] & 0x12) == 0x02;
}

/* The value of DHCP option code in the options at opt, or NULL. */
static const uint8_t *dhcp_option(const uint8_t *opt, size_t len, uint8_t code)
{
	size_t i = 4; /* after the magic cookie */

	while (i + 1 < len && opt[i] != 255) {
		if (opt[i] == 0) {
			i++;
			continue;
		}
		if (opt[i] == code && i + 2 + opt[i + 1] <= len)
			return opt + i + 2;
		i += 2 + opt[i + 1];
	}
	return NULL;
}

/* A TCP port on 127.0.0.1 nobody uses right now. */
static uint16_t free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static int tcp_listen_on(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* ---- tests: the backend ---- */

START_TEST(test_fields)
{
	struct net_slirp_options o = {0};

	start(&o);
	ck_assert_str_eq(be->kind, "user");
	ck_assert_uint_eq(be->queues, 1);
	ck_assert(!be->vnet_hdr);
	ck_assert_uint_eq(be->offloads, 0);
	ck_assert_uint_eq(be->mtu, 1500);
	ck_assert_int_ge(be->ops->rx_fd(be, 0), 0);
	ck_assert_int_eq(be->ops->tx_fd(be, 0), -1);
	ck_assert_ptr_null(be->ops->set_rx_offloads);
	ck_assert(!rx_readable(0)); /* nothing queued yet */
	net_backend_destroy(be);

	o.mtu = 9000;
	start(&o);
	ck_assert_uint_eq(be->mtu, 9000);
	net_backend_destroy(be);
	be = NULL;

	o.mtu = 40;
	ck_assert_int_eq(net_slirp_create(&o, &be, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "mtu"));
	be = NULL;
}
END_TEST

START_TEST(test_dhcp_offer)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048];
	const uint8_t *bp, *opt, *v;
	uint32_t xid = 0x12345678;
	size_t len;

	start(&o);
	send_frame(f, build_dhcp_discover(f, xid));
	len = recv_match(f, sizeof(f), match_dhcp_reply);

	/* libslirp broadcasts the reply (the client has no address yet). */
	ck_assert(!memcmp(f, guest_mac, 6) || !memcmp(f, bcast_mac, 6));
	ck_assert_uint_eq(get32(f + ETH_HLEN + 12), ip4("10.0.2.2"));
	bp = f + ETH_HLEN + IP_HLEN + UDP_HLEN;
	ck_assert_uint_eq(bp[0], 2); /* BOOTREPLY */
	ck_assert_mem_eq(bp + 4, &xid, 4);
	ck_assert_uint_eq(get32(bp + 16), ip4("10.0.2.15")); /* yiaddr */
	ck_assert_mem_eq(bp + 28, guest_mac, 6);
	opt = bp + 236;
	ck_assert_mem_eq(opt, "\x63\x82\x53\x63", 4);
	len -= ETH_HLEN + IP_HLEN + UDP_HLEN + 236;
	v = dhcp_option(opt, len, 53);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v[0], 2);    /* DHCPOFFER */
	v = dhcp_option(opt, len, 54); /* server identifier */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(get32(v), ip4("10.0.2.2"));
	v = dhcp_option(opt, len, 3); /* router */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(get32(v), ip4("10.0.2.2"));
	v = dhcp_option(opt, len, 6); /* DNS */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(get32(v), ip4("10.0.2.3"));
	v = dhcp_option(opt, len, 1); /* netmask */
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(get32(v), ip4("255.255.255.0"));
}
END_TEST

START_TEST(test_arp_reply)
{
	struct net_slirp_options o = {0};
	static const uint8_t slirp_mac[6] = {0x52, 0x55, 10, 0, 2, 2};
	uint8_t f[2048];
	const uint8_t *a = f + ETH_HLEN;

	start(&o);
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	recv_match(f, sizeof(f), match_arp_reply);
	ck_assert_mem_eq(f, guest_mac, 6);
	ck_assert_mem_eq(a + 8, slirp_mac, 6); /* sender: the gateway */
	ck_assert_uint_eq(get32(a + 14), ip4("10.0.2.2"));
	ck_assert_mem_eq(a + 18, guest_mac, 6);
	ck_assert_uint_eq(get32(a + 24), ip4("10.0.2.15"));
}
END_TEST

/* rx_fd is level-triggered: readable while frames wait, not after. */
START_TEST(test_rx_fd_level)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048];
	struct iovec iov = {.iov_base = f, .iov_len = sizeof(f)};
	unsigned int frames;
	size_t bytes;

	start(&o);
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	send_frame(f, build_arp_request(f, "10.0.2.3"));
	net_slirp_queue_stats(be, &frames, &bytes);
	ck_assert_uint_eq(frames, 2); /* ARP replies are synchronous */
	ck_assert(rx_readable(0));
	ck_assert_int_gt(net_backend_recv(be, 0, &iov, 1), 0);
	ck_assert(rx_readable(0));
	ck_assert_int_gt(net_backend_recv(be, 0, &iov, 1), 0);
	ck_assert(!rx_readable(0));
	ck_assert_int_eq(net_backend_recv(be, 0, &iov, 1), 0);
}
END_TEST

/* A frame that does not fit is dropped with -EMSGSIZE; a frame split
 * over several buffers arrives whole. */
START_TEST(test_recv_iov)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048], a[10], b[2048];
	struct iovec small = {.iov_base = a, .iov_len = sizeof(a)};
	struct iovec two[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	ssize_t n;

	start(&o);
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	ck_assert_int_eq(net_backend_recv(be, 0, &small, 1), -EMSGSIZE);
	ck_assert(!rx_readable(0));

	send_frame(f, build_arp_request(f, "10.0.2.2"));
	n = net_backend_recv(be, 0, two, 2);
	ck_assert_int_ge(n, ETH_HLEN + 28);
	memcpy(f, a, sizeof(a));
	memcpy(f + sizeof(a), b, (size_t)n - sizeof(a));
	ck_assert(match_arp_reply(f, (size_t)n));
}
END_TEST

/* The guest sends one frame in pieces, as a descriptor chain would. */
START_TEST(test_send_iov)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048];
	size_t len;

	start(&o);
	len = build_arp_request(f, "10.0.2.2");
	struct iovec parts[3] = {{f, 5}, {f + 5, 20}, {f + 25, len - 25}};
	ck_assert_int_eq(net_backend_send(be, 0, parts, 3), 0);
	recv_match(f, sizeof(f), match_arp_reply);

	struct iovec huge = {.iov_base = f,
			     .iov_len = NET_BACKEND_MAX_FRAME + 1};
	ck_assert_int_eq(net_backend_send(be, 0, &huge, 1), -EMSGSIZE);
	/* Runts and garbage are libslirp's to ignore, not a crash. */
	struct iovec runt = {.iov_base = f, .iov_len = 3};
	ck_assert_int_eq(net_backend_send(be, 0, &runt, 1), 0);
	struct iovec none = {.iov_base = f, .iov_len = 0};
	ck_assert_int_eq(net_backend_send(be, 0, &none, 1), 0);
}
END_TEST

static bool match_router_advert(const uint8_t *f, size_t len)
{
	return len >= ETH_HLEN + 40 + 16 && get16(f + 12) == 0x86dd &&
	       f[ETH_HLEN + 6] == 58 && f[ETH_HLEN + 40] == 134;
}

/* IPv6: a router solicitation is answered with the fec0::/64 prefix for
 * SLAAC, and fec0::3 as the DNS server (RDNSS, RFC 8106) if it says one:
 * libslirp does only when the host has an IPv6 name server. */
START_TEST(test_ipv6_router_advert)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048], want[16];
	const uint8_t *opt;
	bool prefix = false;
	size_t len;

	start(&o);
	send_frame(f, build_router_solicit(f));
	len = recv_match(f, sizeof(f), match_router_advert);
	inet_pton(AF_INET6, "fe80::2", want); /* fec0::2's link-local twin */
	ck_assert_mem_eq(f + ETH_HLEN + 8, want, 16);
	for (opt = f + ETH_HLEN + 40 + 16; opt + 8 <= f + len && opt[1];
	     opt += opt[1] * 8) {
		if (opt[0] == 3 && opt[1] == 4) { /* prefix information */
			inet_pton(AF_INET6, "fec0::", want);
			ck_assert_uint_eq(opt[2], 64);
			ck_assert_mem_eq(opt + 16, want, 16);
			prefix = true;
		}
		if (opt[0] == 25 && opt[1] >= 3) { /* recursive DNS server */
			inet_pton(AF_INET6, "fec0::3", want);
			ck_assert_mem_eq(opt + 8, want, 16);
		}
	}
	ck_assert(prefix);
}
END_TEST

/* hostfwd: a connection to the host port becomes a SYN to the guest. */
START_TEST(test_hostfwd_inbound)
{
	struct net_slirp_options o = {.nr_fwd = 1};
	uint16_t port = free_port();
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(port)};
	uint8_t f[2048];
	char rule[64];
	int fd;

	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:80", port);
	ck_assert_int_eq(net_slirp_parse_fwd(rule, &o.fwd[0], err, sizeof(err)),
			 0);
	start(&o);
	/* Let slirp learn the guest's MAC, as a booting guest would. */
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	recv_match(f, sizeof(f), match_arp_reply);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	recv_match(f, sizeof(f), match_tcp_syn_to_80);
	ck_assert_mem_eq(f, guest_mac, 6);
	ck_assert_uint_eq(get32(f + ETH_HLEN + 16), ip4("10.0.2.15"));
	close(fd);
}
END_TEST

/* A guest connection to 10.0.2.2 reaches the host's 127.0.0.1. */
START_TEST(test_guest_to_host_loopback)
{
	struct net_slirp_options o = {0};
	uint16_t port = free_port();
	int lfd = tcp_listen_on(port), cfd;
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	uint8_t f[2048];

	start(&o);
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	send_frame(f, build_tcp_syn(f, "10.0.2.2", 40000, port));
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	close(cfd);
	close(lfd);
}
END_TEST

static bool match_udp_to_40001(const uint8_t *f, size_t len)
{
	return is_ipv4(f, len, IPPROTO_UDP) &&
	       len >= ETH_HLEN + IP_HLEN + UDP_HLEN &&
	       get16(f + ETH_HLEN + IP_HLEN + 2) == 40001;
}

/* UDP both ways between the guest and a socket on the host's loopback,
 * the guest addressing it as 10.0.2.2. */
START_TEST(test_udp_round_trip)
{
	struct net_slirp_options o = {0};
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in peer;
	socklen_t alen = sizeof(a);
	struct pollfd p = {.events = POLLIN};
	uint8_t f[2048];
	char got[16] = "";
	size_t len;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	start(&o);
	send_frame(f, build_arp_request(f, "10.0.2.2"));
	send_frame(f,
		   build_udp(f, "10.0.2.2", 40001, ntohs(a.sin_port), "hello"));
	p.fd = fd;
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	alen = sizeof(peer);
	ck_assert_int_eq(recvfrom(fd, got, sizeof(got), 0,
				  (struct sockaddr *)&peer, &alen),
			 5);
	ck_assert_mem_eq(got, "hello", 5);
	ck_assert_int_eq(
		sendto(fd, "world", 5, 0, (struct sockaddr *)&peer, alen), 5);
	len = recv_match(f, sizeof(f), match_udp_to_40001);
	ck_assert_uint_eq(len, ETH_HLEN + IP_HLEN + UDP_HLEN + 5);
	ck_assert_uint_eq(get32(f + ETH_HLEN + 12), ip4("10.0.2.2"));
	ck_assert_uint_eq(get16(f + ETH_HLEN + IP_HLEN), ntohs(a.sin_port));
	ck_assert_mem_eq(f + ETH_HLEN + IP_HLEN + UDP_HLEN, "world", 5);
	close(fd);
}
END_TEST

/* A taken host port fails create with the rule and the reason. */
START_TEST(test_hostfwd_port_taken)
{
	struct net_slirp_options o = {.nr_fwd = 1};
	uint16_t port = free_port();
	int lfd = tcp_listen_on(port);
	char rule[64], want[128];

	snprintf(rule, sizeof(rule), "tcp:127.0.0.1:%u-:80", port);
	ck_assert_int_eq(net_slirp_parse_fwd(rule, &o.fwd[0], err, sizeof(err)),
			 0);
	ck_assert_int_eq(net_slirp_create(&o, &be, err, sizeof(err)),
			 -EADDRINUSE);
	be = NULL;
	snprintf(
		want, sizeof(want),
		"hostfwd tcp:127.0.0.1:%u-10.0.2.15:80: Address already in use",
		port);
	ck_assert_str_eq(err, want);
	close(lfd);
}
END_TEST

/* A guest that never receives: the queue stops at its bound, the rest is
 * dropped and counted, and the queued frames are still good. */
START_TEST(test_queue_bounded)
{
	struct net_slirp_options o = {0};
	const unsigned int sent = NET_SLIRP_RXQ_MAX_FRAMES + 300;
	uint8_t f[2048];
	struct iovec iov = {.iov_base = f, .iov_len = sizeof(f)};
	unsigned int frames, got = 0;
	size_t bytes;
	ssize_t n;

	start(&o);
	for (unsigned int i = 0; i < sent; i++)
		send_frame(f, build_arp_request(f, "10.0.2.2"));
	net_slirp_queue_stats(be, &frames, &bytes);
	ck_assert_uint_eq(frames, NET_SLIRP_RXQ_MAX_FRAMES);
	ck_assert_uint_le(bytes, NET_SLIRP_RXQ_MAX_BYTES);
	ck_assert_uint_eq(net_slirp_drops(be), sent - NET_SLIRP_RXQ_MAX_FRAMES);
	while ((n = net_backend_recv(be, 0, &iov, 1)) > 0) {
		ck_assert(match_arp_reply(f, (size_t)n));
		got++;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(got, NET_SLIRP_RXQ_MAX_FRAMES);
	ck_assert(!rx_readable(0));
}
END_TEST

/* Big frames: the byte bound holds before the frame bound. ICMP echo
 * requests to 10.0.2.2 come back the same size. */
START_TEST(test_queue_bounded_bytes)
{
	struct net_slirp_options o = {.mtu = 16000};
	const size_t ip_len = 16000, len = ETH_HLEN + ip_len;
	static uint8_t f[ETH_HLEN + 16000];
	static const uint8_t slirp_mac[6] = {0x52, 0x55, 10, 0, 2, 2};
	uint8_t *icmp = f + ETH_HLEN + IP_HLEN;
	unsigned int frames;
	size_t bytes;
	uint8_t arp[64];

	start(&o);
	send_frame(arp, build_arp_request(arp, "10.0.2.2"));
	memset(f, 0, sizeof(f));
	eth_hdr(f, slirp_mac, 0x0800);
	ip_hdr(f, IPPROTO_ICMP, ip4("10.0.2.15"), ip4("10.0.2.2"),
	       ip_len - IP_HLEN);
	icmp[0] = 8; /* echo request */
	put16(icmp + 2, fold(sum16(icmp, ip_len - IP_HLEN, 0)));
	for (unsigned int i = 0; i < 400; i++)
		send_frame(f, len);
	net_slirp_queue_stats(be, &frames, &bytes);
	ck_assert_uint_le(bytes, NET_SLIRP_RXQ_MAX_BYTES);
	ck_assert_uint_lt(frames, NET_SLIRP_RXQ_MAX_FRAMES);
	ck_assert_uint_gt(net_slirp_drops(be), 0);
}
END_TEST

/* Destroy while the thread polls and frames keep arriving. */
START_TEST(test_destroy_busy)
{
	struct net_slirp_options o = {0};
	uint8_t f[2048];

	for (int round = 0; round < 20; round++) {
		start(&o);
		for (int i = 0; i < round; i++) {
			send_frame(f, build_dhcp_discover(f, (uint32_t)i));
			send_frame(f, build_tcp_syn(f, "10.0.2.2", 40000, 9));
		}
		net_backend_destroy(be);
		be = NULL;
	}
	ck_assert_ptr_null(be);
}
END_TEST

/* libslirp's own warnings (glib's g_log, domain "Slirp") come out through
 * vmm's log, not glib's writer, which would need calls the seccomp filter
 * refuses. */
START_TEST(test_glib_log_routed)
{
	struct net_slirp_options o = {0};
	void (*g_log)(const char *, int, const char *, ...);
	char path[] = "/tmp/test_net_slirp_XXXXXX", out[256] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);

	start(&o);
	*(void **)&g_log = dlsym(RTLD_DEFAULT, "g_log");
	ck_assert_ptr_nonnull(g_log);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	dup2(fd, STDERR_FILENO);
	g_log("Slirp", 1 << 4 /* G_LOG_LEVEL_WARNING */, "%s", "test 42");
	dup2(saved, STDERR_FILENO);
	ck_assert_int_gt(pread(fd, out, sizeof(out) - 1, 0), 0);
	ck_assert_ptr_nonnull(strstr(out, "vmm: net user: libslirp: test 42"));
	close(fd);
	close(saved);
}
END_TEST

/* ---- tests: the hostfwd parser ---- */

static const struct fwd_case {
	const char *rule;
	int ret;
	bool udp;
	const char *host;
	uint16_t host_port;
	const char *guest;
	uint16_t guest_port;
	const char *err; /* a word the error must contain */
} fwd_cases[] = {
	{"tcp:127.0.0.1:8080-:80", 0, false, "127.0.0.1", 8080, "10.0.2.15",
	 80},
	{"udp::5353-10.0.2.15:53", 0, true, "0.0.0.0", 5353, "10.0.2.15", 53},
	{":127.0.0.1:2222-:22", 0, false, "127.0.0.1", 2222, "10.0.2.15", 22},
	{"::1-:65535", 0, false, "0.0.0.0", 1, "10.0.2.15", 65535},
	{"tcp:0.0.0.0:65535-10.0.2.16:1", 0, false, "0.0.0.0", 65535,
	 "10.0.2.16", 1},
	{"", -1, .err = "empty"},
	{"tcp:127.0.0.1:8080:80", -1, .err = "'-'"},
	{"tcp:127.0.0.1:8080--:80", -1, .err = "'-'"},
	{"tcp:127.0.0.1:8080-:80-:81", -1, .err = "'-'"},
	{"tcp:127.0.0.1:0-:80", -1, .err = "port"},
	{"tcp:127.0.0.1:8080-:0", -1, .err = "port"},
	{"tcp:127.0.0.1:70000-:80", -1, .err = "port"},
	{"tcp:127.0.0.1:8080-:123456", -1, .err = "port"},
	{"tcp:127.0.0.1:-1-:80", -1, .err = "'-'"},
	{"tcp:127.0.0.1:+80-:80", -1, .err = "port"},
	{"tcp:127.0.0.1:80x-:80", -1, .err = "port"},
	{"tcp:127.0.0.1:-:80", -1, .err = "port"},
	{"tcp:127.0.0.256:8080-:80", -1, .err = "address"},
	{"tcp:localhost:8080-:80", -1, .err = "address"},
	{"tcp:::1:8080-:80", -1, .err = "[ADDR]:PORT"},
	{"tcp:127.0.0.1:8080-10.0.2:80", -1, .err = "address"},
	{"sctp:127.0.0.1:8080-:80", -1, .err = "protocol"},
	{"TCP:127.0.0.1:8080-:80", -1, .err = "protocol"},
	{"tcp", -1, .err = "expected"},
	{"tcp:8080-80", -1, .err = "[ADDR]:PORT"},
	{"tcp:127.0.0.1 :8080-:80", -1, .err = "address"},
};

START_TEST(test_parse_fwd)
{
	const struct fwd_case *c = &fwd_cases[_i];
	struct net_slirp_fwd f;
	char e[128] = "";

	memset(&f, 0xa5, sizeof(f));
	ck_assert_int_eq(net_slirp_parse_fwd(c->rule, &f, e, sizeof(e)),
			 c->ret);
	if (c->ret < 0) {
		ck_assert_msg(strstr(e, c->err), "'%s': error '%s' lacks '%s'",
			      c->rule, e, c->err);
		ck_assert_ptr_null(strchr(e, '\n'));
		ck_assert_ptr_nonnull(strstr(e, "hostfwd"));
		return;
	}
	ck_assert_int_eq(f.udp, c->udp);
	ck_assert_uint_eq(f.host_addr.s_addr, ip4(c->host));
	ck_assert_uint_eq(f.host_port, c->host_port);
	ck_assert_uint_eq(f.guest_addr.s_addr, ip4(c->guest));
	ck_assert_uint_eq(f.guest_port, c->guest_port);
}
END_TEST

START_TEST(test_parse_fwd_long)
{
	char rule[512], e[64];
	struct net_slirp_fwd f;

	memset(rule, '1', sizeof(rule) - 1);
	rule[sizeof(rule) - 1] = '\0';
	ck_assert_int_eq(net_slirp_parse_fwd(rule, &f, e, sizeof(e)), -1);
	ck_assert_int_eq(net_slirp_parse_fwd(NULL, &f, e, sizeof(e)), -1);
	/* A short error buffer truncates, never overflows. */
	ck_assert_int_eq(net_slirp_parse_fwd("x", &f, e, 8), -1);
	ck_assert_uint_le(strlen(e), 7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_slirp");
	TCase *tc = tcase_create("backend");
	TCase *tp = tcase_create("parser");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_dhcp_offer);
	tcase_add_test(tc, test_arp_reply);
	tcase_add_test(tc, test_rx_fd_level);
	tcase_add_test(tc, test_recv_iov);
	tcase_add_test(tc, test_send_iov);
	tcase_add_test(tc, test_ipv6_router_advert);
	tcase_add_test(tc, test_hostfwd_inbound);
	tcase_add_test(tc, test_guest_to_host_loopback);
	tcase_add_test(tc, test_udp_round_trip);
	tcase_add_test(tc, test_hostfwd_port_taken);
	tcase_add_test(tc, test_queue_bounded);
	tcase_add_test(tc, test_queue_bounded_bytes);
	tcase_add_test(tc, test_destroy_busy);
	tcase_add_test(tc, test_glib_log_routed);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tp, test_parse_fwd, 0,
			    sizeof(fwd_cases) / sizeof(fwd_cases[0]));
	tcase_add_test(tp, test_parse_fwd_long);
	suite_add_tcase(s, tp);
	return test_run_suite(s);
}
