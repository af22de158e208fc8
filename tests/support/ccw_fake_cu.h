/* ccw_fake_cu: a made-up control unit behind a subchannel, for the
 * channel-subsystem tests (tests/unit/test_ccw_css.c, test_ccw_prog.c).
 *
 * It logs the command codes that reach it and answers a few commands of
 * each kind (PoP ch. 15: write, read, control), so a test can tell what
 * the channel did with a program. The bed around it is a channel
 * subsystem in 1 MiB of guest RAM with the driver model bound to it.
 */
#ifndef VMM_TEST_CCW_FAKE_CU_H
#define VMM_TEST_CCW_FAKE_CU_H

#include <stdint.h>

#include "ccw_drv.h"
#include "css.h"

#define CCW_FAKE_RAM_LEN (1 << 20)
#define CCW_FAKE_NOT_RAM 0x00200000u /* 31-bit, past the end of RAM */
#define CCW_FAKE_DEVNO	 0x0100
#define CCW_FAKE_CU_TYPE 0x1234

/* Its commands. */
#define CU_WRITE 0x01 /* takes up to 256 bytes */
#define CU_READ	 0x02 /* gives up to 64 bytes of ccw_fake_cu_pattern */
#define CU_CTL8	 0x0b /* control, exactly 8 bytes */
#define CU_REJ	 0x07 /* always command reject */
#define CU_HALT	 0x0f /* issues HSCH on its own subchannel */
#define CU_CLEAR 0x1f /* issues CSCH on its own subchannel */
#define CU_BAD	 0x17 /* reads outside its count: refused, a handler bug */

struct ccw_fake_cu {
	struct css *css;
	uint32_t schid;
	uint8_t log[64]; /* command codes, in order */
	unsigned int n;
	uint8_t data[256]; /* what the last CU_WRITE / CU_CTL8 brought */
	uint32_t data_len;
	unsigned int enabled; /* times the subchannel was enabled */
	int inner_cc;	      /* cc of the HSCH / CSCH it issued */
};

extern const struct css_dev_ops ccw_fake_cu_ops;

/* Byte i of what CU_READ gives. */
uint8_t ccw_fake_cu_pattern(unsigned int i);

struct ccw_fake_cu_bed {
	struct guest_ram ram;
	struct css *css;
	struct ccw_fake_cu cu;
	struct ccw_drv drv;
	struct ccw_drv_dev *dev; /* found by the scan, enabled on ISC 3 */
};

void ccw_fake_cu_bed_init(struct ccw_fake_cu_bed *b);
void ccw_fake_cu_bed_destroy(struct ccw_fake_cu_bed *b);

/* Big-endian helpers, and an ORB of three words in fresh guest RAM. */
void ccw_fake_cu_put_be(uint8_t *p, uint64_t v, unsigned int bytes);
uint32_t ccw_fake_cu_get_be32(const uint8_t *p);
uint64_t ccw_fake_cu_put_orb(struct ccw_fake_cu_bed *b, uint32_t intparm,
			     uint32_t flags, uint32_t cpa);

#endif
