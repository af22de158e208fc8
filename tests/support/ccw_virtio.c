/* ccw_virtio: the guest's virtio-ccw driver (see ccw_virtio.h).
 *
 * Step for step what Linux's virtio_ccw.c does (revision loop, get/set
 * config from offset 0, the two SET_VQ layouts, find_vqs' indicator setup
 * and its adapter fallback, the interrupt handler's indicator scan), with
 * the payloads encoded here from virtio 1.3 §4.3.2.
 */
#include "ccw_virtio.h"

#include <errno.h>
#include <string.h>

#include "virtio_ccw.h"

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static uint8_t *ram(struct ccw_virtio *v, uint64_t gpa, uint64_t len)
{
	return guest_ram_ptr(v->dev->drv->ram, gpa, len);
}

/* ---- Interrupt side (drv->irq_lock held) ---- */

/* A classic doubleword: byte o holds bits 8 * (7 - o) and up. Each byte is
 * taken with an atomic exchange, as the device sets bits atomically. */
static uint64_t take_word(struct ccw_virtio *v, uint64_t gpa)
{
	uint8_t *p = ram(v, gpa, 8);
	uint64_t bits = 0;

	for (unsigned int o = 0; o < 8; o++)
		bits |= (uint64_t)__atomic_exchange_n(p + o, 0,
						      __ATOMIC_SEQ_CST)
			<< (8 * (7 - o));
	return bits;
}

/* Linux virtio_ccw_int_handler: every I/O interruption, solicited or
 * not, is a chance to look at the indicators. */
static void io_irq(struct ccw_drv_dev *dev)
{
	struct ccw_virtio *v = dev->priv;
	uint64_t bits;

	if (!v->adapter && v->nr_queues) {
		bits = take_word(v, v->ind_gpa);
		for (unsigned int q = 0; q < 64; q++)
			if ((bits >> q & 1) && v->on_used)
				v->on_used(v->opaque, (uint16_t)q);
	}
	if ((take_word(v, v->conf_ind_gpa) & 1) && v->on_config)
		v->on_config(v->opaque);
}

/* Our bits in the shared adapter area, numbered from the left. */
static void adapter_irq(struct ccw_drv_dev *dev)
{
	struct ccw_virtio *v = dev->priv;
	struct ccw_drv *drv = dev->drv;

	for (unsigned int q = 0; q < v->nr_queues; q++) {
		uint64_t bit = dev->airq_first + q;
		uint8_t mask = (uint8_t)(0x80 >> (bit % 8));
		uint8_t *p =
			guest_ram_ptr(drv->ram, drv->airq_area + bit / 8, 1);

		if ((__atomic_fetch_and(p, (uint8_t)~mask, __ATOMIC_SEQ_CST) &
		     mask) &&
		    v->on_used)
			v->on_used(v->opaque, (uint16_t)q);
	}
}

int ccw_virtio_init(struct ccw_virtio *v, struct ccw_drv_dev *dev)
{
	memset(v, 0, sizeof(*v));
	if (dev->cu_type != VIRTIO_CCW_CU_TYPE)
		return -ENODEV;
	v->dev = dev;
	v->revision = -1;
	v->ind_gpa = guest_ram_alloc(dev->drv->ram, 8, 8);
	v->conf_ind_gpa = guest_ram_alloc(dev->drv->ram, 8, 8);
	pthread_mutex_lock(&dev->drv->irq_lock);
	dev->priv = v;
	dev->io_irq = io_irq;
	dev->adapter_irq = adapter_irq;
	pthread_mutex_unlock(&dev->drv->irq_lock);
	return 0;
}

/* ---- Commands ---- */

static int io(struct ccw_virtio *v, uint8_t cmd, uint8_t flags, void *buf,
	      uint16_t count)
{
	return ccw_drv_io(v->dev, cmd, flags, buf, count);
}

/* §4.3.2.1.1: a device that rejects even revision 0 is a legacy device,
 * which a transitional driver runs as revision 0. */
int ccw_virtio_set_revision(struct ccw_virtio *v, int max)
{
	for (int rev = max; rev >= 0; rev--) {
		uint8_t b[4] = {(uint8_t)(rev >> 8), (uint8_t)rev, 0, 0};
		int r = io(v, CCW_CMD_SET_VIRTIO_REV, 0, b, sizeof(b));

		if (r == 0 || (r == -EOPNOTSUPP && rev == 0)) {
			v->revision = rev;
			return 0;
		}
		if (r != -EOPNOTSUPP)
			return r;
	}
	return -EOPNOTSUPP;
}

int ccw_virtio_read_feat(struct ccw_virtio *v, uint8_t idx, uint32_t *bits)
{
	uint8_t b[5] = {0, 0, 0, 0, idx};
	int r = io(v, CCW_CMD_READ_FEAT, 0, b, sizeof(b));

	/* Feature words are little-endian (§4.3.2.4). */
	*bits = r ? 0
		  : (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 |
			       (uint32_t)b[3] << 24);
	return r;
}

int ccw_virtio_write_feat(struct ccw_virtio *v, uint8_t idx, uint32_t bits)
{
	uint8_t b[5] = {(uint8_t)bits, (uint8_t)(bits >> 8),
			(uint8_t)(bits >> 16), (uint8_t)(bits >> 24), idx};

	return io(v, CCW_CMD_WRITE_FEAT, 0, b, sizeof(b));
}

int ccw_virtio_read_conf(struct ccw_virtio *v, uint32_t off, void *buf,
			 uint32_t len)
{
	uint8_t b[CCW_DRV_DATA_LEN];
	int r;

	if (off > CCW_DRV_DATA_LEN || len > CCW_DRV_DATA_LEN - off)
		return -EINVAL;
	r = io(v, CCW_CMD_READ_CONF, 0, b, (uint16_t)(off + len));
	if (!r)
		memcpy(buf, b + off, len);
	return r;
}

int ccw_virtio_write_conf(struct ccw_virtio *v, uint32_t off, const void *buf,
			  uint32_t len)
{
	uint8_t b[CCW_DRV_DATA_LEN];
	int r;

	if (off > CCW_DRV_DATA_LEN || len > CCW_DRV_DATA_LEN - off)
		return -EINVAL;
	/* "Make sure we don't overwrite fields": read what precedes. */
	if (off) {
		r = io(v, CCW_CMD_READ_CONF, 0, b, (uint16_t)off);
		if (r)
			return r;
	}
	memcpy(b + off, buf, len);
	return io(v, CCW_CMD_WRITE_CONF, 0, b, (uint16_t)(off + len));
}

int ccw_virtio_write_status(struct ccw_virtio *v, uint8_t status)
{
	int r = io(v, CCW_CMD_WRITE_STATUS, 0, &status, 1);

	/* A rejected write leaves the status as it was (§4.3.2.3). */
	if (!r)
		v->status = status;
	return r;
}

int ccw_virtio_read_status(struct ccw_virtio *v, uint8_t *status)
{
	uint8_t s = v->status;
	int r = 0;

	if (v->revision >= 2)
		r = io(v, CCW_CMD_READ_STATUS, 0, &s, 1);
	*status = s;
	return r;
}

int ccw_virtio_reset(struct ccw_virtio *v)
{
	int r = io(v, CCW_CMD_VDEV_RESET, 0, NULL, 0);

	if (!r)
		v->status = 0;
	return r;
}

int ccw_virtio_read_vq_conf(struct ccw_virtio *v, uint16_t idx, uint16_t *max)
{
	uint8_t b[4];
	int r;

	put_be(b, idx, 2);
	put_be(b + 2, 0, 2);
	r = io(v, CCW_CMD_READ_VQ_CONF, 0, b, sizeof(b));
	*max = r ? 0 : (uint16_t)get_be(b + 2, 2);
	return r;
}

/* The smallest power-of-2 alignment under which device is where the
 * legacy layout puts the used ring; 0 if there is none. */
static uint32_t legacy_align(uint16_t num, uint64_t desc, uint64_t driver,
			     uint64_t device)
{
	uint64_t avail_end = driver + 6 + 2ULL * num;

	if (driver != desc + 16ULL * num)
		return 0;
	for (uint32_t a = 4; a <= 65536; a <<= 1)
		if (((avail_end + a - 1) & ~(uint64_t)(a - 1)) == device)
			return a;
	return 0;
}

int ccw_virtio_set_vq(struct ccw_virtio *v, uint16_t idx, uint16_t num,
		      uint64_t desc, uint64_t driver, uint64_t device)
{
	uint8_t b[32] = {0};
	uint32_t align;

	if (v->revision == 0) {
		/* vq_info_block_legacy: queue, align, index, num. */
		align = desc ? legacy_align(num, desc, driver, device) : 0;
		if (desc && !align)
			return -EINVAL;
		put_be(b, desc, 8);
		put_be(b + 8, align, 4);
		put_be(b + 12, idx, 2);
		put_be(b + 14, num, 2);
		return io(v, CCW_CMD_SET_VQ, 0, b, 16);
	}
	/* vq_info_block: desc, res0, index, num, driver, device. */
	put_be(b, desc, 8);
	put_be(b + 12, idx, 2);
	put_be(b + 14, num, 2);
	put_be(b + 16, driver, 8);
	put_be(b + 24, device, 8);
	return io(v, CCW_CMD_SET_VQ, 0, b, 32);
}

static int set_adapter(struct ccw_virtio *v, unsigned int nr_queues)
{
	struct ccw_drv_dev *dev = v->dev;
	struct ccw_drv *drv = dev->drv;
	uint8_t b[25];
	int first = (int)dev->airq_first;

	/* Keep the bits of an earlier probe if they are enough. */
	if (dev->airq_bits < nr_queues)
		first = ccw_drv_airq_alloc(drv, nr_queues);
	if (first < 0)
		return first;
	put_be(b, drv->airq_summary, 8);
	put_be(b + 8, drv->airq_area, 8);
	put_be(b + 16, (uint64_t)first, 8);
	b[24] = CCW_DRV_ISC;
	pthread_mutex_lock(&drv->irq_lock);
	dev->airq_first = (uint64_t)first;
	dev->airq_bits = nr_queues;
	pthread_mutex_unlock(&drv->irq_lock);
	/* Linux sends the thin-interrupt area with SLI. */
	return io(v, CCW_CMD_SET_IND_ADAPTER, 0x20, b, sizeof(b));
}

/* What the interrupt handler reads, changed under its lock. */
static void set_mode(struct ccw_virtio *v, bool adapter, unsigned int nr)
{
	pthread_mutex_lock(&v->dev->drv->irq_lock);
	v->adapter = adapter;
	v->nr_queues = nr;
	pthread_mutex_unlock(&v->dev->drv->irq_lock);
}

static int set_word(struct ccw_virtio *v, uint8_t cmd, uint64_t word)
{
	uint8_t b[8];

	put_be(b, word, 8);
	return io(v, cmd, 0, b, sizeof(b));
}

int ccw_virtio_setup_indicators(struct ccw_virtio *v, bool adapter,
				unsigned int nr_queues)
{
	int r = -EOPNOTSUPP;

	if (nr_queues > CCW_VIRTIO_MAX_QUEUES)
		return -EINVAL;
	set_mode(v, false, 0);
	memset(ram(v, v->ind_gpa, 8), 0, 8);
	memset(ram(v, v->conf_ind_gpa, 8), 0, 8);
	if (adapter)
		r = set_adapter(v, nr_queues);
	if (r) {
		/* No adapter interruptions: fall back to classic ones. */
		pthread_mutex_lock(&v->dev->drv->irq_lock);
		v->dev->airq_bits = 0;
		pthread_mutex_unlock(&v->dev->drv->irq_lock);
		r = set_word(v, CCW_CMD_SET_IND, v->ind_gpa);
		if (r)
			return r;
	}
	set_mode(v, adapter && v->dev->airq_bits, nr_queues);
	return set_word(v, CCW_CMD_SET_CONF_IND, v->conf_ind_gpa);
}

int64_t ccw_virtio_notify(struct ccw_virtio *v, uint16_t idx, uint32_t data)
{
	struct ccw_drv_dev *dev = v->dev;
	int64_t cookie = idx < CCW_VIRTIO_MAX_QUEUES ? v->cookie[idx] : 0;

	cookie = virtio_ccw_notify(dev->drv->css, dev->schid, data, cookie);
	if (idx < CCW_VIRTIO_MAX_QUEUES)
		v->cookie[idx] = cookie;
	return cookie;
}
