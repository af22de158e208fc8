/* layout: where everything sits in the x86 guest's address spaces.
 *
 * One place for every fixed guest-physical address and I/O port, so the
 * boot code, the ACPI tables and the devices cannot disagree. Diagram and
 * rationale: docs/machine-layout.md.
 */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

/* --- Guest-physical memory, low 1 MiB (real-mode era conventions) --- */
#define LAYOUT_GDT_GPA	       0x0500ULL /* boot GDT (5 entries) */
#define LAYOUT_BOOT_PARAMS_GPA 0x7000ULL /* Linux "zero page" */
#define LAYOUT_BOOT_STACK_GPA  0x8ff0ULL
#define LAYOUT_PML4_GPA	       0x9000ULL /* identity map of the low 4 GiB: */
#define LAYOUT_PDPT_GPA	       0xa000ULL /*   PML4 -> PDPT -> 4 PDs of */
#define LAYOUT_PD_GPA	       0xb000ULL /*   2 MiB pages (0xb000-0xefff) */
#define LAYOUT_CMDLINE_GPA     0x20000ULL
#define LAYOUT_CMDLINE_MAX     0x10000ULL  /* 64 KiB, far above any kernel's */
#define LAYOUT_EBDA_GPA	       0x9fc00ULL  /* e820: reserved up to 1 MiB */
#define LAYOUT_ACPI_GPA	       0xe0000ULL  /* RSDP, then the other tables */
#define LAYOUT_ACPI_SIZE       0x20000ULL  /* up to 1 MiB */
#define LAYOUT_KERNEL_GPA      0x100000ULL /* protected-mode kernel (1 MiB) */
#define LAYOUT_RAW_GPA	       0x1000ULL   /* --raw flat binary, real mode */

/* --- The 32-bit PCI hole: RAM stops here and resumes at 4 GiB --- */
#define LAYOUT_PCI_HOLE_START 0xc0000000ULL  /* 3 GiB */
#define LAYOUT_HIGH_RAM_GPA   0x100000000ULL /* 4 GiB */
#define LAYOUT_IOAPIC_GPA     0xfec00000ULL
#define LAYOUT_LAPIC_GPA      0xfee00000ULL

/* --- PCI (docs/pci.md) --- */
/* 32-bit BAR window: the first half of the hole. */
#define LAYOUT_PCI_MMIO32_GPA 0xc0000000ULL
#define LAYOUT_PCI_MMIO32_LEN 0x20000000ULL /* 512 MiB */
/* ECAM for bus 0 only (32 devices x 8 functions x 4 KiB = 1 MiB). */
#define LAYOUT_PCI_ECAM_GPA 0xe0000000ULL
#define LAYOUT_PCI_ECAM_LEN 0x100000ULL
/* 64-bit BAR window: above the end of RAM, rounded up to 1 GiB; the machine
 * computes its base. */
#define LAYOUT_PCI_MMIO64_LEN (64ULL << 30)
/* INTx: GSIs 16-23, level-triggered (ACPI _PRT, IOAPIC pins above ISA). */
#define LAYOUT_PCI_INTX_GSI_BASE  16
#define LAYOUT_PCI_INTX_GSI_COUNT 8

/* --- virtio-mmio (docs/machine-layout.md) --- */
/* Right below the IOAPIC, where QEMU's microvm puts them too: clear of the
 * PCI windows and ECAM. One 4 KiB slot per device, so every register window
 * (VIRTIO_MMIO_REGION_SIZE, 0x200 bytes) starts on its own page. */
#define LAYOUT_VIRTIO_MMIO_GPA	0xfeb00000ULL
#define LAYOUT_VIRTIO_MMIO_LEN	0x100000ULL /* 1 MiB: 256 slots */
#define LAYOUT_VIRTIO_MMIO_SLOT 0x1000ULL
/* One IOAPIC pin per device, level-triggered and active-high (the MADT
 * says so with an Interrupt Source Override per pin). Only ISA IRQs no
 * platform device of ours or of a PC uses: not 0/2 (PIT), 1 (keyboard),
 * 3 (COM2), 4 (COM1), 8 (RTC), 9 (the FADT's SCI); 16-23 are PCI INTx. */
#define LAYOUT_VIRTIO_MMIO_GSIS                 \
	{                                       \
		5, 6, 7, 10, 11, 12, 13, 14, 15 \
	}
#define LAYOUT_VIRTIO_MMIO_NR_GSIS 9

/* --- I/O ports --- */
#define LAYOUT_PORT_I8042_DATA 0x60
#define LAYOUT_PORT_I8042_CMD  0x64
#define LAYOUT_PORT_RTC	       0x70 /* index 0x70, data 0x71 */
#define LAYOUT_PORT_POST       0x80
#define LAYOUT_PORT_COM1       0x3f8
#define LAYOUT_IRQ_COM1	       4
#define LAYOUT_IRQ_RTC	       8
/* Debug exit, as QEMU's isa-debug-exit at iobase 0x501: a byte v written
 * here ends vmm with exit status (v << 1) | 1. */
#define LAYOUT_PORT_DEBUG_EXIT 0x501
/* Boot timer: the guest's init writes any byte here once; vmm logs the time
 * from its own start to that write. */
#define LAYOUT_PORT_BOOT_TIMER 0x510
/* ACPI hardware-reduced sleep control/status and reset registers (FADT). */
#define LAYOUT_PORT_ACPI_SLEEP_CTL 0x600
#define LAYOUT_PORT_ACPI_SLEEP_STS 0x601
#define LAYOUT_PORT_ACPI_RESET	   0x602
#define LAYOUT_ACPI_RESET_VALUE	   0x1
#define LAYOUT_ACPI_S5_TYPE	   5 /* SLP_TYP the DSDT's \_S5 package names */

#endif
