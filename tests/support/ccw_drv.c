/* ccw_drv: the guest's channel-subsystem driver (see ccw_drv.h).
 *
 * Follows Linux's cio: css_scan (STSCH per subchannel), cio_enable_
 * subchannel (MSCH with ISC and concurrent sense, then STSCH to verify),
 * ccw_device_start (SSCH, cc 1 means "take the pending status first"),
 * do_cio_interrupt (TPI code -> TSCH -> handler), and basic sense when a
 * unit check came without concurrent sense.
 */
#include "ccw_drv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Layout of a device's page. */
#define AREA_CCWS   0x000 /* CCW_DRV_MAX_CCWS * 8 */
#define AREA_ORB    0x100
#define AREA_IRB    0x140 /* written by TSCH, in the handler */
#define AREA_SCHIB  0x180
#define AREA_SENSE  0x1c0 /* a BASIC SENSE program: one CCW + 32 bytes */
#define AREA_DATA   0x400
#define AREA_LEN    (AREA_DATA + CCW_DRV_DATA_LEN)
#define START_TRIES 1000

/* Architected bits the driver uses, from the PoP figures. */
#define PMCW1_ISC_SHIFT 27
#define PMCW1_ENA	0x00800000u
#define PMCW1_DNV	0x00010000u
#define PMCW6_CSENSE	0x00000001u
#define ORB1_FMT1	0x00800000u
#define ORB1_LPM_ANY	0x0000ff00u
#define STCTL_PENDING	0x00000001u
#define FCTL_ANY	0x00007000u
#define ESWF		0x04000000u
#define ERW_CONS	0x01000000u
#define DSTAT_UC	0x02
#define DSTAT_END	0x0c /* channel end | device end */
#define SENSE_CMD	0x04 /* BASIC SENSE */
#define SENSE_ID_CMD	0xe4
#define FLAG_SLI	0x20

/* ---- Big-endian fields in guest memory ---- */

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static uint8_t *at(struct ccw_drv_dev *dev, uint64_t off, uint64_t len)
{
	return guest_ram_ptr(dev->drv->ram, dev->area + off, len);
}

/* ---- Setup ---- */

static void handler(void *opaque)
{
	ccw_drv_handle_irqs(opaque);
}

void ccw_drv_irqs_on(struct ccw_drv *drv, bool on)
{
	css_set_irq_handler(drv->css, on ? handler : NULL, drv);
}

void ccw_drv_init(struct ccw_drv *drv, struct css *css, struct guest_ram *ram)
{
	memset(drv, 0, sizeof(*drv));
	drv->css = css;
	drv->ram = ram;
	drv->csense = true;
	pthread_mutex_init(&drv->irq_lock, NULL);
	drv->airq_summary = guest_ram_alloc(ram, 8, 8);
	drv->airq_area = guest_ram_alloc(ram, CCW_DRV_AIRQ_BITS / 8, 8);
	ccw_drv_irqs_on(drv, true);
}

void ccw_drv_destroy(struct ccw_drv *drv)
{
	ccw_drv_irqs_on(drv, false);
	for (unsigned int i = 0; i < drv->nr_devs; i++) {
		pthread_mutex_destroy(&drv->devs[i]->io_lock);
		free(drv->devs[i]);
	}
	pthread_mutex_destroy(&drv->irq_lock);
	memset(drv, 0, sizeof(*drv));
}

int ccw_drv_airq_alloc(struct ccw_drv *drv, unsigned int nbits)
{
	unsigned int first = drv->airq_next;

	if (nbits > CCW_DRV_AIRQ_BITS - first)
		return -ENOSPC;
	drv->airq_next += nbits;
	return (int)first;
}

/* Maps a program-interruption or condition code to -errno. */
static int cc_errno(int cc)
{
	switch (cc) {
	case 0:
		return 0;
	case 1:
	case 2:
		return -EBUSY;
	case 3:
		return -ENODEV;
	default:
		return -EFAULT;
	}
}

int ccw_drv_stsch(struct ccw_drv_dev *dev, uint32_t *pmcw_flags,
		  uint32_t *scsw_ctrl)
{
	int cc = css_stsch(dev->drv->css, dev->schid, dev->area + AREA_SCHIB);
	uint8_t *s = at(dev, AREA_SCHIB, 52);

	if (cc)
		return cc_errno(cc);
	*pmcw_flags = (uint32_t)get_be(s + 4, 4);
	*scsw_ctrl = (uint32_t)get_be(s + 28, 4);
	return 0;
}

/* Linux cio_commit_config: STSCH, change the SCHIB, MSCH, STSCH again. */
int ccw_drv_enable(struct ccw_drv_dev *dev, bool on)
{
	uint8_t *s = at(dev, AREA_SCHIB, 52);
	uint32_t w1, w6, ctrl;
	int r = ccw_drv_stsch(dev, &w1, &ctrl);

	if (r)
		return r;
	w1 &= ~(PMCW1_ENA | 7u << PMCW1_ISC_SHIFT);
	if (on)
		w1 |= PMCW1_ENA | (uint32_t)CCW_DRV_ISC << PMCW1_ISC_SHIFT;
	w6 = (uint32_t)get_be(s + 24, 4) & ~PMCW6_CSENSE;
	if (dev->drv->csense)
		w6 |= PMCW6_CSENSE;
	put_be(s, dev->devno, 4); /* interruption parameter */
	put_be(s + 4, w1, 4);
	put_be(s + 24, w6, 4);
	r = cc_errno(
		css_msch(dev->drv->css, dev->schid, dev->area + AREA_SCHIB));
	if (r)
		return r;
	r = ccw_drv_stsch(dev, &w1, &ctrl);
	if (!r && !!(w1 & PMCW1_ENA) != on)
		r = -EIO;
	return r;
}

/* SENSE ID: 0xff, control-unit type, model. */
static int sense_id(struct ccw_drv_dev *dev)
{
	uint8_t id[8] = {0};
	int r = ccw_drv_io(dev, SENSE_ID_CMD, FLAG_SLI, id, sizeof(id));

	if (r)
		return r;
	if (id[0] != 0xff)
		return -EIO;
	dev->cu_type = (uint16_t)get_be(id + 1, 2);
	dev->cu_model = id[3];
	return 0;
}

static int add_dev(struct ccw_drv *drv, uint32_t schid, uint16_t devno)
{
	struct ccw_drv_dev *dev;
	int r;

	if (drv->nr_devs == CCW_DRV_MAX_DEVS)
		return -ENOSPC;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->drv = drv;
	dev->schid = schid;
	dev->devno = devno;
	dev->area = guest_ram_alloc(drv->ram, AREA_LEN, 4096);
	pthread_mutex_init(&dev->io_lock, NULL);
	pthread_mutex_lock(&drv->irq_lock);
	drv->devs[drv->nr_devs++] = dev;
	pthread_mutex_unlock(&drv->irq_lock);
	r = ccw_drv_enable(dev, true);
	return r ? r : sense_id(dev);
}

int ccw_drv_scan(struct ccw_drv *drv)
{
	uint64_t schib = guest_ram_alloc(drv->ram, 52, 8);
	unsigned int found = 0;

	for (uint32_t nr = 0; nr < CCW_DRV_SCAN; nr++) {
		uint32_t schid = 0x00010000u | nr;
		uint8_t *s = guest_ram_ptr(drv->ram, schib, 52);
		uint32_t w1;
		int r;

		if (css_stsch(drv->css, schid, schib) != 0)
			continue; /* cc 3: no subchannel here */
		w1 = (uint32_t)get_be(s + 4, 4);
		if (!(w1 & PMCW1_DNV))
			continue;
		r = add_dev(drv, schid, (uint16_t)w1);
		if (r)
			return r;
		found++;
	}
	return (int)found;
}

struct ccw_drv_dev *ccw_drv_find(struct ccw_drv *drv, uint16_t devno)
{
	for (unsigned int i = 0; i < drv->nr_devs; i++)
		if (drv->devs[i]->devno == devno)
			return drv->devs[i];
	return NULL;
}

/* ---- Interruptions ---- */

static void irb_decode(const uint8_t *b, struct ccw_drv_irb *irb)
{
	irb->ctrl = (uint32_t)get_be(b, 4);
	irb->cpa = (uint32_t)get_be(b + 4, 4);
	irb->dstat = b[8];
	irb->cstat = b[9];
	irb->count = (uint16_t)get_be(b + 10, 2);
	irb->erw = (uint32_t)get_be(b + 16, 4);
	memcpy(irb->ecw, b + 32, sizeof(irb->ecw));
}

static struct ccw_drv_dev *dev_of(struct ccw_drv *drv, uint32_t schid)
{
	for (unsigned int i = 0; i < drv->nr_devs; i++)
		if (drv->devs[i]->schid == schid)
			return drv->devs[i];
	return NULL;
}

/* An I/O interruption: TSCH; a status with a function is the answer to
 * our program, one without is the device knocking (unsolicited). */
static void io_interruption(struct ccw_drv *drv, uint32_t schid)
{
	struct ccw_drv_dev *dev = dev_of(drv, schid);
	struct ccw_drv_irb irb;

	drv->nr_io_irqs++;
	if (!dev || css_tsch(drv->css, schid, dev->area + AREA_IRB) != 0)
		return;
	irb_decode(at(dev, AREA_IRB, 64), &irb);
	if (irb.ctrl & FCTL_ANY) {
		dev->irb = irb;
		dev->done = true;
	} else {
		dev->nr_unsolicited++;
	}
	if (dev->io_irq)
		dev->io_irq(dev);
}

/* virtio 1.3 §4.3.3.1.2: process the bits, clear the summary indicator,
 * barrier, process the bits again. */
static void adapter_interruption(struct ccw_drv *drv)
{
	uint8_t *summary = guest_ram_ptr(drv->ram, drv->airq_summary, 1);

	drv->nr_adapter_irqs++;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < drv->nr_devs; i++)
			if (drv->devs[i]->airq_bits &&
			    drv->devs[i]->adapter_irq)
				drv->devs[i]->adapter_irq(drv->devs[i]);
		if (!pass) {
			/* Pairs with the device's bit-then-summary. */
			__atomic_store_n(summary, 0, __ATOMIC_SEQ_CST);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		}
	}
}

void ccw_drv_handle_irqs(struct ccw_drv *drv)
{
	struct css_irq irq;

	pthread_mutex_lock(&drv->irq_lock);
	while (css_tpi(drv->css, 0xff, &irq) == 1) {
		if (irq.adapter)
			adapter_interruption(drv);
		else
			io_interruption(drv, irq.schid);
	}
	pthread_mutex_unlock(&drv->irq_lock);
}

/* ---- Channel programs ---- */

void ccw_drv_prog_init(struct ccw_drv_prog *p, struct ccw_drv_dev *dev)
{
	p->dev = dev;
	p->gpa = dev->area + AREA_CCWS;
	p->n = 0;
}

uint64_t ccw_drv_prog_add(struct ccw_drv_prog *p, uint8_t cmd, uint8_t flags,
			  uint16_t count, uint32_t cda)
{
	uint64_t gpa = p->gpa + 8ULL * p->n;
	uint8_t *c;

	if (p->n == CCW_DRV_MAX_CCWS)
		return 0; /* the area is full: the caller's bug */
	c = guest_ram_ptr(p->dev->drv->ram, gpa, 8);
	p->n++;
	c[0] = cmd;
	c[1] = flags;
	put_be(c + 2, count, 2);
	put_be(c + 4, cda, 4);
	return gpa;
}

uint64_t ccw_drv_data(struct ccw_drv_dev *dev)
{
	return dev->area + AREA_DATA;
}

/* SSCH with the ORB in the device's page; cc 1 means a status is still
 * pending (an unsolicited one, typically): take it and try again. */
static int start(struct ccw_drv_dev *dev, uint64_t cpa, uint32_t orb_flags)
{
	uint8_t *orb = at(dev, AREA_ORB, 12);
	int cc = 1;

	put_be(orb, ++dev->intparm, 4);
	put_be(orb + 4, ORB1_FMT1 | ORB1_LPM_ANY | orb_flags, 4);
	put_be(orb + 8, cpa, 4);
	pthread_mutex_lock(&dev->drv->irq_lock);
	dev->done = false;
	pthread_mutex_unlock(&dev->drv->irq_lock);
	for (int i = 0; i < START_TRIES && cc == 1; i++) {
		cc = css_ssch(dev->drv->css, dev->schid, dev->area + AREA_ORB);
		if (cc == 1)
			ccw_drv_handle_irqs(dev->drv);
	}
	return cc_errno(cc);
}

/* The final status: the handler usually took it already, on whichever
 * thread the channel subsystem interrupted. */
static int wait_done(struct ccw_drv_dev *dev, struct ccw_drv_irb *irb)
{
	bool done;

	ccw_drv_handle_irqs(dev->drv);
	pthread_mutex_lock(&dev->drv->irq_lock);
	done = dev->done;
	*irb = dev->irb;
	pthread_mutex_unlock(&dev->drv->irq_lock);
	return done ? 0 : -ETIMEDOUT;
}

static int run_locked(struct ccw_drv_dev *dev, uint64_t cpa, uint32_t orb_flags,
		      struct ccw_drv_irb *irb)
{
	int r = start(dev, cpa, orb_flags);

	return r ? r : wait_done(dev, irb);
}

/* Linux cio: without concurrent sense, a unit check is followed by a
 * BASIC SENSE program to fetch the sense bytes. */
static void get_sense(struct ccw_drv_dev *dev, const struct ccw_drv_irb *irb)
{
	uint64_t ccw = dev->area + AREA_SENSE, data = ccw + 8;
	uint8_t *c = at(dev, AREA_SENSE, 8 + 32);
	struct ccw_drv_irb sirb;

	memset(dev->sense, 0, sizeof(dev->sense));
	if ((irb->ctrl & ESWF) && (irb->erw & ERW_CONS)) {
		memcpy(dev->sense, irb->ecw, sizeof(dev->sense));
		return;
	}
	c[0] = SENSE_CMD;
	c[1] = FLAG_SLI;
	put_be(c + 2, 32, 2);
	put_be(c + 4, data, 4);
	if (!run_locked(dev, ccw, 0, &sirb) && !sirb.cstat)
		memcpy(dev->sense, c + 8, sizeof(dev->sense));
}

int ccw_drv_start(struct ccw_drv_dev *dev, uint64_t cpa, uint32_t orb_flags)
{
	struct ccw_drv_irb irb;
	int r;

	pthread_mutex_lock(&dev->io_lock);
	r = run_locked(dev, cpa, orb_flags, &irb);
	if (!r && (irb.dstat & DSTAT_UC))
		get_sense(dev, &irb);
	pthread_mutex_unlock(&dev->io_lock);
	if (r)
		return r;
	/* Linux virtio_ccw irb_is_error() and its command-reject test. */
	if ((irb.dstat & DSTAT_UC) && (dev->sense[0] & 0x80))
		return -EOPNOTSUPP;
	if (irb.cstat || (irb.dstat & ~DSTAT_END) || (irb.ctrl & 0x03000000u))
		return -EIO;
	return 0;
}

int ccw_drv_run(struct ccw_drv_prog *p)
{
	return ccw_drv_start(p->dev, p->gpa, 0);
}

int ccw_drv_io(struct ccw_drv_dev *dev, uint8_t cmd, uint8_t flags, void *buf,
	       uint16_t count)
{
	struct ccw_drv_prog p;
	uint64_t data = ccw_drv_data(dev);
	uint8_t *hva = at(dev, AREA_DATA, CCW_DRV_DATA_LEN);
	int r;

	if (count > CCW_DRV_DATA_LEN)
		return -EINVAL;
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, cmd, flags, count, (uint32_t)data);
	if (count)
		memcpy(hva, buf, count);
	r = ccw_drv_run(&p);
	if (count)
		memcpy(buf, hva, count);
	return r;
}
