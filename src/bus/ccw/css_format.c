/* css_format: big-endian encoders and decoders for the SCHIB, SCSW, ORB
 * and CCW (see css_format.h; PoP chapters 14-16). Byte offsets are the
 * architecture's; the host structs keep each word in host order.
 */
#include "css_format.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* PMCW: intparm, flags, four path masks, MBI, POM, PAM, eight CHPIDs,
 * the characteristics word. */
static void pmcw_encode(const struct css_pmcw *p, uint8_t *out)
{
	put32(out, p->intparm);
	put32(out + 4, p->flags);
	out[8] = p->lpm;
	out[9] = p->pnom;
	out[10] = p->lpum;
	out[11] = p->pim;
	put16(out + 12, p->mbi);
	out[14] = p->pom;
	out[15] = p->pam;
	memcpy(out + 16, p->chpid, 8);
	put32(out + 24, p->chars);
}

static void pmcw_decode(const uint8_t *in, struct css_pmcw *p)
{
	p->intparm = get32(in);
	p->flags = get32(in + 4);
	p->lpm = in[8];
	p->pnom = in[9];
	p->lpum = in[10];
	p->pim = in[11];
	p->mbi = get16(in + 12);
	p->pom = in[14];
	p->pam = in[15];
	memcpy(p->chpid, in + 16, 8);
	p->chars = get32(in + 24);
}

void css_scsw_encode(const struct css_scsw *s, uint8_t out[SCSW_LEN])
{
	put32(out, s->ctrl);
	put32(out + 4, s->cpa);
	out[8] = s->dstat;
	out[9] = s->cstat;
	put16(out + 10, s->count);
}

static void scsw_decode(const uint8_t *in, struct css_scsw *s)
{
	s->ctrl = get32(in);
	s->cpa = get32(in + 4);
	s->dstat = in[8];
	s->cstat = in[9];
	s->count = get16(in + 10);
}

void css_schib_encode(const struct css_schib *s, uint8_t out[SCHIB_LEN])
{
	pmcw_encode(&s->pmcw, out);
	css_scsw_encode(&s->scsw, out + PMCW_LEN);
	put64(out + PMCW_LEN + SCSW_LEN, s->mba);
	memcpy(out + PMCW_LEN + SCSW_LEN + 8, s->mda, 4);
}

void css_schib_decode(const uint8_t in[SCHIB_LEN], struct css_schib *s)
{
	pmcw_decode(in, &s->pmcw);
	scsw_decode(in + PMCW_LEN, &s->scsw);
	s->mba = get64(in + PMCW_LEN + SCSW_LEN);
	memcpy(s->mda, in + PMCW_LEN + SCSW_LEN + 8, 4);
}

void css_orb_decode(const uint8_t in[ORB_LEN], struct css_orb *o)
{
	o->intparm = get32(in);
	o->flags = get32(in + 4);
	o->cpa = get32(in + 8);
}

void css_ccw_decode(const uint8_t in[CCW_LEN], struct css_ccw *c)
{
	c->cmd = in[0];
	c->flags = in[1];
	c->count = get16(in + 2);
	c->cda = get32(in + 4);
}
