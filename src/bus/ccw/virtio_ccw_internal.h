/* virtio_ccw_internal: the transport's state, shared by virtio_ccw.c
 * (setup, notifications) and virtio_ccw_cmd.c (channel commands).
 */
#ifndef VMM_BUS_CCW_VIRTIO_CCW_INTERNAL_H
#define VMM_BUS_CCW_VIRTIO_CCW_INTERNAL_H

#include <pthread.h>

#include "virtio_ccw.h"

/* How the driver wants to hear about used buffers (§4.3.2.6). */
enum virtio_ccw_ind {
	VIRTIO_CCW_IND_NONE,
	VIRTIO_CCW_IND_CLASSIC, /* SET_IND: a 64-bit word per device */
	VIRTIO_CCW_IND_ADAPTER, /* SET_IND_ADAPTER: summary byte + bits */
};

struct virtio_ccw {
	struct css *css;
	struct virtio_dev *vd;
	uint32_t schid;
	unsigned int min_rev, max_rev;

	/* Serialises commands and kicks, the control calls virtio.h wants
	 * serialised per device. Guards revision. */
	pthread_mutex_t lock;
	int revision; /* -1: not set since the subchannel was enabled */

	/* The indicators, read by notifications from any queue thread.
	 * Never held while calling into the core or the CSS. */
	pthread_mutex_t ind_lock;
	enum virtio_ccw_ind mode;
	uint64_t ind_gpa;      /* classic word / adapter indicator area */
	uint64_t conf_ind_gpa; /* SET_CONF_IND word; 0: none */
	uint64_t summary_gpa;  /* adapter summary indicator byte */
	uint64_t bit_nr;       /* adapter: bit of queue 0 */
	uint8_t isc;	       /* adapter interruption subclass */
};

/* virtio_ccw_cmd.c: one virtio channel command; called with vc->lock. */
enum css_status virtio_ccw_command(struct virtio_ccw *vc, struct css_cmd *cmd);

/* Device reset: the core's, then the indicators are forgotten. */
void virtio_ccw_reset(struct virtio_ccw *vc);

#endif
