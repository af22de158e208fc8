/* vmm-hostile: a guest program that takes a virtio-pci device away from
 * Linux and drives it itself, badly on purpose (docs/hostile-guest.md).
 *
 * virtio 1.3 §4.1 (virtio over PCI), §2.7 / §2.8 (split and packed rings),
 * §3.1 (device initialization). Runs as root inside the stock Debian guest;
 * needs only sysfs, /proc/self/pagemap and /proc/iomem. Built static.
 */
#ifndef VMM_HOSTILE_H
#define VMM_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#define BIT(n) (1ULL << (n))
#define PAGE   4096u

/* ---- dev.c: the PCI function, its capabilities and its registers ---- */

struct dev {
	char bdf[32];	       /* e.g. 0000:00:02.0 */
	char path[96];	       /* /sys/bus/pci/devices/BDF */
	int cfg_fd;	       /* its config file, read-write */
	uint8_t bar_idx;       /* the BAR with the common configuration */
	volatile uint8_t *bar; /* that BAR, through resourceN */
	size_t bar_len;
	uint64_t bar_gpa;     /* where it sits in guest-physical space */
	uint32_t common, isr; /* offsets of the structures in the BAR */
	uint32_t notify, notify_mult, notify_len;
	uint32_t devcfg, devcfg_len; /* devcfg_len 0: no device config */
	uint8_t pci_cfg_cap; /* config offset of VIRTIO_PCI_CAP_PCI_CFG */
};

/* Finds the first virtio-pci function of the given virtio device type,
 * unbinds its Linux driver, turns on memory decoding and bus mastering
 * (INTx masked: nobody here handles it), reads its capabilities and maps
 * the BAR they are in. Returns 0, or -1 after printing why. */
int dev_open(struct dev *d, unsigned int virtio_id);
void dev_close(struct dev *d);

/* Accesses of exactly this width at an offset in that BAR. */
uint64_t dev_read(struct dev *d, uint32_t off, unsigned int width);
void dev_write(struct dev *d, uint32_t off, unsigned int width, uint64_t v);

/* The same, relative to the common configuration structure (§4.1.4.3). */
uint64_t cc_read(struct dev *d, uint32_t field, unsigned int width);
void cc_write(struct dev *d, uint32_t field, unsigned int width, uint64_t v);

uint8_t dev_status(struct dev *d);
void dev_set_status(struct dev *d, uint8_t s);
/* Writes 0 and waits until the device reads back 0 (§4.1.4.3.2).
 * Returns 0, -1 if it never does. */
int dev_reset(struct dev *d);
uint64_t dev_features(struct dev *d);
uint64_t dev_driver_features(struct dev *d);
void dev_set_driver_features(struct dev *d, uint64_t f);
/* The BAR offset of queue q's notify address, and a 16-bit write of the
 * queue index there. */
uint32_t dev_notify_off(struct dev *d, uint16_t q);
void dev_notify(struct dev *d, uint16_t q);

/* PCI configuration space through sysfs. Return 0 or -1. */
int dev_cfg_read(struct dev *d, uint32_t off, void *buf, size_t len);
int dev_cfg_write(struct dev *d, uint32_t off, const void *buf, size_t len);

/* ---- dma.c: guest-physical memory this program owns ---- */

struct dma_page {
	void *va;
	uint64_t gpa;
};

/* Locks npages fresh pages (no huge pages) and looks up their
 * guest-physical addresses in /proc/self/pagemap. Returns 0 or -1. */
int dma_init(unsigned int npages);
struct dma_page dma_page(unsigned int i);
/* Two pages of the pool that are also adjacent in guest-physical memory
 * (*hi right after *lo). Returns 0, or -1 if the pool has none. */
int dma_pair(struct dma_page *lo, struct dma_page *hi);
/* The end of the System RAM range below 4 GiB that holds the kernel, from
 * /proc/iomem: the first guest-physical byte after low RAM. */
uint64_t dma_low_ram_end(void);

/* ---- ring.c: a driver's side of one queue, split or packed ---- */

#define RING_SIZE 16
#define RING_FEATURES \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC))
#define GOOD_LEN 64 /* bytes a well-formed request asks for */

/* How to bring the device up. Zero fields take the defaults: our own ring
 * pages, RING_SIZE entries, RING_FEATURES (plus RING_PACKED if packed). */
struct ring_setup {
	bool packed;
	uint64_t features;
	uint16_t size;
	uint64_t desc, driver, device; /* ring areas, guest-physical */
	bool late_enable;	       /* enable the queue after DRIVER_OK */
};

struct ring {
	struct dev *d;
	bool packed;
	uint16_t size;
	struct dma_page area[3]; /* descriptors, driver area, device area */
	struct dma_page rd, wr;	 /* data pages: device-readable, -writable */

	/* Split: free-running indexes. Packed: slots plus wrap counters. */
	uint16_t next_avail, next_used;
	bool avail_wrap, used_wrap;
	uint16_t chain_len[RING_SIZE * 2]; /* packed: slots per buffer id */
};

enum outcome { OUT_NONE, OUT_NEEDS_RESET, OUT_DROPPED, OUT_SERVED };
const char *outcome_name(enum outcome o);

/* Resets the device and brings it up as s says: ACK, DRIVER, features,
 * FEATURES_OK, queue 0, DRIVER_OK. Returns 0, or -1 if FEATURES_OK did
 * not stick. Ring memory is zeroed and interrupts are asked off. */
int ring_start(struct ring *r, struct dev *d, const struct ring_setup *s);

/* Split: write descriptor i, make head available (idx + 1). */
void ring_split_desc(struct ring *r, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next);
void ring_split_publish(struct ring *r, uint16_t head);
struct vring_avail *ring_split_avail(struct ring *r);

/* Packed: one element of a chain. raw_flags: write flags as given, without
 * the AVAIL/USED bits the slot's lap wants. */
struct pk {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	bool raw_flags;
};
/* Writes the chain at next_avail (head last, as §2.8.21 asks), all under
 * buffer id = head slot, and moves next_avail past it. */
void ring_packed_chain(struct ring *r, const struct pk *chain, uint16_t n);

/* Entry i of an indirect table in page t, in r's ring format. */
void ring_table(const struct ring *r, struct dma_page t, uint32_t i,
		uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);

/* One well-formed request: GOOD_LEN device-writable bytes in r->wr. */
void ring_good(struct ring *r);

/* Waits up to timeout_ms for the device: NEEDS_RESET in the status (unless
 * used_only) or a used buffer (DROPPED if its length is 0). */
enum outcome ring_wait(struct ring *r, int timeout_ms, bool used_only);

/* ---- main.c ---- */

struct ctx {
	struct dev *d;
	struct ring r;
	struct dma_page tbl, tbl2; /* indirect tables */
	struct dma_page lo, hi;	   /* adjacent pages (have_pair) */
	bool have_pair;
	uint64_t low_end;    /* dma_low_ram_end() */
	long storm_ms;	     /* how long a live queue is stormed */
	unsigned long storm; /* at most this many notifications (0: any) */
	unsigned long requests, flood;
	unsigned long notifies; /* notifications written in all storms */
	unsigned int cases, recovered;
};

void report(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* After a case: resets the device, brings it up with the defaults of the
 * given format and checks that a well-formed request is served. Counts
 * the attempt (and the success); reports KEY.recover=failed if not. */
void after_case(struct ctx *c, const char *key, bool packed);

/* cases_ring.c: malformed rings, split and packed. */
void cases_split(struct ctx *c);
void cases_packed(struct ctx *c);
/* cases_ctl.c: status, features, queue and register abuse; storms. */
void cases_status(struct ctx *c);
void cases_queue_regs(struct ctx *c);
void cases_registers(struct ctx *c);
void cases_storms(struct ctx *c);

#endif
