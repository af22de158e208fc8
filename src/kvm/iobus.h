/* iobus: a registry of address ranges (I/O ports or guest-physical MMIO)
 * and the handlers that emulate them.
 *
 * The vCPU run loop hands every KVM_EXIT_IO / KVM_EXIT_MMIO to
 * iobus_read()/iobus_write(); devices claim ranges with iobus_register().
 * Lookup is a binary search over sorted, non-overlapping ranges under a
 * read lock, so many vCPUs dispatch in parallel. Depends on nothing of ours.
 */
#ifndef VMM_KVM_IOBUS_H
#define VMM_KVM_IOBUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Handlers get the offset into their range and a little-endian buffer of
 * len bytes (1, 2, 4 or 8). A read handler must fill all len bytes. */
struct iobus_ops {
	void (*read)(void *opaque, uint64_t off, void *data, uint32_t len);
	void (*write)(void *opaque, uint64_t off, const void *data,
		      uint32_t len);
};

struct iobus_range {
	uint64_t base, len;
	const struct iobus_ops *ops;
	void *opaque;
	const char *name;
};

struct iobus {
	const char *name; /* "pio" or "mmio", for messages */
	pthread_rwlock_t lock;
	struct iobus_range *ranges; /* sorted by base, never overlapping */
	unsigned int nr, cap;
};

int iobus_init(struct iobus *bus, const char *name);
void iobus_destroy(struct iobus *bus);

/* Claims [base, base + len). Returns -EINVAL for an empty or wrapping range,
 * -EEXIST if it overlaps a claimed range, -ENOMEM. ops and name must outlive
 * the registration. */
int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   const struct iobus_ops *ops, void *opaque, const char *name);

/* Releases the range that starts exactly at base; -ENOENT if none. */
int iobus_unregister(struct iobus *bus, uint64_t base);

/* Dispatch one access. An access must lie entirely inside one range; if no
 * range claims it, reads return all-ones (as on a real bus) and writes are
 * dropped, and the function returns false so the caller may log it. */
bool iobus_read(struct iobus *bus, uint64_t addr, void *data, uint32_t len);
bool iobus_write(struct iobus *bus, uint64_t addr, const void *data,
		 uint32_t len);

#endif
