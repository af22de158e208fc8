/* virtio_pci: the virtio-pci modern transport (see virtio_pci.h).
 *
 * virtio 1.3 §4.1.3 (PCI device layout), §4.1.4 (virtio structure PCI
 * capabilities), §4.1.4.3 common configuration, §4.1.4.4 notification,
 * §4.1.4.5 ISR status, §4.1.4.9 PCI configuration access, §4.1.5.
 * Each register of the common configuration is decoded into one call of
 * the core (virtio.h); every range and state check lives there.
 */
#include "virtio_pci.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm.h"
#include "kvm_msi.h"
#include "log.h"

#define VIRTIO_PCI_VENDOR    0x1af4
#define VIRTIO_PCI_DEVICE(i) (0x1040 + (i))
#define VIRTIO_PCI_SUBSYS    0x1100
#define VIRTIO_PCI_REVISION  1
#define ISR_QUEUE                                                   \
	0x1 /* §4.1.4.5; the uapi header names only the config bit \
	     */

static uint32_t class_of(uint32_t device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return 0x020000; /* network controller */
	case VIRTIO_ID_BLOCK:
		return 0x010000; /* mass storage (SCSI), as QEMU */
	case VIRTIO_ID_CONSOLE:
		return 0x078000; /* communication controller, other */
	default:
		return 0xff0000; /* unassigned class */
	}
}

/* --- Common configuration (§4.1.4.3) --- */

/* Width of the field at off, 0 if none starts there. */
static uint32_t common_width(uint64_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		return 4;
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
		return 2;
	default:
		return 0;
	}
}

/* The ring area and half (0 low, 1 high) a queue address field names. */
static enum virtio_queue_area addr_field(uint64_t off, unsigned int *half)
{
	*half = (off - VIRTIO_PCI_COMMON_Q_DESCLO) / 4 % 2;
	if (off < VIRTIO_PCI_COMMON_Q_AVAILLO)
		return VIRTIO_QUEUE_DESC;
	if (off < VIRTIO_PCI_COMMON_Q_USEDLO)
		return VIRTIO_QUEUE_DRIVER;
	return VIRTIO_QUEUE_DEVICE;
}

static uint32_t common_read(struct virtio_pci *vp, uint64_t off)
{
	struct virtio_dev *vd = vp->vd;
	uint16_t q = vd->queue_sel;
	bool qok = q < vd->num_queues;
	unsigned int half;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return vd->device_features_sel;
	case VIRTIO_PCI_COMMON_DF:
		return virtio_device_features(vd, vd->device_features_sel);
	case VIRTIO_PCI_COMMON_GFSELECT:
		return vd->driver_features_sel;
	case VIRTIO_PCI_COMMON_GF:
		return virtio_driver_features(vd, vd->driver_features_sel);
	case VIRTIO_PCI_COMMON_MSIX:
		return vp->config_vector;
	case VIRTIO_PCI_COMMON_NUMQ:
		return vd->num_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		return virtio_get_status(vd);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return virtio_config_generation(vd) & 0xff;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return q;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return virtio_queue_size(vd, q); /* 0: no such queue */
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return qok ? vp->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return virtio_queue_enabled(vd, q);
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
		/* Queue q notifies at q * multiplier; without
		 * NOTIF_CONFIG_DATA the notify data is the index. */
		return qok ? q : 0;
	case VIRTIO_PCI_COMMON_Q_RESET:
		return 0; /* virtio_queue_reset is synchronous */
	default:
		if (off >= VIRTIO_PCI_COMMON_Q_DESCLO &&
		    off <= VIRTIO_PCI_COMMON_Q_USEDHI) {
			enum virtio_queue_area a = addr_field(off, &half);

			return (uint32_t)(virtio_queue_addr(vd, q, a) >>
					  (32 * half));
		}
		return 0;
	}
}

/* A vector the driver may use: MSI-X present and in range. Else the
 * device answers NO_VECTOR on read-back, which tells Linux to fall back. */
static uint16_t valid_vector(struct virtio_pci *vp, uint32_t vec)
{
	if (vp->has_msix && vec < vp->msix.nvec)
		return (uint16_t)vec;
	return VIRTIO_MSI_NO_VECTOR;
}

static void transport_reset(struct virtio_pci *vp)
{
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned int q = 0; q < vp->vd->num_queues; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	__atomic_store_n(&vp->isr, 0, __ATOMIC_RELEASE);
	pci_dev_set_intx(&vp->pci, false);
}

static void common_write(struct virtio_pci *vp, uint64_t off, uint32_t val)
{
	struct virtio_dev *vd = vp->vd;
	uint16_t q = vd->queue_sel;
	uint64_t addr;
	unsigned int half;
	enum virtio_queue_area a;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vd->device_features_sel = val;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vd->driver_features_sel = val;
		return;
	case VIRTIO_PCI_COMMON_GF:
		virtio_set_driver_features(vd, vd->driver_features_sel, val);
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		vp->config_vector = valid_vector(vp, val);
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		virtio_set_status(vd, (uint8_t)val);
		if (!val)
			transport_reset(vp);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vd->queue_sel = (uint16_t)val;
		return;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		virtio_queue_set_size(vd, q, (uint16_t)val);
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q < vd->num_queues)
			vp->queue_vector[q] = valid_vector(vp, val);
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* §4.1.4.3.2: the driver MUST NOT write 0. */
		if (val == 1)
			virtio_queue_enable(vd, q);
		return;
	case VIRTIO_PCI_COMMON_Q_RESET:
		if (val == 1)
			virtio_queue_reset(vd, q);
		return;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		a = addr_field(off, &half);
		addr = virtio_queue_addr(vd, q, a);
		addr &= half ? 0xffffffffULL : ~0xffffffffULL;
		addr |= (uint64_t)val << (32 * half);
		virtio_queue_set_addr(vd, q, a, addr);
		return;
	default: /* read-only: device_feature, num_queues, ... */
		log_guest("%s: write to read-only common config %#llx",
			  vd->name, (unsigned long long)off);
	}
}

/* --- BAR 0 --- */

static void bar0_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct virtio_pci *vp = opaque;
	uint32_t val = 0;

	memset(data, 0, len);
	if (off < VIRTIO_PCI_COMMON_LEN) {
		if (common_width(off) != len) {
			log_guest("%s: common config read off %#llx len %u",
				  vp->vd->name, (unsigned long long)off, len);
			return;
		}
		pthread_mutex_lock(&vp->lock);
		val = common_read(vp, off);
		pthread_mutex_unlock(&vp->lock);
		pci_put(data, val, len);
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		/* Reading ISR clears it and deasserts INTx (§4.1.4.5). */
		*(uint8_t *)data =
			__atomic_exchange_n(&vp->isr, 0, __ATOMIC_ACQ_REL);
		pci_dev_set_intx(&vp->pci, false);
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF &&
		   off < VIRTIO_PCI_DEVCFG_OFF + vp->vd->config_len) {
		/* Out of range: the core refuses and data stays 0. */
		virtio_config_read(vp->vd, off - VIRTIO_PCI_DEVCFG_OFF, data,
				   len);
	}
}

static void kick(struct virtio_pci *vp, uint16_t q, uint32_t data, uint32_t len)
{
	pthread_mutex_lock(&vp->lock);
	if (len == 4 && virtio_has_feature(vp->vd, VIRTIO_F_NOTIFICATION_DATA))
		virtio_queue_kick_data(vp->vd, (data & ~0xffffu) | q);
	else
		virtio_queue_kick(vp->vd, q);
	pthread_mutex_unlock(&vp->lock);
}

static void bar0_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct virtio_pci *vp = opaque;
	uint32_t val = len <= 4 ? pci_get(data, len) : 0;
	uint64_t noff = off - VIRTIO_PCI_NOTIFY_OFF;

	if (off < VIRTIO_PCI_COMMON_LEN) {
		if (common_width(off) != len) {
			log_guest("%s: common config write off %#llx len %u",
				  vp->vd->name, (unsigned long long)off, len);
			return;
		}
		pthread_mutex_lock(&vp->lock);
		common_write(vp, off, val);
		pthread_mutex_unlock(&vp->lock);
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF &&
		   off < VIRTIO_PCI_DEVCFG_OFF + vp->vd->config_len) {
		virtio_config_write(vp->vd, off - VIRTIO_PCI_DEVCFG_OFF, data,
				    len);
	} else if (off >= VIRTIO_PCI_NOTIFY_OFF &&
		   noff < (uint64_t)vp->vd->num_queues *
				   VIRTIO_PCI_NOTIFY_MULT &&
		   noff % VIRTIO_PCI_NOTIFY_MULT == 0 && len <= 4) {
		/* The exit path of a notification (no ioeventfd). */
		kick(vp, (uint16_t)(noff / VIRTIO_PCI_NOTIFY_MULT), val, len);
	}
}

static const struct iobus_ops bar0_ops = {.read = bar0_read,
					  .write = bar0_write};

/* --- BAR 1: MSI-X --- */

static void bar1_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct virtio_pci *vp = opaque;

	if (off >= VIRTIO_PCI_MSIX_PBA)
		pci_msix_pba_read(&vp->msix, off - VIRTIO_PCI_MSIX_PBA, data,
				  len);
	else
		pci_msix_table_read(&vp->msix, off, data, len);
}

static void bar1_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct virtio_pci *vp = opaque;

	if (off < VIRTIO_PCI_MSIX_PBA)
		pci_msix_table_write(&vp->msix, off, data, len);
}

static const struct iobus_ops bar1_ops = {.read = bar1_read,
					  .write = bar1_write};

/* --- Interrupts: what the core calls --- */

static void raise(struct virtio_pci *vp, uint16_t vec, uint8_t isr_bit)
{
	if (vp->has_msix && pci_msix_enabled(&vp->msix)) {
		if (vec != VIRTIO_MSI_NO_VECTOR)
			pci_msix_raise(&vp->msix, vec);
		return;
	}
	/* Pairs with the exchange in the ISR read: set the bit, then raise
	 * the line, so a reader that lowers it has seen the bit. */
	__atomic_fetch_or(&vp->isr, isr_bit, __ATOMIC_ACQ_REL);
	pci_dev_set_intx(&vp->pci, true);
}

static void notify_used(struct virtio_dev *vd, struct virtq *vq)
{
	struct virtio_pci *vp = vd->transport_priv;

	raise(vp,
	      __atomic_load_n(&vp->queue_vector[vq->index], __ATOMIC_RELAXED),
	      ISR_QUEUE);
}

static void notify_config(struct virtio_dev *vd)
{
	struct virtio_pci *vp = vd->transport_priv;

	raise(vp, __atomic_load_n(&vp->config_vector, __ATOMIC_RELAXED),
	      VIRTIO_PCI_ISR_CONFIG);
}

static const struct virtio_transport virtio_pci_transport = {
	.notify_used = notify_used,
	.notify_config = notify_config,
};

/* --- Config space hooks: MSI-X control and the PCI config access cap --- */

/* The BAR access the PCI_CFG capability currently describes, if valid
 * (§4.1.4.9: BAR 0, length 1, 2 or 4, offset aligned to length). */
static bool cfg_cap_access(struct virtio_pci *vp, uint32_t *off, uint32_t *len)
{
	const uint8_t *c = &vp->pci.cfg[vp->cfg_cap];

	*off = pci_get(&c[VIRTIO_PCI_CAP_OFFSET], 4);
	*len = pci_get(&c[VIRTIO_PCI_CAP_LENGTH], 4);
	return c[VIRTIO_PCI_CAP_BAR] == VIRTIO_PCI_BAR &&
	       (*len == 1 || *len == 2 || *len == 4) && !(*off % *len) &&
	       *off < VIRTIO_PCI_BAR_SIZE;
}

static bool touches(uint32_t off, uint32_t len, uint32_t start, uint32_t n)
{
	return off < start + n && off + len > start;
}

static void cfg_read_hook(struct pci_dev *d, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = d->priv;
	uint32_t data_off = vp->cfg_cap + 16, boff, blen;

	if (!touches(off, len, data_off, 4) ||
	    !cfg_cap_access(vp, &boff, &blen))
		return;
	bar0_read(vp, boff, &d->cfg[data_off], blen);
}

static void cfg_write_hook(struct pci_dev *d, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = d->priv;
	uint32_t data_off = vp->cfg_cap + 16, boff, blen;

	if (vp->has_msix)
		pci_msix_cfg_write(&vp->msix, off, len);
	if (touches(off, len, data_off, 4) && cfg_cap_access(vp, &boff, &blen))
		bar0_write(vp, boff, &d->cfg[data_off], blen);
}

static const struct pci_dev_ops virtio_pci_dev_ops = {
	.cfg_read = cfg_read_hook,
	.cfg_write = cfg_write_hook,
};

/* --- Construction --- */

static int add_vcap(struct virtio_pci *vp, uint8_t type, uint32_t off,
		    uint32_t len, uint32_t extra, uint8_t cap_len)
{
	uint8_t c[24] = {0};

	c[VIRTIO_PCI_CAP_LEN] = cap_len;
	c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	c[VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_BAR;
	pci_put(&c[VIRTIO_PCI_CAP_OFFSET], off, 4);
	pci_put(&c[VIRTIO_PCI_CAP_LENGTH], len, 4);
	pci_put(&c[16], extra, 4); /* notify_off_multiplier / cfg data */
	return pci_dev_add_cap(&vp->pci, PCI_CAP_ID_VNDR, &c[2], cap_len);
}

static int add_caps(struct virtio_pci *vp)
{
	struct virtio_dev *vd = vp->vd;
	int off, ret;

	ret = add_vcap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
		       VIRTIO_PCI_COMMON_LEN, 0, sizeof(struct virtio_pci_cap));
	if (ret >= 0)
		ret = add_vcap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG,
			       VIRTIO_PCI_NOTIFY_OFF,
			       vd->num_queues * VIRTIO_PCI_NOTIFY_MULT,
			       VIRTIO_PCI_NOTIFY_MULT,
			       sizeof(struct virtio_pci_notify_cap));
	if (ret >= 0)
		ret = add_vcap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF,
			       1, 0, sizeof(struct virtio_pci_cap));
	if (ret >= 0 && vd->config_len)
		ret = add_vcap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
			       VIRTIO_PCI_DEVCFG_OFF, vd->config_len, 0,
			       sizeof(struct virtio_pci_cap));
	if (ret < 0)
		return ret;
	off = add_vcap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0,
		       sizeof(struct virtio_pci_cfg_cap));
	if (off < 0)
		return off;
	/* The driver picks bar, offset and length, then accesses the data
	 * window; everything else of the capability is read-only. */
	vp->cfg_cap = (uint8_t)off;
	vp->pci.wmask[off + VIRTIO_PCI_CAP_BAR] = 0xff;
	memset(&vp->pci.wmask[off + VIRTIO_PCI_CAP_OFFSET], 0xff, 12);
	return 0;
}

static void kick_fired(void *opaque, uint32_t q)
{
	struct virtio_pci *vp = opaque;
	uint64_t cnt;

	if (read(vp->kick_efd[q], &cnt, sizeof(cnt)) > 0)
		kick(vp, (uint16_t)q, 0, 0);
}

static uint64_t notify_gpa(const struct virtio_pci *vp, unsigned int q)
{
	return vp->pci.bar[VIRTIO_PCI_BAR].gpa + VIRTIO_PCI_NOTIFY_OFF +
	       q * VIRTIO_PCI_NOTIFY_MULT;
}

static void stop_kicks(struct virtio_pci *vp)
{
	kvm_poller_destroy(&vp->poller);
	vp->ioeventfd = false;
	for (unsigned int q = 0; vp->kick_efd && q < vp->vd->num_queues; q++) {
		if (vp->kick_efd[q] < 0)
			continue;
		kvm_ioeventfd_del(vp->host->vm, notify_gpa(vp, q),
				  vp->kick_efd[q]);
		if (vp->kick_own[q])
			close(vp->kick_efd[q]);
	}
	free(vp->kick_efd);
	free(vp->kick_own);
	vp->kick_efd = NULL;
	vp->kick_own = NULL;
}

/* Binds one eventfd per queue to its notify address: the device's own
 * (virtio_queue_kick_fd) or one our poller thread turns into
 * virtio_queue_kick. Any failure (no KVM in unit tests, no any-length
 * ioeventfd) leaves kicks on the exit path. */
static int start_kicks(struct virtio_pci *vp)
{
	unsigned int nq = vp->vd->num_queues;

	vp->kick_efd = malloc(nq * sizeof(int));
	vp->kick_own = calloc(nq, sizeof(bool));
	/* Before any goto: stop_kicks reads them. */
	for (unsigned int q = 0; vp->kick_efd && q < nq; q++)
		vp->kick_efd[q] = -1;
	if (kvm_poller_init(&vp->poller, kick_fired, vp) < 0 || !vp->kick_efd ||
	    !vp->kick_own)
		goto out_fail;
	for (unsigned int q = 0; q < nq; q++) {
		int efd = virtio_queue_kick_fd(vp->vd, (uint16_t)q);
		bool own = efd < 0;

		if (own)
			efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0)
			goto out_fail;
		if (kvm_ioeventfd_add(vp->host->vm, notify_gpa(vp, q), efd) <
		    0) {
			if (own)
				close(efd);
			goto out_fail;
		}
		vp->kick_efd[q] = efd;
		vp->kick_own[q] = own;
		if (own && kvm_poller_add(&vp->poller, efd, q) < 0)
			goto out_fail;
	}
	if (kvm_poller_start(&vp->poller) < 0)
		goto out_fail;
	vp->ioeventfd = true;
	return 0;

out_fail:
	stop_kicks(vp);
	return -ENODEV;
}

int virtio_pci_add(struct pci_host *h, struct virtio_dev *vd,
		   struct virtio_pci **out)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	uint16_t nvec = vd->num_queues + 1;
	int ret, slot;

	if (!vp)
		return -ENOMEM;
	vp->vd = vd;
	vp->host = h;
	vp->queue_vector = calloc(vd->num_queues, sizeof(uint16_t));
	if (!vp->queue_vector) {
		ret = -ENOMEM;
		goto out_free;
	}
	pthread_mutex_init(&vp->lock, NULL);
	pci_dev_init(&vp->pci, vd->name, VIRTIO_PCI_VENDOR,
		     VIRTIO_PCI_DEVICE(vd->ops->device_id),
		     class_of(vd->ops->device_id), VIRTIO_PCI_REVISION);
	pci_dev_set_subsystem(&vp->pci, VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS);
	vp->pci.ops = &virtio_pci_dev_ops;
	vp->pci.priv = vp;
	ret = add_caps(vp);
	if (ret >= 0)
		ret = pci_dev_add_bar(&vp->pci, VIRTIO_PCI_BAR,
				      VIRTIO_PCI_BAR_SIZE, false, &bar0_ops,
				      vp);
	if (ret >= 0 && h->msi && nvec <= PCI_MSIX_MAX_VECTORS) {
		ret = pci_msix_init(&vp->msix, &vp->pci, h->msi, nvec,
				    VIRTIO_PCI_MSIX_BAR, VIRTIO_PCI_MSIX_TABLE,
				    VIRTIO_PCI_MSIX_PBA);
		if (ret >= 0)
			ret = pci_dev_add_bar(&vp->pci, VIRTIO_PCI_MSIX_BAR,
					      VIRTIO_PCI_MSIX_BAR_SIZE, false,
					      &bar1_ops, vp);
		vp->has_msix = ret >= 0;
	}
	if (ret < 0)
		goto out_msix;
	virtio_dev_set_transport(vd, &virtio_pci_transport, vp);
	transport_reset(vp);
	slot = pci_host_add(h, &vp->pci, true);
	if (slot < 0) {
		ret = slot;
		goto out_msix;
	}
	if (start_kicks(vp) == 0)
		vd->features_off |= 1ULL << VIRTIO_F_NOTIFICATION_DATA;
	*out = vp;
	return slot;

out_msix:
	if (vp->has_msix)
		pci_msix_destroy(&vp->msix);
	pthread_mutex_destroy(&vp->lock);
out_free:
	free(vp->queue_vector);
	free(vp);
	return ret;
}

void virtio_pci_remove(struct virtio_pci *vp)
{
	stop_kicks(vp);
	/* A device thread may still be finishing a request and about to
	 * interrupt through us. The reset stops every queue thread (the
	 * ops->reset contract in virtio.h); then nothing can reach vp. */
	pthread_mutex_lock(&vp->lock);
	virtio_dev_reset(vp->vd);
	virtio_dev_set_transport(vp->vd, NULL, NULL);
	pthread_mutex_unlock(&vp->lock);
	if (vp->has_msix)
		pci_msix_destroy(&vp->msix);
	pthread_mutex_destroy(&vp->lock);
	free(vp->queue_vector);
	free(vp);
}
