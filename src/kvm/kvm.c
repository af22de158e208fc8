/* kvm: create the VM and its RAM, and the machine-wide stop request.
 *
 * The KVM API: Documentation/virt/kvm/api.rst (KVM_CREATE_VM,
 * KVM_SET_USER_MEMORY_REGION, KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2).
 * Depends on nothing of ours outside src/kvm.
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_irq.h"

/* What this VMM needs from the host's KVM; checked up front so that a
 * missing one is reported by name instead of failing somewhere later. */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
	{KVM_CAP_PIT2, "KVM_CAP_PIT2"},
	{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
	{KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
	{KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR"},
	{KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
	{KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING"},
	{KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
	{KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},
	{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
};

static int kvm_default_irq_line(struct kvm_vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = level};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

static int open_kvm(struct kvm_vm *vm, const char **what)
{
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		*what = "cannot open /dev/kvm";
		return -errno;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		*what = "unsupported KVM API version (want 12)";
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(*required_caps);
	     i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			  required_caps[i].cap) <= 0) {
			*what = required_caps[i].name;
			return -ENOTSUP;
		}
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size <= 0) {
		*what = "KVM_GET_VCPU_MMAP_SIZE";
		return -EINVAL;
	}
	return 0;
}

/* TSS and identity map pages, in-kernel LAPIC/IOAPIC/PIC, and the PIT.
 * KVM_PIT_SPEAKER_DUMMY makes KVM answer port 0x61 itself. */
static int create_platform(struct kvm_vm *vm, const char **what)
{
	uint64_t identity = KVM_IDENTITY_MAP_GPA;
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};

	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0) {
		*what = "KVM_SET_IDENTITY_MAP_ADDR";
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_GPA) < 0) {
		*what = "KVM_SET_TSS_ADDR";
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		*what = "KVM_CREATE_IRQCHIP";
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		*what = "KVM_CREATE_PIT2";
		return -errno;
	}
	if (kvm_irq_routing_init(vm) < 0) {
		*what = "KVM_SET_GSI_ROUTING";
		return -errno;
	}
	return 0;
}

int kvm_vm_create(struct kvm_vm *vm, const char **what)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	vm->irq_line = kvm_default_irq_line;
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
	if (iobus_init(&vm->pio, "pio") || iobus_init(&vm->mmio, "mmio")) {
		*what = "bus setup";
		return -ENOMEM;
	}
	ret = open_kvm(vm, what);
	if (ret < 0)
		return ret;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		*what = "KVM_CREATE_VM";
		return -errno;
	}
	return create_platform(vm, what);
}

static int add_slot(struct kvm_vm *vm, uint32_t slot, uint64_t gpa,
		    uint64_t len)
{
	struct kvm_userspace_memory_region region;
	void *hva;
	int ret;

	/* MAP_NORESERVE: guest RAM is only backed as the guest touches it. */
	hva = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hva == MAP_FAILED)
		return -errno;
	madvise(hva, len, MADV_MERGEABLE);
	region = (struct kvm_userspace_memory_region){
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = len,
		.userspace_addr = (uintptr_t)hva,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		munmap(hva, len);
		return ret;
	}
	return gmem_add_region(&vm->mem, gpa, hva, len);
}

int kvm_vm_add_ram(struct kvm_vm *vm, uint64_t ram_size, uint64_t below_4g_end)
{
	uint64_t low = ram_size < below_4g_end ? ram_size : below_4g_end;
	int ret;

	ret = add_slot(vm, 0, 0, low);
	if (ret < 0 || ram_size == low)
		return ret;
	return add_slot(vm, 1, 1ULL << 32, ram_size - low);
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++)
		munmap(vm->mem.regions[i].hva, vm->mem.regions[i].len);
	vm->mem.nr_regions = 0;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
}

int kvm_irq_line(struct kvm_vm *vm, uint32_t gsi, int level)
{
	return vm->irq_line(vm, gsi, level);
}

void kvm_vm_request_stop(struct kvm_vm *vm, enum vm_stop_reason reason,
			 int status)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == VM_STOP_NONE) {
		vm->stop_reason = reason;
		vm->stop_status = status;
		pthread_cond_broadcast(&vm->stop_cond);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

bool kvm_vm_stopping(struct kvm_vm *vm)
{
	return __atomic_load_n(&vm->stop_reason, __ATOMIC_ACQUIRE) !=
	       VM_STOP_NONE;
}

enum vm_stop_reason kvm_vm_wait_stop(struct kvm_vm *vm, int *status)
{
	enum vm_stop_reason reason;

	pthread_mutex_lock(&vm->stop_lock);
	while (vm->stop_reason == VM_STOP_NONE)
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	reason = vm->stop_reason;
	if (status)
		*status = vm->stop_status;
	pthread_mutex_unlock(&vm->stop_lock);
	return reason;
}
