/* machine: build the VM from the options, run it, map how it stopped to
 * vmm's exit status (see machine.h and the README's "Exit status").
 * With --print-layout or --dump-dtb and no guest, build it, describe it,
 * and stop there (exit status 0).
 */
#include "machine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "boot_linux.h"
#include "boot_raw.h"
#include "console.h"
#include "control.h"
#include "device_table.h"
#include "dtb.h"
#include "gmem.h"
#include "kvm.h"
#include "layout.h"
#include "log.h"
#include "machine_layout.h"
#include "options.h"
#include "sandbox.h"
#include "vcpu.h"

/* Before the user's --append: the console, reboot through the keyboard
 * controller, and reboot at once on a panic (so vmm exits with status 2). */
#define DEFAULT_CMDLINE "reboot=k panic=-1"
#define EXIT_POWEROFF	0
#define EXIT_ERROR	1
#define EXIT_REBOOT	2
#define EXIT_CRASH	4

void machine_describe(struct machine *m, const struct vmm_options *o)
{
	memset(m, 0, sizeof(*m));
	m->nr_cpus = o->cpus;
	m->ram_size = o->memory;
	m->low_ram_end = o->memory < LAYOUT_PCI_HOLE_START
				 ? o->memory
				 : LAYOUT_PCI_HOLE_START;
	m->high_ram_size = o->memory - m->low_ram_end;
	m->mmio_cmdline = o->mmio_cmdline;
}

static int check_host_memory(uint64_t want, char *err, size_t err_len)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	uint64_t host = (uint64_t)pages * (uint64_t)size;

	if (pages > 0 && size > 0 && want > host) {
		snprintf(err, err_len,
			 "--memory %llu MiB is more than this "
			 "host has (%llu MiB)",
			 (unsigned long long)(want >> 20),
			 (unsigned long long)(host >> 20));
		return -1;
	}
	return 0;
}

static int create_vm(struct kvm_vm *vm, const struct vmm_options *o, char *err,
		     size_t err_len)
{
	const char *what = "";
	int ret = kvm_vm_create(vm, &what);

	if (ret == -ENOTSUP) {
		snprintf(err, err_len, "KVM lacks a capability we need: %s",
			 what);
		return -1;
	}
	if (ret < 0) {
		snprintf(err, err_len, "%s: %s%s", what, strerror(-ret),
			 ret == -EACCES || ret == -ENOENT
				 ? " (is KVM enabled, and may this user "
				   "open /dev/kvm?)"
				 : "");
		return -1;
	}
	ret = kvm_vm_add_ram(vm, o->memory, LAYOUT_PCI_HOLE_START);
	if (ret < 0) {
		snprintf(err, err_len,
			 "cannot allocate %llu MiB of guest "
			 "memory: %s",
			 (unsigned long long)(o->memory >> 20), strerror(-ret));
		return -1;
	}
	ret = vcpu_create_all(vm, o->cpus, &what);
	if (ret < 0) {
		snprintf(err, err_len, "creating vCPUs: %s: %s", what,
			 strerror(-ret));
		return -1;
	}
	return 0;
}

/* The kernel command line: the console, our defaults, pci=off without a
 * PCI bus (it spares the guest a probe of nothing), with --mmio-cmdline a
 * virtio_mmio.device= word per MMIO device, and --append last so that the
 * user's words win. 0, or -1 with a message. */
static int make_cmdline(const struct machine *m, const struct vmm_options *o,
			char *buf, size_t len, char *err, size_t err_len)
{
	size_t used;
	int n = snprintf(buf, len, "console=%s %s%s",
			 o->console == CONSOLE_VIRTIO ? "hvc0" : "ttyS0",
			 DEFAULT_CMDLINE, m->pci.present ? "" : " pci=off");

	if (n < 0 || (size_t)n >= len ||
	    (m->mmio_cmdline && machine_layout_mmio_cmdline(m, buf, len) < 0))
		goto out_too_long;
	used = strlen(buf);
	if (o->append[0] && (size_t)snprintf(buf + used, len - used, " %s",
					     o->append) >= len - used)
		goto out_too_long;
	return 0;
out_too_long:
	snprintf(err, err_len, "--append: command line too long");
	return -1;
}

static int boot_kernel(struct kvm_vm *vm, const struct machine *m,
		       const struct vmm_options *o,
		       const struct boot_linux_image *img, const char *cmdline,
		       char *err, size_t err_len)
{
	struct vcpu_long_mode entry;
	uint64_t rsdp;
	int ret;

	ret = acpi_build(m, &vm->mem, &rsdp);
	if (ret < 0) {
		snprintf(err, err_len, "cannot build the ACPI tables: %s",
			 strerror(-ret));
		return -1;
	}
	if (boot_linux_load(vm, m, img, o->initrd, cmdline, rsdp, &entry, err,
			    err_len) < 0)
		return -1;
	if (vcpu_set_long_mode(&vm->vcpus[0], &entry) < 0) {
		snprintf(err, err_len, "cannot set the boot vCPU's registers");
		return -1;
	}
	return 0;
}

/* Where the loader put the initrd, read back from the zero page the guest
 * gets, so that the device tree says exactly what boot_params says. */
static void initrd_from_zero_page(const struct kvm_vm *vm, struct dtb_boot *b)
{
	const struct boot_params *bp =
		gmem_ptr(&vm->mem, LAYOUT_BOOT_PARAMS_GPA, sizeof(*bp));

	if (!bp)
		return;
	b->initrd_gpa = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image
							<< 32;
	b->initrd_len = bp->hdr.ramdisk_size | (uint64_t)bp->ext_ramdisk_size
						       << 32;
}

/* --print-layout and --dump-dtb: the machine as built, before it runs. */
static int describe(const struct kvm_vm *vm, const struct machine *m,
		    const struct vmm_options *o, const char *cmdline,
		    struct dtb_file *dtb, char *err, size_t err_len)
{
	struct dtb_boot boot = {.cmdline = cmdline};

	if (o->print_layout) {
		machine_layout_print(m, stdout);
		fflush(stdout);
	}
	if (!o->dump_dtb)
		return 0;
	if (o->kernel)
		initrd_from_zero_page(vm, &boot);
	return dtb_file_write(dtb, m, &boot, err, err_len);
}

/* The signal that asked vmm to stop, or 0. It overrides whatever stopped
 * the VM at the same moment: a SIGTERM that lands while the guest reboots
 * must end vmm, not restart it. */
static int stop_signal;
static pthread_t signal_thread_handle;
static bool signal_thread_running;

/* Tells the signal thread to stop listening (machine_stop_signals). */
#define SIGNAL_THREAD_QUIT SIGUSR2

/* SIGINT, SIGTERM and SIGHUP, and our own SIGNAL_THREAD_QUIT, are blocked
 * in every thread and taken only by the signal thread. */
static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGNAL_THREAD_QUIT);
}

/* Turns the first stop signal into an orderly stop of the VM (and so a
 * restored terminal). */
static void *signal_thread(void *arg)
{
	struct kvm_vm *vm = arg;
	sigset_t set;
	int sig;

	stop_signal_set(&set);
	if (sigwait(&set, &sig) == 0 && sig != SIGNAL_THREAD_QUIT) {
		__atomic_store_n(&stop_signal, sig, __ATOMIC_RELEASE);
		log_warn("got signal %d, stopping the VM", sig);
		kvm_vm_request_stop(vm, VM_STOP_USER, 128 + sig);
	}
	return NULL;
}

static int start_signal_thread(struct kvm_vm *vm)
{
	sigset_t set;
	int ret;

	stop_signal_set(&set);
	ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (ret == 0)
		ret = pthread_create(&signal_thread_handle, NULL, signal_thread,
				     vm);
	signal_thread_running = ret == 0;
	return -ret;
}

static int exit_status(enum vm_stop_reason reason, int status)
{
	int sig = __atomic_load_n(&stop_signal, __ATOMIC_ACQUIRE);

	if (sig)
		return 128 + sig;
	switch (reason) {
	case VM_STOP_POWEROFF:
		return EXIT_POWEROFF;
	case VM_STOP_REBOOT:
		return EXIT_REBOOT;
	case VM_STOP_DEBUG_EXIT:
	case VM_STOP_USER:
		return status;
	case VM_STOP_CRASH:
		return EXIT_CRASH;
	default:
		return EXIT_ERROR;
	}
}

/* Everything a run holds, so that one teardown frees whatever was made. */
struct run {
	struct machine m;
	struct platform_devices devs;
	struct virtio_devices *virtio;
	struct control *control; /* --control */
	struct boot_linux_image img;
	struct dtb_file dtb;
	char cmdline[LAYOUT_CMDLINE_MAX];
};

/* Builds the VM and its devices and loads the guest. Returns 0 when the
 * guest is ready to start, 1 when there is no guest (--print-layout or
 * --dump-dtb alone: the machine was described and is done), -1 on error. */
static int setup(struct kvm_vm *vm, struct run *r, const struct vmm_options *o,
		 const struct timespec *start, char *err, size_t err_len)
{
	int out_fd = o->console == CONSOLE_SERIAL ? STDOUT_FILENO : -1;
	const char *cmdline = NULL;
	struct console_sink sink;

	if (create_vm(vm, o, err, err_len) < 0)
		return -1;
	if (device_table_create_platform(vm, &r->m, &r->devs, out_fd, start,
					 &sink, err, err_len) < 0 ||
	    device_table_create_virtio(vm, &r->m, r->virtio, err, err_len) < 0)
		return -1;
	if (!o->raw) {
		if (make_cmdline(&r->m, o, r->cmdline, sizeof(r->cmdline), err,
				 err_len) < 0)
			return -1;
		cmdline = r->cmdline;
	}
	if (o->raw && boot_raw_load(vm, &vm->vcpus[0], o->raw, err, err_len))
		return -1;
	if (o->kernel &&
	    boot_kernel(vm, &r->m, o, &r->img, cmdline, err, err_len) < 0)
		return -1;
	if (describe(vm, &r->m, o, cmdline, &r->dtb, err, err_len) < 0)
		return -1;
	if (!o->raw && !o->kernel)
		return 1;
	if (o->control &&
	    control_start(o->control, r->virtio, &r->control, err, err_len) < 0)
		return -1;
	if (start_signal_thread(vm) < 0 ||
	    (o->console == CONSOLE_SERIAL &&
	     console_start(vm, STDIN_FILENO, &sink) < 0)) {
		snprintf(err, err_len, "cannot start the console threads");
		return -1;
	}
	return 0;
}

int machine_stop_signals(void)
{
	if (signal_thread_running) {
		/* Harmless if the thread already took a real signal and ended.
		 */
		pthread_kill(signal_thread_handle, SIGNAL_THREAD_QUIT);
		pthread_join(signal_thread_handle, NULL);
		signal_thread_running = false;
	}
	return __atomic_load_n(&stop_signal, __ATOMIC_ACQUIRE);
}

/* Everything the user named is checked before KVM is touched: the device
 * specs and their placement, the memory, the --dump-dtb path, the kernel
 * and initrd. */
static int check_inputs(struct run *r, const struct vmm_options *o, char *err,
			size_t err_len)
{
	machine_describe(&r->m, o);
	if (device_table_plan_virtio(&r->m, o, &r->virtio, err, err_len) < 0 ||
	    check_host_memory(o->memory, err, err_len) < 0 ||
	    (o->dump_dtb &&
	     dtb_file_open(&r->dtb, o->dump_dtb, err, err_len) < 0))
		return -1;
	if (o->kernel && boot_linux_open(&r->img, &r->m, o->kernel, o->initrd,
					 err, err_len) < 0)
		return -1;
	return 0;
}

int machine_run(const struct vmm_options *o, const struct timespec *start,
		char *err, size_t err_len)
{
	/* Static: it is large, and the signal thread keeps a pointer to it. */
	static struct kvm_vm vm;
	/* Static: it holds the 64 KiB command line. */
	static struct run r;
	enum vm_stop_reason reason;
	int status = -1, ret;

	memset(&r, 0, sizeof(r));
	r.dtb.fd = -1;
	if (check_inputs(&r, o, err, err_len) < 0)
		goto out_inputs;
	ret = setup(&vm, &r, o, start, err, err_len);
	if (ret != 0) {
		status = ret > 0 ? EXIT_POWEROFF : -1;
		goto out_destroy;
	}
	/* From here on the guest runs: only the allow-list (sandbox.c). */
	if (sandbox_install(o->seccomp,
			    device_table_sandbox_needs(r.virtio) |
				    (o->control ? SANDBOX_NEED_UNLINK : 0),
			    err, err_len) < 0)
		goto out_destroy;
	if (vcpu_start_all(&vm) < 0) {
		snprintf(err, err_len, "cannot start the vCPU threads");
		goto out_destroy;
	}
	reason = kvm_vm_wait_stop(&vm, &status);
	status = exit_status(reason, status);
	log_info("VM stopped (reason %d), exit status %d", reason, status);
out_destroy:
	/* Stop every thread that can touch a device before freeing them. */
	kvm_vm_request_stop(&vm, VM_STOP_ERROR, 0);
	vcpu_stop_all(&vm);
	console_stop();
	control_stop(r.control);
	device_table_destroy_virtio(r.virtio);
	r.virtio = NULL;
	device_table_destroy_platform(&r.devs);
	vcpu_destroy_all(&vm);
	kvm_vm_destroy(&vm);
out_inputs:
	device_table_destroy_virtio(r.virtio);
	boot_linux_close(&r.img);
	dtb_file_close(&r.dtb);
	return status;
}
