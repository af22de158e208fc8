/* virtio_ccw_cmd: the virtio channel commands, decoded into core calls.
 *
 * virtio 1.3 §4.3.2 (SET_VIRTIO_REV, READ_VQ_CONF, SET_VQ in both layouts,
 * WRITE_STATUS / READ_STATUS, READ_FEAT / WRITE_FEAT, READ_CONF /
 * WRITE_CONF, SET_IND, SET_CONF_IND, SET_IND_ADAPTER) and §4.3.3.3
 * (VDEV_RESET). Each handler checks the count (css_cmd_want*), reads its
 * payload once, and leaves every virtio rule to the core.
 */
#include "virtio_ccw_internal.h"

#include <endian.h>
#include <string.h>

#include "log.h"

static uint16_t be16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

/* Checks the count is exactly len, then reads the payload. */
static enum css_status take(struct css_cmd *cmd, void *buf, uint32_t len)
{
	enum css_status s = css_cmd_want(cmd, len);

	if (s != CSS_OK)
		return s;
	return css_cmd_read(cmd, 0, buf, len) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status give(struct css_cmd *cmd, uint32_t off, const void *buf,
			    uint32_t len)
{
	return css_cmd_write(cmd, off, buf, len) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status refuse(struct virtio_ccw *vc, const char *why)
{
	log_guest("virtio-ccw %s: %s: command reject", vc->vd->name, why);
	return CSS_REJECT;
}

/* ---- Revision (§4.3.2.1) ---- */

static enum css_status set_virtio_rev(struct virtio_ccw *vc,
				      struct css_cmd *cmd)
{
	uint8_t b[VIRTIO_CCW_REV_INFO_LEN];
	enum css_status s = take(cmd, b, sizeof(b));
	uint16_t rev, len;

	if (s != CSS_OK)
		return s;
	rev = be16_at(b);
	len = be16_at(b + 2);
	/* Once chosen, never again; no revision we know carries data. */
	if (vc->revision >= 0)
		return refuse(vc, "revision already set");
	if (rev < vc->min_rev || rev > vc->max_rev || len)
		return CSS_REJECT; /* the driver's cue to try lower */
	vc->revision = rev;
	return CSS_OK;
}

/* ---- Features (§4.3.2.4): le32 bits, u8 word index ---- */

static enum css_status read_feat(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	enum css_status s = css_cmd_want(cmd, VIRTIO_CCW_FEAT_LEN);
	uint32_t le;
	uint8_t idx;

	if (s != CSS_OK)
		return s;
	/* The index comes in the buffer the bits then go out in. */
	if (css_cmd_read(cmd, 4, &idx, 1))
		return CSS_PROG_CHECK;
	le = htole32(virtio_device_features(vc->vd, idx));
	return give(cmd, 0, &le, sizeof(le));
}

static enum css_status write_feat(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	uint8_t b[VIRTIO_CCW_FEAT_LEN];
	enum css_status s = take(cmd, b, sizeof(b));
	uint32_t le;

	if (s != CSS_OK)
		return s;
	memcpy(&le, b, sizeof(le));
	/* Unoffered bits are the core's to judge, at FEATURES_OK. */
	if (virtio_set_driver_features(vc->vd, b[4], le32toh(le)) < 0)
		return CSS_REJECT;
	return CSS_OK;
}

/* ---- Config space (§4.3.2.5): always from offset 0 ---- */

static uint32_t config_count(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	return cmd->count < vc->vd->config_len ? cmd->count
					       : vc->vd->config_len;
}

static enum css_status read_conf(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	enum css_status s = css_cmd_want_upto(cmd, vc->vd->config_len);
	uint8_t buf[VIRTIO_CCW_CONFIG_MAX];
	uint32_t n = config_count(vc, cmd);

	if (s != CSS_OK || !n)
		return s;
	virtio_config_read(vc->vd, 0, buf, n);
	return give(cmd, 0, buf, n);
}

/* The driver sends the whole config space up to the bytes it changed
 * (Linux: offset + length, from 0). Only bytes that differ from the
 * current ones go to the core, a run at a time, so unchanged read-only
 * fields pass; a refused run rejects the command (runs before it stay). */
static enum css_status write_conf(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	enum css_status s = css_cmd_want_upto(cmd, vc->vd->config_len);
	uint8_t new[VIRTIO_CCW_CONFIG_MAX], cur[VIRTIO_CCW_CONFIG_MAX];
	uint32_t n = config_count(vc, cmd), i = 0, run;

	if (s != CSS_OK || !n)
		return s;
	if (!vc->vd->ops->config_write)
		return refuse(vc, "config space is read-only");
	if (css_cmd_read(cmd, 0, new, n))
		return CSS_PROG_CHECK;
	virtio_config_read(vc->vd, 0, cur, n);
	while (i < n) {
		if (new[i] == cur[i]) {
			i++;
			continue;
		}
		for (run = 1; i + run < n && new[i + run] != cur[i + run];)
			run++;
		if (virtio_config_write(vc->vd, i, new + i, run) < 0)
			return CSS_REJECT;
		i += run;
	}
	return CSS_OK;
}

/* ---- Status (§4.3.2.3) and reset (§4.3.3.3) ---- */

static enum css_status write_status(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	uint8_t status;
	enum css_status s = take(cmd, &status, 1);

	if (s != CSS_OK)
		return s;
	if (!status) {
		virtio_ccw_reset(vc);
		return CSS_OK;
	}
	/* A status the core would not take leaves it unchanged: "the device
	 * MUST post a unit check with command reject". */
	return virtio_set_status(vc->vd, status) < 0 ? CSS_REJECT : CSS_OK;
}

static enum css_status read_status(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	enum css_status s = css_cmd_want(cmd, 1);
	uint8_t status = virtio_get_status(vc->vd);

	return s != CSS_OK ? s : give(cmd, 0, &status, 1);
}

static enum css_status vdev_reset(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	enum css_status s = css_cmd_want(cmd, 0);

	if (s == CSS_OK)
		virtio_ccw_reset(vc);
	return s;
}

/* ---- Queues (§4.3.2.2) ---- */

static enum css_status read_vq_conf(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	uint8_t b[VIRTIO_CCW_VQ_CONFIG_LEN];
	enum css_status s = take(cmd, b, sizeof(b));
	uint16_t max;

	if (s != CSS_OK)
		return s;
	/* A queue that does not exist has max_num 0. */
	max = htobe16(virtio_queue_max_size(vc->vd, be16_at(b)));
	return give(cmd, 2, &max, sizeof(max));
}

struct vq_info {
	uint16_t index, num;
	uint64_t desc, driver, device;
};

/* The three areas of a num-entry ring must be guest RAM now, so that a
 * bad SET_VQ fails where the driver can see it; the core checks them
 * again (with alignment) when the queue goes live. */
static bool rings_in_ram(struct virtio_ccw *vc, const struct vq_info *q,
			 bool packed)
{
	const struct gmem *mem = vc->vd->mem;
	size_t n = q->num;

	if (packed)
		return gmem_ptr(mem, q->desc, 16 * n) &&
		       gmem_ptr(mem, q->driver, 4) &&
		       gmem_ptr(mem, q->device, 4);
	return gmem_ptr(mem, q->desc, 16 * n) &&
	       gmem_ptr(mem, q->driver, 6 + 2 * n) &&
	       gmem_ptr(mem, q->device, 6 + 8 * n);
}

/* Before FEATURES_OK no ring format is agreed: a split ring is assumed. */
static enum css_status apply_vq(struct virtio_ccw *vc, const struct vq_info *q)
{
	struct virtio_dev *vd = vc->vd;
	bool packed = virtio_has_feature(vd, VIRTIO_F_RING_PACKED);
	uint16_t max = virtio_queue_max_size(vd, q->index);

	if (!max)
		return refuse(vc, "SET_VQ for a queue that does not exist");
	/* desc 0: the driver lets go of the queue (Linux del_vq). */
	if (!q->desc) {
		if (virtio_queue_enabled(vd, q->index))
			return refuse(vc, "SET_VQ 0 on an enabled queue");
		for (int a = VIRTIO_QUEUE_DESC; a <= VIRTIO_QUEUE_DEVICE; a++)
			virtio_queue_set_addr(vd, q->index, a, 0);
		return CSS_OK;
	}
	if (!q->num || q->num > max || (!packed && (q->num & (q->num - 1))))
		return refuse(vc, "SET_VQ with a bad size");
	if (!rings_in_ram(vc, q, packed))
		return refuse(vc, "SET_VQ with rings outside guest RAM");
	if (virtio_queue_set_size(vd, q->index, q->num) < 0 ||
	    virtio_queue_set_addr(vd, q->index, VIRTIO_QUEUE_DESC, q->desc) ||
	    virtio_queue_set_addr(vd, q->index, VIRTIO_QUEUE_DRIVER,
				  q->driver) ||
	    virtio_queue_set_addr(vd, q->index, VIRTIO_QUEUE_DEVICE,
				  q->device) ||
	    virtio_queue_enable(vd, q->index) < 0)
		return CSS_REJECT;
	return CSS_OK;
}

/* Revision 0: one address and an alignment; the rings follow the legacy
 * layout (§2.7 "Legacy Interfaces: A Note on Virtqueue Layout"): the
 * descriptor table, the available ring right after it, the used ring at
 * the next multiple of align. Split rings only. */
static bool legacy_layout(struct vq_info *q, uint32_t align)
{
	uint64_t n = q->num, avail_end;

	if (align < 4 || (align & (align - 1)))
		return false;
	/* The whole layout must not wrap around. */
	if (q->desc > UINT64_MAX - (26 * n + 12 + align))
		return false;
	avail_end = q->desc + 16 * n + 6 + 2 * n;
	q->driver = q->desc + 16 * n;
	q->device = (avail_end + align - 1) & ~(uint64_t)(align - 1);
	return true;
}

static enum css_status set_vq(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	uint8_t b[VIRTIO_CCW_VQ_INFO_LEN];
	uint32_t len = vc->revision ? VIRTIO_CCW_VQ_INFO_LEN
				    : VIRTIO_CCW_VQ_INFO_LEGACY_LEN;
	enum css_status s = take(cmd, b, len);
	struct vq_info q;

	if (s != CSS_OK)
		return s;
	q = (struct vq_info){.desc = be64_at(b),
			     .index = be16_at(b + 12),
			     .num = be16_at(b + 14)};
	if (vc->revision) {
		q.driver = be64_at(b + 16);
		q.device = be64_at(b + 24);
	} else if (q.desc &&
		   (virtio_has_feature(vc->vd, VIRTIO_F_RING_PACKED) ||
		    !legacy_layout(&q, be32_at(b + 8)))) {
		return refuse(vc, "legacy SET_VQ that cannot be laid out");
	}
	return apply_vq(vc, &q);
}

/* ---- Indicators (§4.3.2.6) ---- */

/* An indicator area: 0 (none), or naturally aligned guest RAM. */
static bool ind_ok(struct virtio_ccw *vc, uint64_t gpa, size_t len,
		   uint64_t align)
{
	return !gpa ||
	       (!(gpa & (align - 1)) && gmem_ptr(vc->vd->mem, gpa, len));
}

static enum css_status set_ind(struct virtio_ccw *vc, struct css_cmd *cmd,
			       bool config)
{
	uint8_t b[VIRTIO_CCW_IND_LEN];
	enum css_status s = take(cmd, b, sizeof(b));
	uint64_t gpa = be64_at(b);

	if (s != CSS_OK)
		return s;
	if (!ind_ok(vc, gpa, 8, 8))
		return refuse(vc, "indicators outside guest RAM");
	pthread_mutex_lock(&vc->ind_lock);
	if (config) {
		vc->conf_ind_gpa = gpa;
	} else if (vc->mode == VIRTIO_CCW_IND_ADAPTER ||
		   vc->vd->num_queues > 64) {
		s = CSS_REJECT; /* §4.3.2.6.1; 64 bits for 64 queues */
	} else {
		vc->mode = VIRTIO_CCW_IND_CLASSIC;
		vc->ind_gpa = gpa;
	}
	pthread_mutex_unlock(&vc->ind_lock);
	return s;
}

/* The queue bits [bit_nr, bit_nr + num_queues) of the area at ind. */
static bool adapter_bits_ok(struct virtio_ccw *vc, uint64_t ind,
			    uint64_t bit_nr)
{
	uint64_t last = bit_nr + vc->vd->num_queues - 1;

	if (!ind)
		return true;
	if (bit_nr > UINT64_MAX - vc->vd->num_queues ||
	    ind > UINT64_MAX - last / 8)
		return false;
	return gmem_ptr(vc->vd->mem, ind + bit_nr / 8,
			last / 8 - bit_nr / 8 + 1) != NULL;
}

static enum css_status set_ind_adapter(struct virtio_ccw *vc,
				       struct css_cmd *cmd)
{
	uint8_t b[VIRTIO_CCW_THININT_LEN];
	enum css_status s = take(cmd, b, sizeof(b));
	uint64_t summary = be64_at(b), ind = be64_at(b + 8);
	uint64_t bit_nr = be64_at(b + 16);

	if (s != CSS_OK)
		return s;
	if (b[24] >= CSS_NR_ISC || (ind && !summary) ||
	    !ind_ok(vc, summary, 1, 1) || !adapter_bits_ok(vc, ind, bit_nr))
		return refuse(vc, "adapter indicators outside guest RAM");
	pthread_mutex_lock(&vc->ind_lock);
	if (vc->mode == VIRTIO_CCW_IND_CLASSIC) {
		s = CSS_REJECT; /* §4.3.2.6.3 */
	} else {
		vc->mode = VIRTIO_CCW_IND_ADAPTER;
		vc->summary_gpa = summary;
		vc->ind_gpa = ind;
		vc->bit_nr = bit_nr;
		vc->isc = b[24];
	}
	pthread_mutex_unlock(&vc->ind_lock);
	return s;
}

enum css_status virtio_ccw_command(struct virtio_ccw *vc, struct css_cmd *cmd)
{
	switch (cmd->code) {
	case CCW_CMD_SET_VIRTIO_REV:
		return set_virtio_rev(vc, cmd);
	case CCW_CMD_READ_FEAT:
		return read_feat(vc, cmd);
	case CCW_CMD_WRITE_FEAT:
		return write_feat(vc, cmd);
	case CCW_CMD_READ_CONF:
		return read_conf(vc, cmd);
	case CCW_CMD_WRITE_CONF:
		return write_conf(vc, cmd);
	case CCW_CMD_WRITE_STATUS:
		return write_status(vc, cmd);
	case CCW_CMD_READ_STATUS:
		return read_status(vc, cmd);
	case CCW_CMD_VDEV_RESET:
		return vdev_reset(vc, cmd);
	case CCW_CMD_READ_VQ_CONF:
		return read_vq_conf(vc, cmd);
	case CCW_CMD_SET_VQ:
		return set_vq(vc, cmd);
	case CCW_CMD_SET_IND:
		return set_ind(vc, cmd, false);
	case CCW_CMD_SET_CONF_IND:
		return set_ind(vc, cmd, true);
	case CCW_CMD_SET_IND_ADAPTER:
		return set_ind_adapter(vc, cmd);
	default:
		return CSS_REJECT;
	}
}
