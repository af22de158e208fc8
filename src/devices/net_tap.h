/* net_tap: an existing TAP interface as a net_backend.
 *
 * Opens /dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR (and
 * IFF_MULTI_QUEUE for more than one queue pair), sets the virtio-net
 * header size (TUNSETVNETHDRSZ, 12 bytes) so frames pass with their
 * checksum and GSO header untouched, and TUNSETOFFLOAD as the guest's
 * receive offloads say. The interface must exist (ip tuntap add); vmm never
 * creates one. Depends on the Linux tun driver only.
 */
#ifndef VMM_DEVICES_NET_TAP_H
#define VMM_DEVICES_NET_TAP_H

#include <stddef.h>

#include "net_backend.h"

/* Attaches `queues` (1..8) queues of interface ifname. Returns 0 and *out,
 * or -errno with one line in err: "tap NAME: no such interface" (ENODEV),
 * "tap NAME: permission denied (needs CAP_NET_ADMIN or ownership)"
 * (EPERM), "tap NAME: not a multi-queue TAP" (EINVAL), ... */
int net_tap_create(const char *ifname, unsigned int queues,
		   struct net_backend **out, char *err, size_t err_len);

#endif
