/* ccw_testbed: the echo device behind virtio-ccw on a channel subsystem,
 * with the CCW driver model bound to it, for the virtio-ccw unit tests.
 *
 * virtio 1.3 §3.1.1 over §4.3: ccw_testbed_probe runs the whole driver
 * initialisation at a chosen revision, ring format and indicator style;
 * the single-step calls of ccw_virtio.h stay available for the tests that
 * break one rule at a time. Aborts the test (ck_assert) on setup errors.
 */
#ifndef VMM_TEST_CCW_TESTBED_H
#define VMM_TEST_CCW_TESTBED_H

#include <stdbool.h>
#include <stdint.h>

#include "ccw_virtio.h"
#include "drvq.h"
#include "echo_dev.h"
#include "virtio_ccw.h"

#define CCW_TB_RAM_LEN (4 << 20)
#define CCW_TB_NOT_RAM 0x00800000u /* 31-bit, past the end of RAM */
#define CCW_TB_DEVNO   0x0815
#define CCW_TB_QSIZE   16

struct ccw_testbed {
	struct guest_ram ram;
	struct echo_dev echo;
	struct css *css;
	struct virtio_ccw *vc;
	struct ccw_drv drv;
	struct ccw_drv_dev *dev;
	struct ccw_virtio v;
	struct drvq q[ECHO_NUM_QUEUES];
	bool have_q;
	/* What the driver's interrupt handler saw (atomic counters). */
	unsigned int used[ECHO_NUM_QUEUES], configs;
};

/* Everything up to a found, enabled subchannel; no revision yet. */
void ccw_testbed_init(struct ccw_testbed *t);
void ccw_testbed_destroy(struct ccw_testbed *t);

/* Revision rev (asserted), reset, ACKNOWLEDGE, DRIVER, features (offered
 * & want), FEATURES_OK, CCW_TB_QSIZE-entry drvq rings on every queue,
 * indicators, DRIVER_OK. Asserts each step and a live device. */
void ccw_testbed_probe(struct ccw_testbed *t, int rev, uint64_t want,
		       bool adapter);
/* Writes status | bits, asserting the device took it. */
void ccw_testbed_add_status(struct ccw_testbed *t, uint8_t bits);

/* Sends len bytes of pattern on queue q (kicking if the ring asks) and
 * returns the used length of the echo; asserts the data came back. */
uint32_t ccw_testbed_echo(struct ccw_testbed *t, uint16_t q, uint32_t len);

#endif
