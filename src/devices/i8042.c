/* i8042: the PC keyboard controller, without keyboard or mouse (see
 * i8042.h).
 *
 * Follows the IBM PC/AT Technical Reference, "Keyboard Controller": status
 * register bits, the controller commands on port 0x64 and the output port,
 * whose bit 0 drives the CPU reset line. Depends on src/kvm only.
 */
#include "i8042.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kvm.h"
#include "log.h"

/* Status register (read from the command port). */
#define I8042_STR_OBF	  0x01 /* output buffer full: data port has a byte */
#define I8042_STR_SYSFLAG 0x04 /* the self-test passed (mirrors CTR bit 2) */
#define I8042_STR_CMDDAT  0x08 /* the last write went to the command port */
#define I8042_STR_KEYLOCK 0x10 /* 1: keyboard not inhibited */

/* Controller configuration byte ("command byte"). */
#define I8042_CTR_SYSFLAG 0x04
#define I8042_CTR_KBDDIS  0x10
#define I8042_CTR_AUXDIS  0x20
#define I8042_CTR_XLATE	  0x40
/* Keyboard and mouse interrupts off: there is nothing to interrupt for. */
#define I8042_CTR_DEFAULT (I8042_CTR_SYSFLAG | I8042_CTR_XLATE)

/* Controller commands. */
#define I8042_CMD_READ_CTR     0x20
#define I8042_CMD_WRITE_CTR    0x60
#define I8042_CMD_AUX_DISABLE  0xa7
#define I8042_CMD_AUX_ENABLE   0xa8
#define I8042_CMD_SELF_TEST    0xaa
#define I8042_CMD_KBD_TEST     0xab
#define I8042_CMD_KBD_DISABLE  0xad
#define I8042_CMD_KBD_ENABLE   0xae
#define I8042_CMD_READ_OUTPUT  0xd0
#define I8042_CMD_WRITE_OUTPUT 0xd1
#define I8042_CMD_PULSE	       0xf0 /* 0xf0-0xff: pulse output bits 0-3 low */

#define I8042_SELF_TEST_OK 0x55
#define I8042_PORT_TEST_OK 0x00
#define I8042_OUT_RESET	   0x01 /* output port bit 0: 0 resets the CPU */
#define I8042_OUT_A20	   0x02
#define I8042_OUT_DEFAULT  (I8042_OUT_RESET | I8042_OUT_A20)

struct i8042;

/* The data and command ports are separate one-byte ranges; each range's
 * opaque says which port it is. */
struct i8042_port {
	struct i8042 *k;
	bool is_cmd;
};

struct i8042 {
	struct kvm_vm *vm;
	pthread_mutex_t lock;
	uint8_t ctr;	 /* configuration byte */
	uint8_t outport; /* output port (bit 0 reset, bit 1 A20) */
	uint8_t obuf;	 /* output buffer, valid while obf */
	bool obf;
	bool last_was_cmd;
	uint8_t pending; /* command waiting for its data byte, or 0 */
	struct i8042_port data_port, cmd_port;
	uint16_t data_addr, cmd_addr;
};

static void i8042_reply(struct i8042 *k, uint8_t val)
{
	k->obuf = val;
	k->obf = true;
}

static void i8042_reset(struct i8042 *k, const char *how)
{
	log_info("i8042: %s, rebooting", how);
	kvm_vm_request_stop(k->vm, VM_STOP_REBOOT, 0);
}

static void i8042_set_ctr_bit(struct i8042 *k, uint8_t bit, bool on)
{
	k->ctr = on ? k->ctr | bit : k->ctr & ~bit;
}

/* Commands with an argument wait for it in `pending`; the rest act now.
 * Unknown commands are accepted and ignored, as a real controller mostly
 * does. */
static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	switch (cmd) {
	case I8042_CMD_READ_CTR:
		i8042_reply(k, k->ctr);
		break;
	case I8042_CMD_WRITE_CTR:
	case I8042_CMD_WRITE_OUTPUT:
		k->pending = cmd;
		break;
	case I8042_CMD_AUX_DISABLE:
	case I8042_CMD_AUX_ENABLE:
		i8042_set_ctr_bit(k, I8042_CTR_AUXDIS,
				  cmd == I8042_CMD_AUX_DISABLE);
		break;
	case I8042_CMD_KBD_DISABLE:
	case I8042_CMD_KBD_ENABLE:
		i8042_set_ctr_bit(k, I8042_CTR_KBDDIS,
				  cmd == I8042_CMD_KBD_DISABLE);
		break;
	case I8042_CMD_SELF_TEST:
		i8042_reply(k, I8042_SELF_TEST_OK);
		break;
	case I8042_CMD_KBD_TEST:
		i8042_reply(k, I8042_PORT_TEST_OK);
		break;
	case I8042_CMD_READ_OUTPUT:
		i8042_reply(k, k->outport);
		break;
	default:
		/* 0xf0-0xff pulse the output bits whose command bit is 0;
		 * 0xfe pulses bit 0 alone, the classic reset. */
		if (cmd >= I8042_CMD_PULSE && !(cmd & I8042_OUT_RESET))
			i8042_reset(k, "reset pulse");
		break;
	}
}

/* A data-port byte: the argument of a pending command, or a byte for the
 * keyboard, which is not there, so it is dropped. */
static void i8042_data(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd == I8042_CMD_WRITE_CTR) {
		k->ctr = val;
	} else if (cmd == I8042_CMD_WRITE_OUTPUT) {
		k->outport = val;
		if (!(val & I8042_OUT_RESET))
			i8042_reset(k, "output port reset bit cleared");
	}
}

/* The input buffer is always empty (IBF clear): bytes are taken at once,
 * so Linux's reboot loop, which waits for IBF to clear, goes ahead. */
static uint8_t i8042_status(const struct i8042 *k)
{
	uint8_t st = I8042_STR_KEYLOCK;

	if (k->obf)
		st |= I8042_STR_OBF;
	if (k->ctr & I8042_CTR_SYSFLAG)
		st |= I8042_STR_SYSFLAG;
	if (k->last_was_cmd)
		st |= I8042_STR_CMDDAT;
	return st;
}

static void i8042_pio_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	const struct i8042_port *p = opaque;
	struct i8042 *k = p->k;
	uint8_t *bytes = data;

	memset(data, 0xff, len); /* len is 1: the ranges are one byte */
	pthread_mutex_lock(&k->lock);
	bytes[0] = p->is_cmd ? i8042_status(k) : k->obuf;
	if (!p->is_cmd)
		k->obf = false;
	pthread_mutex_unlock(&k->lock);
}

static void i8042_pio_write(void *opaque, uint64_t off, const void *data,
			    uint32_t len)
{
	const struct i8042_port *p = opaque;
	struct i8042 *k = p->k;
	uint8_t val = *(const uint8_t *)data;

	pthread_mutex_lock(&k->lock);
	k->last_was_cmd = p->is_cmd;
	if (p->is_cmd)
		i8042_command(k, val);
	else
		i8042_data(k, val);
	pthread_mutex_unlock(&k->lock);
}

static const struct iobus_ops i8042_ops = {
	.read = i8042_pio_read,
	.write = i8042_pio_write,
};

struct i8042 *i8042_new(struct kvm_vm *vm, uint16_t data_port,
			uint16_t cmd_port)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return NULL;
	k->vm = vm;
	k->ctr = I8042_CTR_DEFAULT;
	k->outport = I8042_OUT_DEFAULT;
	k->data_port = (struct i8042_port){.k = k, .is_cmd = false};
	k->cmd_port = (struct i8042_port){.k = k, .is_cmd = true};
	k->data_addr = data_port;
	k->cmd_addr = cmd_port;
	pthread_mutex_init(&k->lock, NULL);
	ret = iobus_register(&vm->pio, data_port, 1, &i8042_ops, &k->data_port,
			     "i8042 data");
	if (ret < 0)
		goto out_free;
	ret = iobus_register(&vm->pio, cmd_port, 1, &i8042_ops, &k->cmd_port,
			     "i8042 cmd");
	if (ret < 0)
		goto out_unregister;
	return k;

out_unregister:
	iobus_unregister(&vm->pio, data_port);
out_free:
	pthread_mutex_destroy(&k->lock);
	free(k);
	errno = -ret;
	return NULL;
}

void i8042_free(struct i8042 *k)
{
	if (!k)
		return;
	iobus_unregister(&k->vm->pio, k->data_addr);
	iobus_unregister(&k->vm->pio, k->cmd_addr);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
