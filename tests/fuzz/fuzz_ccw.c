/* fuzz_ccw: libFuzzer target for channel programs and virtio-ccw commands.
 *
 * PoP ch. 15 and virtio 1.3 §4.3 under hostile input: the input becomes
 * 64 KiB of guest RAM at address 0, holding up to four ORBs (at 0x00,
 * 0x10, 0x20, 0x30) that START SUBCHANNEL runs one after the other on a
 * virtio-ccw device, each followed by TEST SUBCHANNEL; then the word at
 * 0x40 goes to diagnose 0x500 and byte 0x44 picks options (bit 0:
 * concurrent sense, bit 1: non-transitional device). SCHIB and IRB live
 * in a second region the input does not reach. Whatever the input, every
 * instruction must end in a condition code or a program interruption.
 *
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DVMM_FUZZ=ON \
 *         -DBUILD_TESTING=OFF
 *   cmake --build build-fuzz --target fuzz_ccw
 *   build-fuzz/tests/fuzz/fuzz_ccw -max_total_time=60 CORPUS
 * tests/fuzz/corpus/fuzz_ccw
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio_ccw.h"

#define RAM_LEN	    0x10000
#define SCRATCH_GPA 0x100000
#define SCRATCH_LEN 0x1000
#define OPTIONS_OFF 0x44

static uint8_t ram[RAM_LEN], scratch[SCRATCH_LEN];
static uint8_t config[16];

/* A small device: two queues, 16 bytes of config, the last 8 writable. */
static void dev_notify(struct virtio_dev *vd, struct virtq *vq)
{
	(void)vd;
	(void)vq;
}

static int dev_config_write(struct virtio_dev *vd, uint32_t off,
			    const void *buf, uint32_t len)
{
	(void)vd;
	if (off < 8)
		return -1;
	memcpy(config + off, buf, len);
	return 0;
}

static const struct virtio_device_ops dev_ops = {
	.device_id = 1,
	.num_queues = 2,
	.queue_max_size = 64,
	.queue_notify = dev_notify,
	.config_write = dev_config_write,
};

/* STSCH, set E (and concurrent sense), MSCH: what a driver does first. */
static void enable(struct css *css, uint32_t schid, int csense)
{
	uint8_t *s = scratch;

	if (css_stsch(css, schid, SCRATCH_GPA))
		return;
	s[5] |= 0x80;
	s[4] |= 3 << 3;
	if (csense)
		s[27] |= 1;
	css_msch(css, schid, SCRATCH_GPA);
}

static void run(struct css *css, uint32_t schid, uint8_t options)
{
	struct css_irq irq;
	uint32_t data;

	enable(css, schid, options & 1);
	for (uint64_t orb = 0; orb < 0x40; orb += 0x10) {
		css_ssch(css, schid, orb);
		while (css_tpi(css, 0xff, &irq))
			;
		css_tsch(css, schid, SCRATCH_GPA + 0x100);
	}
	memcpy(&data, ram + 0x40, sizeof(data));
	virtio_ccw_notify(css, schid, data, 0);
	css_io_interrupt(css, schid);
	css_hsch(css, schid);
	css_csch(css, schid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmem mem = {0};
	struct virtio_dev vd;
	struct virtio_ccw *vc;
	struct css *css;

	log_threshold = LOG_ERROR; /* guest errors are expected here */
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data, size < RAM_LEN ? size : RAM_LEN);
	memset(scratch, 0, sizeof(scratch));
	memset(config, 0x5a, sizeof(config));
	if (gmem_add_region(&mem, 0, ram, RAM_LEN) ||
	    gmem_add_region(&mem, SCRATCH_GPA, scratch, SCRATCH_LEN) ||
	    virtio_dev_init(&vd, &dev_ops, &mem, "fuzz"))
		abort();
	vd.config = config;
	vd.config_len = sizeof(config);
	if (css_create(&mem, &css) || virtio_ccw_add(css, &vd, 0, &vc))
		abort();
	if (ram[OPTIONS_OFF] & 2)
		virtio_ccw_set_revisions(vc, 1, VIRTIO_CCW_REV_MAX);
	run(css, virtio_ccw_schid(vc), ram[OPTIONS_OFF]);
	virtio_dev_reset(&vd);
	virtio_ccw_remove(vc);
	css_destroy(css);
	virtio_dev_destroy(&vd);
	return 0;
}
