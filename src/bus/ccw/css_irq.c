/* css_irq: I/O interruptions, queued per interruption subclass.
 *
 * PoP ch. 16 "I/O Interruptions": a subchannel that becomes status pending
 * has an interruption request queued on its ISC (PMCW); adapter
 * interruptions float on an ISC without a subchannel. TEST PENDING
 * INTERRUPTION takes the highest-priority one (ISC 0 first); TEST
 * SUBCHANNEL withdraws a subchannel's request. See css.h.
 */
#include "css_internal.h"

static struct css_isc_queue *queue_of(struct css_sch *sch)
{
	uint32_t isc = (sch->pmcw.flags & PMCW_ISC_MASK) >> PMCW_ISC_SHIFT;

	return &sch->css->isc[isc];
}

void css_irq_make_pending(struct css_sch *sch)
{
	struct css_isc_queue *q = queue_of(sch);

	sch->scsw.ctrl |= SCSW_STCTL_PENDING;
	/* A disabled subchannel is never made pending by us; check anyway:
	 * it would have no one to interrupt. */
	if (sch->irq_queued || !(sch->pmcw.flags & PMCW_ENA))
		return;
	sch->irq_queued = true;
	sch->irq_next = NULL;
	if (q->tail)
		q->tail->irq_next = sch;
	else
		q->head = sch;
	q->tail = sch;
}

void css_irq_withdraw(struct css_sch *sch)
{
	struct css_isc_queue *q = queue_of(sch);
	struct css_sch **pp = &q->head, *prev = NULL;

	if (!sch->irq_queued)
		return;
	while (*pp && *pp != sch) {
		prev = *pp;
		pp = &(*pp)->irq_next;
	}
	if (*pp) {
		*pp = sch->irq_next;
		if (q->tail == sch)
			q->tail = prev;
	}
	sch->irq_queued = false;
	sch->irq_next = NULL;
}

void css_irq_deliver(struct css *css)
{
	void (*fn)(void *opaque);
	void *opaque;

	pthread_mutex_lock(&css->lock);
	fn = css->irq_fn;
	opaque = css->irq_opaque;
	pthread_mutex_unlock(&css->lock);
	if (fn)
		fn(opaque);
}

void css_set_irq_handler(struct css *css, void (*fn)(void *opaque),
			 void *opaque)
{
	pthread_mutex_lock(&css->lock);
	css->irq_fn = fn;
	css->irq_opaque = opaque;
	pthread_mutex_unlock(&css->lock);
}

/* Under css->lock: the first request on q, taken off the queue. */
static bool take(struct css *css, unsigned int isc, struct css_irq *irq)
{
	struct css_isc_queue *q = &css->isc[isc];
	struct css_sch *sch = q->head;

	if (sch) {
		css_irq_withdraw(sch);
		*irq = (struct css_irq){.schid = css_schid(sch),
					.intparm = sch->pmcw.intparm,
					.isc = (uint8_t)isc};
		return true;
	}
	if (q->adapter) {
		q->adapter = false;
		*irq = (struct css_irq){.isc = (uint8_t)isc, .adapter = true};
		return true;
	}
	return false;
}

int css_tpi(struct css *css, uint8_t isc_mask, struct css_irq *irq)
{
	bool got = false;

	pthread_mutex_lock(&css->lock);
	for (unsigned int isc = 0; isc < CSS_NR_ISC && !got; isc++)
		if (isc_mask & (0x80 >> isc))
			got = take(css, isc, irq);
	pthread_mutex_unlock(&css->lock);
	return got;
}

bool css_io_interrupt(struct css *css, uint32_t schid)
{
	struct css_event ev = {.kind = CSS_EV_STATUS, .schid = schid};
	struct css_sch *sch;
	bool queued = false;

	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	/* Only an enabled, idle subchannel without pending status; the
	 * function control is 0 exactly when nothing is in progress. */
	if (sch && (sch->pmcw.flags & PMCW_ENA) &&
	    !(sch->scsw.ctrl & (SCSW_STCTL_PENDING | SCSW_FCTL_MASK))) {
		sch->scsw = (struct css_scsw){.ctrl = SCSW_STCTL_ALERT};
		css_irq_make_pending(sch);
		ev.scsw = sch->scsw;
		queued = true;
	}
	pthread_mutex_unlock(&css->lock);
	if (queued) {
		css_trace(css, &ev);
		css_irq_deliver(css);
	}
	return queued;
}

void css_adapter_interrupt(struct css *css, uint8_t isc)
{
	struct css_event ev = {.kind = CSS_EV_ADAPTER, .isc = isc};

	if (isc >= CSS_NR_ISC)
		return;
	pthread_mutex_lock(&css->lock);
	css->isc[isc].adapter = true;
	pthread_mutex_unlock(&css->lock);
	css_trace(css, &ev);
	css_irq_deliver(css);
}

void css_set_trace(struct css *css,
		   void (*fn)(void *opaque, const struct css_event *ev),
		   void *opaque)
{
	pthread_mutex_lock(&css->lock);
	css->trace_fn = fn;
	css->trace_opaque = opaque;
	pthread_mutex_unlock(&css->lock);
}

void css_trace(struct css *css, const struct css_event *ev)
{
	void (*fn)(void *opaque, const struct css_event *ev);
	void *opaque;

	pthread_mutex_lock(&css->lock);
	fn = css->trace_fn;
	opaque = css->trace_opaque;
	pthread_mutex_unlock(&css->lock);
	if (fn)
		fn(opaque, ev);
}
