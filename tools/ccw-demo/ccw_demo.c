/* ccw-demo: watch virtio-ccw work, one channel program at a time.
 *
 * Puts a virtio-blk disk (a temporary image) and a virtio-rng device on an
 * emulated channel subsystem, drives them with the CCW driver model of
 * tests/support the way Linux's s390 virtio_ccw driver would (virtio 1.3
 * §4.3), and prints every SSCH, every CCW the channel fetches, every
 * status and interruption, and what the driver's interrupt handler makes
 * of them. No s390 CPU and no guest: the driver is in this process.
 * A tool, like src/vmm, so it may name devices.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccw_virtio.h"
#include "drvq.h"
#include "fake_transport.h"
#include "virtio_blk.h"
#include "virtio_ccw.h"
#include "virtio_rng.h"

#define RAM_LEN	  (16 << 20)
#define DISK_LEN  (64 * 1024)
#define QSIZE	  8
#define WAIT_NS	  (5LL * 1000000000LL)
#define DEVNO_BLK 0x0000
#define DEVNO_RNG 0x0001

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct guest_ram ram;

static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* ---- Naming what goes by ---- */

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case CCW_CMD_NOOP:
		return "NOOP";
	case CCW_CMD_BASIC_SENSE:
		return "BASIC_SENSE";
	case CCW_CMD_TIC:
		return "TIC";
	case CCW_CMD_SENSE_ID:
		return "SENSE_ID";
	case CCW_CMD_SET_VQ:
		return "SET_VQ";
	case CCW_CMD_VDEV_RESET:
		return "VDEV_RESET";
	case CCW_CMD_SET_IND:
		return "SET_IND";
	case CCW_CMD_SET_CONF_IND:
		return "SET_CONF_IND";
	case CCW_CMD_SET_IND_ADAPTER:
		return "SET_IND_ADAPTER";
	case CCW_CMD_READ_FEAT:
		return "READ_FEAT";
	case CCW_CMD_WRITE_FEAT:
		return "WRITE_FEAT";
	case CCW_CMD_READ_CONF:
		return "READ_CONF";
	case CCW_CMD_WRITE_CONF:
		return "WRITE_CONF";
	case CCW_CMD_WRITE_STATUS:
		return "WRITE_STATUS";
	case CCW_CMD_READ_VQ_CONF:
		return "READ_VQ_CONF";
	case CCW_CMD_SET_VIRTIO_REV:
		return "SET_VIRTIO_REV";
	case CCW_CMD_READ_STATUS:
		return "READ_STATUS";
	default:
		return "?";
	}
}

/* Command codes ending in binary 10 (and SENSE, 0100) bring data in. */
static bool is_read(uint8_t cmd)
{
	return (cmd & 3) == 2 || (cmd & 0xf) == 4;
}

static void hex(char *out, size_t size, uint64_t gpa, uint32_t len)
{
	uint8_t *p = gmem_ptr(&ram.mem, gpa, len ? len : 1);
	size_t n = 0;

	out[0] = 0;
	for (uint32_t i = 0; p && i < len && i < 16 && n + 4 < size; i++)
		n += (size_t)snprintf(out + n, size - n, " %02x", p[i]);
	if (len > 16 && n + 5 < size)
		snprintf(out + n, size - n, " ...");
}

static void flags_str(char *out, size_t size, uint8_t f)
{
	static const char *const names[] = {"CD",  "CC",  "SLI", "SKIP",
					    "PCI", "IDA", "S",	 "MIDA"};

	out[0] = 0;
	for (int i = 0; i < 8; i++)
		if (f & (0x80 >> i)) {
			strncat(out, out[0] ? "|" : "", size - strlen(out) - 1);
			strncat(out, names[i], size - strlen(out) - 1);
		}
	if (!out[0])
		snprintf(out, size, "-");
}

/* The last CCW per subchannel, to show what a read brought back. */
static struct css_ccw last_ccw[4];

static void trace_ccw(const struct css_event *ev)
{
	char f[40], data[80];
	const struct css_ccw *c = &ev->ccw;

	if (c->cmd == CCW_CMD_TIC) {
		say("    CCW %#07x  TIC -> %#x\n", ev->addr, c->cda);
		return;
	}
	flags_str(f, sizeof(f), c->flags);
	hex(data, sizeof(data), c->cda, is_read(c->cmd) ? 0 : c->count);
	say("    CCW %#07x  %-15s (%#04x) flags=%s count=%u data=%#x%s%s\n",
	    ev->addr, cmd_name(c->cmd), c->cmd, f, c->count, c->cda,
	    data[0] ? "  ->" : "", data);
	last_ccw[ev->schid & 3] = *c;
}

static void trace_status(const struct css_event *ev)
{
	const struct css_scsw *s = &ev->scsw;
	const struct css_ccw *c = &last_ccw[ev->schid & 3];
	char data[80] = "";

	if (!(s->ctrl & SCSW_FCTL_MASK)) {
		say("  << 0.0.%04x unsolicited status (alert): the device "
		    "has news; I/O interruption queued\n",
		    ev->schid & 0xffff);
		return;
	}
	if (is_read(c->cmd) && !s->cstat && c->count >= s->count)
		hex(data, sizeof(data), c->cda, c->count - s->count);
	say("  << 0.0.%04x status: dstat=%02x%s%s cstat=%02x count=%u%s%s\n",
	    ev->schid & 0xffff, s->dstat,
	    (s->dstat & DEV_STAT_CHN_END) ? " CE" : "",
	    (s->dstat & DEV_STAT_DEV_END) ? " DE" : "", s->cstat, s->count,
	    data[0] ? "  <-" : "", data);
}

static void trace(void *opaque, const struct css_event *ev)
{
	(void)opaque;
	switch (ev->kind) {
	case CSS_EV_START:
		say("  >> SSCH 0.0.%04x  ORB intparm=%u cpa=%#x\n",
		    ev->schid & 0xffff, ev->orb.intparm, ev->orb.cpa);
		break;
	case CSS_EV_CCW:
		trace_ccw(ev);
		break;
	case CSS_EV_STATUS:
		trace_status(ev);
		break;
	case CSS_EV_ADAPTER:
		say("  << adapter interruption queued on ISC %u (summary "
		    "indicator was clear)\n",
		    ev->isc);
		break;
	}
}

/* ---- The driver side ---- */

struct demo_dev {
	const char *name;
	struct ccw_virtio v;
	struct drvq q;
	bool have_q;
};

static void on_used(void *opaque, uint16_t q)
{
	struct demo_dev *d = opaque;

	say("  ** driver's interrupt handler: %s queue %u has used buffers "
	    "(%s indicator)\n",
	    d->name, q, d->v.adapter ? "adapter" : "classic");
}

static void on_config(void *opaque)
{
	say("  ** driver's interrupt handler: %s config changed\n",
	    ((struct demo_dev *)opaque)->name);
}

static int report(const char *what, int r)
{
	fprintf(stderr, "ccw-demo: %s: %s\n", what, strerror(-r));
	return r;
}

/* virtio 1.3 §3.1.1 over CCW, one channel program per step. */
static int bring_up(struct demo_dev *d, bool adapter)
{
	uint32_t lo, hi;
	uint64_t f;
	uint16_t max;
	int r;

	d->v.on_used = on_used;
	d->v.on_config = on_config;
	d->v.opaque = d;
	say("\n== %s: revision, reset, ACKNOWLEDGE | DRIVER\n", d->name);
	if ((r = ccw_virtio_set_revision(&d->v, VIRTIO_CCW_REV_MAX)) ||
	    (r = ccw_virtio_reset(&d->v)) ||
	    (r = ccw_virtio_write_status(&d->v, 1)) ||
	    (r = ccw_virtio_write_status(&d->v, 3)))
		return report("setup", r);
	say("\n== %s: features (the driver takes what it knows)\n", d->name);
	if ((r = ccw_virtio_read_feat(&d->v, 0, &lo)) ||
	    (r = ccw_virtio_read_feat(&d->v, 1, &hi)))
		return report("READ_FEAT", r);
	f = ((uint64_t)hi << 32 | lo) & (FT_LINUX_FEATURES | 0xffffff);
	if ((r = ccw_virtio_write_feat(&d->v, 0, (uint32_t)f)) ||
	    (r = ccw_virtio_write_feat(&d->v, 1, (uint32_t)(f >> 32))) ||
	    (r = ccw_virtio_write_status(&d->v, 11)))
		return report("features", r);
	say("\n== %s: queue 0, then %s indicators, then DRIVER_OK\n", d->name,
	    adapter ? "adapter" : "classic");
	if ((r = ccw_virtio_read_vq_conf(&d->v, 0, &max)))
		return report("READ_VQ_CONF", r);
	drvq_init(&d->q, &ram, 0, QSIZE, f);
	if ((r = ccw_virtio_set_vq(&d->v, 0, QSIZE, d->q.desc_gpa,
				   d->q.driver_gpa, d->q.device_gpa)) ||
	    (r = ccw_virtio_setup_indicators(&d->v, adapter, 1)) ||
	    (r = ccw_virtio_write_status(&d->v, 15)))
		return report("queues", r);
	d->have_q = true;
	return 0;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Adds one buffer, notifies with diagnose 0x500, waits for it back. */
static int request(struct demo_dev *d, const struct drvq_buf *b, unsigned int n,
		   uint32_t *used)
{
	long long end = now_ns() + WAIT_NS;
	int tok;
	int64_t cookie;

	if (drvq_add(&d->q, b, n, false, &tok))
		return -ENOSPC;
	if (drvq_kick_prepare(&d->q)) {
		say("  >> DIAGNOSE 0x500 subcode 3: notify %s queue 0 "
		    "(notification data %#x)\n",
		    d->name, drvq_notify_value(&d->q));
		cookie = ccw_virtio_notify(&d->v, 0, drvq_notify_value(&d->q));
		say("     returns host cookie %lld\n", (long long)cookie);
	}
	while (!drvq_get_used(&d->q, used)) {
		if (now_ns() > end)
			return -ETIMEDOUT;
		usleep(100);
	}
	return 0;
}

static int blk_io(struct demo_dev *d, uint32_t type, uint64_t sector,
		  uint64_t data, uint32_t len, bool writable, uint8_t *status)
{
	struct virtio_blk_outhdr h = {.type = htole32(type),
				      .sector = htole64(sector)};
	uint64_t hdr = guest_ram_put(&ram, &h, sizeof(h));
	uint64_t st = guest_ram_alloc(&ram, 1, 1);
	struct drvq_buf b[3] = {
		{hdr, sizeof(h), false}, {data, len, writable}, {st, 1, true}};
	uint32_t used;
	int r;

	if (len)
		r = request(d, b, 3, &used);
	else
		r = request(d, (struct drvq_buf[]){b[0], b[2]}, 2, &used);
	*status = *(uint8_t *)guest_ram_ptr(&ram, st, 1);
	return r;
}

static int blk_requests(struct demo_dev *d)
{
	uint64_t buf = guest_ram_alloc(&ram, 512, 512);
	uint8_t status;
	uint64_t cap;
	int r;

	say("\n== virtio-blk: READ_CONF for the capacity (config from 0)\n");
	if ((r = ccw_virtio_read_conf(&d->v, 0, &cap, sizeof(cap))))
		return report("READ_CONF", r);
	say("   capacity: %llu sectors\n", (unsigned long long)le64toh(cap));
	say("\n== virtio-blk: read sector 0\n");
	r = blk_io(d, VIRTIO_BLK_T_IN, 0, buf, 512, true, &status);
	if (r)
		return report("read", r);
	say("   status %u, sector 0 says: \"%.40s\"\n", status,
	    (char *)guest_ram_ptr(&ram, buf, 40));
	say("\n== virtio-blk: write sector 1, then flush\n");
	snprintf(guest_ram_ptr(&ram, buf, 512), 512, "written over virtio-ccw");
	if ((r = blk_io(d, VIRTIO_BLK_T_OUT, 1, buf, 512, false, &status)) ||
	    (r = blk_io(d, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &status)))
		return report("write", r);
	say("   status %u\n", status);
	return 0;
}

static int rng_request(struct demo_dev *d)
{
	uint64_t buf = guest_ram_alloc(&ram, 16, 8);
	struct drvq_buf b = {buf, 16, true};
	char data[80];
	uint32_t used;
	int r;

	say("\n== virtio-rng: 16 bytes of entropy\n");
	r = request(d, &b, 1, &used);
	if (r)
		return report("rng", r);
	hex(data, sizeof(data), buf, used);
	say("   got %u bytes:%s\n", used, data);
	return 0;
}

/* ---- Putting it together ---- */

static int make_disk(char *path)
{
	char text[64] = "hello from sector 0 of the disk image";
	int fd = mkstemp(path);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, DISK_LEN) || pwrite(fd, text, sizeof(text), 0) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

struct machine {
	char path[64];
	struct virtio_blk *blk;
	struct virtio_rng *rng;
	struct css *css;
	struct virtio_ccw *vc_blk, *vc_rng;
	struct ccw_drv drv;
	struct demo_dev dblk, drng;
};

static int devices(struct machine *m)
{
	struct virtio_blk_options bo = {.path = m->path, .serial = "demo"};
	struct virtio_rng_options ro = {0};
	int r;

	strcpy(m->path, "/tmp/ccw-demo.XXXXXX");
	if ((r = make_disk(m->path)))
		return report("disk image", r);
	if ((r = virtio_blk_create(&bo, &ram.mem, &m->blk)) ||
	    (r = virtio_rng_create(&ro, &ram.mem, &m->rng)))
		return report("devices", r);
	if ((r = css_create(&ram.mem, &m->css)) ||
	    (r = virtio_ccw_add(m->css, virtio_blk_vdev(m->blk), DEVNO_BLK,
				&m->vc_blk)) ||
	    (r = virtio_ccw_add(m->css, virtio_rng_vdev(m->rng), DEVNO_RNG,
				&m->vc_rng)))
		return report("channel subsystem", r);
	css_set_trace(m->css, trace, NULL);
	return 0;
}

static int discover(struct machine *m)
{
	struct ccw_drv_dev *b, *g;
	int n;

	say("== the driver scans: STSCH on each subchannel, MSCH to enable, "
	    "SENSE ID\n");
	ccw_drv_init(&m->drv, m->css, &ram);
	n = ccw_drv_scan(&m->drv);
	if (n < 0)
		return report("scan", n);
	for (unsigned int i = 0; i < m->drv.nr_devs; i++)
		say("   subchannel 0.0.%04x: device 0.0.%04x, control unit "
		    "%04x model %02x\n",
		    m->drv.devs[i]->schid & 0xffff, m->drv.devs[i]->devno,
		    m->drv.devs[i]->cu_type, m->drv.devs[i]->cu_model);
	b = ccw_drv_find(&m->drv, DEVNO_BLK);
	g = ccw_drv_find(&m->drv, DEVNO_RNG);
	m->dblk.name = "virtio-blk";
	m->drng.name = "virtio-rng";
	if (!b || !g || ccw_virtio_init(&m->dblk.v, b) ||
	    ccw_virtio_init(&m->drng.v, g))
		return report("virtio-ccw devices", -ENODEV);
	if (b->cu_model != VIRTIO_ID_BLOCK || g->cu_model != VIRTIO_ID_RNG)
		return report("control-unit models", -ENODEV);
	return 0;
}

static void teardown(struct machine *m)
{
	if (m->css)
		css_set_trace(m->css, NULL, NULL);
	if (m->blk)
		virtio_dev_reset(virtio_blk_vdev(m->blk));
	if (m->rng)
		virtio_dev_reset(virtio_rng_vdev(m->rng));
	virtio_ccw_remove(m->vc_blk);
	virtio_ccw_remove(m->vc_rng);
	if (m->drv.css)
		ccw_drv_destroy(&m->drv);
	css_destroy(m->css);
	if (m->dblk.have_q)
		drvq_destroy(&m->dblk.q);
	if (m->drng.have_q)
		drvq_destroy(&m->drng.q);
	virtio_blk_destroy(m->blk);
	virtio_rng_destroy(m->rng);
	if (m->path[0])
		unlink(m->path);
}

static int run(void)
{
	static struct machine m;
	int r;

	guest_ram_init(&ram, RAM_LEN);
	say("ccw-demo: virtio-blk on 0.0.%04x and virtio-rng on 0.0.%04x, "
	    "behind an emulated channel subsystem\n\n",
	    DEVNO_BLK, DEVNO_RNG);
	r = devices(&m);
	if (!r)
		r = discover(&m);
	if (!r)
		r = bring_up(&m.dblk, false);
	if (!r)
		r = bring_up(&m.drng, true);
	if (!r)
		r = blk_requests(&m.dblk);
	if (!r)
		r = rng_request(&m.drng);
	say("\n%s\n", r ? "ccw-demo: failed" : "ccw-demo: done");
	teardown(&m);
	guest_ram_destroy(&ram);
	return r;
}

/* The driver model (guest_ram, drvq) reports its own bugs through Check,
 * which works only inside a test runner: so the demo is one silent test,
 * run in this process. */
static int result = -1;

START_TEST(demo)
{
	result = run();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ccw-demo");
	TCase *tc = tcase_create("demo");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, demo);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	if (failed) {
		TestResult **tr = srunner_failures(sr);

		fprintf(stderr, "ccw-demo: %s:%d: %s\n", tr_lfile(tr[0]),
			tr_lno(tr[0]), tr_msg(tr[0]));
		free(tr);
	}
	srunner_free(sr);
	return failed || result ? 1 : 0;
}
