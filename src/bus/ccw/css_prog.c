/* css_prog: runs a channel program of format-1 CCWs from guest memory.
 *
 * PoP ch. 15 "Basic I/O Functions": CCW fetch, command chaining, data
 * chaining, TRANSFER IN CHANNEL, indirect data addressing, and the
 * conditions a program ends in (channel end and device end, unit check,
 * incorrect length, program check). Every CCW is read once, through gmem;
 * a program fetches at most CSS_MAX_CCWS of them, so a TIC loop ends.
 */
#include "css_internal.h"

#include <stddef.h>
#include <string.h>

struct prog {
	struct css_sch *sch;
	const struct gmem *mem;
	uint32_t orb_flags;
	uint32_t next;	      /* address of the next CCW to fetch */
	uint32_t cur;	      /* address of the CCW last fetched */
	unsigned int fetched; /* CCWs fetched, TICs included */
	bool prev_tic;	      /* the CCW before cur was a TIC */
	bool chain;	      /* the command just built chains on */
	uint8_t pci;	      /* SCH_STAT_PCI once a CCW asked for it */
	struct css_ccw ccw;   /* the CCW last fetched */
};

static void trace_ccw(struct prog *p)
{
	struct css_event ev = {.kind = CSS_EV_CCW,
			       .schid = css_schid(p->sch),
			       .addr = p->cur,
			       .ccw = p->ccw};

	css_trace(p->sch->css, &ev);
}

/* Fetches the CCW at p->next into p->ccw, following TICs. A TIC must name
 * a doubleword below 2 GiB and may not lead to another TIC, so a TIC to
 * itself ends at once. false: program check. */
static bool fetch(struct prog *p)
{
	uint8_t raw[CCW_LEN];

	for (;;) {
		p->cur = p->next;
		if (p->fetched == CSS_MAX_CCWS || (p->cur & 7) ||
		    gmem_read(p->mem, p->cur, raw, sizeof(raw)))
			return false;
		p->fetched++;
		p->next = p->cur + CCW_LEN;
		css_ccw_decode(raw, &p->ccw);
		trace_ccw(p);
		if (p->ccw.cmd != CCW_CMD_TIC) {
			p->prev_tic = false;
			return true;
		}
		if (p->prev_tic || (p->ccw.cda & (7 | CCW_CDA_RSVD)))
			return false;
		p->prev_tic = true;
		p->next = p->ccw.cda;
	}
}

/* Checks p->ccw; first: it starts a command (its code counts). */
static bool ccw_ok(const struct prog *p, bool first)
{
	const struct css_ccw *c = &p->ccw;
	uint32_t idaw_align = (p->orb_flags & ORB_C64) ? 7 : 3;

	/* Codes xxxx0000 are invalid, xxxx1000 is TIC (only 0x08 in
	 * format 1, and fetch() already took it). */
	if (first && ((c->cmd & 0x0f) == 0 || (c->cmd & 0x0f) == 0x08))
		return false;
	/* Modified IDAWs and suspension are not modelled; suspending
	 * without the ORB's S bit is a program check anyway. */
	if (c->flags & (CCW_FLAG_MIDA | CCW_FLAG_S))
		return false;
	/* A data-chained CCW must carry data. */
	if ((c->flags & CCW_FLAG_CD) && !c->count)
		return false;
	if ((c->flags & CCW_FLAG_IDA) && (c->cda & idaw_align))
		return false;
	return !(c->cda & CCW_CDA_RSVD);
}

static bool add_seg(struct prog *p, struct css_cmd *cmd, uint64_t gpa,
		    uint32_t len, uint32_t off)
{
	if (cmd->nr_segs == CSS_MAX_SEGS)
		return false;
	cmd->seg[cmd->nr_segs++] = (struct css_seg){
		.gpa = gpa,
		.len = len,
		.skip = p->ccw.flags & CCW_FLAG_SKIP,
		.ccw_addr = p->cur,
		.ccw_off = off,
		.ccw_count = p->ccw.count,
	};
	cmd->count += len;
	return true;
}

/* One IDAW: a 31-bit address (format 1) or a 64-bit one (format 2). */
static bool read_idaw(struct prog *p, uint64_t at, uint64_t *addr)
{
	uint8_t raw[8];
	bool fmt2 = p->orb_flags & ORB_C64;

	if (gmem_read(p->mem, at, raw, fmt2 ? 8 : 4))
		return false;
	*addr = 0;
	for (unsigned int i = 0; i < (fmt2 ? 8u : 4u); i++)
		*addr = *addr << 8 | raw[i];
	return fmt2 || !(*addr & CCW_CDA_RSVD);
}

/* Indirect data addressing: the CCW's data address points at a list of
 * IDAWs. The first may start anywhere, each later one on a block boundary
 * (2 KiB, or 4 KiB for format-2 IDAWs without I2K), and each covers data
 * up to the end of its block. */
static bool add_idaws(struct prog *p, struct css_cmd *cmd)
{
	bool fmt2 = p->orb_flags & ORB_C64;
	uint32_t block = (fmt2 && !(p->orb_flags & ORB_I2K)) ? 4096 : 2048;
	uint64_t list = p->ccw.cda, addr;
	uint32_t off = 0, n;

	while (off < p->ccw.count) {
		if (!read_idaw(p, list, &addr))
			return false;
		if (off && (addr & (block - 1)))
			return false;
		n = block - (uint32_t)(addr & (block - 1));
		if (n > p->ccw.count - off)
			n = p->ccw.count - off;
		if (!add_seg(p, cmd, addr, n, off))
			return false;
		off += n;
		list += fmt2 ? 8 : 4;
	}
	return true;
}

static bool add_data(struct prog *p, struct css_cmd *cmd)
{
	p->pci |= (p->ccw.flags & CCW_FLAG_PCI) ? SCH_STAT_PCI : 0;
	if (!p->ccw.count)
		return true;
	if (p->ccw.flags & CCW_FLAG_IDA)
		return add_idaws(p, cmd);
	return add_seg(p, cmd, p->ccw.cda, p->ccw.count, 0);
}

/* The command in p->ccw and the CCWs it data-chains to. The flags of the
 * last of them decide SLI and command chaining. false: program check. */
static bool build_cmd(struct prog *p, struct css_cmd *cmd)
{
	memset(cmd, 0, offsetof(struct css_cmd, seg));
	cmd->mem = p->mem;
	cmd->code = p->ccw.cmd;
	if (!ccw_ok(p, true) || !add_data(p, cmd))
		return false;
	while (p->ccw.flags & CCW_FLAG_CD)
		if (!fetch(p) || !ccw_ok(p, false) || !add_data(p, cmd))
			return false;
	cmd->sli = p->ccw.flags & CCW_FLAG_SLI;
	p->chain = p->ccw.flags & CCW_FLAG_CC;
	return true;
}

/* ---- Commands every device answers ---- */

static enum css_status sense_id(struct css_sch *sch, struct css_cmd *cmd)
{
	/* 0xff, CU type, CU model, device type, device model; the extended
	 * SenseID bytes up to 255 are zero (virtio 1.3 §4.3.1). */
	uint8_t id[256] = {0xff,
			   sch->id.cu_type >> 8,
			   (uint8_t)sch->id.cu_type,
			   sch->id.cu_model,
			   sch->id.dev_type >> 8,
			   (uint8_t)sch->id.dev_type,
			   sch->id.dev_model};
	enum css_status s = css_cmd_want_upto(cmd, sizeof(id));
	uint32_t n = cmd->count < sizeof(id) ? cmd->count : sizeof(id);

	if (s != CSS_OK)
		return s;
	return css_cmd_write(cmd, 0, id, n) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status basic_sense(struct css_sch *sch, struct css_cmd *cmd)
{
	uint8_t sense[CSS_SENSE_LEN];
	enum css_status s = css_cmd_want_upto(cmd, sizeof(sense));
	uint32_t n = cmd->count < sizeof(sense) ? cmd->count : sizeof(sense);

	if (s != CSS_OK)
		return s;
	/* Reading the sense bytes resets them. */
	pthread_mutex_lock(&sch->css->lock);
	memcpy(sense, sch->sense, sizeof(sense));
	memset(sch->sense, 0, sizeof(sch->sense));
	pthread_mutex_unlock(&sch->css->lock);
	return css_cmd_write(cmd, 0, sense, n) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status execute(struct css_sch *sch, struct css_cmd *cmd)
{
	switch (cmd->code) {
	case CCW_CMD_NOOP:
		return css_cmd_want(cmd, 0);
	case CCW_CMD_SENSE_ID:
		return sense_id(sch, cmd);
	case CCW_CMD_BASIC_SENSE:
		return basic_sense(sch, cmd);
	default:
		return sch->ops->command(sch->priv, cmd);
	}
}

/* ---- Ending status ---- */

/* The SCSW names the last CCW used (CPA = its address + 8) and what is
 * left of its count: the CCW in which the data transfer stopped. */
static void locate(const struct prog *p, const struct css_cmd *cmd,
		   struct css_scsw *st)
{
	uint32_t pos = 0;

	st->cpa = p->cur + CCW_LEN;
	st->count = 0;
	if (cmd->done == cmd->count)
		return;
	for (unsigned int i = 0; i < cmd->nr_segs; i++) {
		const struct css_seg *s = &cmd->seg[i];

		if (cmd->done == 0 || cmd->done <= pos + s->len) {
			uint32_t used = s->ccw_off + (cmd->done - pos);

			st->cpa = s->ccw_addr + CCW_LEN;
			st->count = (uint16_t)(s->ccw_count - used);
			return;
		}
		pos += s->len;
	}
}

static void set_status(struct css_scsw *st, uint8_t dstat, uint8_t cstat)
{
	st->ctrl = SCSW_FCTL_START | SCSW_STCTL_PRIMARY | SCSW_STCTL_SECONDARY;
	if (cstat || (dstat & DEV_STAT_UNIT_CHECK))
		st->ctrl |= SCSW_STCTL_ALERT | SCSW_ESWF;
	st->dstat = dstat;
	st->cstat = cstat;
}

/* Sets *st for the command's end; true if the program goes on. */
static bool command_ended(const struct prog *p, struct css_cmd *cmd,
			  enum css_status s, struct css_scsw *st)
{
	const uint8_t end = DEV_STAT_CHN_END | DEV_STAT_DEV_END;

	locate(p, cmd, st);
	switch (s) {
	case CSS_OK:
		/* Executed, but the count and the bytes moved differ. */
		if (cmd->done != cmd->count && !cmd->sli) {
			set_status(st, end, SCH_STAT_INCORR_LEN);
			return false;
		}
		set_status(st, end, 0);
		return p->chain;
	case CSS_BAD_LENGTH:
		set_status(st, end, SCH_STAT_INCORR_LEN);
		return false;
	case CSS_REJECT:
		set_status(st, end | DEV_STAT_UNIT_CHECK, 0);
		return false;
	case CSS_PROG_CHECK:
	default:
		set_status(st, 0, SCH_STAT_PROG_CHECK);
		return false;
	}
}

static bool stop_requested(struct css_sch *sch)
{
	bool stop;

	pthread_mutex_lock(&sch->css->lock);
	stop = sch->halt_req || sch->clear_req;
	pthread_mutex_unlock(&sch->css->lock);
	return stop;
}

void css_prog_run(struct css_sch *sch, const struct css_orb *orb,
		  struct css_scsw *st)
{
	struct prog p = {.sch = sch,
			 .mem = sch->css->mem,
			 .orb_flags = orb->flags,
			 .next = orb->cpa};
	struct css_cmd cmd;
	bool more;

	memset(st, 0, sizeof(*st));
	/* Format-0 CCWs (24-bit addresses) are not modelled. */
	if (!(orb->flags & ORB_FMT)) {
		set_status(st, 0, SCH_STAT_PROG_CHECK);
		st->cpa = orb->cpa + CCW_LEN;
		return;
	}
	do {
		if (!fetch(&p) || !build_cmd(&p, &cmd)) {
			set_status(st, 0, SCH_STAT_PROG_CHECK);
			st->cpa = p.cur + CCW_LEN;
			break;
		}
		more = command_ended(&p, &cmd, execute(sch, &cmd), st);
	} while (more && !stop_requested(sch));
	/* A PCI not yet presented goes with the final status. */
	st->cstat |= p.pci;
	st->ctrl |= SCSW_FMT;
}
