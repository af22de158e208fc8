/* ccw_drv: the guest's channel-subsystem driver, modelled on Linux's
 * drivers/s390/cio, for tests and the ccw demo.
 *
 * PoP ch. 14-16 seen from the guest: it finds subchannels with STORE
 * SUBCHANNEL, enables them with MODIFY SUBCHANNEL, reads SENSE ID, builds
 * channel programs and ORBs in guest memory, starts them, and takes I/O
 * and adapter interruptions (TPI, then TSCH) in an interrupt handler the
 * channel subsystem calls. Control blocks are encoded here from the
 * architecture, independently of src/bus/ccw/css_format.c, so that the two
 * check each other. What the device does comes back as -errno, for the
 * caller to judge (ft_bus_ccw.c asserts); only guest_ram aborts the test,
 * when RAM runs out. A device's program area is one: build and run
 * programs on it from one thread at a time.
 */
#ifndef VMM_TEST_CCW_DRV_H
#define VMM_TEST_CCW_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "css.h"
#include "guest_ram.h"

#define CCW_DRV_MAX_DEVS  16
#define CCW_DRV_SCAN	  512 /* subchannel numbers STSCH probes */
#define CCW_DRV_ISC	  3   /* Linux's IO_SCH_ISC, also its virtio ISC */
#define CCW_DRV_MAX_CCWS  32  /* CCWs in a device's program area */
#define CCW_DRV_DATA_LEN  2048
#define CCW_DRV_AIRQ_BITS 512 /* adapter indicator bits, all devices */

/* An IRB as TEST SUBCHANNEL stored it, decoded. */
struct ccw_drv_irb {
	uint32_t ctrl; /* SCSW word 0 */
	uint32_t cpa;
	uint8_t dstat, cstat;
	uint16_t count;
	uint32_t erw; /* extended report word */
	uint8_t ecw[32];
};

struct ccw_drv;

struct ccw_drv_dev {
	struct ccw_drv *drv;
	uint32_t schid;
	uint16_t devno;
	uint16_t cu_type;
	uint8_t cu_model;
	/* One guest page: CCWs, ORB, IRB, SCHIB, then a data buffer. */
	uint64_t area;

	pthread_mutex_t io_lock; /* one channel program at a time */
	uint32_t intparm;	 /* tag of the program in flight */
	/* Filled by the interrupt handler, under drv->irq_lock. */
	bool done;		     /* its final status arrived */
	struct ccw_drv_irb irb;	     /* that status */
	unsigned int nr_unsolicited; /* alert-only interruptions */
	/* Of the last program: sense bytes after a unit check. */
	uint8_t sense[32];

	/* The device driver's hooks, run by the interrupt handler (any
	 * thread, drv->irq_lock held): after each I/O interruption, and for
	 * adapter interruptions if airq_bits is set. */
	void (*io_irq)(struct ccw_drv_dev *dev);
	void (*adapter_irq)(struct ccw_drv_dev *dev);
	unsigned int airq_bits; /* adapter bits it owns from airq_first */
	uint64_t airq_first;
	void *priv;
};

struct ccw_drv {
	struct css *css;
	struct guest_ram *ram;
	bool csense; /* ask for concurrent sense when enabling (default) */
	pthread_mutex_t irq_lock;
	unsigned int nr_devs;
	struct ccw_drv_dev *devs[CCW_DRV_MAX_DEVS];
	/* Adapter interruptions: one summary byte and one bit area shared
	 * by every device, like Linux's airq_iv. */
	uint64_t airq_summary, airq_area;
	unsigned int airq_next;
	unsigned int nr_io_irqs, nr_adapter_irqs;
};

/* Installs the interrupt handler on css. The caller keeps css and ram. */
void ccw_drv_init(struct ccw_drv *drv, struct css *css, struct guest_ram *ram);
void ccw_drv_destroy(struct ccw_drv *drv);

/* STSCH over subchannels 0..CCW_DRV_SCAN-1; each one with a valid device
 * number is enabled (MSCH: ISC 3, concurrent sense) and asked SENSE ID.
 * Returns the number of devices found, or -errno. */
int ccw_drv_scan(struct ccw_drv *drv);
/* The device with device number devno, or NULL. */
struct ccw_drv_dev *ccw_drv_find(struct ccw_drv *drv, uint16_t devno);

/* MSCH: enable or disable the subchannel, checked with STSCH. 0, -EBUSY
 * (cc 1 or 2), -ENODEV (cc 3), -EFAULT (program interruption). */
int ccw_drv_enable(struct ccw_drv_dev *dev, bool on);
/* STSCH: word 1 of the PMCW (flags) and word 0 of the SCSW. */
int ccw_drv_stsch(struct ccw_drv_dev *dev, uint32_t *pmcw_flags,
		  uint32_t *scsw_ctrl);

/* The interrupt handler: TPI until nothing is pending. */
void ccw_drv_handle_irqs(struct ccw_drv *drv);
/* Off: interruptions only queue up, as with the CPU's I/O mask off (for
 * tests that look at them raw). On: the channel subsystem calls the
 * handler again; call ccw_drv_handle_irqs for what queued meanwhile. */
void ccw_drv_irqs_on(struct ccw_drv *drv, bool on);

/* ---- Channel programs ---- */

struct ccw_drv_prog {
	struct ccw_drv_dev *dev;
	uint64_t gpa; /* first CCW */
	unsigned int n;
};

/* A program in the device's CCW area, empty. */
void ccw_drv_prog_init(struct ccw_drv_prog *p, struct ccw_drv_dev *dev);
/* Appends a format-1 CCW; returns its guest address (0 when the area
 * already holds CCW_DRV_MAX_CCWS). */
uint64_t ccw_drv_prog_add(struct ccw_drv_prog *p, uint8_t cmd, uint8_t flags,
			  uint16_t count, uint32_t cda);
/* The guest address of the device's data buffer (CCW_DRV_DATA_LEN). */
uint64_t ccw_drv_data(struct ccw_drv_dev *dev);

/* Starts the program at cpa (format-1 CCWs, any path, plus orb_flags)
 * with SSCH, retrying while status is pending, and waits for its final
 * status in dev->irb. Returns 0 (channel end + device end, nothing
 * else), -EOPNOTSUPP (unit check, command reject: sense in dev->sense),
 * -EIO (any other status: see dev->irb), -EBUSY (cc 2), -ENODEV (cc 3),
 * -EFAULT (SSCH took a program interruption). */
int ccw_drv_start(struct ccw_drv_dev *dev, uint64_t cpa, uint32_t orb_flags);
int ccw_drv_run(struct ccw_drv_prog *p);

/* One CCW on the data buffer: buf is copied in first and out after, so it
 * serves read and write commands alike. count <= CCW_DRV_DATA_LEN. */
int ccw_drv_io(struct ccw_drv_dev *dev, uint8_t cmd, uint8_t flags, void *buf,
	       uint16_t count);

/* Adapter indicator bits for nbits queues: returns the first bit number
 * in drv->airq_area, or -ENOSPC. */
int ccw_drv_airq_alloc(struct ccw_drv *drv, unsigned int nbits);

#endif
