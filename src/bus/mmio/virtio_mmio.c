/* virtio_mmio: the register map of virtio-mmio (see virtio_mmio.h).
 *
 * virtio 1.3 §4.2.2 MMIO Device Register Layout (version 2) and §4.2.4
 * Legacy interface (version 1: GuestPageSize, QueueAlign, QueuePFN). Each
 * register access is decoded into one call of the core (virtio.h); every
 * range and state check lives there. Interrupts, kicks and construction
 * are in virtio_mmio_setup.c.
 */
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <string.h>

#include "log.h"
#include "virtio_mmio_internal.h"

/* --- Which registers exist, and which way (§4.2.2, §4.2.4 tables) --- */

enum reg_dir { REG_R = 1, REG_W = 2, REG_RW = 3 };
enum reg_version { V1 = 1 << 1, V2 = 1 << 2, V_ALL = V1 | V2 };

struct mmio_reg {
	uint16_t off;
	uint8_t dir, versions;
	const char *name;
};

static const struct mmio_reg regs[] = {
	{VIRTIO_MMIO_MAGIC_VALUE, REG_R, V_ALL, "MagicValue"},
	{VIRTIO_MMIO_VERSION, REG_R, V_ALL, "Version"},
	{VIRTIO_MMIO_DEVICE_ID, REG_R, V_ALL, "DeviceID"},
	{VIRTIO_MMIO_VENDOR_ID, REG_R, V_ALL, "VendorID"},
	{VIRTIO_MMIO_DEVICE_FEATURES, REG_R, V_ALL, "DeviceFeatures"},
	{VIRTIO_MMIO_DEVICE_FEATURES_SEL, REG_W, V_ALL, "DeviceFeaturesSel"},
	{VIRTIO_MMIO_DRIVER_FEATURES, REG_W, V_ALL, "DriverFeatures"},
	{VIRTIO_MMIO_DRIVER_FEATURES_SEL, REG_W, V_ALL, "DriverFeaturesSel"},
	{VIRTIO_MMIO_GUEST_PAGE_SIZE, REG_W, V1, "GuestPageSize"},
	{VIRTIO_MMIO_QUEUE_SEL, REG_W, V_ALL, "QueueSel"},
	{VIRTIO_MMIO_QUEUE_NUM_MAX, REG_R, V_ALL, "QueueNumMax"},
	{VIRTIO_MMIO_QUEUE_NUM, REG_W, V_ALL, "QueueNum"},
	{VIRTIO_MMIO_QUEUE_ALIGN, REG_W, V1, "QueueAlign"},
	{VIRTIO_MMIO_QUEUE_PFN, REG_RW, V1, "QueuePFN"},
	{VIRTIO_MMIO_QUEUE_READY, REG_RW, V2, "QueueReady"},
	{VIRTIO_MMIO_QUEUE_NOTIFY, REG_W, V_ALL, "QueueNotify"},
	{VIRTIO_MMIO_INTERRUPT_STATUS, REG_R, V_ALL, "InterruptStatus"},
	{VIRTIO_MMIO_INTERRUPT_ACK, REG_W, V_ALL, "InterruptACK"},
	{VIRTIO_MMIO_STATUS, REG_RW, V_ALL, "Status"},
	{VIRTIO_MMIO_QUEUE_DESC_LOW, REG_W, V2, "QueueDescLow"},
	{VIRTIO_MMIO_QUEUE_DESC_HIGH, REG_W, V2, "QueueDescHigh"},
	{VIRTIO_MMIO_QUEUE_AVAIL_LOW, REG_W, V2, "QueueDriverLow"},
	{VIRTIO_MMIO_QUEUE_AVAIL_HIGH, REG_W, V2, "QueueDriverHigh"},
	{VIRTIO_MMIO_QUEUE_USED_LOW, REG_W, V2, "QueueDeviceLow"},
	{VIRTIO_MMIO_QUEUE_USED_HIGH, REG_W, V2, "QueueDeviceHigh"},
	{VIRTIO_MMIO_SHM_SEL, REG_W, V2, "SHMSel"},
	{VIRTIO_MMIO_SHM_LEN_LOW, REG_R, V2, "SHMLenLow"},
	{VIRTIO_MMIO_SHM_LEN_HIGH, REG_R, V2, "SHMLenHigh"},
	{VIRTIO_MMIO_SHM_BASE_LOW, REG_R, V2, "SHMBaseLow"},
	{VIRTIO_MMIO_SHM_BASE_HIGH, REG_R, V2, "SHMBaseHigh"},
	{VIRTIO_MMIO_QUEUE_RESET, REG_RW, V2, "QueueReset"},
	{VIRTIO_MMIO_CONFIG_GENERATION, REG_R, V2, "ConfigGeneration"},
};

static const struct mmio_reg *find_reg(const struct virtio_mmio *vmio,
				       uint64_t off)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].off == off &&
		    (regs[i].versions & 1u << vmio->version))
			return &regs[i];
	return NULL;
}

/* --- Helpers --- */

static void put_le(void *data, uint64_t val, uint32_t len)
{
	uint8_t *p = data;

	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

static uint64_t get_le(const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint64_t val = 0;

	for (uint32_t i = 0; i < len; i++)
		val |= (uint64_t)p[i] << (8 * i);
	return val;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* The ring area and half (0 low, 1 high) a queue address register names. */
static enum virtio_queue_area addr_field(uint64_t off, unsigned int *half)
{
	*half = (off & 4) ? 1 : 0;
	if (off < VIRTIO_MMIO_QUEUE_AVAIL_LOW)
		return VIRTIO_QUEUE_DESC;
	if (off < VIRTIO_MMIO_QUEUE_USED_LOW)
		return VIRTIO_QUEUE_DRIVER;
	return VIRTIO_QUEUE_DEVICE;
}

static const struct virtio_mmio_shm *find_shm(const struct virtio_mmio *vmio,
					      uint32_t id)
{
	for (unsigned int i = 0; i < vmio->nr_shm; i++)
		if (vmio->shm[i].id == id)
			return &vmio->shm[i];
	return NULL;
}

/* §4.2.2: a region that does not exist has length -1 and base all-ones. */
static uint64_t shm_field(const struct virtio_mmio *vmio, bool base)
{
	const struct virtio_mmio_shm *s = find_shm(vmio, vmio->shm_sel);

	if (!s)
		return ~0ULL;
	return base ? s->gpa : s->len;
}

/* --- Reads --- */

/* Legacy QueuePFN: non-zero while the queue is in use (§4.2.4). */
static uint32_t legacy_pfn(struct virtio_mmio *vmio, uint16_t q)
{
	struct virtio_dev *vd = vmio->vd;

	if (!virtio_queue_enabled(vd, q))
		return 0;
	return (uint32_t)(virtio_queue_addr(vd, q, VIRTIO_QUEUE_DESC) /
			  vmio->guest_page_size);
}

static uint32_t reg_read(struct virtio_mmio *vmio, uint64_t off)
{
	struct virtio_dev *vd = vmio->vd;
	uint16_t q = vd->queue_sel;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return vmio->version;
	case VIRTIO_MMIO_DEVICE_ID:
		return vd->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_device_features(vd, vd->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return virtio_queue_max_size(vd, q); /* 0: no such queue */
	case VIRTIO_MMIO_QUEUE_PFN:
		return legacy_pfn(vmio, q);
	case VIRTIO_MMIO_QUEUE_READY:
		return virtio_queue_enabled(vd, q);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return virtio_mmio_isr(vmio);
	case VIRTIO_MMIO_STATUS:
		return virtio_get_status(vd);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return (uint32_t)(shm_field(vmio,
					    off >= VIRTIO_MMIO_SHM_BASE_LOW) >>
				  ((off & 4) ? 32 : 0));
	case VIRTIO_MMIO_QUEUE_RESET:
		return 0; /* virtio_queue_reset is synchronous: done */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return virtio_config_generation(vd);
	default:
		return 0;
	}
}

/* --- Writes --- */

/* QueueReady = 0 (or legacy QueuePFN = 0): "stop using the queue". The
 * core can take one live queue back only as a queue reset (§2.6.1), so
 * that needs VIRTIO_F_RING_RESET; a queue that is not enabled is done. */
static void stop_queue(struct virtio_mmio *vmio, uint16_t q)
{
	struct virtio_dev *vd = vmio->vd;

	if (!virtio_queue_enabled(vd, q))
		return;
	if (!virtio_has_feature(vd, VIRTIO_F_RING_RESET)) {
		log_guest("virtio-mmio %s: queue %u cannot be stopped without "
			  "VIRTIO_F_RING_RESET; reset the device instead",
			  vd->name, q);
		return;
	}
	virtio_queue_reset(vd, q);
}

static void set_addr_half(struct virtio_mmio *vmio, uint64_t off, uint32_t val)
{
	struct virtio_dev *vd = vmio->vd;
	uint16_t q = vd->queue_sel;
	unsigned int half;
	enum virtio_queue_area a = addr_field(off, &half);
	uint64_t addr = virtio_queue_addr(vd, q, a);

	addr &= half ? 0xffffffffULL : ~0xffffffffULL;
	addr |= (uint64_t)val << (32 * half);
	virtio_queue_set_addr(vd, q, a, addr);
}

/* Legacy QueuePFN (§4.2.4, §2.7.2 "Legacy Interfaces: A Note on Virtqueue
 * Layout"): one contiguous split ring at PFN * GuestPageSize, the
 * descriptor table, then the available ring (flags, idx, ring[num],
 * used_event), then the used ring at the next QueueAlign boundary. */
static void legacy_set_pfn(struct virtio_mmio *vmio, uint32_t pfn)
{
	struct virtio_dev *vd = vmio->vd;
	uint16_t q = vd->queue_sel;
	uint16_t num = virtio_queue_size(vd, q);
	uint64_t desc, avail, used, align;

	if (!pfn) {
		stop_queue(vmio, q);
		return;
	}
	if (!num || virtio_queue_enabled(vd, q)) {
		log_guest("virtio-mmio %s: QueuePFN for queue %u, which %s",
			  vd->name, q, num ? "is in use" : "does not exist");
		return;
	}
	align = vmio->queue_align[q];
	/* pfn < 2^32 and the page size < 2^32: no overflow below. */
	desc = (uint64_t)pfn * vmio->guest_page_size;
	avail = desc + 16ULL * num;
	used = (avail + 2ULL * (3 + num) + align - 1) & ~(align - 1);
	virtio_queue_set_addr(vd, q, VIRTIO_QUEUE_DESC, desc);
	virtio_queue_set_addr(vd, q, VIRTIO_QUEUE_DRIVER, avail);
	virtio_queue_set_addr(vd, q, VIRTIO_QUEUE_DEVICE, used);
	virtio_queue_enable(vd, q);
}

static void legacy_write(struct virtio_mmio *vmio, uint64_t off, uint32_t val)
{
	struct virtio_dev *vd = vmio->vd;
	uint16_t q = vd->queue_sel;

	switch (off) {
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		if (is_pow2(val))
			vmio->guest_page_size = val;
		else
			log_guest("virtio-mmio %s: GuestPageSize %#x refused",
				  vd->name, val);
		return;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (q < vd->num_queues && is_pow2(val) && val <= (1u << 16))
			vmio->queue_align[q] = val;
		else
			log_guest("virtio-mmio %s: QueueAlign %#x for queue %u "
				  "refused",
				  vd->name, val, q);
		return;
	case VIRTIO_MMIO_QUEUE_PFN:
		legacy_set_pfn(vmio, val);
		return;
	}
}

static void write_status(struct virtio_mmio *vmio, uint32_t val)
{
	if (val > 0xff) {
		log_guest("virtio-mmio %s: Status %#x has bits above 7",
			  vmio->vd->name, val);
		return;
	}
	virtio_set_status(vmio->vd, (uint8_t)val);
	if (!val)
		virtio_mmio_reset(vmio);
}

static void reg_write(struct virtio_mmio *vmio, uint64_t off, uint32_t val)
{
	struct virtio_dev *vd = vmio->vd;
	uint16_t q = vd->queue_sel;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vd->device_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (virtio_set_driver_features(vd, vd->driver_features_sel,
					       val) < 0)
			log_guest("virtio-mmio %s: DriverFeatures[%u] write "
				  "refused (status %#x)",
				  vd->name, vd->driver_features_sel,
				  virtio_get_status(vd));
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vd->driver_features_sel = val;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		/* Past 16 bits no queue exists; do not let it wrap to one. */
		vd->queue_sel = val > UINT16_MAX ? UINT16_MAX : (uint16_t)val;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
		virtio_queue_set_size(vd, q, val > UINT16_MAX ? 0 : val);
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		if (val == 1)
			virtio_queue_enable(vd, q);
		else if (val == 0)
			stop_queue(vmio, q);
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_mmio_kick(vmio, val);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		virtio_mmio_ack(vmio, val);
		return;
	case VIRTIO_MMIO_STATUS:
		write_status(vmio, val);
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_addr_half(vmio, off, val);
		return;
	case VIRTIO_MMIO_SHM_SEL:
		vmio->shm_sel = val;
		return;
	case VIRTIO_MMIO_QUEUE_RESET:
		if (val == 1)
			virtio_queue_reset(vd, q);
		return;
	default:
		legacy_write(vmio, off, val);
	}
}

/* --- Device configuration space at 0x100 (§4.2.2 "Config") --- */

/* 1, 2 and 4 bytes naturally aligned, as §4.2.2.2 lets drivers use; 8 as
 * well (a 64-bit field in one access: the core copies it atomically). */
static bool config_access_ok(struct virtio_mmio *vmio, uint64_t off,
			     uint32_t len, bool write)
{
	uint64_t coff = off - VIRTIO_MMIO_CONFIG;

	if ((len == 1 || len == 2 || len == 4 || len == 8) && !(off % len) &&
	    coff + len <= vmio->vd->config_len)
		return true;
	log_guest("virtio-mmio %s: config %s at %#llx len %u refused",
		  vmio->vd->name, write ? "write" : "read",
		  (unsigned long long)coff, len);
	return false;
}

/* --- The window as the vCPUs see it --- */

/* Control registers: only 32-bit aligned accesses (§4.2.2.2). */
static const struct mmio_reg *reg_access(struct virtio_mmio *vmio, uint64_t off,
					 uint32_t len, enum reg_dir dir)
{
	const struct mmio_reg *r = NULL;
	const char *why = NULL;

	if (len != 4 || off % 4)
		why = "not a 32-bit aligned access";
	else if (!(r = find_reg(vmio, off)))
		why = "reserved";
	else if (!(r->dir & dir))
		why = dir == REG_R ? "write-only" : "read-only";
	if (!why)
		return r;
	log_guest("virtio-mmio %s: %s %s at %#llx len %u: %s", vmio->vd->name,
		  dir == REG_R ? "read" : "write", r ? r->name : "register",
		  (unsigned long long)off, len, why);
	return NULL;
}

static void mmio_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct virtio_mmio *vmio = opaque;
	uint32_t val;

	memset(data, 0, len);
	if (off >= VIRTIO_MMIO_CONFIG) {
		/* Refused: data stays 0. */
		if (config_access_ok(vmio, off, len, false))
			virtio_config_read(vmio->vd,
					   (uint32_t)(off - VIRTIO_MMIO_CONFIG),
					   data, len);
		return;
	}
	if (!reg_access(vmio, off, len, REG_R))
		return;
	pthread_mutex_lock(&vmio->lock);
	val = reg_read(vmio, off);
	pthread_mutex_unlock(&vmio->lock);
	put_le(data, val, 4);
}

static void mmio_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct virtio_mmio *vmio = opaque;

	if (off >= VIRTIO_MMIO_CONFIG) {
		if (!config_access_ok(vmio, off, len, true))
			return;
		pthread_mutex_lock(&vmio->lock);
		virtio_config_write(vmio->vd,
				    (uint32_t)(off - VIRTIO_MMIO_CONFIG), data,
				    len);
		pthread_mutex_unlock(&vmio->lock);
		return;
	}
	if (!reg_access(vmio, off, len, REG_W))
		return;
	pthread_mutex_lock(&vmio->lock);
	reg_write(vmio, off, (uint32_t)get_le(data, 4));
	pthread_mutex_unlock(&vmio->lock);
}

const struct iobus_ops virtio_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};
