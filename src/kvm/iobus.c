/* iobus: address-range dispatch for port I/O and MMIO exits (see iobus.h). */
#include "iobus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int iobus_init(struct iobus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	return -pthread_rwlock_init(&bus->lock, NULL);
}

void iobus_destroy(struct iobus *bus)
{
	free(bus->ranges);
	pthread_rwlock_destroy(&bus->lock);
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first range whose base is greater than addr. */
static unsigned int upper_bound(const struct iobus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   const struct iobus_ops *ops, void *opaque, const char *name)
{
	unsigned int i;
	int ret = 0;

	if (len == 0 || base + len - 1 < base || !ops)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = upper_bound(bus, base);
	/* The neighbours on both sides must not reach into the new range. */
	if (i > 0 &&
	    bus->ranges[i - 1].base + bus->ranges[i - 1].len - 1 >= base) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (i < bus->nr && bus->ranges[i].base <= base + len - 1) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (bus->nr == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 16;
		void *p = realloc(bus->ranges, cap * sizeof(*bus->ranges));
		if (!p) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		bus->ranges = p;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nr - i) * sizeof(*bus->ranges));
	bus->ranges[i] = (struct iobus_range){.base = base,
					      .len = len,
					      .ops = ops,
					      .opaque = opaque,
					      .name = name};
	bus->nr++;
out_unlock:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int iobus_unregister(struct iobus *bus, uint64_t base)
{
	unsigned int i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = upper_bound(bus, base);
	if (i > 0 && bus->ranges[i - 1].base == base) {
		i--;
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr - i - 1) * sizeof(*bus->ranges));
		bus->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

/* The range holding all of [addr, addr + len), or NULL. Caller holds lock. */
static const struct iobus_range *find(const struct iobus *bus, uint64_t addr,
				      uint32_t len)
{
	unsigned int i = upper_bound(bus, addr);
	const struct iobus_range *r;

	if (i == 0)
		return NULL;
	r = &bus->ranges[i - 1];
	if (addr - r->base >= r->len || len > r->len - (addr - r->base))
		return NULL;
	return r;
}

bool iobus_read(struct iobus *bus, uint64_t addr, void *data, uint32_t len)
{
	const struct iobus_range *r;
	bool claimed = false;

	pthread_rwlock_rdlock(&bus->lock);
	r = find(bus, addr, len);
	if (r && r->ops->read) {
		r->ops->read(r->opaque, addr - r->base, data, len);
		claimed = true;
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!claimed)
		memset(data, 0xff, len);
	return claimed;
}

bool iobus_write(struct iobus *bus, uint64_t addr, const void *data,
		 uint32_t len)
{
	const struct iobus_range *r;
	bool claimed = false;

	pthread_rwlock_rdlock(&bus->lock);
	r = find(bus, addr, len);
	if (r && r->ops->write) {
		r->ops->write(r->opaque, addr - r->base, data, len);
		claimed = true;
	}
	pthread_rwlock_unlock(&bus->lock);
	return claimed;
}
