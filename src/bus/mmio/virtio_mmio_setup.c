/* virtio_mmio_setup: interrupts, kicks and construction of a virtio-mmio
 * device (see virtio_mmio.h).
 *
 * virtio 1.3 §4.2.3.3 Available Buffer Notifications (QueueNotify, here on
 * KVM ioeventfds with datamatch when KVM has them) and §4.2.3.4
 * Notifications From The Device: one dedicated, level-triggered line that
 * is high while InterruptStatus is not 0 (kvm_irqfd.h: an irqfd with a
 * resample eventfd, or KVM_IRQ_LINE). Depends on src/virtio, src/kvm.
 */
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "kvm_msi.h"
#include "log.h"
#include "virtio_mmio_internal.h"

#define RESAMPLE_TOKEN 0x10000u /* above every queue index */
#define ISR_KNOWN      (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)

/* --- InterruptStatus and the line --- */

/* The line follows isr: raised when the first event arrives, lowered when
 * the driver acknowledged the last one. irq_lock keeps the two in step
 * against a queue thread raising while a vCPU acknowledges. */
static void raise_isr(struct virtio_mmio *vmio, uint32_t bit)
{
	pthread_mutex_lock(&vmio->irq_lock);
	if (!vmio->isr)
		kvm_irqfd_level_set(&vmio->irq, true);
	vmio->isr |= bit;
	pthread_mutex_unlock(&vmio->irq_lock);
}

uint32_t virtio_mmio_isr(struct virtio_mmio *vmio)
{
	uint32_t isr;

	pthread_mutex_lock(&vmio->irq_lock);
	isr = vmio->isr;
	pthread_mutex_unlock(&vmio->irq_lock);
	return isr;
}

void virtio_mmio_ack(struct virtio_mmio *vmio, uint32_t bits)
{
	if (bits & ~ISR_KNOWN)
		log_guest("virtio-mmio %s: InterruptACK %#x sets undefined "
			  "bits",
			  vmio->vd->name, bits);
	pthread_mutex_lock(&vmio->irq_lock);
	vmio->isr &= ~bits;
	if (!vmio->isr)
		kvm_irqfd_level_set(&vmio->irq, false);
	pthread_mutex_unlock(&vmio->irq_lock);
}

/* KVM lowered the line at the guest's EOI: raise it again if an event is
 * still (or newly) pending, so none is lost between ACK and EOI. */
static void resample(struct virtio_mmio *vmio)
{
	if (!kvm_irqfd_level_resampled(&vmio->irq))
		return;
	pthread_mutex_lock(&vmio->irq_lock);
	if (vmio->isr)
		kvm_irqfd_level_set(&vmio->irq, true);
	pthread_mutex_unlock(&vmio->irq_lock);
}

void virtio_mmio_reset(struct virtio_mmio *vmio)
{
	/* §4.2.2.1: a reset clears InterruptStatus. */
	pthread_mutex_lock(&vmio->irq_lock);
	vmio->isr = 0;
	kvm_irqfd_level_set(&vmio->irq, false);
	pthread_mutex_unlock(&vmio->irq_lock);
	vmio->shm_sel = 0;
	for (unsigned int q = 0; q < vmio->vd->num_queues; q++)
		vmio->queue_align[q] = VIRTIO_MMIO_LEGACY_ALIGN;
}

/* What the core calls (struct virtio_transport). */
static void notify_used(struct virtio_dev *vd, struct virtq *vq)
{
	raise_isr(vd->transport_priv, VIRTIO_MMIO_INT_VRING);
}

static void notify_config(struct virtio_dev *vd)
{
	raise_isr(vd->transport_priv, VIRTIO_MMIO_INT_CONFIG);
}

static const struct virtio_transport virtio_mmio_transport = {
	.notify_used = notify_used,
	.notify_config = notify_config,
};

/* --- Kicks --- */

/* A QueueNotify value (§4.2.3.3): the queue index, plus next_off/next_wrap
 * with NOTIFICATION_DATA; the core tells the two apart. Lock held. */
void virtio_mmio_kick(struct virtio_mmio *vmio, uint32_t data)
{
	virtio_queue_kick_data(vmio->vd, data);
}

static void poller_fired(void *opaque, uint32_t token)
{
	struct virtio_mmio *vmio = opaque;
	uint64_t cnt;

	if (token == RESAMPLE_TOKEN) {
		resample(vmio);
		return;
	}
	if (read(vmio->kick_efd[token], &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	pthread_mutex_lock(&vmio->lock);
	virtio_mmio_kick(vmio, token);
	pthread_mutex_unlock(&vmio->lock);
}

static uint64_t notify_gpa(const struct virtio_mmio *vmio)
{
	return vmio->base + VIRTIO_MMIO_QUEUE_NOTIFY;
}

static void unbind_kicks(struct virtio_mmio *vmio)
{
	for (unsigned int q = 0; vmio->kick_efd && q < vmio->vd->num_queues;
	     q++) {
		if (vmio->kick_efd[q] < 0)
			continue;
		kvm_ioeventfd_del_data(vmio->vm, notify_gpa(vmio), q,
				       vmio->kick_efd[q]);
		if (vmio->kick_own[q])
			close(vmio->kick_efd[q]);
	}
	free(vmio->kick_efd);
	free(vmio->kick_own);
	vmio->kick_efd = NULL;
	vmio->kick_own = NULL;
	vmio->ioeventfd = false;
}

/* One eventfd per queue, signalled by a 4-byte write of its index to
 * QueueNotify: the device's own (virtio_queue_kick_fd) or one the poller
 * turns into a kick. Any failure (no VM fd in unit tests) leaves every
 * kick on the exit path. */
static int bind_kicks(struct virtio_mmio *vmio)
{
	unsigned int nq = vmio->vd->num_queues;

	vmio->kick_efd = malloc(nq * sizeof(int));
	vmio->kick_own = calloc(nq, sizeof(bool));
	if (!vmio->kick_efd || !vmio->kick_own) {
		free(vmio->kick_efd);
		free(vmio->kick_own);
		vmio->kick_efd = NULL;
		vmio->kick_own = NULL;
		return -ENOMEM;
	}
	for (unsigned int q = 0; q < nq; q++)
		vmio->kick_efd[q] = -1;
	for (unsigned int q = 0; q < nq; q++) {
		int efd = virtio_queue_kick_fd(vmio->vd, (uint16_t)q);
		bool own = efd < 0;

		if (own)
			efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0)
			goto out_fail;
		if (kvm_ioeventfd_add_data(vmio->vm, notify_gpa(vmio), q, efd) <
		    0) {
			if (own)
				close(efd);
			goto out_fail;
		}
		vmio->kick_efd[q] = efd;
		vmio->kick_own[q] = own;
		if (own && kvm_poller_add(&vmio->poller, efd, q) < 0)
			goto out_fail;
	}
	vmio->ioeventfd = true;
	return 0;

out_fail:
	unbind_kicks(vmio);
	return -ENODEV;
}

/* The poller thread, if there is anything to poll: ioeventfd kicks and
 * irqfd resamples. Without either (unit tests) everything is an exit. */
static int start_polling(struct virtio_mmio *vmio)
{
	int rfd = kvm_irqfd_level_resample_fd(&vmio->irq);
	int ret = kvm_poller_init(&vmio->poller, poller_fired, vmio);

	if (ret < 0)
		return ret;
	bind_kicks(vmio); /* on failure kicks stay on the exit path */
	if (rfd >= 0) {
		ret = kvm_poller_add(&vmio->poller, rfd, RESAMPLE_TOKEN);
		if (ret < 0)
			return ret;
	}
	if (!vmio->ioeventfd && rfd < 0)
		return 0;
	ret = kvm_poller_start(&vmio->poller);
	vmio->polling = ret == 0;
	return ret;
}

static void stop_polling(struct virtio_mmio *vmio)
{
	kvm_poller_destroy(&vmio->poller);
	vmio->polling = false;
	unbind_kicks(vmio);
}

/* --- Construction --- */

static int check_config(const struct virtio_mmio_config *cfg)
{
	unsigned int version = cfg->version ? cfg->version : 2;

	if (version != 1 && version != 2)
		return -EINVAL;
	if (cfg->base % VIRTIO_MMIO_REGION_SIZE ||
	    cfg->base + VIRTIO_MMIO_REGION_SIZE < cfg->base)
		return -EINVAL;
	if (cfg->gsi >= KVM_IOAPIC_NUM_PINS)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->nr_shm; i++) {
		const struct virtio_mmio_shm *s = &cfg->shm[i];

		/* -1 is what a missing region reads as. */
		if (!s->len || s->len == ~0ULL || s->gpa + s->len < s->gpa)
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (cfg->shm[j].id == s->id)
				return -EINVAL;
	}
	return 0;
}

static int copy_config(struct virtio_mmio *vmio,
		       const struct virtio_mmio_config *cfg)
{
	vmio->base = cfg->base;
	vmio->gsi = cfg->gsi;
	vmio->version = cfg->version ? cfg->version : 2;
	vmio->guest_page_size = VIRTIO_MMIO_LEGACY_PAGE;
	vmio->queue_align = calloc(vmio->vd->num_queues, sizeof(uint32_t));
	if (!vmio->queue_align)
		return -ENOMEM;
	if (cfg->nr_shm) {
		vmio->shm = calloc(cfg->nr_shm, sizeof(*vmio->shm));
		if (!vmio->shm)
			return -ENOMEM;
		memcpy(vmio->shm, cfg->shm, cfg->nr_shm * sizeof(*vmio->shm));
		vmio->nr_shm = cfg->nr_shm;
	}
	return 0;
}

/* What this transport cannot carry. An ioeventfd drops the value written
 * (it matches the bare queue index), so no NOTIFICATION_DATA with it.
 * Version 1 is a legacy device (§4.2.4): 32 feature bits, so no
 * VIRTIO_F_VERSION_1, which is how a driver tells it is legacy (§2.2.3),
 * and none of the ring and transport bits above (packed rings would have no
 * registers for their areas anyway). Its drivers skip FEATURES_OK (§3.1.2):
 * legacy_ok tells the core to let them. */
static void set_features_off(struct virtio_mmio *vmio)
{
	if (vmio->ioeventfd)
		vmio->vd->features_off |= 1ULL << VIRTIO_F_NOTIFICATION_DATA;
	if (vmio->version == 1) {
		vmio->vd->features_off |= ~0xffffffffULL;
		vmio->vd->legacy_ok = true;
	}
}

static void free_vmio(struct virtio_mmio *vmio)
{
	free(vmio->queue_align);
	free(vmio->shm);
	free(vmio);
}

int virtio_mmio_add(struct kvm_vm *vm, struct virtio_dev *vd,
		    const struct virtio_mmio_config *cfg,
		    struct virtio_mmio **out)
{
	struct virtio_mmio *vmio;
	int ret = check_config(cfg);

	if (ret < 0)
		return ret;
	vmio = calloc(1, sizeof(*vmio));
	if (!vmio)
		return -ENOMEM;
	vmio->vm = vm;
	vmio->vd = vd;
	ret = copy_config(vmio, cfg);
	if (ret < 0)
		goto out_free;
	ret = kvm_irqfd_level_init(&vmio->irq, vm, cfg->gsi);
	if (ret < 0)
		goto out_free;
	pthread_mutex_init(&vmio->lock, NULL);
	pthread_mutex_init(&vmio->irq_lock, NULL);
	virtio_mmio_reset(vmio);
	ret = iobus_register(&vm->mmio, vmio->base, VIRTIO_MMIO_REGION_SIZE,
			     &virtio_mmio_ops, vmio, vd->name);
	if (ret < 0)
		goto out_irq;
	ret = start_polling(vmio);
	if (ret < 0)
		goto out_unregister;
	/* Nothing failed: now the device may be touched. */
	set_features_off(vmio);
	virtio_dev_set_transport(vd, &virtio_mmio_transport, vmio);
	*out = vmio;
	return 0;

out_unregister:
	stop_polling(vmio);
	iobus_unregister(&vm->mmio, vmio->base);
out_irq:
	pthread_mutex_destroy(&vmio->irq_lock);
	pthread_mutex_destroy(&vmio->lock);
	kvm_irqfd_level_destroy(&vmio->irq);
out_free:
	free_vmio(vmio);
	return ret;
}

void virtio_mmio_remove(struct virtio_mmio *vmio)
{
	stop_polling(vmio);
	iobus_unregister(&vmio->vm->mmio, vmio->base);
	/* A reset stops the device's queue threads (virtio.h), so none of
	 * them is left to raise an interrupt on a transport being freed. */
	pthread_mutex_lock(&vmio->lock);
	virtio_set_status(vmio->vd, 0);
	pthread_mutex_unlock(&vmio->lock);
	virtio_dev_set_transport(vmio->vd, NULL, NULL);
	kvm_irqfd_level_destroy(&vmio->irq);
	pthread_mutex_destroy(&vmio->irq_lock);
	pthread_mutex_destroy(&vmio->lock);
	free_vmio(vmio);
}
