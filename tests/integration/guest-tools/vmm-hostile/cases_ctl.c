/* cases_ctl: abuse of the control plane, and notification storms.
 *
 * virtio 1.3 §2.1 / §3.1.1 (the status sequence a driver must follow),
 * §2.2 (features frozen at FEATURES_OK), §4.1.4.3 (common configuration:
 * widths, read-only fields, queue_select past num_queues, queue_size
 * limits, queue_enable), §4.1.4.9 (the PCI configuration access
 * capability), §2.6.1 (queue reset), §4.1.4.4 (notifications).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/virtio_pci.h>

#include "hostile.h"

#define S_ACK	VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV	VIRTIO_CONFIG_S_DRIVER
#define S_FOK	VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK	VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR	VIRTIO_CONFIG_S_NEEDS_RESET
#define S_FAIL	VIRTIO_CONFIG_S_FAILED
#define HOST_VA 0x7fffdeadb000ULL

static uint16_t q16(struct ctx *c, uint32_t field)
{
	return (uint16_t)cc_read(c->d, field, 2);
}

/* ---- status (§2.1, §3.1.1) ---- */

/* Resets, writes the given status values in turn, reports the last
 * status read back. */
static void status_seq(struct ctx *c, const char *key, const uint8_t *seq,
		       int n, uint64_t features)
{
	dev_reset(c->d);
	for (int i = 0; i < n; i++) {
		if (seq[i] & S_FOK)
			dev_set_driver_features(c->d, features);
		dev_set_status(c->d, seq[i]);
	}
	report(key, "0x%02x", dev_status(c->d));
}

/* Up to FEATURES_OK with our usual features. */
static void to_features_ok(struct ctx *c)
{
	dev_reset(c->d);
	dev_set_status(c->d, S_ACK);
	dev_set_status(c->d, S_ACK | S_DRV);
	dev_set_driver_features(c->d, RING_FEATURES);
	dev_set_status(c->d, S_ACK | S_DRV | S_FOK);
}

static void after_features_ok(struct ctx *c, const char *key, uint8_t s)
{
	to_features_ok(c);
	dev_set_status(c->d, s);
	report(key, "0x%02x", dev_status(c->d));
}

/* The first register a reset left set, or NULL (§2.4: the device goes back
 * to its initial state; §4.1.4.3: queue_size back to its maximum, vectors
 * to NO_VECTOR; §4.1.4.5: nothing pending in ISR). */
static const char *dirty_after_reset(struct ctx *c, uint16_t max)
{
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	if (dev_status(c->d))
		return "device_status";
	if (dev_driver_features(c->d))
		return "driver_feature";
	if (q16(c, VIRTIO_PCI_COMMON_Q_ENABLE))
		return "queue_enable";
	if (q16(c, VIRTIO_PCI_COMMON_Q_SIZE) != max)
		return "queue_size";
	if (cc_read(c->d, VIRTIO_PCI_COMMON_Q_DESCLO, 4) ||
	    cc_read(c->d, VIRTIO_PCI_COMMON_Q_AVAILLO, 4) ||
	    cc_read(c->d, VIRTIO_PCI_COMMON_Q_USEDLO, 4))
		return "queue_addresses";
	if (q16(c, VIRTIO_PCI_COMMON_Q_MSIX) != VIRTIO_MSI_NO_VECTOR ||
	    q16(c, VIRTIO_PCI_COMMON_MSIX) != VIRTIO_MSI_NO_VECTOR)
		return "msix_vectors";
	if (dev_read(c->d, c->d->isr, 1))
		return "isr";
	return NULL;
}

/* A device that was live, with vectors set, and then broken: after a
 * reset, every register reads as it did before the first use. */
static void reset_clean(struct ctx *c)
{
	struct ring_setup s = {0};
	const char *dirty;
	uint16_t max;

	dev_reset(c->d);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	max = q16(c, VIRTIO_PCI_COMMON_Q_SIZE);
	ring_start(&c->r, c->d, &s);
	cc_write(c->d, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
	ring_split_publish(&c->r, 0xffff); /* head out of range */
	dev_notify(c->d, 0);
	ring_wait(&c->r, 3000, false);
	dev_reset(c->d);
	dirty = dirty_after_reset(c, max);
	report("status.reset_clean", "%s", dirty ? dirty : "clean");
}

void cases_status(struct ctx *c)
{
	static const uint8_t driver_first[] = {S_DRV};
	static const uint8_t ok_early[] = {S_ACK, S_ACK | S_DRV,
					   S_ACK | S_DRV | S_DOK};
	static const uint8_t fok_early[] = {S_ACK, S_ACK | S_FOK};
	static const uint8_t fok[] = {S_ACK, S_ACK | S_DRV,
				      S_ACK | S_DRV | S_FOK};
	uint64_t f;

	status_seq(c, "status.driver_before_ack", driver_first, 1, 0);
	status_seq(c, "status.driver_ok_before_features_ok", ok_early, 3, 0);
	status_seq(c, "status.features_ok_before_driver", fok_early, 2,
		   RING_FEATURES);
	status_seq(c, "status.features_not_offered", fok, 3,
		   RING_FEATURES | BIT(63));
	status_seq(c, "status.features_without_version_1", fok, 3,
		   BIT(VIRTIO_RING_F_INDIRECT_DESC));
	after_features_ok(c, "status.clear_bits", S_ACK);
	after_features_ok(c, "status.unknown_bit_0x10",
			  S_ACK | S_DRV | S_FOK | 0x10);
	after_features_ok(c, "status.unknown_bit_0x20",
			  S_ACK | S_DRV | S_FOK | 0x20);
	after_features_ok(c, "status.driver_sets_needs_reset",
			  S_ACK | S_DRV | S_FOK | S_NR);

	/* After FAILED nothing moves until a reset. */
	after_features_ok(c, "status.failed", S_ACK | S_DRV | S_FOK | S_FAIL);
	dev_set_status(c->d, S_ACK | S_DRV | S_FOK | S_FAIL | S_DOK);
	report("status.after_failed", "0x%02x", dev_status(c->d));

	/* The accepted features are frozen at FEATURES_OK (§3.1.1 step 5). */
	to_features_ok(c);
	dev_set_driver_features(c->d, BIT(VIRTIO_F_VERSION_1) | BIT(63));
	f = dev_driver_features(c->d);
	report("status.features_after_features_ok", "%s",
	       f == RING_FEATURES ? "kept" : "changed");
	reset_clean(c);
	after_case(c, "status", false);
}

static void size_write(struct ctx *c, const char *key, uint16_t size)
{
	to_features_ok(c);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	report(key, "%u", q16(c, VIRTIO_PCI_COMMON_Q_SIZE));
}

/* Writes to a queue that does not exist change nothing and read 0. */
static void select_oob(struct ctx *c, const char *key, uint16_t q)
{
	to_features_ok(c);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	report(key, "size=%u enable=%u desc=%#x",
	       q16(c, VIRTIO_PCI_COMMON_Q_SIZE),
	       q16(c, VIRTIO_PCI_COMMON_Q_ENABLE),
	       (unsigned int)cc_read(c->d, VIRTIO_PCI_COMMON_Q_DESCLO, 4));
}

/* After a live queue is touched: "<what reads back>/<next request>". */
static void live_write(struct ctx *c, const char *key, uint32_t field,
		       unsigned int width, uint64_t v)
{
	struct ring_setup s = {0};
	uint64_t before;

	ring_start(&c->r, c->d, &s);
	before = cc_read(c->d, field, width);
	cc_write(c->d, field, width, v);
	ring_good(&c->r);
	dev_notify(c->d, 0);
	report(key, "%s/%s",
	       cc_read(c->d, field, width) == before ? "kept" : "changed",
	       outcome_name(ring_wait(&c->r, 3000, false)));
}

/* Queue reset (§2.6.1) on a live queue, then re-enabled with the given
 * descriptor address: "<enable after reset>/<next outcome>". */
static void queue_reset(struct ctx *c, const char *key, uint64_t desc)
{
	struct ring_setup s = {.features = RING_FEATURES |
					   BIT(VIRTIO_F_RING_RESET)};
	struct ring *r = &c->r;
	uint16_t enabled;

	ring_start(r, c->d, &s);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_RESET, 2, 1);
	enabled = q16(c, VIRTIO_PCI_COMMON_Q_ENABLE);
	/* The queue forgot everything: set it up again, from index 0. */
	memset(r->area[0].va, 0, PAGE);
	memset(r->area[1].va, 0, PAGE);
	memset(r->area[2].va, 0, PAGE);
	r->next_avail = r->next_used = 0;
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SIZE, 2, RING_SIZE);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)desc);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_DESCHI, 4, desc >> 32);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, r->area[1].gpa);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, r->area[1].gpa >> 32);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_USEDLO, 4, r->area[2].gpa);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_USEDHI, 4, r->area[2].gpa >> 32);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	ring_split_avail(r)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ring_good(r);
	dev_notify(c->d, 0);
	report(key, "%u/%s", enabled, outcome_name(ring_wait(r, 3000, false)));
}

void cases_queue_regs(struct ctx *c)
{
	size_write(c, "queue.size_0", 0);
	size_write(c, "queue.size_257", 257);
	size_write(c, "queue.size_0xffff", 0xffff);
	select_oob(c, "queue.select_1", 1);
	select_oob(c, "queue.select_0xffff", 0xffff);
	live_write(c, "queue.desc_while_enabled", VIRTIO_PCI_COMMON_Q_DESCLO, 4,
		   (uint32_t)HOST_VA);
	live_write(c, "queue.size_while_enabled", VIRTIO_PCI_COMMON_Q_SIZE, 2,
		   8);
	live_write(c, "queue.enable_0", VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
	live_write(c, "queue.reset_not_negotiated", VIRTIO_PCI_COMMON_Q_RESET,
		   2, 1);
	queue_reset(c, "queue.reset_then_ok", c->r.area[0].gpa);
	queue_reset(c, "queue.reset_then_host_addr", HOST_VA);
	after_case(c, "queue", false);
}

/* ---- registers: widths, read-only fields, holes (§4.1.4.3, §4.1.4.9) */

static unsigned int field_width(uint32_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX ... VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT ... VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
		return off % 2 ? 0 : 2;
	default:
		return off % 4 ? 0 : 4;
	}
}

/* What must not move: status, both feature sets, queue 0's size. */
static uint64_t fingerprint(struct ctx *c)
{
	uint64_t f = dev_features(c->d) ^ dev_driver_features(c->d) * 3;

	cc_write(c->d, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	return f ^ (uint64_t)dev_status(c->d) << 56 ^
	       (uint64_t)q16(c, VIRTIO_PCI_COMMON_Q_SIZE) << 40;
}

/* Every offset of the common configuration, every width but the field's
 * own: reads and writes of all-ones. The device ignores them all. */
static void wrong_widths(struct ctx *c)
{
	static const unsigned int widths[] = {1, 2, 4, 8};
	uint64_t before;

	to_features_ok(c);
	before = fingerprint(c);
	for (uint32_t off = 0; off < 0x40; off++)
		for (int i = 0; i < 4; i++) {
			if (widths[i] == field_width(off))
				continue;
			cc_read(c->d, off, widths[i]);
			cc_write(c->d, off, widths[i], ~0ULL);
		}
	report("regs.wrong_widths", "%s",
	       fingerprint(c) == before ? "ignored" : "changed");
}

static void read_only(struct ctx *c)
{
	uint64_t before;

	to_features_ok(c);
	before = fingerprint(c);
	cc_write(c->d, VIRTIO_PCI_COMMON_DF, 4, 0);
	cc_write(c->d, VIRTIO_PCI_COMMON_NUMQ, 2, 7);
	cc_write(c->d, VIRTIO_PCI_COMMON_CFGGENERATION, 1, 0x55);
	cc_write(c->d, VIRTIO_PCI_COMMON_Q_NOFF, 2, 9);
	dev_write(c->d, c->d->isr, 1, 0xff);
	report("regs.read_only", "%s numq=%u noff=%u",
	       fingerprint(c) == before ? "ignored" : "changed",
	       q16(c, VIRTIO_PCI_COMMON_NUMQ),
	       q16(c, VIRTIO_PCI_COMMON_Q_NOFF));
}

/* Between and past the structures in the BAR, and the device config of a
 * device that has none. */
static void holes(struct ctx *c)
{
	uint64_t before, junk = 0;

	to_features_ok(c);
	before = fingerprint(c);
	for (uint32_t off = 0x40; off + 8 <= c->d->bar_len; off += 0x38) {
		/* Notifications are the storms' business; ISR reads
		 * clear it (§4.1.4.5). */
		if ((off >= c->d->notify &&
		     off < c->d->notify + c->d->notify_len) ||
		    off == c->d->isr)
			continue;
		junk |= dev_read(c->d, off, 4);
		dev_write(c->d, off, 4, 0xffffffff);
		dev_write(c->d, off + 1, 8, ~0ULL);
	}
	report("regs.holes", "%s read=%#llx",
	       fingerprint(c) == before ? "ignored" : "changed",
	       (unsigned long long)junk);
}

/* §4.1.4.9: the same registers through PCI config space: the driver
 * names a BAR, offset and length, then accesses the 4-byte data window. */
static void cfg_window(struct ctx *c, uint8_t bar, uint32_t off, uint32_t len)
{
	uint8_t p = c->d->pci_cfg_cap;

	dev_cfg_write(c->d, p + VIRTIO_PCI_CAP_BAR, &bar, 1);
	dev_cfg_write(c->d, p + VIRTIO_PCI_CAP_OFFSET, &off, 4);
	dev_cfg_write(c->d, p + VIRTIO_PCI_CAP_LENGTH, &len, 4);
}

/* A 1-byte status write through a window; only a valid one lands. */
static void cfg_status(struct ctx *c, uint8_t bar, uint32_t off, uint32_t len,
		       uint8_t val)
{
	cfg_window(c, bar, off, len);
	dev_cfg_write(c->d, c->d->pci_cfg_cap + 16, &val, 1);
}

/* A valid window works; one naming another BAR, a bad length, a
 * misaligned offset or one past the BAR is ignored. */
static void pci_cfg_access(struct ctx *c)
{
	uint32_t st = c->d->common + VIRTIO_PCI_COMMON_STATUS, df = 0;
	uint8_t bar = c->d->bar_idx, s1, s2;

	if (!c->d->pci_cfg_cap) {
		report("regs.pci_cfg_cap", "missing");
		return;
	}
	dev_reset(c->d);
	cfg_status(c, bar, st, 1, S_ACK);
	s1 = dev_status(c->d);
	cfg_status(c, bar ^ 1, st, 1, 0);	  /* another BAR */
	cfg_status(c, bar, st, 3, 0);		  /* length 3 */
	cfg_status(c, bar, st - 1, 2, 0);	  /* misaligned */
	cfg_status(c, bar, 0x1000000 + st, 1, 0); /* past the BAR */
	cfg_status(c, 7, st, 1, 0);		  /* no such BAR */
	s2 = dev_status(c->d);
	/* A read through the window: device_feature bits 32-63. */
	cc_write(c->d, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	cfg_window(c, bar, c->d->common + VIRTIO_PCI_COMMON_DF, 4);
	dev_cfg_read(c->d, c->d->pci_cfg_cap + 16, &df, 4);
	report("regs.pci_cfg_cap", "write=0x%02x bad=0x%02x read=%s", s1, s2,
	       df == (uint32_t)(dev_features(c->d) >> 32) ? "ok" : "wrong");
}

void cases_registers(struct ctx *c)
{
	wrong_widths(c);
	read_only(c);
	holes(c);
	pci_cfg_access(c);
	after_case(c, "regs", false);
}

/* ---- storms (§4.1.4.4), inside "storm=begin" / "storm=end" ---- */

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Notifications at one BAR offset, as fast as the CPU writes them, for
 * ms milliseconds or max of them (0: no limit), whichever ends first. A
 * time budget makes a storm last as long on a slow machine (a few thousand
 * a second in the test host) as on a fast one (millions). Returns how many
 * it wrote and adds them to the total. */
static unsigned long hammer(struct ctx *c, uint32_t off, long ms,
			    unsigned long max)
{
	struct timespec t0;
	unsigned long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((!max || n < max) && ms_since(&t0) < ms) {
		for (int i = 0; i < 256; i++)
			dev_write(c->d, off, 2, 0);
		n += 256;
	}
	c->notifies += n;
	return n;
}

/* A live, empty queue kicked and kicked, then one request. */
static void storm_live(struct ctx *c, const char *key, bool packed)
{
	struct ring_setup s = {.packed = packed};
	unsigned long n;

	ring_start(&c->r, c->d, &s);
	n = hammer(c, dev_notify_off(c->d, 0), c->storm_ms, c->storm);
	ring_good(&c->r);
	dev_notify(c->d, 0);
	report(key, "%s", outcome_name(ring_wait(&c->r, 3000, false)));
	printf("vmm-hostile: %s: %lu notifications\n", key, n);
}

/* A broken queue kicked and kicked, then reset: the device is back. */
static void storm_broken(struct ctx *c)
{
	struct ring_setup s = {0};
	enum outcome o;

	ring_start(&c->r, c->d, &s);
	ring_split_publish(&c->r, 0xffff);
	dev_notify(c->d, 0);
	o = ring_wait(&c->r, 3000, false);
	hammer(c, dev_notify_off(c->d, 0), c->storm_ms / 4, c->storm);
	report("storm.broken_queue", "%s", outcome_name(o));
	after_case(c, "storm.broken_queue", false);
}

/* Notifications for queues that do not exist, past the notify structure:
 * each one an exit to vmm, which ignores it. */
static void storm_no_queue(struct ctx *c)
{
	struct ring_setup s = {0};

	ring_start(&c->r, c->d, &s);
	for (uint32_t q = 1; q <= 8; q++)
		hammer(c, c->d->notify + q * c->d->notify_mult,
		       c->storm_ms / 40, c->storm);
	ring_good(&c->r);
	dev_notify(c->d, 0);
	report("storm.missing_queues", "%s",
	       outcome_name(ring_wait(&c->r, 3000, false)));
}

/* Many well-formed requests, one after another. */
static void storm_requests(struct ctx *c)
{
	struct ring_setup s = {0};
	unsigned long served = 0;

	ring_start(&c->r, c->d, &s);
	for (unsigned long i = 0; i < c->requests; i++) {
		ring_good(&c->r);
		dev_notify(c->d, 0);
		served += ring_wait(&c->r, 3000, false) == OUT_SERVED;
	}
	report("storm.requests", "%lu/%lu", served, c->requests);
}

/* Guest-error messages as fast as we can cause them: vmm's log must stay
 * rate-limited. A 1-byte read of a 4-byte field is logged each time. */
static void log_flood(struct ctx *c)
{
	for (unsigned long i = 0; i < c->flood; i++)
		cc_read(c->d, VIRTIO_PCI_COMMON_DF, 1);
	report("storm.log_flood", "%lu", c->flood);
}

void cases_storms(struct ctx *c)
{
	report("storm", "begin");
	storm_live(c, "storm.split", false);
	if (dev_features(c->d) & BIT(VIRTIO_F_RING_PACKED))
		storm_live(c, "storm.packed", true);
	storm_broken(c);
	storm_no_queue(c);
	storm_requests(c);
	log_flood(c);
	report("storm", "end");
	report("storm_notifications", "%lu", c->notifies);
}
