/* kvm_msi: MSI routes, irqfds and ioeventfds (KVM_SET_GSI_ROUTING,
 * KVM_IRQFD, KVM_IOEVENTFD).
 *
 * KVM has one GSI routing table per VM and KVM_SET_GSI_ROUTING replaces it
 * whole, so one object owns it: the PC irqchip routes of kvm_irq.c plus one
 * MSI route per allocated GSI (KVM_MSI_GSI_BASE and up). Each MSI GSI has an
 * eventfd bound with KVM_IRQFD: raising the interrupt is one write(). One
 * struct kvm_msi_table per VM, created by the machine and shared by every bus.
 * Depends on nothing of ours outside src/kvm.
 */
#ifndef VMM_KVM_KVM_MSI_H
#define VMM_KVM_KVM_MSI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;

#define KVM_MSI_GSI_BASE   24  /* above the IOAPIC's pins */
#define KVM_MSI_MAX_ROUTES 512 /* MSI GSIs per VM */

struct kvm_msi_route {
	bool allocated;
	bool valid; /* a message is programmed: the route is in the table */
	uint64_t addr;
	uint32_t data;
	int efd; /* eventfd bound to the GSI with KVM_IRQFD */
};

/* Test seam: without a VM fd (vm->vm_fd < 0, the fake VM of the unit tests)
 * no ioctl is made; the table is kept here and the eventfds still count the
 * signals, so a test reads them to see which vector fired. */
struct kvm_msi_table {
	struct kvm_vm *vm;
	pthread_mutex_t lock; /* the table; signalling needs no lock */
	struct kvm_msi_route routes[KVM_MSI_MAX_ROUTES];
	unsigned int commits; /* KVM_SET_GSI_ROUTING calls, for tests */
};

int kvm_msi_init(struct kvm_msi_table *m, struct kvm_vm *vm);
/* Unbinds and closes every eventfd. */
void kvm_msi_destroy(struct kvm_msi_table *m);

/* Allocates a GSI with an eventfd bound to it (KVM_IRQFD). Returns the GSI
 * (>= KVM_MSI_GSI_BASE), -ENOSPC when all are taken, or -errno. */
int kvm_msi_alloc(struct kvm_msi_table *m);
/* Releases a GSI from kvm_msi_alloc: route removed, eventfd closed. */
void kvm_msi_free(struct kvm_msi_table *m, uint32_t gsi);

/* Points gsi at the message (addr, data) and installs the whole table;
 * nothing is done if the route is unchanged. -EINVAL for a GSI not
 * allocated. */
int kvm_msi_set_route(struct kvm_msi_table *m, uint32_t gsi, uint64_t addr,
		      uint32_t data);

/* Raises gsi: one write to its eventfd. Safe from any thread. */
int kvm_msi_signal(struct kvm_msi_table *m, uint32_t gsi);
/* The eventfd of gsi, or -1. */
int kvm_msi_eventfd(const struct kvm_msi_table *m, uint32_t gsi);

/* KVM_IOEVENTFD: a guest write of any width at MMIO address gpa signals efd
 * instead of exiting (length 0: KVM's fast MMIO path). The written value is not
 * kept (no datamatch). -ENODEV without a VM fd: the caller then handles the
 * exit. */
int kvm_ioeventfd_add(struct kvm_vm *vm, uint64_t gpa, int efd);
int kvm_ioeventfd_del(struct kvm_vm *vm, uint64_t gpa, int efd);
/* The same for a register several queues share (virtio-mmio QueueNotify):
 * only a 4-byte write of exactly data signals efd; any other write still
 * exits to the caller's handler. */
int kvm_ioeventfd_add_data(struct kvm_vm *vm, uint64_t gpa, uint32_t data,
			   int efd);
int kvm_ioeventfd_del_data(struct kvm_vm *vm, uint64_t gpa, uint32_t data,
			   int efd);

#endif
