/* cpuid: the CPUID table each vCPU sees.
 *
 * Starts from what KVM supports (KVM_GET_SUPPORTED_CPUID) and fills in the
 * topology leaves so that vCPU i has APIC id i and the guest sees
 * nr_cpus cores, one thread each, in one package.
 */
#ifndef VMM_KVM_CPUID_H
#define VMM_KVM_CPUID_H

#include <stdint.h>

struct kvm_cpuid2;

/* Returns a malloc'd table of the host's supported CPUID, or NULL with
 * errno set. */
struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd);

/* Rewrites the topology leaves (1, 4, 0xB, 0x1F, 0x80000008, 0x8000001E)
 * of a copy of the supported table for one vCPU. Pure: unit-testable. */
void cpuid_set_topology(struct kvm_cpuid2 *table, uint32_t apic_id,
			uint32_t nr_cpus);

#endif
