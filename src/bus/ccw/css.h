/* css: an emulated channel subsystem (s390 channel I/O), in-process.
 *
 * z/Architecture Principles of Operation (SA22-7832) ch. 13-17: subchannels
 * with their SCHIB, the I/O instructions as C functions taking the
 * subchannel id and the guest addresses of their operands, channel programs
 * of format-1 CCWs read from guest memory, I/O interruptions queued per
 * interruption subclass (ISC) and adapter interruptions. No CPU here runs
 * s390 code: a driver in the same process plays the guest. virtio-ccw
 * (virtio_ccw.h) is one control unit behind it. Depends on src/kvm.
 */
#ifndef VMM_BUS_CCW_CSS_H
#define VMM_BUS_CCW_CSS_H

#include <stdbool.h>
#include <stdint.h>

#include "css_format.h"
#include "gmem.h"

#define CSS_MAX_SCH  256 /* subchannels 0.0.0000 to 0.0.00ff */
#define CSS_NR_ISC   8
#define CSS_MAX_CCWS 256 /* CCWs one channel program may fetch */
#define CSS_MAX_SEGS 64	 /* data pieces of one command (chaining, IDAWs) */

/* Program-interruption codes an instruction may end in, returned negated
 * (PoP ch. 6); otherwise instructions return their condition code 0-3. */
#define CSS_PGM_ADDRESSING    0x05
#define CSS_PGM_SPECIFICATION 0x06
#define CSS_PGM_OPERAND	      0x15

struct css;

/* One contiguous piece of a command's data area in guest memory. */
struct css_seg {
	uint64_t gpa;
	uint32_t len;
	bool skip;	   /* CCW_FLAG_SKIP: reads store nothing */
	uint32_t ccw_addr; /* the CCW it came from, for the SCSW */
	uint32_t ccw_off;  /* where in that CCW's count it starts */
	uint16_t ccw_count;
};

/* One command as the control unit sees it: the command code, the count
 * summed over the data chain, and the data area behind css_cmd_read /
 * css_cmd_write. The segments are the channel subsystem's business. */
struct css_cmd {
	uint8_t code;
	bool sli;	/* SLI of the last CCW of the data chain */
	uint32_t count; /* bytes in the data area */
	uint32_t done;	/* bytes moved: the furthest offset touched */
	const struct gmem *mem;
	unsigned int nr_segs;
	struct css_seg seg[CSS_MAX_SEGS];
};

/* How a command ends, as a control unit reports it. */
enum css_status {
	CSS_OK,		/* channel end and device end */
	CSS_REJECT,	/* unit check, sense byte 0 "command reject" */
	CSS_BAD_LENGTH, /* not executed: the count does not fit */
	CSS_PROG_CHECK, /* a data address is not guest RAM */
};

/* A control unit behind a subchannel. */
struct css_dev_ops {
	/* Executes one command. Called with no CSS lock held, one command
	 * at a time per subchannel. NOOP, SENSE ID, BASIC SENSE and TIC never
	 * get here: the channel subsystem answers them. */
	enum css_status (*command)(void *priv, struct css_cmd *cmd);
	/* The driver enabled the subchannel (MSCH, E bit 0 -> 1). Optional. */
	void (*enabled)(void *priv);
};

/* What SENSE ID reports (PoP Common I/O-Device Commands). */
struct css_dev_id {
	uint16_t devno;
	uint16_t cu_type;
	uint8_t cu_model;
	uint16_t dev_type;
	uint8_t dev_model;
};

/* Creates an empty channel subsystem over guest memory mem (kept, not
 * owned). 0 or -ENOMEM. */
int css_create(const struct gmem *mem, struct css **out);
/* Frees it; every subchannel must be removed and no instruction running. */
void css_destroy(struct css *css);

/* Adds a subchannel for a device: the next free subchannel number, device
 * number id->devno (unique: -EEXIST), one channel path, disabled. Sets
 * *schid. -ENOSPC when all CSS_MAX_SCH are taken. */
int css_add(struct css *css, const struct css_dev_id *id,
	    const struct css_dev_ops *ops, void *priv, uint32_t *schid);
/* Removes it: instructions on schid then end in cc 3. Must not race with
 * an instruction on the same subchannel. */
void css_remove(struct css *css, uint32_t schid);
/* The priv of the device behind schid if its ops are ops, else NULL. */
void *css_priv(struct css *css, uint32_t schid, const struct css_dev_ops *ops);

/* ---- For command handlers: the data area ---- */

/* Length rules of virtio 1.3 §4.3.1.1 for a command that needs exactly
 * len bytes (css_cmd_want) or any count up to len (css_cmd_want_upto): a
 * count that is too long is fine with SLI; too short is a check condition
 * (command reject) with SLI; without SLI either is incorrect length.
 * Returns CSS_OK when the command may go on, else the status to end with. */
enum css_status css_cmd_want(struct css_cmd *cmd, uint32_t len);
enum css_status css_cmd_want_upto(struct css_cmd *cmd, uint32_t len);
/* Copy [off, off + len) of the data area from / to guest memory. The range
 * must lie inside the count (-EINVAL: a handler bug); -EFAULT when a piece
 * is not guest RAM (end the command with CSS_PROG_CHECK). Reads into
 * skipped pieces store nothing. */
int css_cmd_read(struct css_cmd *cmd, uint32_t off, void *dst, uint32_t len);
int css_cmd_write(struct css_cmd *cmd, uint32_t off, const void *src,
		  uint32_t len);

/* ---- The I/O instructions (PoP ch. 14) ----
 * schid is general register 1; the gpa is the second-operand address.
 * Each returns the condition code, or -CSS_PGM_* for a program
 * interruption (bad subchannel id or reserved bits: operand; misaligned
 * operand: specification; operand not in RAM: addressing). */
int css_stsch(struct css *css, uint32_t schid, uint64_t schib_gpa);
int css_msch(struct css *css, uint32_t schid, uint64_t schib_gpa);
/* START SUBCHANNEL runs the whole channel program before it returns (the
 * architecture lets it take any time); its status is then pending. */
int css_ssch(struct css *css, uint32_t schid, uint64_t orb_gpa);
int css_tsch(struct css *css, uint32_t schid, uint64_t irb_gpa);
int css_csch(struct css *css, uint32_t schid);
int css_hsch(struct css *css, uint32_t schid);

/* The I/O-interruption code a CPU gets (lowcore 0xb8-0xc3). */
struct css_irq {
	uint32_t schid;	  /* 0 for an adapter interruption */
	uint32_t intparm; /* 0 for an adapter interruption */
	uint8_t isc;
	bool adapter;
};

/* TEST PENDING INTERRUPTION: takes the highest-priority pending
 * interruption among the ISCs enabled in isc_mask (bit 0x80 >> isc, as in
 * control register 6). Returns 1 and fills *irq, or 0 (none). The
 * subchannel stays status pending until TSCH. */
int css_tpi(struct css *css, uint8_t isc_mask, struct css_irq *irq);

/* ---- For devices: interruptions ---- */

/* Unsolicited status: if the subchannel is enabled, idle and not status
 * pending, makes it status pending with alert status and queues an I/O
 * interruption (virtio 1.3 §4.3.3.1.1). If it is busy or already pending
 * the interruption that comes anyway serves. Returns true if it queued. */
bool css_io_interrupt(struct css *css, uint32_t schid);
/* Queues a floating adapter interruption on isc (at most one pending per
 * ISC: they carry nothing but the ISC). */
void css_adapter_interrupt(struct css *css, uint8_t isc);

/* The CPU side: fn runs whenever an interruption becomes pending, on the
 * thread that made it pending, with no CSS lock held; it typically loops
 * on css_tpi. NULL: nobody is told, interruptions just queue. */
void css_set_irq_handler(struct css *css, void (*fn)(void *opaque),
			 void *opaque);

/* ---- Watching it work ---- */

enum css_event_kind {
	CSS_EV_START,	/* SSCH accepted: orb */
	CSS_EV_CCW,	/* a CCW fetched: ccw at addr */
	CSS_EV_STATUS,	/* status made pending: scsw */
	CSS_EV_ADAPTER, /* adapter interruption queued: isc */
};

struct css_event {
	enum css_event_kind kind;
	uint32_t schid;
	uint32_t addr;
	uint8_t isc;
	struct css_orb orb;
	struct css_ccw ccw;
	struct css_scsw scsw;
};

/* fn sees every event, on the thread that caused it, no lock held. */
void css_set_trace(struct css *css,
		   void (*fn)(void *opaque, const struct css_event *ev),
		   void *opaque);

#endif
