/* kvm_irqfd: a level-triggered line through a resampling irqfd, or through
 * KVM_IRQ_LINE (see kvm_irqfd.h).
 *
 * KVM API: KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE (KVM_CAP_IRQFD_RESAMPLE).
 * The GSI must be routed to an irqchip pin (kvm_irq.c routes GSIs 0-23 to
 * the IOAPIC) and the guest must program that pin level-triggered, or it
 * sends no EOI to the IOAPIC and the resample never comes.
 */
#include "kvm_irqfd.h"

#include <errno.h>
#include <linux/kvm.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"
#include "log.h"

static int bind_irqfd(struct kvm_irqfd_level *l)
{
	struct kvm_irqfd req = {
		.fd = (uint32_t)l->trigger_efd,
		.gsi = l->gsi,
		.flags = KVM_IRQFD_FLAG_RESAMPLE,
		.resamplefd = (uint32_t)l->resample_efd,
	};

	return ioctl(l->vm->vm_fd, KVM_IRQFD, &req) < 0 ? -errno : 0;
}

static void close_efds(struct kvm_irqfd_level *l)
{
	if (l->trigger_efd >= 0)
		close(l->trigger_efd);
	if (l->resample_efd >= 0)
		close(l->resample_efd);
	l->trigger_efd = l->resample_efd = -1;
}

int kvm_irqfd_level_init(struct kvm_irqfd_level *l, struct kvm_vm *vm,
			 uint32_t gsi)
{
	int ret;

	l->vm = vm;
	l->gsi = gsi;
	l->level = false;
	l->trigger_efd = l->resample_efd = -1;
	if (vm->vm_fd < 0)
		return 0;
	l->trigger_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->resample_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->trigger_efd < 0 || l->resample_efd < 0) {
		ret = -errno;
		close_efds(l);
		return ret;
	}
	ret = bind_irqfd(l);
	if (ret < 0) {
		/* Not fatal: the line still works, at an ioctl per change. */
		log_debug("GSI %u: resampling irqfd refused (%d), using "
			  "KVM_IRQ_LINE",
			  gsi, ret);
		close_efds(l);
	}
	return 0;
}

void kvm_irqfd_level_destroy(struct kvm_irqfd_level *l)
{
	struct kvm_irqfd req = {
		.fd = (uint32_t)l->trigger_efd,
		.gsi = l->gsi,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (l->trigger_efd >= 0) {
		/* Deassigning also lowers a GSI the irqfd still asserts. */
		ioctl(l->vm->vm_fd, KVM_IRQFD, &req);
		close_efds(l);
	} else if (l->level) {
		kvm_irq_line(l->vm, l->gsi, 0);
		l->level = false;
	}
}

void kvm_irqfd_level_set(struct kvm_irqfd_level *l, bool level)
{
	uint64_t one = 1;

	if (l->trigger_efd >= 0) {
		/* EAGAIN: the counter is full, so the assert is pending
		 * anyway. */
		if (level && write(l->trigger_efd, &one, sizeof(one)) < 0 &&
		    errno != EAGAIN)
			log_warn("GSI %u: irqfd write failed", l->gsi);
		return;
	}
	if (level != l->level) {
		l->level = level;
		kvm_irq_line(l->vm, l->gsi, level);
	}
}

int kvm_irqfd_level_resample_fd(const struct kvm_irqfd_level *l)
{
	return l->resample_efd;
}

bool kvm_irqfd_level_resampled(struct kvm_irqfd_level *l)
{
	uint64_t cnt;

	return l->resample_efd >= 0 &&
	       read(l->resample_efd, &cnt, sizeof(cnt)) == sizeof(cnt);
}
