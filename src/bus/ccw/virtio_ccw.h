/* virtio_ccw: the virtio-ccw transport (virtio 1.3 §4.3) on the emulated
 * channel subsystem.
 *
 * A proxy control unit of type 0x3832 behind one subchannel: it decodes the
 * virtio channel commands into calls of the core (virtio.h), sets classic
 * or adapter indicator bits in guest memory for used-buffer and
 * configuration notifications, and takes available-buffer notifications
 * through the diagnose 0x500 hypercall, here a function. Depends on css.h,
 * src/virtio, src/kvm.
 */
#ifndef VMM_BUS_CCW_VIRTIO_CCW_H
#define VMM_BUS_CCW_VIRTIO_CCW_H

#include <stdint.h>

#include "css.h"
#include "virtio.h"

#define VIRTIO_CCW_CU_TYPE 0x3832 /* §4.3.1: model = virtio device id */
#define VIRTIO_CCW_REV_MAX 2
/* Config space a driver can reach: Linux's VIRTIO_CCW_CONFIG_SIZE. */
#define VIRTIO_CCW_CONFIG_MAX 256

/* The virtio channel commands (§4.3.1.2). */
#define CCW_CMD_SET_VQ		0x13
#define CCW_CMD_VDEV_RESET	0x33
#define CCW_CMD_SET_IND		0x43
#define CCW_CMD_SET_CONF_IND	0x53
#define CCW_CMD_SET_IND_ADAPTER 0x73
#define CCW_CMD_READ_FEAT	0x12
#define CCW_CMD_WRITE_FEAT	0x11
#define CCW_CMD_READ_CONF	0x22
#define CCW_CMD_WRITE_CONF	0x21
#define CCW_CMD_WRITE_STATUS	0x31
#define CCW_CMD_READ_VQ_CONF	0x32
#define CCW_CMD_SET_VIRTIO_REV	0x83
#define CCW_CMD_READ_STATUS	0x72

/* Payload sizes; every multi-byte field is big-endian (be16/be32/be64)
 * except the feature word, which is le32. */
#define VIRTIO_CCW_REV_INFO_LEN	      4 /* revision, length */
#define VIRTIO_CCW_FEAT_LEN	      5 /* le32 features, u8 index */
#define VIRTIO_CCW_VQ_CONFIG_LEN      4 /* index, max_num */
#define VIRTIO_CCW_VQ_INFO_LEN	      32 /* desc, res0, index, num, driver, device */
#define VIRTIO_CCW_VQ_INFO_LEGACY_LEN 16 /* queue, align, index, num */
#define VIRTIO_CCW_IND_LEN	      8	 /* be64 address of the indicators */
#define VIRTIO_CCW_THININT_LEN	      25 /* summary, indicator, bit_nr, isc */

struct virtio_ccw;

/* Puts vd (virtio_dev_init'ed, config set, config_len at most
 * VIRTIO_CCW_CONFIG_MAX) behind a new subchannel of css with device number
 * devno, and attaches itself as vd's transport. The device accepts
 * revisions 0 to VIRTIO_CCW_REV_MAX. Returns 0 and *out, or -EINVAL,
 * -ENOMEM, or css_add's error. The caller keeps vd. */
int virtio_ccw_add(struct css *css, struct virtio_dev *vd, uint16_t devno,
		   struct virtio_ccw **out);
/* Narrows the revisions accepted, before the driver starts. min > 0 makes
 * a non-transitional device: virtio commands before SET_VIRTIO_REV are
 * rejected instead of selecting revision 0 (§4.3.2.1.1). -EINVAL if
 * min > max or max > VIRTIO_CCW_REV_MAX. */
int virtio_ccw_set_revisions(struct virtio_ccw *vc, unsigned int min,
			     unsigned int max);
uint32_t virtio_ccw_schid(const struct virtio_ccw *vc);
/* The revision the driver selected; -1 while none is. */
int virtio_ccw_revision(struct virtio_ccw *vc);
/* Detaches from vd and removes the subchannel. The device must be reset
 * (no queue thread running) and no instruction in flight on it. */
void virtio_ccw_remove(struct virtio_ccw *vc);

/* DIAGNOSE 0x500, subcode 3 (§4.3.3.2): an available-buffer notification.
 * schid is general register 2 (its leftmost 32 bits ignored), data GPR 3
 * (the queue index, or with VIRTIO_F_NOTIFICATION_DATA the notification
 * value of §2.9), cookie GPR 4, the host cookie of the previous call: we
 * need none, since a subchannel lookup is one array index. Returns the
 * new host cookie (>= 0), or -EINVAL for a subchannel that is no
 * virtio-ccw device or a queue that does not exist. */
int64_t virtio_ccw_notify(struct css *css, uint64_t schid, uint64_t data,
			  int64_t cookie);

#endif
