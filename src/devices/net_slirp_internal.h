/* net_slirp_internal: the slirp backend's limits, counters and hostfwd
 * binding, shared by net_slirp.c, net_slirp_fwd.c and their unit test
 * only (nothing else includes it).
 */
#ifndef VMM_DEVICES_NET_SLIRP_INTERNAL_H
#define VMM_DEVICES_NET_SLIRP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "net_backend.h"
#include "net_slirp.h"

struct Slirp; /* libslirp.h */

/* Frames libslirp emits while the guest does not receive wait in a queue
 * of at most this many frames and bytes; beyond, they are dropped and
 * counted (TCP retransmits, as on a real congested link). */
#define NET_SLIRP_RXQ_MAX_FRAMES 512
#define NET_SLIRP_RXQ_MAX_BYTES	 (4u << 20)

/* Frames dropped because the queue was full, since create. */
uint64_t net_slirp_drops(struct net_backend *be);
/* What the queue holds now. */
void net_slirp_queue_stats(struct net_backend *be, unsigned int *frames,
			   size_t *bytes);

/* Binds every o->fwd[] on slirp (net_slirp_fwd.c). Returns 0, or -errno
 * and one line in err naming the rule and the reason. */
int net_slirp_add_fwds(struct Slirp *slirp, const struct net_slirp_options *o,
		       char *err, size_t err_len);

#endif
