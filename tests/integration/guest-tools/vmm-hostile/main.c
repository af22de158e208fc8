/* vmm-hostile: drive a virtio-pci device from user space with malformed
 * rings and register sequences, and report what the device did.
 *
 * virtio 1.3 §2.1 (status, DEVICE_NEEDS_RESET), §3.1 (initialization),
 * §4.1 (PCI transport). Output: "vmm-report: KEY=VALUE" lines, one per
 * case, for the integration scenario tests/integration/scenarios/hostile-*.
 * See docs/hostile-guest.md for every case and its expected outcome.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostile.h"

#define POOL_PAGES 64 /* rings, data, tables; the rest to find a pair */

void report(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("vmm-report: %s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Served, and the bytes really are new (64 times 0xa5 by chance: no). */
static bool filled(const struct ring *r, enum outcome o)
{
	const uint8_t *data = r->wr.va;

	for (int i = 0; o == OUT_SERVED && i < GOOD_LEN; i++)
		if (data[i] != 0xa5)
			return true;
	return false;
}

void after_case(struct ctx *c, const char *key, bool packed)
{
	struct ring_setup s = {.packed = packed};
	enum outcome o = OUT_NONE;
	char k[80];

	c->cases++;
	if (ring_start(&c->r, c->d, &s) == 0) {
		ring_good(&c->r);
		dev_notify(c->d, 0);
		o = ring_wait(&c->r, 3000, false);
	}
	if (filled(&c->r, o)) {
		c->recovered++;
		return;
	}
	snprintf(k, sizeof(k), "%s.recover", key);
	report(k, "failed (%s, status 0x%02x)", outcome_name(o),
	       dev_status(c->d));
}

static void usage(void)
{
	printf("usage: vmm-hostile [--type N] [--storm-ms MS] [--storm N] "
	       "[--requests N] [--flood N]\n"
	       "                   [--only status|queue|regs|split|packed|"
	       "storm]\n");
}

static int parse(int argc, char **argv, struct ctx *c, unsigned int *type,
		 const char **only)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--help")) {
			usage();
			exit(0);
		}
		if (!v) {
			usage();
			return -1;
		}
		if (!strcmp(argv[i], "--type"))
			*type = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "--storm"))
			c->storm = strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "--storm-ms"))
			c->storm_ms = strtol(v, NULL, 0);
		else if (!strcmp(argv[i], "--requests"))
			c->requests = strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "--flood"))
			c->flood = strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "--only"))
			*only = v;
		else {
			usage();
			return -1;
		}
		i++;
	}
	return 0;
}

/* Pages 0-2 the ring areas, 3 and 4 data, 5 and 6 indirect tables. */
static int take_memory(struct ctx *c)
{
	if (dma_init(POOL_PAGES) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		c->r.area[i] = dma_page(i);
	c->r.rd = dma_page(3);
	c->r.wr = dma_page(4);
	c->tbl = dma_page(5);
	c->tbl2 = dma_page(6);
	c->have_pair = dma_pair(&c->lo, &c->hi) == 0;
	c->low_end = dma_low_ram_end();
	return c->low_end ? 0 : -1;
}

static const struct group {
	const char *name;
	void (*run)(struct ctx *c);
} groups[] = {
	{"status", cases_status},  {"queue", cases_queue_regs},
	{"regs", cases_registers}, {"split", cases_split},
	{"packed", cases_packed},  {"storm", cases_storms},
};

static void run_groups(struct ctx *c, const char *only)
{
	struct timespec t0, t1;

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (only && strcmp(only, groups[i].name))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		groups[i].run(c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("vmm-hostile: %s cases took %ld ms\n", groups[i].name,
		       (t1.tv_sec - t0.tv_sec) * 1000 +
			       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
}

int main(int argc, char **argv)
{
	static struct dev d;
	static struct ctx c = {
		.d = &d, .storm_ms = 15000, .requests = 1000, .flood = 5000};
	unsigned int type = 4; /* virtio-rng */
	const char *only = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &c, &type, &only) < 0)
		return 2;
	if (take_memory(&c) < 0 || dev_open(&d, type) < 0)
		return 1;
	report("hostile_device", "%s", d.bdf);
	report("hostile_features", "0x%llx",
	       (unsigned long long)dev_features(&d));
	run_groups(&c, only);
	report("hostile_recovered", "%u/%u", c.recovered, c.cases);
	/* Leave the device reset, for a driver to take it back. */
	dev_reset(&d);
	dev_close(&d);
	return 0;
}
