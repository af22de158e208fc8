/* kvm_msi: MSI routes, irqfds and ioeventfds (see kvm_msi.h).
 *
 * KVM API: KVM_SET_GSI_ROUTING with KVM_IRQ_ROUTING_MSI entries, KVM_IRQFD,
 * KVM_IOEVENTFD (Documentation/virt/kvm/api.rst). The table is rebuilt from
 * scratch on every change; guests change MSI messages rarely (at driver
 * probe and on CPU affinity changes), never per interrupt.
 */
#include "kvm_msi.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"
#include "kvm_irq.h"

static bool has_vm(const struct kvm_msi_table *m)
{
	return m->vm && m->vm->vm_fd >= 0;
}

static struct kvm_msi_route *route_of(struct kvm_msi_table *m, uint32_t gsi)
{
	if (gsi < KVM_MSI_GSI_BASE ||
	    gsi - KVM_MSI_GSI_BASE >= KVM_MSI_MAX_ROUTES)
		return NULL;
	return &m->routes[gsi - KVM_MSI_GSI_BASE];
}

int kvm_msi_init(struct kvm_msi_table *m, struct kvm_vm *vm)
{
	memset(m, 0, sizeof(*m));
	m->vm = vm;
	for (unsigned int i = 0; i < KVM_MSI_MAX_ROUTES; i++)
		m->routes[i].efd = -1;
	return -pthread_mutex_init(&m->lock, NULL);
}

static int irqfd(struct kvm_msi_table *m, uint32_t gsi, int efd, bool assign)
{
	struct kvm_irqfd req = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (!has_vm(m))
		return 0;
	return ioctl(m->vm->vm_fd, KVM_IRQFD, &req) < 0 ? -errno : 0;
}

void kvm_msi_destroy(struct kvm_msi_table *m)
{
	for (unsigned int i = 0; i < KVM_MSI_MAX_ROUTES; i++)
		if (m->routes[i].allocated)
			kvm_msi_free(m, KVM_MSI_GSI_BASE + i);
	pthread_mutex_destroy(&m->lock);
}

int kvm_msi_alloc(struct kvm_msi_table *m)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < KVM_MSI_MAX_ROUTES; i++) {
		struct kvm_msi_route *r = &m->routes[i];
		uint32_t gsi = KVM_MSI_GSI_BASE + i;

		if (r->allocated)
			continue;
		r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->efd < 0) {
			ret = -errno;
			break;
		}
		/* Bound before it has a route: KVM drops signals on a GSI
		 * without one, and picks the route up when it appears. */
		ret = irqfd(m, gsi, r->efd, true);
		if (ret < 0) {
			close(r->efd);
			r->efd = -1;
			break;
		}
		r->allocated = true;
		r->valid = false;
		ret = (int)gsi;
		break;
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* Installs irqchip routes + every valid MSI route. Caller holds m->lock. */
static int commit(struct kvm_msi_table *m)
{
	struct kvm_irq_routing *t;
	int ret = 0;

	m->commits++;
	if (!has_vm(m))
		return 0;
	t = calloc(1, sizeof(*t) + (KVM_IRQ_PC_ROUTES + KVM_MSI_MAX_ROUTES) *
					   sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nr = kvm_irq_pc_routes(t->entries);
	for (unsigned int i = 0; i < KVM_MSI_MAX_ROUTES; i++) {
		const struct kvm_msi_route *r = &m->routes[i];
		struct kvm_irq_routing_entry *e = &t->entries[t->nr];

		if (!r->allocated || !r->valid)
			continue;
		e->gsi = KVM_MSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)r->addr;
		e->u.msi.address_hi = (uint32_t)(r->addr >> 32);
		e->u.msi.data = r->data;
		t->nr++;
	}
	if (ioctl(m->vm->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		ret = -errno;
	free(t);
	return ret;
}

void kvm_msi_free(struct kvm_msi_table *m, uint32_t gsi)
{
	struct kvm_msi_route *r = route_of(m, gsi);

	if (!r || !r->allocated)
		return;
	pthread_mutex_lock(&m->lock);
	irqfd(m, gsi, r->efd, false);
	close(r->efd);
	r->efd = -1;
	r->allocated = false;
	if (r->valid) {
		r->valid = false;
		commit(m);
	}
	pthread_mutex_unlock(&m->lock);
}

int kvm_msi_set_route(struct kvm_msi_table *m, uint32_t gsi, uint64_t addr,
		      uint32_t data)
{
	struct kvm_msi_route *r = route_of(m, gsi);
	int ret = 0;

	if (!r)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	if (!r->allocated)
		ret = -EINVAL;
	else if (!r->valid || r->addr != addr || r->data != data) {
		r->addr = addr;
		r->data = data;
		r->valid = true;
		ret = commit(m);
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int kvm_msi_signal(struct kvm_msi_table *m, uint32_t gsi)
{
	int efd = kvm_msi_eventfd(m, gsi);
	uint64_t one = 1;

	if (efd < 0)
		return -EINVAL;
	/* EAGAIN means the counter is saturated: the interrupt is pending
	 * anyway. */
	if (write(efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int kvm_msi_eventfd(const struct kvm_msi_table *m, uint32_t gsi)
{
	const struct kvm_msi_route *r =
		route_of((struct kvm_msi_table *)m, gsi);

	return r && r->allocated ? r->efd : -1;
}

static int ioeventfd(struct kvm_vm *vm, struct kvm_ioeventfd *req)
{
	if (vm->vm_fd < 0)
		return -ENODEV;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, req) < 0 ? -errno : 0;
}

int kvm_ioeventfd_add(struct kvm_vm *vm, uint64_t gpa, int efd)
{
	/* len 0: any width, no datamatch. */
	struct kvm_ioeventfd req = {.addr = gpa, .fd = efd};

	return ioeventfd(vm, &req);
}

int kvm_ioeventfd_del(struct kvm_vm *vm, uint64_t gpa, int efd)
{
	struct kvm_ioeventfd req = {
		.addr = gpa,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	return ioeventfd(vm, &req);
}

static int ioeventfd_data(struct kvm_vm *vm, uint64_t gpa, uint32_t data,
			  int efd, uint32_t flags)
{
	struct kvm_ioeventfd req = {
		.datamatch = data,
		.addr = gpa,
		.len = 4,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | flags,
	};

	return ioeventfd(vm, &req);
}

int kvm_ioeventfd_add_data(struct kvm_vm *vm, uint64_t gpa, uint32_t data,
			   int efd)
{
	return ioeventfd_data(vm, gpa, data, efd, 0);
}

int kvm_ioeventfd_del_data(struct kvm_vm *vm, uint64_t gpa, uint32_t data,
			   int efd)
{
	return ioeventfd_data(vm, gpa, data, efd, KVM_IOEVENTFD_FLAG_DEASSIGN);
}
