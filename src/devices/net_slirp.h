/* net_slirp: user-mode networking on libslirp, as a net_backend.
 *
 * The guest sees QEMU's usual layout: network 10.0.2.0/24, gateway and
 * host 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15, IPv6 fec0::/64. No
 * root needed. libslirp is not thread-safe: it runs on the backend's own
 * thread (its fds and timers), behind one lock. Depends on libslirp only.
 */
#ifndef VMM_DEVICES_NET_SLIRP_H
#define VMM_DEVICES_NET_SLIRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "net_backend.h"

#define NET_SLIRP_MAX_FWD 16

/* One host port forward:
 * hostfwd=PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
struct net_slirp_fwd {
	bool udp;
	struct in_addr host_addr; /* empty HOSTADDR: 0.0.0.0 */
	uint16_t host_port;
	struct in_addr guest_addr; /* empty GUESTADDR: 10.0.2.15 */
	uint16_t guest_port;
};

struct net_slirp_options {
	struct net_slirp_fwd fwd[NET_SLIRP_MAX_FWD];
	unsigned int nr_fwd;
	uint16_t mtu; /* interface MTU; 0: 1500 */
};

/* Parses the value of one hostfwd= field ("tcp:127.0.0.1:8080-:80",
 * "udp::5353-10.0.2.15:53"; the protocol defaults to tcp when the field
 * starts with ':'). Pure: opens nothing. Returns 0, or -1 with one line
 * saying what is wrong in err. */
int net_slirp_parse_fwd(const char *rule, struct net_slirp_fwd *out, char *err,
			size_t err_len);

/* Starts libslirp and its thread and binds every forward. Returns 0 and
 * *out, or -errno with a line in err (e.g. "hostfwd tcp:...: port 8080:
 * Address already in use"). */
int net_slirp_create(const struct net_slirp_options *o,
		     struct net_backend **out, char *err, size_t err_len);

#endif
