/* css_format: the channel subsystem's control blocks, as the architecture
 * lays them out in memory (big-endian, bit 0 is the most significant).
 *
 * z/Architecture Principles of Operation, chapters 14-16: the SCHIB (PMCW,
 * SCSW), the ORB, the format-1 CCW and the IRB. No uapi header on x86
 * carries these, so the masks are written out here once, each named after
 * its field in the PoP figures. Depends on nothing of ours.
 */
#ifndef VMM_BUS_CCW_CSS_FORMAT_H
#define VMM_BUS_CCW_CSS_FORMAT_H

#include <stdint.h>

/* ---- Subchannel identifier (the operand of every I/O instruction) ----
 * Word: CSSID (bits 0-7), reserved (8-11), M (12), SSID (13-14), one (15),
 * subchannel number (16-31). */
#define SCHID_CSSID_MASK 0xff000000u
#define SCHID_RSVD_MASK	 0x00f00000u
#define SCHID_M		 0x00080000u
#define SCHID_SSID_MASK	 0x00060000u
#define SCHID_ONE	 0x00010000u
#define SCHID_NR_MASK	 0x0000ffffu
#define SCHID(nr)	 (SCHID_ONE | (uint32_t)(nr))

/* ---- PMCW: path-management-control word (SCHIB bytes 0-27) ---- */
#define PMCW_LEN 28
/* Word 1. */
#define PMCW_QF	       0x80000000u
#define PMCW_W	       0x40000000u
#define PMCW_ISC_SHIFT 27
#define PMCW_ISC_MASK  0x38000000u
#define PMCW_W1_RSVD   0x07000000u
#define PMCW_ENA       0x00800000u /* E: enabled */
#define PMCW_LM_MASK   0x00600000u /* limit mode */
#define PMCW_MME_MASK  0x00180000u /* measurement-mode enable */
#define PMCW_MP	       0x00040000u /* multipath mode */
#define PMCW_TF	       0x00020000u /* timing facility */
#define PMCW_DNV       0x00010000u /* device number valid */
#define PMCW_DEV_MASK  0x0000ffffu
/* Word 6. */
#define PMCW_W6_RSVD  0xff1ffff8u
#define PMCW_ST_SHIFT 21 /* subchannel type: 0 = I/O */
#define PMCW_ST_MASK  0x00e00000u
#define PMCW_MBFC     0x00000004u
#define PMCW_XMWME    0x00000002u
#define PMCW_CSENSE   0x00000001u /* concurrent sense */
/* What MODIFY SUBCHANNEL may change in word 1 and word 6. */
#define PMCW_W1_MODIFIABLE \
	(PMCW_ISC_MASK | PMCW_ENA | PMCW_LM_MASK | PMCW_MME_MASK | PMCW_MP)
#define PMCW_W6_MODIFIABLE (PMCW_MBFC | PMCW_CSENSE)

struct css_pmcw {
	uint32_t intparm; /* interruption parameter */
	uint32_t flags;	  /* word 1: PMCW_ISC_MASK ... PMCW_DEV_MASK */
	uint8_t lpm, pnom, lpum, pim;
	uint16_t mbi;
	uint8_t pom, pam;
	uint8_t chpid[8];
	uint32_t chars; /* word 6: PMCW_ST_MASK, PMCW_CSENSE, ... */
};

/* ---- SCSW: subchannel-status word (SCHIB bytes 28-39, IRB 0-11) ---- */
#define SCSW_LEN 12
/* Word 0. */
#define SCSW_KEY_MASK 0xf0000000u
#define SCSW_SCTL     0x08000000u
#define SCSW_ESWF     0x04000000u /* L: the ESW holds format-0 information */
#define SCSW_CC_MASK  0x03000000u /* deferred condition code */
#define SCSW_FMT      0x00800000u /* F: CCW format 1 */
#define SCSW_PFCH     0x00400000u
#define SCSW_ISIC     0x00200000u
#define SCSW_ALCC     0x00100000u
#define SCSW_SSI      0x00080000u
#define SCSW_ZCC      0x00040000u
#define SCSW_ECTL     0x00020000u
#define SCSW_PNO      0x00010000u
/* Function control: what the subchannel was asked to do. */
#define SCSW_FCTL_START 0x00004000u
#define SCSW_FCTL_HALT	0x00002000u
#define SCSW_FCTL_CLEAR 0x00001000u
#define SCSW_FCTL_MASK	0x00007000u
/* Activity control: how far it got. */
#define SCSW_ACTL_RESUME_PEND 0x00000800u
#define SCSW_ACTL_START_PEND  0x00000400u
#define SCSW_ACTL_HALT_PEND   0x00000200u
#define SCSW_ACTL_CLEAR_PEND  0x00000100u
#define SCSW_ACTL_SCH_ACTIVE  0x00000080u
#define SCSW_ACTL_DEV_ACTIVE  0x00000040u
#define SCSW_ACTL_SUSPENDED   0x00000020u
#define SCSW_ACTL_MASK	      0x00000fe0u
/* Status control: what kind of status is pending. */
#define SCSW_STCTL_ALERT     0x00000010u
#define SCSW_STCTL_INTERMED  0x00000008u
#define SCSW_STCTL_PRIMARY   0x00000004u
#define SCSW_STCTL_SECONDARY 0x00000002u
#define SCSW_STCTL_PENDING   0x00000001u
#define SCSW_STCTL_MASK	     0x0000001fu

/* Device status (SCSW byte 8), set by the control unit. */
#define DEV_STAT_ATTENTION  0x80
#define DEV_STAT_STAT_MOD   0x40
#define DEV_STAT_CU_END	    0x20
#define DEV_STAT_BUSY	    0x10
#define DEV_STAT_CHN_END    0x08
#define DEV_STAT_DEV_END    0x04
#define DEV_STAT_UNIT_CHECK 0x02
#define DEV_STAT_UNIT_EXCEP 0x01

/* Subchannel status (SCSW byte 9), set by the channel subsystem. */
#define SCH_STAT_PCI	      0x80
#define SCH_STAT_INCORR_LEN   0x40
#define SCH_STAT_PROG_CHECK   0x20
#define SCH_STAT_PROT_CHECK   0x10
#define SCH_STAT_CHN_DATA_CK  0x08
#define SCH_STAT_CHN_CTRL_CK  0x04
#define SCH_STAT_INTF_CTRL_CK 0x02
#define SCH_STAT_CHAIN_CHECK  0x01

struct css_scsw {
	uint32_t ctrl; /* word 0 */
	uint32_t cpa;  /* channel-program address: last CCW used + 8 */
	uint8_t dstat, cstat;
	uint16_t count; /* residual count of the last CCW used */
};

/* ---- SCHIB: subchannel-information block (STSCH / MSCH operand) ---- */
#define SCHIB_LEN 52 /* PMCW, SCSW, measurement-block address, model area */

struct css_schib {
	struct css_pmcw pmcw;
	struct css_scsw scsw;
	uint64_t mba;
	uint8_t mda[4];
};

/* ---- ORB: operation-request block, command mode (SSCH operand) ---- */
#define ORB_LEN	      12
#define ORB_KEY_MASK  0xf0000000u
#define ORB_SPND      0x08000000u /* S: suspend control */
#define ORB_RSVD1     0x04000000u
#define ORB_MOD	      0x02000000u
#define ORB_SYNC      0x01000000u
#define ORB_FMT	      0x00800000u /* F: format-1 CCWs */
#define ORB_PFCH      0x00400000u /* P: prefetch allowed */
#define ORB_ISIC      0x00200000u
#define ORB_ALCC      0x00100000u
#define ORB_SSIC      0x00080000u
#define ORB_RSVD2     0x00040000u
#define ORB_C64	      0x00020000u /* format-2 (64-bit) IDAWs */
#define ORB_I2K	      0x00010000u /* 2 KiB IDAW blocks */
#define ORB_LPM_SHIFT 8
#define ORB_LPM_MASK  0x0000ff00u
#define ORB_ILS	      0x00000080u
#define ORB_RSVD3     0x0000007eu
#define ORB_ORBX      0x00000001u /* ORB extension: not modelled */
#define ORB_RSVD      (ORB_RSVD1 | ORB_RSVD2 | ORB_RSVD3)
#define ORB_CPA_RSVD  0x80000000u /* channel programs live below 2 GiB */

struct css_orb {
	uint32_t intparm;
	uint32_t flags;
	uint32_t cpa;
};

/* ---- CCW, format 1: command code, flags, count, data address ---- */
#define CCW_LEN 8

#define CCW_FLAG_CD   0x80 /* chain data: the next CCW continues the data */
#define CCW_FLAG_CC   0x40 /* chain command: run the next CCW afterwards */
#define CCW_FLAG_SLI  0x20 /* suppress incorrect-length indication */
#define CCW_FLAG_SKIP 0x10 /* read, but store nothing */
#define CCW_FLAG_PCI  0x08 /* program-controlled interruption */
#define CCW_FLAG_IDA  0x04 /* the data address points at an IDAW list */
#define CCW_FLAG_S    0x02 /* suspend before this CCW */
#define CCW_FLAG_MIDA 0x01 /* modified IDAWs: not modelled */
#define CCW_CDA_RSVD  0x80000000u

/* Commands every device answers (PoP ch. 15, and virtio 1.3 §4.3.1). */
#define CCW_CMD_NOOP	    0x03
#define CCW_CMD_BASIC_SENSE 0x04
#define CCW_CMD_TIC	    0x08 /* transfer in channel: a jump */
#define CCW_CMD_SENSE_ID    0xe4

/* Sense byte 0 (PoP / Common I/O-Device Commands). */
#define SENSE0_CMD_REJECT 0x80
#define CSS_SENSE_LEN	  32 /* what BASIC SENSE and the ECW carry */

struct css_ccw {
	uint8_t cmd;
	uint8_t flags;
	uint16_t count;
	uint32_t cda;
};

/* ---- IRB: interruption-response block (TSCH operand) ----
 * SCSW, a format-0 extended-status word (subchannel logout, extended
 * report word, failing-storage address, secondary CCW address) and the
 * extended-control word, which carries concurrent sense. */
#define IRB_LEN	       64
#define IRB_ERW_OFF    16 /* ESW word 1 */
#define IRB_ECW_OFF    32
#define ERW_CONS       0x01000000u /* concurrent sense: ECW holds sense */
#define ERW_SCNT_SHIFT 16
#define ERW_SCNT_MASK  0x003f0000u

/* Encoders and decoders between the host structs and guest bytes. */
void css_schib_encode(const struct css_schib *s, uint8_t out[SCHIB_LEN]);
void css_schib_decode(const uint8_t in[SCHIB_LEN], struct css_schib *s);
void css_scsw_encode(const struct css_scsw *s, uint8_t out[SCSW_LEN]);
void css_orb_decode(const uint8_t in[ORB_LEN], struct css_orb *o);
void css_ccw_decode(const uint8_t in[CCW_LEN], struct css_ccw *c);

#endif
