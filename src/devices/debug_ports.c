/* debug_ports: the POST code port, debug exit and boot timer (see
 * debug_ports.h).
 *
 * Port 0x80 is the PC's POST diagnostic port (also Linux's I/O delay
 * port); debug exit behaves as QEMU's isa-debug-exit device; the boot timer
 * is our own. Depends on src/kvm only.
 */
#include "debug_ports.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm.h"
#include "log.h"

struct debug_ports {
	struct kvm_vm *vm;
	struct debug_ports_config cfg;
	atomic_uchar post;	 /* last POST code */
	atomic_bool timer_fired; /* the boot timer reports only once */
};

/* Accesses wider than a byte never get here: each port is a
 * one-byte range, and the bus drops accesses that do not fit. */
static void post_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct debug_ports *d = opaque;

	*(uint8_t *)data = atomic_load(&d->post);
}

static void post_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct debug_ports *d = opaque;

	atomic_store(&d->post, *(const uint8_t *)data);
}

static const struct iobus_ops post_ops = {
	.read = post_read,
	.write = post_write,
};

/* QEMU isa-debug-exit: the status is odd, so it never looks like success. */
static int debug_exit_status(uint8_t val)
{
	return (val << 1) | 1;
}

static void exit_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	*(uint8_t *)data = 0xff;
}

static void exit_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct debug_ports *d = opaque;
	uint8_t val = *(const uint8_t *)data;

	log_info("debug exit: guest wrote 0x%02x", val);
	kvm_vm_request_stop(d->vm, VM_STOP_DEBUG_EXIT, debug_exit_status(val));
}

static const struct iobus_ops exit_ops = {
	.read = exit_read,
	.write = exit_write,
};

static double elapsed_ms(const struct timespec *start,
			 const struct timespec *now)
{
	return (now->tv_sec - start->tv_sec) * 1e3 +
	       (now->tv_nsec - start->tv_nsec) / 1e6;
}

/* Printed whatever the log level: measuring boot time is what the port is
 * for. One fprintf, so the line is not torn by other threads; "\r\n" as in
 * log.c, for terminals in raw mode. */
static void boot_timer_write(void *opaque, uint64_t off, const void *data,
			     uint32_t len)
{
	struct debug_ports *d = opaque;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (atomic_exchange(&d->timer_fired, true))
		return;
	fprintf(stderr, "vmm: boot-timer: guest init reached after %.1f ms\r\n",
		elapsed_ms(&d->cfg.start, &now));
	fflush(stderr);
}

static const struct iobus_ops boot_timer_ops = {
	.read = exit_read, /* nothing to read: open bus */
	.write = boot_timer_write,
};

/* Claims one byte at port unless port is 0 (not wanted). */
static int debug_ports_claim(struct debug_ports *d, uint16_t port,
			     const struct iobus_ops *ops, const char *name)
{
	if (!port)
		return 0;
	return iobus_register(&d->vm->pio, port, 1, ops, d, name);
}

static void debug_ports_unclaim(struct debug_ports *d, uint16_t port)
{
	if (port)
		iobus_unregister(&d->vm->pio, port);
}

struct debug_ports *debug_ports_new(struct kvm_vm *vm,
				    const struct debug_ports_config *c)
{
	struct debug_ports *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return NULL;
	d->vm = vm;
	d->cfg = *c;
	ret = debug_ports_claim(d, c->post_port, &post_ops, "post");
	if (ret < 0)
		goto out_free;
	ret = debug_ports_claim(d, c->exit_port, &exit_ops, "debug exit");
	if (ret < 0)
		goto out_post;
	ret = debug_ports_claim(d, c->boot_timer_port, &boot_timer_ops,
				"boot timer");
	if (ret < 0)
		goto out_exit;
	return d;

out_exit:
	debug_ports_unclaim(d, c->exit_port);
out_post:
	debug_ports_unclaim(d, c->post_port);
out_free:
	free(d);
	errno = -ret;
	return NULL;
}

void debug_ports_free(struct debug_ports *d)
{
	if (!d)
		return;
	debug_ports_unclaim(d, d->cfg.post_port);
	debug_ports_unclaim(d, d->cfg.exit_port);
	debug_ports_unclaim(d, d->cfg.boot_timer_port);
	free(d);
}
