/* virtio_ccw: setup, notifications both ways, revision gating (see
 * virtio_ccw.h).
 *
 * virtio 1.3 §4.3.1 (the proxy control unit), §4.3.2.1 (revisions),
 * §4.3.3.1 (host->guest: classic and adapter indicators), §4.3.3.2
 * (guest->host: diagnose 0x500). The commands themselves are decoded in
 * virtio_ccw_cmd.c.
 */
#include "virtio_ccw_internal.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

/* ---- The control unit, as the channel subsystem sees it ---- */

static bool known_command(uint8_t code)
{
	switch (code) {
	case CCW_CMD_SET_VQ:
	case CCW_CMD_VDEV_RESET:
	case CCW_CMD_SET_IND:
	case CCW_CMD_SET_CONF_IND:
	case CCW_CMD_SET_IND_ADAPTER:
	case CCW_CMD_READ_FEAT:
	case CCW_CMD_WRITE_FEAT:
	case CCW_CMD_READ_CONF:
	case CCW_CMD_WRITE_CONF:
	case CCW_CMD_WRITE_STATUS:
	case CCW_CMD_READ_VQ_CONF:
	case CCW_CMD_SET_VIRTIO_REV:
	case CCW_CMD_READ_STATUS:
		return true;
	default:
		return false;
	}
}

/* §4.3.2.1: a command before SET_VIRTIO_REV comes from a legacy driver.
 * A transitional device carries on at revision 0 (and then refuses
 * SET_VIRTIO_REV); a non-transitional one refuses the command. Commands a
 * revision lacks are refused too. */
static bool revision_allows(struct virtio_ccw *vc, uint8_t code)
{
	if (code == CCW_CMD_SET_VIRTIO_REV)
		return true;
	if (vc->revision < 0) {
		if (vc->min_rev > 0)
			return false;
		vc->revision = 0;
	}
	return code != CCW_CMD_READ_STATUS || vc->revision >= 2;
}

static enum css_status command(void *priv, struct css_cmd *cmd)
{
	struct virtio_ccw *vc = priv;
	enum css_status s = CSS_REJECT;

	/* Unknown commands: unit check, command reject (§4.3.1.1). */
	if (!known_command(cmd->code))
		return CSS_REJECT;
	pthread_mutex_lock(&vc->lock);
	if (revision_allows(vc, cmd->code))
		s = virtio_ccw_command(vc, cmd);
	pthread_mutex_unlock(&vc->lock);
	return s;
}

static void enabled(void *priv)
{
	struct virtio_ccw *vc = priv;

	/* §4.3.2.1: the revision is unset from enabling on. */
	pthread_mutex_lock(&vc->lock);
	vc->revision = -1;
	pthread_mutex_unlock(&vc->lock);
}

static const struct css_dev_ops virtio_ccw_css_ops = {
	.command = command,
	.enabled = enabled,
};

/* ---- Host -> guest: indicators and interruptions (§4.3.3.1) ---- */

/* Sets bits in one guest byte, atomically: the driver clears them with
 * atomic exchanges while we set them. The addresses were checked when the
 * driver registered them. */
static uint8_t or_byte(const struct gmem *mem, uint64_t gpa, uint8_t bits)
{
	uint8_t *p = gmem_ptr(mem, gpa, 1);

	return p ? __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST) : 0;
}

/* Classic indicators are a big-endian doubleword per device: bit i (value
 * 1 << i) lives in byte 7 - i / 8. */
static void set_classic_bit(struct virtio_ccw *vc, uint64_t word, unsigned i)
{
	or_byte(vc->vd->mem, word + 7 - i / 8, (uint8_t)(1u << (i % 8)));
}

/* Adapter indicators number bits from the left: bit 0 is 0x80 of the first
 * byte. Returns true when the summary indicator was clear, so an adapter
 * interruption is due (the device SHOULD send one only then). The
 * summary store comes after the bit (both seq_cst), pairing with the
 * driver's clear-summary, barrier, rescan. */
static bool set_adapter_bit(struct virtio_ccw *vc, unsigned int q)
{
	uint64_t bit = vc->bit_nr + q;
	uint8_t *summary = gmem_ptr(vc->vd->mem, vc->summary_gpa, 1);

	or_byte(vc->vd->mem, vc->ind_gpa + bit / 8, (uint8_t)(0x80 >> bit % 8));
	return summary && !__atomic_exchange_n(summary, 1, __ATOMIC_SEQ_CST);
}

static void notify_used(struct virtio_dev *vd, struct virtq *vq)
{
	struct virtio_ccw *vc = vd->transport_priv;
	bool io = false, adapter = false;
	uint8_t isc = 0;

	pthread_mutex_lock(&vc->ind_lock);
	if (vc->mode == VIRTIO_CCW_IND_CLASSIC && vc->ind_gpa &&
	    vq->index < 64) {
		set_classic_bit(vc, vc->ind_gpa, vq->index);
		io = true;
	} else if (vc->mode == VIRTIO_CCW_IND_ADAPTER && vc->ind_gpa) {
		adapter = set_adapter_bit(vc, vq->index);
		isc = vc->isc;
	}
	pthread_mutex_unlock(&vc->ind_lock);
	/* "If an interrupt is not already pending for the subchannel, the
	 * device generates an unsolicited I/O interrupt." */
	if (io)
		css_io_interrupt(vc->css, vc->schid);
	if (adapter)
		css_adapter_interrupt(vc->css, isc);
}

/* Configuration changes always go through the classic path: bit 0 of the
 * configuration indicators and an I/O interruption. */
static void notify_config(struct virtio_dev *vd)
{
	struct virtio_ccw *vc = vd->transport_priv;
	bool io = false;

	pthread_mutex_lock(&vc->ind_lock);
	if (vc->conf_ind_gpa) {
		set_classic_bit(vc, vc->conf_ind_gpa, 0);
		io = true;
	}
	pthread_mutex_unlock(&vc->ind_lock);
	if (io)
		css_io_interrupt(vc->css, vc->schid);
}

static const struct virtio_transport virtio_ccw_transport = {
	.notify_used = notify_used,
	.notify_config = notify_config,
};

void virtio_ccw_reset(struct virtio_ccw *vc)
{
	/* The core stops every queue thread first: after this no
	 * notification can start, as §4.3.3.3 requires. */
	virtio_dev_reset(vc->vd);
	pthread_mutex_lock(&vc->ind_lock);
	vc->mode = VIRTIO_CCW_IND_NONE;
	vc->ind_gpa = vc->conf_ind_gpa = vc->summary_gpa = 0;
	vc->bit_nr = 0;
	vc->isc = 0;
	pthread_mutex_unlock(&vc->ind_lock);
}

/* ---- Guest -> host: diagnose 0x500 (§4.3.3.2) ---- */

int64_t virtio_ccw_notify(struct css *css, uint64_t schid, uint64_t data,
			  int64_t cookie)
{
	/* "The device MUST ignore bits 0-31 (counting from the left)." */
	uint32_t id = (uint32_t)schid;
	struct virtio_ccw *vc = css_priv(css, id, &virtio_ccw_css_ops);
	uint64_t max;
	int r;

	(void)cookie;
	if (!vc)
		return -EINVAL;
	pthread_mutex_lock(&vc->lock);
	/* Without NOTIFICATION_DATA the value is a queue index only. */
	max = virtio_has_feature(vc->vd, VIRTIO_F_NOTIFICATION_DATA)
		      ? UINT32_MAX
		      : UINT16_MAX;
	r = data > max ? -EINVAL
		       : virtio_queue_kick_data(vc->vd, (uint32_t)data);
	pthread_mutex_unlock(&vc->lock);
	if (r < 0)
		return r;
	return id & SCHID_NR_MASK;
}

/* ---- Setup ---- */

int virtio_ccw_add(struct css *css, struct virtio_dev *vd, uint16_t devno,
		   struct virtio_ccw **out)
{
	struct css_dev_id id = {.devno = devno,
				.cu_type = VIRTIO_CCW_CU_TYPE,
				.cu_model = (uint8_t)vd->ops->device_id};
	struct virtio_ccw *vc;
	int r;

	if (vd->config_len > VIRTIO_CCW_CONFIG_MAX)
		return -EINVAL;
	vc = calloc(1, sizeof(*vc));
	if (!vc)
		return -ENOMEM;
	vc->css = css;
	vc->vd = vd;
	vc->max_rev = VIRTIO_CCW_REV_MAX;
	vc->revision = -1;
	pthread_mutex_init(&vc->lock, NULL);
	pthread_mutex_init(&vc->ind_lock, NULL);
	r = css_add(css, &id, &virtio_ccw_css_ops, vc, &vc->schid);
	if (r < 0)
		goto out_free;
	virtio_dev_set_transport(vd, &virtio_ccw_transport, vc);
	*out = vc;
	return 0;
out_free:
	pthread_mutex_destroy(&vc->ind_lock);
	pthread_mutex_destroy(&vc->lock);
	free(vc);
	return r;
}

int virtio_ccw_set_revisions(struct virtio_ccw *vc, unsigned int min,
			     unsigned int max)
{
	if (min > max || max > VIRTIO_CCW_REV_MAX)
		return -EINVAL;
	pthread_mutex_lock(&vc->lock);
	vc->min_rev = min;
	vc->max_rev = max;
	pthread_mutex_unlock(&vc->lock);
	return 0;
}

uint32_t virtio_ccw_schid(const struct virtio_ccw *vc)
{
	return vc->schid;
}

int virtio_ccw_revision(struct virtio_ccw *vc)
{
	int rev;

	pthread_mutex_lock(&vc->lock);
	rev = vc->revision;
	pthread_mutex_unlock(&vc->lock);
	return rev;
}

void virtio_ccw_remove(struct virtio_ccw *vc)
{
	if (!vc)
		return;
	css_remove(vc->css, vc->schid);
	virtio_dev_set_transport(vc->vd, NULL, NULL);
	pthread_mutex_destroy(&vc->ind_lock);
	pthread_mutex_destroy(&vc->lock);
	free(vc);
}
