/* css_internal: what css.c (instructions), css_prog.c (channel programs)
 * and css_irq.c (interruptions) share. Not for devices: see css.h.
 *
 * Locking: css->lock guards every subchannel's SCHIB, sense bytes and the
 * interruption queues, held only for short stretches. A channel program
 * runs without it (its commands call into the virtio core, which may wait
 * for device threads that raise interruptions); the start function bit in
 * the SCSW keeps a second SSCH, MSCH or TSCH off the subchannel meanwhile.
 */
#ifndef VMM_BUS_CCW_CSS_INTERNAL_H
#define VMM_BUS_CCW_CSS_INTERNAL_H

#include <pthread.h>

#include "css.h"

struct css_sch {
	struct css *css;
	uint16_t nr;
	struct css_dev_id id;
	const struct css_dev_ops *ops;
	void *priv;

	struct css_pmcw pmcw;
	struct css_scsw scsw;
	uint8_t sense[CSS_SENSE_LEN]; /* from the last unit check */

	/* HSCH / CSCH arrived while a program ran: it stops at the next
	 * CCW boundary. */
	bool halt_req, clear_req;

	/* Pending I/O-interruption request, queued on its ISC. */
	bool irq_queued;
	struct css_sch *irq_next;
};

struct css_isc_queue {
	struct css_sch *head, *tail;
	bool adapter; /* an adapter interruption is pending */
};

struct css {
	const struct gmem *mem;
	pthread_mutex_t lock;
	struct css_sch *sch[CSS_MAX_SCH];
	struct css_isc_queue isc[CSS_NR_ISC];

	void (*irq_fn)(void *opaque);
	void *irq_opaque;
	void (*trace_fn)(void *opaque, const struct css_event *ev);
	void *trace_opaque;
};

/* The subchannel behind a valid schid, or NULL. Caller holds css->lock. */
struct css_sch *css_lookup(struct css *css, uint32_t schid);
uint32_t css_schid(const struct css_sch *sch);

/* css_prog.c: runs the channel program of orb and fills *st with its
 * final status (all but STATUS_PEND; a unit check is always a command
 * reject). Called without css->lock; reads only the halt and clear
 * requests under it. */
void css_prog_run(struct css_sch *sch, const struct css_orb *orb,
		  struct css_scsw *st);

/* css_irq.c. Caller holds css->lock for these three. */
/* Status pending: sets STATUS_PEND in stctl and queues the interruption
 * request if the subchannel is enabled. */
void css_irq_make_pending(struct css_sch *sch);
/* Withdraws the subchannel's pending interruption request, if queued. */
void css_irq_withdraw(struct css_sch *sch);
/* Called after css->lock is dropped: tells the CPU side. */
void css_irq_deliver(struct css *css);

/* Trace helper: no-op without a tracer. Call without css->lock. */
void css_trace(struct css *css, const struct css_event *ev);

#endif
