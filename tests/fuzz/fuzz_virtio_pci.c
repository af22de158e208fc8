/* fuzz_virtio_pci: the virtio-pci modern transport from the guest's side
 * (virtio 1.3 §4.1; PCI 3.0 §6 config space, §6.8.2 MSI-X).
 *
 * Every input builds a fresh machine as tests/unit/test_pci_virtio.c does
 * (fake VM, MSI table on eventfds, PCI host, the echo device in slot 1),
 * then plays a sequence of config-space (ECAM and CF8/CFC), BAR 0 (common
 * config, ISR, device config, notify), BAR 1 (MSI-X table and PBA) and
 * guest RAM accesses of any width and offset; format in fz_formats.h.
 * Kicks are served on this thread (no ioeventfd without KVM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "fake_vm.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "kvm_msi.h"
#include "pci.h"
#include "virtio_pci.h"

static const struct pci_host_config host_cfg = {
	.ecam_gpa = 0xe0000000,
	.ecam_len = PCI_ECAM_BUS0_LEN,
	.mmio32_gpa = 0xc0000000,
	.mmio32_len = 0x20000000,
	.intx_gsi_base = 16,
	.intx_gsi_count = 8,
};

struct pcif {
	struct fz in;
	struct fake_vm vm;
	struct kvm_msi_table msi;
	struct pci_host host;
	struct guest_ram ram;
	struct echo_dev echo;
	struct virtio_pci *vp;
	uint64_t bar0, bar1; /* where the host placed them */
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_virtio_pci: %s\n", what);
	abort();
}

static int setup(struct pcif *f)
{
	fake_vm_init(&f->vm, 0);
	if (kvm_msi_init(&f->msi, &f->vm.vm) < 0 ||
	    pci_host_init(&f->host, &f->vm.vm, &f->msi, &host_cfg) < 0)
		return -1;
	guest_ram_init(&f->ram, FZ_PCI_RAM_LEN);
	if (echo_dev_init(&f->echo, &f->ram.mem) < 0 ||
	    virtio_pci_add(&f->host, &f->echo.vd, &f->vp) < 0)
		return -1;
	f->bar0 = f->vp->pci.bar[VIRTIO_PCI_BAR].gpa;
	f->bar1 = f->vp->pci.bar[VIRTIO_PCI_MSIX_BAR].gpa;
	return 0;
}

static void teardown(struct pcif *f)
{
	pci_host_destroy(&f->host); /* it still points at vp's function */
	if (f->vp)
		virtio_pci_remove(f->vp);
	echo_dev_destroy(&f->echo);
	guest_ram_destroy(&f->ram);
	kvm_msi_destroy(&f->msi);
	fake_vm_destroy(&f->vm);
}

/* One access of 1, 2, 4 or 8 bytes, as a vCPU exit would hand it over. */
static void bus_access(struct pcif *f, struct iobus *bus, uint64_t addr,
		       bool write)
{
	uint32_t len = 1u << (fz_u8(&f->in) % 4);
	uint64_t val = 0;

	if (write) {
		val = fz_u64(&f->in);
		iobus_write(bus, addr, &val, len);
	} else {
		iobus_read(bus, addr, &val, len);
	}
}

static void poke_ram(struct pcif *f)
{
	uint16_t gpa = fz_u16(&f->in);
	uint32_t len = fz_u8(&f->in);

	if (len > FZ_PCI_RAM_LEN - gpa)
		len = FZ_PCI_RAM_LEN - gpa;
	fz_bytes(&f->in, f->ram.low + gpa, len);
}

/* The core's own invariants: status holds only known bits, and live
 * queues keep their positions in range. */
static void check(struct pcif *f)
{
	uint8_t known = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK |
			VIRTIO_CONFIG_S_DRIVER_OK |
			VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED;

	if (virtio_get_status(&f->echo.vd) & ~known)
		fail("unknown status bits");
	for (uint16_t q = 0; q < ECHO_NUM_QUEUES; q++)
		fz_check_queue(virtio_queue(&f->echo.vd, q));
}

static void run_op(struct pcif *f, uint8_t op)
{
	struct iobus *mmio = &f->vm.vm.mmio, *pio = &f->vm.vm.pio;

	switch (op % FZ_PCI_NR_OPS) {
	case FZ_PCI_ECAM_READ:
	case FZ_PCI_ECAM_WRITE:
		bus_access(f, mmio, host_cfg.ecam_gpa + fz_u16(&f->in),
			   op % FZ_PCI_NR_OPS == FZ_PCI_ECAM_WRITE);
		break;
	case FZ_PCI_BAR0_READ:
	case FZ_PCI_BAR0_WRITE:
		bus_access(f, mmio,
			   f->bar0 + fz_u16(&f->in) % VIRTIO_PCI_BAR_SIZE,
			   op % FZ_PCI_NR_OPS == FZ_PCI_BAR0_WRITE);
		break;
	case FZ_PCI_BAR1_READ:
	case FZ_PCI_BAR1_WRITE:
		bus_access(f, mmio,
			   f->bar1 + fz_u16(&f->in) % VIRTIO_PCI_MSIX_BAR_SIZE,
			   op % FZ_PCI_NR_OPS == FZ_PCI_BAR1_WRITE);
		break;
	case FZ_PCI_PIO_READ:
	case FZ_PCI_PIO_WRITE:
		bus_access(f, pio, PCI_PORT_CONFIG + fz_u8(&f->in) % 8,
			   op % FZ_PCI_NR_OPS == FZ_PCI_PIO_WRITE);
		break;
	case FZ_PCI_MEM:
		poke_ram(f);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcif *f = calloc(1, sizeof(*f));

	if (!f)
		fail("out of memory");
	fz_init(&f->in, data, size);
	if (setup(f) < 0)
		fail("cannot build the machine");
	while (!fz_done(&f->in)) {
		run_op(f, fz_u8(&f->in));
		check(f);
	}
	teardown(f);
	free(f);
	return 0;
}
