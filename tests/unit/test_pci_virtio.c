/* test_pci_virtio: virtio-pci modern driven like Linux's virtio_pci_modern
 * driver, over the echo device: capability discovery, common config, MSI-X
 * (table, masks, PBA), INTx fallback, split and packed rings, and bad
 * accesses. No KVM: MSI vectors are observed on their eventfds.
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_pci.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "drvq.h"
#include "echo_dev.h"
#include "fake_transport.h"
#include "fake_vm.h"
#include "guest_ram.h"
#include "kvm_msi.h"
#include "pci.h"
#include "pci_msix.h"
#include "test_runner.h"
#include "virtio_pci.h"

#define QSIZE 16

static struct fake_vm f;
static struct kvm_msi_table msi;
static struct pci_host h;
static struct guest_ram ram;
static struct echo_dev echo;
static struct virtio_pci *vp;
static int slot;
static uint64_t bar0, bar1;
/* What the driver found in the capabilities. */
static uint32_t common_off, notify_off, notify_mult, isr_off, dev_off;
static int cfg_cap = -1;

static const struct pci_host_config host_cfg = {
	.ecam_gpa = 0xe0000000,
	.ecam_len = PCI_ECAM_BUS0_LEN,
	.mmio32_gpa = 0xc0000000,
	.mmio32_len = 0x20000000,
	.intx_gsi_base = 16,
	.intx_gsi_count = 8,
};

static uint32_t cfg_rd(uint32_t reg, uint32_t len)
{
	uint32_t v = 0;

	iobus_read(&f.vm.mmio, 0xe0000000 + (slot << 15) + reg, &v, len);
	return v;
}

static void cfg_wr(uint32_t reg, uint32_t val, uint32_t len)
{
	iobus_write(&f.vm.mmio, 0xe0000000 + (slot << 15) + reg, &val, len);
}

/* Reads up to 8 bytes (the PBA takes qword reads); returns the low 32. */
static uint32_t rd(uint64_t gpa, uint32_t len)
{
	uint64_t v = 0;

	iobus_read(&f.vm.mmio, gpa, &v, len);
	return (uint32_t)v;
}

static void wr(uint64_t gpa, uint32_t val, uint32_t len)
{
	iobus_write(&f.vm.mmio, gpa, &val, len);
}

#define COMMON(field) (bar0 + common_off + VIRTIO_PCI_COMMON_##field)

/* Signals on the vector's eventfd since the last call. */
static uint64_t vec_fired(unsigned int vec)
{
	uint64_t n = 0;

	if (read(kvm_msi_eventfd(&msi, (uint32_t)vp->msix.gsi[vec]), &n,
		 sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* Like vp_modern_probe(): walk the list, remember each virtio cap. */
static void discover(void)
{
	unsigned int n = 0;

	ck_assert_uint_eq(cfg_rd(PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_rd(PCI_DEVICE_ID, 2), 0x1040 + ECHO_DEVICE_ID);
	ck_assert_uint_eq(cfg_rd(PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	for (uint32_t p = cfg_rd(PCI_CAPABILITY_LIST, 1); p;
	     p = cfg_rd(p + 1, 1)) {
		uint32_t id = cfg_rd(p, 1), len = cfg_rd(p + 2, 1);
		uint32_t type = cfg_rd(p + 3, 1), off = cfg_rd(p + 8, 4);

		ck_assert_uint_lt(++n, 16);
		ck_assert_uint_ge(p, 0x40);
		if (id != PCI_CAP_ID_VNDR)
			continue;
		ck_assert_uint_le(p + len, PCI_CFG_LEN);
		ck_assert_uint_ge(len, sizeof(struct virtio_pci_cap));
		if (type != VIRTIO_PCI_CAP_PCI_CFG)
			ck_assert_uint_eq(cfg_rd(p + 4, 1), 0); /* BAR 0 */
		if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
			common_off = off;
			ck_assert_uint_ge(cfg_rd(p + 12, 4), 0x3c);
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			notify_off = off;
			notify_mult = cfg_rd(p + 16, 4);
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG) {
			isr_off = off;
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG) {
			dev_off = off;
			ck_assert_uint_eq(cfg_rd(p + 12, 4), ECHO_CONFIG_LEN);
		} else if (type == VIRTIO_PCI_CAP_PCI_CFG) {
			cfg_cap = (int)p;
		}
	}
	ck_assert_int_ge(cfg_cap, 0x40);
	ck_assert_uint_ne(notify_off, 0);
	ck_assert_uint_ne(notify_mult, 0);
	bar0 = cfg_rd(PCI_BASE_ADDRESS_0, 4) & ~0xfu;
	bar1 = cfg_rd(PCI_BASE_ADDRESS_1, 4) & ~0xfu;
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static void setup(void)
{
	fake_vm_init(&f, 0);
	ck_assert_int_eq(kvm_msi_init(&msi, &f.vm), 0);
	ck_assert_int_eq(pci_host_init(&h, &f.vm, &msi, &host_cfg), 0);
	guest_ram_init(&ram, 1 << 20);
	ck_assert_int_eq(echo_dev_init(&echo, &ram.mem), 0);
	slot = virtio_pci_add(&h, &echo.vd, &vp);
	ck_assert_int_eq(slot, 1);
	discover();
}

static void teardown(void)
{
	pci_host_destroy(&h); /* it still points at vp's function */
	virtio_pci_remove(vp);
	echo_dev_destroy(&echo);
	guest_ram_destroy(&ram);
	kvm_msi_destroy(&msi);
	fake_vm_destroy(&f);
}

static uint64_t negotiate(uint64_t want)
{
	uint64_t offered;

	wr(COMMON(STATUS), 0, 1);
	ck_assert_uint_eq(rd(COMMON(STATUS), 1), 0);
	wr(COMMON(STATUS), VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	wr(COMMON(STATUS), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER,
	   1);
	wr(COMMON(DFSELECT), 0, 4);
	offered = rd(COMMON(DF), 4);
	wr(COMMON(DFSELECT), 1, 4);
	offered |= (uint64_t)rd(COMMON(DF), 4) << 32;
	want &= offered;
	wr(COMMON(GFSELECT), 0, 4);
	wr(COMMON(GF), (uint32_t)want, 4);
	wr(COMMON(GFSELECT), 1, 4);
	wr(COMMON(GF), (uint32_t)(want >> 32), 4);
	wr(COMMON(STATUS),
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK,
	   1);
	ck_assert(rd(COMMON(STATUS), 1) & VIRTIO_CONFIG_S_FEATURES_OK);
	return want;
}

/* Linux's vp_modern msix setup: enable with mask-all, program, unmask. */
static void msix_on(void)
{
	uint32_t cap = vp->msix.cap;

	cfg_wr(cap + PCI_MSIX_FLAGS,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	for (unsigned int v = 0; v < vp->msix.nvec; v++) {
		uint64_t e = bar1 + v * PCI_MSIX_ENTRY_SIZE;

		wr(e + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000 + (v << 12), 4);
		wr(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0, 4);
		wr(e + PCI_MSIX_ENTRY_DATA, 0x40 + v, 4);
		wr(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
	}
	cfg_wr(cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
}

static void setup_queue(struct drvq *q, uint16_t idx, uint64_t features,
			uint16_t vec)
{
	wr(COMMON(Q_SELECT), idx, 2);
	ck_assert_uint_eq(rd(COMMON(Q_SIZE), 2), ECHO_QUEUE_MAX);
	wr(COMMON(Q_SIZE), QSIZE, 2);
	wr(COMMON(Q_MSIX), vec, 2);
	ck_assert_uint_eq(rd(COMMON(Q_MSIX), 2), vec);
	ck_assert_uint_eq(rd(COMMON(Q_NOFF), 2), idx);
	drvq_init(q, &ram, idx, QSIZE, features);
	wr(COMMON(Q_DESCLO), (uint32_t)q->desc_gpa, 4);
	wr(COMMON(Q_DESCHI), (uint32_t)(q->desc_gpa >> 32), 4);
	wr(COMMON(Q_AVAILLO), (uint32_t)q->driver_gpa, 4);
	wr(COMMON(Q_AVAILHI), (uint32_t)(q->driver_gpa >> 32), 4);
	wr(COMMON(Q_USEDLO), (uint32_t)q->device_gpa, 4);
	wr(COMMON(Q_USEDHI), (uint32_t)(q->device_gpa >> 32), 4);
	ck_assert_uint_eq(rd(COMMON(Q_DESCLO), 4), (uint32_t)q->desc_gpa);
	wr(COMMON(Q_ENABLE), 1, 2);
	ck_assert_uint_eq(rd(COMMON(Q_ENABLE), 2), 1);
}

static void driver_ok(void)
{
	wr(COMMON(STATUS),
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK,
	   1);
	ck_assert(rd(COMMON(STATUS), 1) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* One request through queue q: returns the bytes the device wrote. */
static uint32_t request(struct drvq *q, const char *msg)
{
	uint64_t in = guest_ram_put(&ram, msg, strlen(msg));
	uint64_t out = guest_ram_alloc(&ram, 64, 16);
	struct drvq_buf b[2] = {{in, (uint32_t)strlen(msg), false},
				{out, 64, true}};
	uint32_t len = 0;
	int token = 1;

	ck_assert_int_eq(drvq_add(q, b, 2, false, &token), 0);
	if (drvq_kick_prepare(q))
		wr(bar0 + notify_off + q->index * notify_mult,
		   drvq_notify_value(q), 2);
	ck_assert_ptr_eq(drvq_get_used(q, &len), &token);
	ck_assert_mem_eq(guest_ram_ptr(&ram, out, strlen(msg)), msg,
			 strlen(msg));
	return len;
}

static const uint64_t ring_features[] = {
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX),
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_RING_PACKED) |
		(1ULL << VIRTIO_RING_F_EVENT_IDX),
};

START_TEST(linux_init_msix)
{
	uint64_t feat = negotiate(ring_features[_i] | (1ULL << ECHO_F_FANCY));
	struct drvq q0, q1;

	msix_on();
	wr(COMMON(MSIX), 0, 2);
	ck_assert_uint_eq(rd(COMMON(MSIX), 2), 0);
	ck_assert_uint_eq(rd(COMMON(NUMQ), 2), ECHO_NUM_QUEUES);
	setup_queue(&q0, 0, feat, 1);
	setup_queue(&q1, 1, feat, 2);
	driver_ok();
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(request(&q0, "hello"), 5);
		ck_assert_uint_eq(vec_fired(1), 1);
		ck_assert_uint_eq(request(&q1, "packed or split"), 15);
		ck_assert_uint_eq(vec_fired(2), 1);
	}
	ck_assert_uint_eq(vec_fired(0), 0);
	/* No INTx while MSI-X is on. */
	ck_assert_int_eq(f.irq_raises[17], 0);
	/* Routes: each vector's GSI carries the message the guest wrote. */
	ck_assert_uint_eq(msi.routes[vp->msix.gsi[2] - KVM_MSI_GSI_BASE].data,
			  0x42);
	ck_assert_uint_eq(msi.routes[vp->msix.gsi[1] - KVM_MSI_GSI_BASE].addr,
			  0xfee01000);
	/* Device config through its window, and through the PCI_CFG cap. */
	ck_assert_uint_eq(rd(bar0 + dev_off, 4),
			  echo.config[0] | echo.config[1] << 8 |
				  echo.config[2] << 16 |
				  (uint32_t)echo.config[3] << 24);
	cfg_wr(cfg_cap + 4, 0, 1);
	cfg_wr(cfg_cap + 8, common_off + VIRTIO_PCI_COMMON_NUMQ, 4);
	cfg_wr(cfg_cap + 12, 2, 4);
	ck_assert_uint_eq(cfg_rd(cfg_cap + 16, 2), ECHO_NUM_QUEUES);
	drvq_destroy(&q0);
	drvq_destroy(&q1);
}
END_TEST

START_TEST(intx_fallback)
{
	uint64_t feat = negotiate(ring_features[_i]);
	struct drvq q0;
	uint32_t gsi = 16 + (1 + 0) % 8;

	setup_queue(&q0, 0, feat, VIRTIO_MSI_NO_VECTOR);
	driver_ok();
	ck_assert_uint_eq(request(&q0, "intx"), 4);
	ck_assert_int_eq(f.irq_level[gsi], 1);
	ck_assert_uint_eq(rd(bar0 + isr_off, 1), 1);
	ck_assert_int_eq(f.irq_level[gsi], 0);
	ck_assert_uint_eq(rd(bar0 + isr_off, 1), 0); /* read cleared it */
	/* A config change sets ISR bit 1. */
	ck_assert_int_eq(virtio_config_update(&echo.vd, 0, "x", 1), 0);
	ck_assert_int_eq(f.irq_level[gsi], 1);
	ck_assert_uint_eq(rd(bar0 + isr_off, 1), VIRTIO_PCI_ISR_CONFIG);
	drvq_destroy(&q0);
}
END_TEST

START_TEST(msix_mask_and_pba)
{
	uint64_t feat = negotiate(ring_features[0]);
	uint64_t e1 = bar1 + 1 * PCI_MSIX_ENTRY_SIZE;
	struct drvq q0;

	msix_on();
	setup_queue(&q0, 0, feat, 1);
	driver_ok();
	/* Vector mask: pending, then delivered on unmask. */
	wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1, 4);
	request(&q0, "a");
	ck_assert_uint_eq(vec_fired(1), 0);
	ck_assert_uint_eq(rd(bar1 + VIRTIO_PCI_MSIX_PBA, 4), 1u << 1);
	wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
	ck_assert_uint_eq(vec_fired(1), 1);
	ck_assert_uint_eq(rd(bar1 + VIRTIO_PCI_MSIX_PBA, 4), 0);
	/* Function mask: the same. */
	cfg_wr(vp->msix.cap + PCI_MSIX_FLAGS,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	request(&q0, "b");
	ck_assert_uint_eq(vec_fired(1), 0);
	ck_assert_uint_eq(rd(bar1 + VIRTIO_PCI_MSIX_PBA, 8), 1u << 1);
	cfg_wr(vp->msix.cap + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	ck_assert_uint_eq(vec_fired(1), 1);
	/* Table: only the mask bit of vector control sticks; PBA is
	 * read-only; odd widths and offsets past the table are dropped. */
	wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0xfffffffe, 4);
	ck_assert_uint_eq(rd(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), 0);
	wr(bar1 + VIRTIO_PCI_MSIX_PBA, 0xff, 4);
	ck_assert_uint_eq(rd(bar1 + VIRTIO_PCI_MSIX_PBA, 4), 0);
	wr(e1 + PCI_MSIX_ENTRY_DATA, 0x99, 2);
	ck_assert_uint_eq(rd(e1 + PCI_MSIX_ENTRY_DATA, 4), 0x41);
	wr(e1 + 2, 0x99, 4);
	ck_assert_uint_eq(rd(e1 + PCI_MSIX_ENTRY_LOWER_ADDR, 4), 0xfee01000);
	wr(bar1 + 16 * vp->msix.nvec, 0x99, 4);
	ck_assert_uint_eq(rd(bar1 + 16 * vp->msix.nvec, 4), 0);
	/* Message Control: table size read-only, N - 1. */
	cfg_wr(vp->msix.cap + PCI_MSIX_FLAGS, 0x07ff | PCI_MSIX_FLAGS_ENABLE,
	       2);
	ck_assert_uint_eq(cfg_rd(vp->msix.cap + PCI_MSIX_FLAGS, 2) & 0x7ff,
			  ECHO_NUM_QUEUES);
	drvq_destroy(&q0);
}
END_TEST

struct bad_access {
	uint32_t off, len;
};

/* Wrong widths and holes in the common config: read 0, writes ignored. */
static const struct bad_access bad[] = {
	{VIRTIO_PCI_COMMON_DF, 2},	    {VIRTIO_PCI_COMMON_DF + 1, 1},
	{VIRTIO_PCI_COMMON_STATUS, 2},	    {VIRTIO_PCI_COMMON_NUMQ, 4},
	{VIRTIO_PCI_COMMON_Q_SIZE, 1},	    {VIRTIO_PCI_COMMON_Q_DESCLO, 8},
	{VIRTIO_PCI_COMMON_Q_RESET + 2, 2}, {0x3e, 2},
};

START_TEST(bad_common_access)
{
	const struct bad_access *c = &bad[_i];
	uint64_t v = ~0ULL;

	iobus_write(&f.vm.mmio, bar0 + common_off + c->off, &v, c->len);
	v = 0x5555;
	iobus_read(&f.vm.mmio, bar0 + common_off + c->off, &v, c->len);
	ck_assert_uint_eq(v & ((c->len == 8 ? 0 : 1ULL << 8 * c->len) - 1), 0);
	ck_assert_uint_eq(rd(COMMON(STATUS), 1), 0);
	ck_assert_uint_eq(rd(COMMON(NUMQ), 2), ECHO_NUM_QUEUES);
	wr(COMMON(Q_SELECT), 0, 2);
	ck_assert_uint_eq(rd(COMMON(Q_SIZE), 2), ECHO_QUEUE_MAX);
}
END_TEST

START_TEST(bad_values)
{
	negotiate(ring_features[0]);
	/* Read-only fields. */
	wr(COMMON(NUMQ), 7, 2);
	ck_assert_uint_eq(rd(COMMON(NUMQ), 2), ECHO_NUM_QUEUES);
	wr(COMMON(DF), 0, 4);
	wr(COMMON(DFSELECT), 1, 4);
	ck_assert_uint_eq(rd(COMMON(DF), 4) & 1, 1); /* VERSION_1 */
	/* No such queue: size 0, writes ignored, vector NO_VECTOR. */
	wr(COMMON(Q_SELECT), ECHO_NUM_QUEUES, 2);
	ck_assert_uint_eq(rd(COMMON(Q_SIZE), 2), 0);
	wr(COMMON(Q_SIZE), 8, 2);
	wr(COMMON(Q_ENABLE), 1, 2);
	ck_assert_uint_eq(rd(COMMON(Q_SIZE), 2), 0);
	ck_assert_uint_eq(rd(COMMON(Q_ENABLE), 2), 0);
	ck_assert_uint_eq(rd(COMMON(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	/* Vectors beyond the table are refused. */
	wr(COMMON(MSIX), 999, 2);
	ck_assert_uint_eq(rd(COMMON(MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	wr(COMMON(Q_SELECT), 0, 2);
	wr(COMMON(Q_MSIX), ECHO_NUM_QUEUES + 1, 2);
	ck_assert_uint_eq(rd(COMMON(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	/* Notifications to missing queues or odd offsets are dropped. */
	wr(bar0 + notify_off + ECHO_NUM_QUEUES * notify_mult, 0, 2);
	wr(bar0 + notify_off + 1, 0, 1);
	ck_assert_uint_eq(echo.notifies, 0);
	/* Device config past its end reads 0. */
	ck_assert_uint_eq(rd(bar0 + dev_off + ECHO_CONFIG_LEN - 2, 4), 0);
	/* Reset clears the vectors and status. */
	wr(COMMON(STATUS), 0, 1);
	ck_assert_uint_eq(rd(COMMON(STATUS), 1), 0);
	ck_assert_uint_eq(rd(COMMON(GFSELECT), 4), 0);
}
END_TEST

static Suite *pci_virtio_suite(void)
{
	Suite *s = suite_create("pci_virtio");
	TCase *tc = tcase_create("transport");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, linux_init_msix, 0, 2);
	tcase_add_loop_test(tc, intx_fallback, 0, 2);
	tcase_add_test(tc, msix_mask_and_pba);
	tcase_add_loop_test(tc, bad_common_access, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, bad_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(pci_virtio_suite());
}
