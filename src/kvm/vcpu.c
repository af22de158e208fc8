/* vcpu: vCPU creation, start state, and the KVM_RUN exit loop.
 *
 * KVM API: KVM_CREATE_VCPU, KVM_SET_CPUID2, KVM_SET_SREGS/REGS/FPU/MSRS,
 * KVM_GET/SET_LAPIC, KVM_RUN and struct kvm_run's exit reasons
 * (Documentation/virt/kvm/api.rst §4 and §5).
 */
#include "vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpuid.h"
#include "kvm.h"
#include "log.h"

#define VCPU_KICK_SIGNAL SIGUSR1

#define MSR_IA32_MISC_ENABLE		 0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING (1ULL << 0)
#define MSR_MTRR_DEF_TYPE		 0x2ff
#define MTRR_DEF_TYPE_ENABLE		 (1ULL << 11)
#define MTRR_TYPE_WRBACK		 6

#define APIC_LVT0	 0x350
#define APIC_LVT1	 0x360
#define APIC_MODE_NMI	 0x4
#define APIC_MODE_EXTINT 0x7

static int set_boot_msrs(struct vcpu *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entries[2];
	} msrs = {
		.hdr.nmsrs = 2,
		.entries =
			{
				{.index = MSR_IA32_MISC_ENABLE,
				 .data = MSR_IA32_MISC_ENABLE_FAST_STRING},
				{.index = MSR_MTRR_DEF_TYPE,
				 .data = MTRR_DEF_TYPE_ENABLE |
					 MTRR_TYPE_WRBACK},
			},
	};
	int n = ioctl(v->fd, KVM_SET_MSRS, &msrs);

	if (n < 0)
		return -errno;
	if (n != 2) /* an MSR the host lacks is not fatal for booting */
		log_debug("vcpu%u: host accepted %d of 2 boot MSRs", v->index,
			  n);
	return 0;
}

static int set_fpu(struct vcpu *v)
{
	struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};

	return ioctl(v->fd, KVM_SET_FPU, &fpu) < 0 ? -errno : 0;
}

/* Local APIC LVT entries: LINT0 takes the PIC's ExtINT, LINT1 takes NMIs,
 * as firmware leaves them on a PC (Intel SDM vol. 3A §11.5.1). */
static int set_lapic_lints(struct vcpu *v)
{
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0];
	uint32_t *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];

	if (ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	*lvt0 = (*lvt0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	*lvt1 = (*lvt1 & ~0x700u) | (APIC_MODE_NMI << 8);
	return ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0 ? -errno : 0;
}

static int set_cpuid(struct vcpu *v, const struct kvm_cpuid2 *supported,
		     unsigned int nr)
{
	size_t size = sizeof(*supported) +
		      supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *table = malloc(size);
	int ret = 0;

	if (!table)
		return -ENOMEM;
	memcpy(table, supported, size);
	cpuid_set_topology(table, v->index, nr);
	if (ioctl(v->fd, KVM_SET_CPUID2, table) < 0)
		ret = -errno;
	free(table);
	return ret;
}

static int create_one(struct kvm_vm *vm, struct vcpu *v,
		      const struct kvm_cpuid2 *cpuid, unsigned int nr,
		      const char **what)
{
	int ret;

	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, v->index);
	if (v->fd < 0) {
		*what = "KVM_CREATE_VCPU";
		return -errno;
	}
	v->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		*what = "mmap of struct kvm_run";
		return -errno;
	}
	if ((ret = set_cpuid(v, cpuid, nr)) < 0)
		*what = "KVM_SET_CPUID2";
	else if ((ret = set_boot_msrs(v)) < 0)
		*what = "KVM_SET_MSRS";
	else if ((ret = set_fpu(v)) < 0)
		*what = "KVM_SET_FPU";
	else if ((ret = set_lapic_lints(v)) < 0)
		*what = "KVM_SET_LAPIC";
	return ret;
}

int vcpu_create_all(struct kvm_vm *vm, unsigned int nr, const char **what)
{
	struct kvm_cpuid2 *cpuid;
	int ret = 0;

	cpuid = cpuid_get_supported(vm->kvm_fd);
	if (!cpuid) {
		*what = "KVM_GET_SUPPORTED_CPUID";
		return -errno;
	}
	vm->vcpus = calloc(nr, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		ret = -ENOMEM;
		*what = "vCPU allocation";
		goto out_free_cpuid;
	}
	for (unsigned int i = 0; i < nr; i++) {
		vm->vcpus[i] = (struct vcpu){.vm = vm, .index = i, .fd = -1};
		vm->nr_vcpus = i + 1;
		ret = create_one(vm, &vm->vcpus[i], cpuid, nr, what);
		if (ret < 0)
			break;
	}
out_free_cpuid:
	free(cpuid);
	return ret;
}

static void set_flat_segment(struct kvm_segment *s, uint16_t sel, int code,
			     int long_mode)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = code ? 0xb
			     : 0x3, /* execute/read or read/write, accessed */
		.present = 1,
		.dpl = 0,
		.db = long_mode && code ? 0 : 1,
		.s = 1,
		.l = long_mode && code,
		.g = 1,
	};
}

int vcpu_set_long_mode(struct vcpu *v, const struct vcpu_long_mode *lm)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = lm->rip, .rsi = lm->rsi, .rsp = lm->rsp, .rflags = 0x2};

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	set_flat_segment(&sregs.cs, lm->code_sel, 1, 1);
	set_flat_segment(&sregs.ds, lm->data_sel, 0, 1);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){.selector = lm->tss_sel,
					.limit = 0x67,
					.type = 0xb,
					.present = 1};
	sregs.gdt.base = lm->gdt_gpa;
	sregs.gdt.limit = lm->gdt_limit;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80000011; /* PG | ET | PE */
	sregs.cr4 = 0x20;	/* PAE */
	sregs.cr3 = lm->cr3;
	sregs.efer = 0x500; /* LMA | LME */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	return ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}

int vcpu_set_real_mode(struct vcpu *v, uint16_t cs, uint16_t ip)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = ip, .rflags = 0x2, .rsp = 0xfffe};

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs.selector = cs;
	sregs.cs.base = (uint64_t)cs << 4;
	sregs.ds = sregs.es = sregs.ss = sregs.cs;
	sregs.ds.type = sregs.es.type = sregs.ss.type = 0x3;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	return ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}

static void dump_registers(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	log_err("vcpu%u: rip=%#llx rsp=%#llx rflags=%#llx rax=%#llx "
		"rbx=%#llx rcx=%#llx rdx=%#llx rsi=%#llx rdi=%#llx",
		v->index, r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi);
	log_err("vcpu%u: cs=%#x(base %#llx) cr0=%#llx cr2=%#llx cr3=%#llx "
		"cr4=%#llx efer=%#llx",
		v->index, s.cs.selector, s.cs.base, s.cr0, s.cr2, s.cr3, s.cr4,
		s.efer);
}

static void crash(struct vcpu *v, const char *why, unsigned long long detail)
{
	log_err("vcpu%u: %s (%#llx); stopping the VM", v->index, why, detail);
	dump_registers(v);
	kvm_vm_request_stop(v->vm, VM_STOP_CRASH, 0);
}

/* KVM_EXIT_IO: "count" accesses of "size" bytes (more than one for rep
 * ins/outs), the data in the kvm_run page at data_offset. */
static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		bool claimed;
		if (run->io.direction == KVM_EXIT_IO_OUT)
			claimed = iobus_write(&v->vm->pio, run->io.port, data,
					      run->io.size);
		else
			claimed = iobus_read(&v->vm->pio, run->io.port, data,
					     run->io.size);
		if (!claimed)
			log_debug("unclaimed port %s %#x/%u",
				  run->io.direction == KVM_EXIT_IO_OUT ? "write"
								       : "read",
				  run->io.port, run->io.size);
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	bool claimed;

	if (run->mmio.len > sizeof(run->mmio.data))
		return;
	if (run->mmio.is_write)
		claimed = iobus_write(&v->vm->mmio, run->mmio.phys_addr,
				      run->mmio.data, run->mmio.len);
	else
		claimed = iobus_read(&v->vm->mmio, run->mmio.phys_addr,
				     run->mmio.data, run->mmio.len);
	if (!claimed)
		log_debug("unclaimed mmio %s %#llx/%u",
			  run->mmio.is_write ? "write" : "read",
			  run->mmio.phys_addr, run->mmio.len);
}

static void handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		kvm_vm_request_stop(v->vm, VM_STOP_POWEROFF, 0);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		kvm_vm_request_stop(v->vm, VM_STOP_REBOOT, 0);
		break;
	default:
		crash(v, "system event", v->run->system_event.type);
		break;
	}
}

static void handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		break;
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		break;
	case KVM_EXIT_SHUTDOWN:
		crash(v, "guest triple fault (KVM_EXIT_SHUTDOWN)", 0);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		crash(v, "KVM internal error, suberror",
		      run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		crash(v, "VM entry failed, hardware reason",
		      run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; nothing will wake it. */
		crash(v, "guest halted with no way to wake up", 0);
		break;
	default:
		log_err("vcpu%u: unhandled KVM exit reason %u", v->index,
			run->exit_reason);
		kvm_vm_request_stop(v->vm, VM_STOP_ERROR, 0);
		break;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	while (!kvm_vm_stopping(v->vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			log_err("vcpu%u: KVM_RUN failed: %s", v->index,
				strerror(errno));
			kvm_vm_request_stop(v->vm, VM_STOP_ERROR, 0);
			break;
		}
		handle_exit(v);
	}
	return NULL;
}

static void kick_handler(int sig)
{
}

int vcpu_start_all(struct kvm_vm *vm)
{
	struct sigaction sa = {.sa_handler = kick_handler};

	/* No SA_RESTART: the signal must interrupt KVM_RUN with EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret)
			return -ret;
		v->started = true;
	}
	return 0;
}

void vcpu_stop_all(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (!v->started)
			continue;
		/* immediate_exit covers a kick that lands just before KVM_RUN;
		 * the signal covers a vCPU already inside it. */
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v->started)
			pthread_join(v->thread, NULL);
		v->started = false;
	}
}

void vcpu_destroy_all(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v->run)
			munmap(v->run, vm->vcpu_mmap_size);
		if (v->fd >= 0)
			close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}
