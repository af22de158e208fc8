/* cpuid: per-vCPU CPUID table with a consistent topology.
 *
 * Leaf numbers and bit fields: Intel SDM vol. 2A "CPUID" (leaves 1, 4, 0xB,
 * 0x1F) and AMD APM vol. 3 appendix E (0x80000008, 0x8000001E). Each vCPU is
 * one core of one package with one thread; the APIC id is the vCPU index.
 */
#include "cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#define CPUID_MAX_ENTRIES      256
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT	       (1u << 28)
#define TOPO_LEVEL_SMT	       1
#define TOPO_LEVEL_CORE	       2

struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd)
{
	unsigned int n = CPUID_MAX_ENTRIES;

	for (;;) {
		struct kvm_cpuid2 *t = calloc(
			1, sizeof(*t) + n * sizeof(struct kvm_cpuid_entry2));
		if (!t)
			return NULL;
		t->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, t) == 0)
			return t;
		free(t);
		if (errno != E2BIG || n >= 16 * CPUID_MAX_ENTRIES)
			return NULL;
		n *= 2;
	}
}

/* Bits needed to hold n distinct ids: ceil(log2(n)). */
static uint32_t id_bits(uint32_t n)
{
	uint32_t bits = 0;

	while ((1u << bits) < n)
		bits++;
	return bits;
}

/* Leaf 0xB / 0x1F sub-leaves: SMT level (1 thread), then core level. */
static void set_extended_topology(struct kvm_cpuid_entry2 *e, uint32_t apic_id,
				  uint32_t nr_cpus)
{
	e->edx = apic_id;
	switch (e->index) {
	case 0:
		e->eax = 0;
		e->ebx = 1;
		e->ecx = (TOPO_LEVEL_SMT << 8) | 0;
		break;
	case 1:
		e->eax = id_bits(nr_cpus);
		e->ebx = nr_cpus;
		e->ecx = (TOPO_LEVEL_CORE << 8) | 1;
		break;
	default:
		e->eax = e->ebx = 0;
		e->ecx = e->index; /* level type 0: invalid, enumeration ends */
		break;
	}
}

void cpuid_set_topology(struct kvm_cpuid2 *table, uint32_t apic_id,
			uint32_t nr_cpus)
{
	for (uint32_t i = 0; i < table->nent; i++) {
		struct kvm_cpuid_entry2 *e = &table->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffff) | (nr_cpus << 16) |
				 (apic_id << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (nr_cpus > 1)
				e->edx |= CPUID_1_EDX_HTT;
			break;
		case 4: /* cores per package - 1 in EAX[31:26], threads 0 */
			e->eax = (e->eax & 0x3ff) | ((nr_cpus - 1) << 26);
			break;
		case 0xb:
		case 0x1f:
			set_extended_topology(e, apic_id, nr_cpus);
			break;
		case 0x80000008: /* NC and ApicIdCoreIdSize */
			e->ecx = (e->ecx & ~0xf0ffu) | (nr_cpus - 1) |
				 (id_bits(nr_cpus) << 12);
			break;
		case 0x8000001e: /* extended APIC id, core id, node id */
			e->eax = apic_id;
			e->ebx = (e->ebx & ~0xffffu) | (apic_id & 0xff);
			e->ecx = 0;
			break;
		}
	}
}
