/* css: subchannels and the I/O instructions (see css.h).
 *
 * PoP ch. 14 "I/O Instructions": STORE, MODIFY, START, TEST, CLEAR and HALT
 * SUBCHANNEL, each with its operand checks (program interruptions) and its
 * condition codes: 0 done, 1 status pending, 2 busy, 3 not operational.
 * Channel programs run in css_prog.c, interruptions queue in css_irq.c.
 */
#include "css_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHPID	   0x00 /* our one virtual channel path */
#define PATH_MASK  0x80 /* ... installed, available and operational */
#define BUSY_FLAGS (SCSW_FCTL_MASK)

/* ---- Subchannels ---- */

int css_create(const struct gmem *mem, struct css **out)
{
	struct css *css = calloc(1, sizeof(*css));

	if (!css)
		return -ENOMEM;
	css->mem = mem;
	pthread_mutex_init(&css->lock, NULL);
	*out = css;
	return 0;
}

void css_destroy(struct css *css)
{
	if (!css)
		return;
	for (unsigned int i = 0; i < CSS_MAX_SCH; i++)
		free(css->sch[i]);
	pthread_mutex_destroy(&css->lock);
	free(css);
}

/* A subchannel id names one of ours only with the "one" bit set and the
 * reserved, M and CSSID bits clear (no multiple-CSS facility here). */
static bool schid_valid(uint32_t schid)
{
	return (schid & SCHID_ONE) &&
	       !(schid & (SCHID_RSVD_MASK | SCHID_M | SCHID_CSSID_MASK));
}

struct css_sch *css_lookup(struct css *css, uint32_t schid)
{
	uint32_t nr = schid & SCHID_NR_MASK;

	/* Subchannel sets 1-3 exist architecturally but hold nothing. */
	if (!schid_valid(schid) || (schid & SCHID_SSID_MASK) ||
	    nr >= CSS_MAX_SCH)
		return NULL;
	return css->sch[nr];
}

uint32_t css_schid(const struct css_sch *sch)
{
	return SCHID(sch->nr);
}

static void sch_init(struct css_sch *sch, const struct css_dev_id *id)
{
	sch->id = *id;
	/* An I/O subchannel with a valid device number, disabled, on ISC 0,
	 * with one channel path. */
	sch->pmcw.flags = PMCW_DNV | id->devno;
	sch->pmcw.lpm = sch->pmcw.pim = sch->pmcw.pam = PATH_MASK;
	sch->pmcw.pom = 0xff;
	sch->pmcw.chpid[0] = CHPID;
}

static bool devno_taken(struct css *css, uint16_t devno)
{
	for (unsigned int i = 0; i < CSS_MAX_SCH; i++)
		if (css->sch[i] && css->sch[i]->id.devno == devno)
			return true;
	return false;
}

int css_add(struct css *css, const struct css_dev_id *id,
	    const struct css_dev_ops *ops, void *priv, uint32_t *schid)
{
	struct css_sch *sch;
	int r = -ENOSPC;

	pthread_mutex_lock(&css->lock);
	if (devno_taken(css, id->devno)) {
		r = -EEXIST;
		goto out_unlock;
	}
	for (unsigned int i = 0; i < CSS_MAX_SCH; i++) {
		if (css->sch[i])
			continue;
		sch = calloc(1, sizeof(*sch));
		if (!sch) {
			r = -ENOMEM;
			goto out_unlock;
		}
		sch->css = css;
		sch->nr = (uint16_t)i;
		sch->ops = ops;
		sch->priv = priv;
		sch_init(sch, id);
		css->sch[i] = sch;
		*schid = css_schid(sch);
		r = 0;
		break;
	}
out_unlock:
	pthread_mutex_unlock(&css->lock);
	return r;
}

void css_remove(struct css *css, uint32_t schid)
{
	struct css_sch *sch;

	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (sch) {
		css_irq_withdraw(sch);
		css->sch[sch->nr] = NULL;
	}
	pthread_mutex_unlock(&css->lock);
	free(sch);
}

void *css_priv(struct css *css, uint32_t schid, const struct css_dev_ops *ops)
{
	struct css_sch *sch;
	void *priv = NULL;

	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (sch && sch->ops == ops)
		priv = sch->priv;
	pthread_mutex_unlock(&css->lock);
	return priv;
}

/* ---- Operand checks, common to the instructions ---- */

/* General register 1 and the second operand: the id must be well formed,
 * the operand word aligned (SCHIB, ORB and IRB all are) and in RAM. */
static int check_operands(struct css *css, uint32_t schid, uint64_t gpa,
			  size_t len)
{
	if (!schid_valid(schid))
		return -CSS_PGM_OPERAND;
	if (gpa & 3)
		return -CSS_PGM_SPECIFICATION;
	if (!gmem_ptr(css->mem, gpa, len))
		return -CSS_PGM_ADDRESSING;
	return 0;
}

static bool status_pending(const struct css_sch *sch)
{
	return sch->scsw.ctrl & SCSW_STCTL_PENDING;
}

static bool enabled(const struct css_sch *sch)
{
	return sch->pmcw.flags & PMCW_ENA;
}

/* ---- STORE SUBCHANNEL ---- */

int css_stsch(struct css *css, uint32_t schid, uint64_t schib_gpa)
{
	struct css_schib s = {0};
	uint8_t buf[SCHIB_LEN];
	struct css_sch *sch;
	int r = check_operands(css, schid, schib_gpa, SCHIB_LEN);

	if (r)
		return r;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (sch) {
		s.pmcw = sch->pmcw;
		s.scsw = sch->scsw;
	}
	pthread_mutex_unlock(&css->lock);
	if (!sch)
		return 3;
	css_schib_encode(&s, buf);
	gmem_write(css->mem, schib_gpa, buf, sizeof(buf));
	return 0;
}

/* ---- MODIFY SUBCHANNEL ---- */

static void apply_schib(struct css_sch *sch, const struct css_pmcw *p)
{
	struct css_pmcw *cur = &sch->pmcw;

	cur->intparm = p->intparm;
	cur->flags = (cur->flags & ~PMCW_W1_MODIFIABLE) |
		     (p->flags & PMCW_W1_MODIFIABLE);
	cur->lpm = p->lpm;
	cur->mbi = p->mbi;
	cur->chars = (cur->chars & ~PMCW_W6_MODIFIABLE) |
		     (p->chars & PMCW_W6_MODIFIABLE);
}

int css_msch(struct css *css, uint32_t schid, uint64_t schib_gpa)
{
	uint8_t buf[SCHIB_LEN];
	struct css_schib s;
	struct css_sch *sch;
	bool was_on = false, now_on = false;
	int r = check_operands(css, schid, schib_gpa, SCHIB_LEN);

	if (r)
		return r;
	gmem_read(css->mem, schib_gpa, buf, sizeof(buf));
	css_schib_decode(buf, &s);
	/* Reserved bits, and extended measurement, which we lack. */
	if ((s.pmcw.flags & PMCW_W1_RSVD) ||
	    (s.pmcw.chars & (PMCW_W6_RSVD | PMCW_XMWME)))
		return -CSS_PGM_OPERAND;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (!sch)
		r = 3;
	else if (status_pending(sch))
		r = 1;
	else if (sch->scsw.ctrl & BUSY_FLAGS)
		r = 2;
	if (!r) {
		was_on = enabled(sch);
		apply_schib(sch, &s.pmcw);
		now_on = enabled(sch);
	}
	pthread_mutex_unlock(&css->lock);
	/* virtio 1.3 §4.3.2.1: enabling forgets the virtio revision. */
	if (!r && !was_on && now_on && sch->ops->enabled)
		sch->ops->enabled(sch->priv);
	return r;
}

/* ---- START SUBCHANNEL ---- */

static int orb_check(const struct css_orb *orb)
{
	if ((orb->flags & (ORB_RSVD | ORB_ORBX)) || (orb->cpa & ORB_CPA_RSVD))
		return -CSS_PGM_OPERAND;
	return 0;
}

/* Under css->lock: may a start function begin? cc or 0. */
static int start_cc(struct css_sch *sch, const struct css_orb *orb)
{
	uint8_t lpm = (orb->flags & ORB_LPM_MASK) >> ORB_LPM_SHIFT;

	if (!sch || !enabled(sch))
		return 3;
	if (status_pending(sch))
		return 1;
	if (sch->scsw.ctrl & BUSY_FLAGS)
		return 2;
	/* No path the program may use: not operational. */
	if (!(lpm & sch->pmcw.pam))
		return 3;
	return 0;
}

/* Under css->lock: the program has ended; its status becomes pending. */
static void finish_start(struct css_sch *sch, struct css_scsw *st)
{
	if (st->dstat & DEV_STAT_UNIT_CHECK) {
		memset(sch->sense, 0, sizeof(sch->sense));
		sch->sense[0] = SENSE0_CMD_REJECT;
	}
	if (sch->clear_req) {
		memset(st, 0, sizeof(*st));
		st->ctrl = SCSW_FCTL_CLEAR;
	} else if (sch->halt_req) {
		st->ctrl |= SCSW_FCTL_HALT;
	}
	sch->halt_req = sch->clear_req = false;
	sch->scsw = *st;
	css_irq_make_pending(sch);
	*st = sch->scsw;
}

int css_ssch(struct css *css, uint32_t schid, uint64_t orb_gpa)
{
	struct css_event ev = {.kind = CSS_EV_START, .schid = schid};
	struct css_scsw st;
	uint8_t buf[ORB_LEN];
	struct css_sch *sch;
	int r = check_operands(css, schid, orb_gpa, ORB_LEN);

	if (r)
		return r;
	gmem_read(css->mem, orb_gpa, buf, sizeof(buf));
	css_orb_decode(buf, &ev.orb);
	r = orb_check(&ev.orb);
	if (r)
		return r;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	r = start_cc(sch, &ev.orb);
	if (!r) {
		sch->scsw = (struct css_scsw){.ctrl = SCSW_FCTL_START |
						      SCSW_ACTL_SCH_ACTIVE |
						      SCSW_ACTL_DEV_ACTIVE};
		sch->pmcw.intparm = ev.orb.intparm;
		sch->halt_req = sch->clear_req = false;
	}
	pthread_mutex_unlock(&css->lock);
	if (r)
		return r;
	css_trace(css, &ev);
	/* The program runs unlocked; the start function bit keeps other
	 * instructions off this subchannel (cc 2) until it is done. */
	css_prog_run(sch, &ev.orb, &st);
	ev = (struct css_event){.kind = CSS_EV_STATUS, .schid = schid};
	pthread_mutex_lock(&css->lock);
	finish_start(sch, &st);
	ev.scsw = st;
	pthread_mutex_unlock(&css->lock);
	css_trace(css, &ev);
	css_irq_deliver(css);
	return 0;
}

/* ---- TEST SUBCHANNEL ---- */

/* The IRB: SCSW, a format-0 ESW whose extended report word says whether
 * the ECW holds concurrent sense, and the ECW. */
static void build_irb(struct css_sch *sch, uint8_t irb[IRB_LEN])
{
	bool csense = status_pending(sch) &&
		      (sch->scsw.dstat & DEV_STAT_UNIT_CHECK) &&
		      (sch->pmcw.chars & PMCW_CSENSE);
	uint32_t erw = ERW_CONS | (CSS_SENSE_LEN << ERW_SCNT_SHIFT);

	memset(irb, 0, IRB_LEN);
	css_scsw_encode(&sch->scsw, irb);
	if (!csense)
		return;
	irb[IRB_ERW_OFF] = erw >> 24;
	irb[IRB_ERW_OFF + 1] = erw >> 16;
	memcpy(irb + IRB_ECW_OFF, sch->sense, CSS_SENSE_LEN);
	/* Sense presented concurrently is consumed. */
	memset(sch->sense, 0, sizeof(sch->sense));
}

int css_tsch(struct css *css, uint32_t schid, uint64_t irb_gpa)
{
	uint8_t irb[IRB_LEN];
	struct css_sch *sch;
	int r = check_operands(css, schid, irb_gpa, IRB_LEN);

	if (r)
		return r;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (!sch) {
		pthread_mutex_unlock(&css->lock);
		return 3;
	}
	build_irb(sch, irb);
	r = status_pending(sch) ? 0 : 1;
	if (!r) {
		/* Every status we make pending ends its function, so taking
		 * it leaves the subchannel idle. */
		css_irq_withdraw(sch);
		memset(&sch->scsw, 0, sizeof(sch->scsw));
	}
	pthread_mutex_unlock(&css->lock);
	gmem_write(css->mem, irb_gpa, irb, sizeof(irb));
	return r;
}

/* ---- CLEAR and HALT SUBCHANNEL ---- */

static bool running(const struct css_sch *sch)
{
	return sch->scsw.ctrl & SCSW_ACTL_SCH_ACTIVE;
}

/* Under css->lock: makes "function done" status pending on an idle
 * subchannel, for the trace and the CPU side. */
static void idle_function_done(struct css_sch *sch, uint32_t fctl,
			       struct css_event *ev)
{
	sch->scsw = (struct css_scsw){.ctrl = fctl};
	css_irq_make_pending(sch);
	ev->kind = CSS_EV_STATUS;
	ev->scsw = sch->scsw;
}

int css_csch(struct css *css, uint32_t schid)
{
	struct css_event ev = {.schid = schid};
	struct css_sch *sch;
	int r = schid_valid(schid) ? 0 : -CSS_PGM_OPERAND;

	if (r)
		return r;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (!sch || !enabled(sch)) {
		r = 3;
	} else if (running(sch)) {
		sch->clear_req = true;
		sch->scsw.ctrl |= SCSW_FCTL_CLEAR | SCSW_ACTL_CLEAR_PEND;
	} else {
		/* Clear withdraws whatever was pending and the sense. */
		css_irq_withdraw(sch);
		memset(sch->sense, 0, sizeof(sch->sense));
		idle_function_done(sch, SCSW_FCTL_CLEAR, &ev);
	}
	pthread_mutex_unlock(&css->lock);
	if (ev.kind == CSS_EV_STATUS) {
		css_trace(css, &ev);
		css_irq_deliver(css);
	}
	return r;
}

int css_hsch(struct css *css, uint32_t schid)
{
	struct css_event ev = {.schid = schid};
	struct css_sch *sch;
	int r = schid_valid(schid) ? 0 : -CSS_PGM_OPERAND;

	if (r)
		return r;
	pthread_mutex_lock(&css->lock);
	sch = css_lookup(css, schid);
	if (!sch || !enabled(sch))
		r = 3;
	else if (status_pending(sch))
		r = 1;
	else if (sch->scsw.ctrl & (SCSW_FCTL_HALT | SCSW_FCTL_CLEAR))
		r = 2;
	else if (running(sch)) {
		sch->halt_req = true;
		sch->scsw.ctrl |= SCSW_FCTL_HALT | SCSW_ACTL_HALT_PEND;
	} else
		idle_function_done(sch, SCSW_FCTL_HALT, &ev);
	pthread_mutex_unlock(&css->lock);
	if (ev.kind == CSS_EV_STATUS) {
		css_trace(css, &ev);
		css_irq_deliver(css);
	}
	return r;
}
