/* ccw_virtio: the guest's virtio-ccw driver, modelled on Linux's
 * drivers/s390/virtio/virtio_ccw.c, over ccw_drv.
 *
 * virtio 1.3 §4.3 from the driver's side: SET_VIRTIO_REV from the highest
 * revision down, features by 32-bit word, config space read and written
 * from offset 0, queues in the revision's SET_VQ layout, classic or
 * adapter (two-stage) indicators with the fallback Linux has, and
 * notifications through diagnose 0x500 with the host cookie. Interrupt
 * handling scans the indicators and calls back per queue / config change.
 */
#ifndef VMM_TEST_CCW_VIRTIO_H
#define VMM_TEST_CCW_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "ccw_drv.h"

#define CCW_VIRTIO_MAX_QUEUES 64

struct ccw_virtio {
	struct ccw_drv_dev *dev;
	int revision;	/* negotiated; -1 before */
	uint8_t status; /* what we last wrote (all a revision < 2 knows) */
	bool adapter;	/* queue indicators are adapter bits */
	uint64_t ind_gpa, conf_ind_gpa; /* classic doublewords */
	unsigned int nr_queues;		/* with indicators set up */
	int64_t cookie[CCW_VIRTIO_MAX_QUEUES];

	/* Called from the interrupt handler (any thread). */
	void (*on_used)(void *opaque, uint16_t queue);
	void (*on_config)(void *opaque);
	void *opaque;
};

/* Binds v to dev (cu type 0x3832, or -ENODEV) and allocates its
 * indicators in guest RAM. */
int ccw_virtio_init(struct ccw_virtio *v, struct ccw_drv_dev *dev);

/* SET_VIRTIO_REV from max down to 0, stopping at the first one the device
 * takes (Linux virtio_ccw_online). 0 and v->revision, or -EOPNOTSUPP. */
int ccw_virtio_set_revision(struct ccw_virtio *v, int max);

int ccw_virtio_read_feat(struct ccw_virtio *v, uint8_t idx, uint32_t *bits);
int ccw_virtio_write_feat(struct ccw_virtio *v, uint8_t idx, uint32_t bits);
/* [off, off + len) of config space: READ_CONF of off + len bytes; a write
 * reads them first and sends them back with its bytes changed. */
int ccw_virtio_read_conf(struct ccw_virtio *v, uint32_t off, void *buf,
			 uint32_t len);
int ccw_virtio_write_conf(struct ccw_virtio *v, uint32_t off, const void *buf,
			  uint32_t len);
int ccw_virtio_write_status(struct ccw_virtio *v, uint8_t status);
/* READ_STATUS from revision 2, else what we last wrote. */
int ccw_virtio_read_status(struct ccw_virtio *v, uint8_t *status);
int ccw_virtio_reset(struct ccw_virtio *v); /* VDEV_RESET */

int ccw_virtio_read_vq_conf(struct ccw_virtio *v, uint16_t idx, uint16_t *max);
/* SET_VQ in the revision's layout. Revision 0 sends one address and the
 * alignment its legacy layout needs: driver must follow the descriptors
 * and device sit at the next multiple of some power of 2 (-EINVAL if not).
 * desc 0 releases the queue, as Linux's del_vq does. */
int ccw_virtio_set_vq(struct ccw_virtio *v, uint16_t idx, uint16_t num,
		      uint64_t desc, uint64_t driver, uint64_t device);

/* Linux find_vqs, after the queues: SET_IND_ADAPTER if adapter (falling
 * back to SET_IND on command reject), else SET_IND; then SET_CONF_IND. */
int ccw_virtio_setup_indicators(struct ccw_virtio *v, bool adapter,
				unsigned int nr_queues);

/* Diagnose 0x500 for queue idx with notification value data, passing the
 * cookie the last one returned. Returns the new cookie (< 0: failed). */
int64_t ccw_virtio_notify(struct ccw_virtio *v, uint16_t idx, uint32_t data);

#endif
