/* fake_transport: a Linux-like driver over a pluggable bus, and the core
 * bus that records interrupts (see fake_transport.h). */
#include "fake_transport.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void record_used(struct virtio_dev *vd, struct virtq *vq)
{
	struct fake_transport *ft = vd->transport_priv;

	ck_assert_uint_lt(vq->index, FT_MAX_QUEUES);
	ck_assert_msg(virtio_get_status(vd) & VIRTIO_CONFIG_S_DRIVER_OK,
		      "used buffer notification before DRIVER_OK");
	ft->used_irqs[vq->index]++;
}

static void record_config(struct virtio_dev *vd)
{
	struct fake_transport *ft = vd->transport_priv;

	ft->config_irqs++;
}

static const struct virtio_transport fake_ops = {
	.notify_used = record_used,
	.notify_config = record_config,
};

/* ---- the core bus: straight calls into src/virtio ---- */

static void core_attach(struct fake_transport *ft)
{
	virtio_dev_set_transport(ft->vd, &fake_ops, ft);
}

static void core_detach(struct fake_transport *ft)
{
	virtio_dev_set_transport(ft->vd, NULL, NULL);
}

static uint8_t core_get_status(struct fake_transport *ft)
{
	return virtio_get_status(ft->vd);
}

static void core_set_status(struct fake_transport *ft, uint8_t status)
{
	virtio_set_status(ft->vd, status);
}

static uint32_t core_device_features(struct fake_transport *ft, uint32_t word)
{
	return virtio_device_features(ft->vd, word);
}

static void core_driver_features(struct fake_transport *ft, uint32_t word,
				 uint32_t val)
{
	virtio_set_driver_features(ft->vd, word, val);
}

static uint16_t core_queue_max_size(struct fake_transport *ft, uint16_t idx)
{
	return virtio_queue_max_size(ft->vd, idx);
}

static void core_queue_setup(struct fake_transport *ft, uint16_t idx,
			     const struct drvq *q)
{
	struct virtio_dev *vd = ft->vd;

	ck_assert_int_eq(virtio_queue_set_size(vd, idx, q->size), 0);
	ck_assert_int_eq(
		virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DESC, q->desc_gpa),
		0);
	ck_assert_int_eq(virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DRIVER,
					       q->driver_gpa),
			 0);
	ck_assert_int_eq(virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DEVICE,
					       q->device_gpa),
			 0);
	ck_assert_int_eq(virtio_queue_enable(vd, idx), 0);
}

static void core_notify(struct fake_transport *ft, uint16_t idx, uint32_t data)
{
	(void)idx;
	virtio_queue_kick_data(ft->vd, data);
}

static int core_config_read(struct fake_transport *ft, uint32_t off, void *buf,
			    uint32_t len)
{
	return virtio_config_read(ft->vd, off, buf, len);
}

static int core_config_write(struct fake_transport *ft, uint32_t off,
			     const void *buf, uint32_t len)
{
	return virtio_config_write(ft->vd, off, buf, len);
}

static int core_queue_reset(struct fake_transport *ft, uint16_t idx)
{
	return virtio_queue_reset(ft->vd, idx);
}

const struct ft_bus ft_bus_core = {
	.name = "core",
	.attach = core_attach,
	.detach = core_detach,
	.get_status = core_get_status,
	.set_status = core_set_status,
	.device_features = core_device_features,
	.driver_features = core_driver_features,
	.queue_max_size = core_queue_max_size,
	.queue_setup = core_queue_setup,
	.notify = core_notify,
	.config_read = core_config_read,
	.config_write = core_config_write,
	.queue_reset = core_queue_reset,
};

const struct ft_bus *const ft_buses[] = {
	&ft_bus_core, &ft_bus_pci,	   &ft_bus_mmio,
	&ft_bus_ccw,  &ft_bus_ccw_adapter, NULL,
};

unsigned int ft_nr_buses(void)
{
	unsigned int n = 0;

	while (ft_buses[n])
		n++;
	return n;
}

const struct ft_bus *ft_loop_bus(int i)
{
	return ft_buses[(unsigned int)i / 2 % ft_nr_buses()];
}

int ft_loop_case(int i)
{
	return (int)((unsigned int)i / 2 / ft_nr_buses());
}

void ft_config_pieces(struct fake_transport *ft, uint32_t off, uint8_t *buf,
		      uint32_t len, bool write, ft_config_access access)
{
	if ((len == 1 || len == 2 || len == 4) && !(off % len)) {
		access(ft, off, buf, len, write);
	} else if (len == 8 && !(off % 4)) {
		access(ft, off, buf, 4, write);
		access(ft, off + 4, buf + 4, 4, write);
	} else {
		for (uint32_t i = 0; i < len; i++)
			access(ft, off + i, buf + i, 1, write);
	}
}

/* ---- the driver, on any bus ---- */

void fake_transport_init_bus(struct fake_transport *ft, struct virtio_dev *vd,
			     struct guest_ram *ram, const struct ft_bus *bus)
{
	memset(ft, 0, sizeof(*ft));
	ft->vd = vd;
	ft->ram = ram;
	ft->bus = bus;
	/* vmm's PCI and MMIO transports bind ioeventfds, so there a queue
	 * with a device kick fd is kicked through it; CCW has none. */
	ft->kick_fds = bus == &ft_bus_pci || bus == &ft_bus_mmio;
	bus->attach(ft);
}

void fake_transport_init(struct fake_transport *ft, struct virtio_dev *vd,
			 struct guest_ram *ram)
{
	fake_transport_init_bus(ft, vd, ram, &ft_bus_core);
}

void fake_transport_init_loop(struct fake_transport *ft, struct virtio_dev *vd,
			      struct guest_ram *ram, int i)
{
	fake_transport_init_bus(ft, vd, ram, ft_loop_bus(i));
}

static void free_queues(struct fake_transport *ft)
{
	for (uint16_t i = 0; i < ft->nr_queues; i++)
		drvq_destroy(&ft->q[i]);
	ft->nr_queues = 0;
}

void fake_transport_destroy(struct fake_transport *ft)
{
	/* As a driver unbinding: reset first, so the device's threads have
	 * stopped before the bus (and the interrupt path) goes away. */
	if (ft->bus)
		ft->bus->set_status(ft, 0);
	free_queues(ft);
	if (ft->bus)
		ft->bus->detach(ft);
	ft->bus = NULL;
}

uint8_t fake_transport_status(struct fake_transport *ft)
{
	return ft->bus->get_status(ft);
}

void fake_transport_set_status(struct fake_transport *ft, uint8_t status)
{
	ft->bus->set_status(ft, status);
}

int fake_transport_config_read(struct fake_transport *ft, uint32_t off,
			       void *buf, uint32_t len)
{
	return ft->bus->config_read(ft, off, buf, len);
}

int fake_transport_config_write(struct fake_transport *ft, uint32_t off,
				const void *buf, uint32_t len)
{
	return ft->bus->config_write(ft, off, buf, len);
}

int fake_transport_queue_reset(struct fake_transport *ft, uint16_t idx)
{
	if (!ft->bus->queue_reset)
		return virtio_queue_reset(ft->vd, idx);
	return ft->bus->queue_reset(ft, idx);
}

static void add_status(struct fake_transport *ft, uint8_t bits)
{
	fake_transport_set_status(ft, fake_transport_status(ft) | bits);
}

static uint64_t negotiate(struct fake_transport *ft, uint64_t want)
{
	uint64_t offered = ft->bus->device_features(ft, 0) |
			   (uint64_t)ft->bus->device_features(ft, 1) << 32;
	uint64_t f = offered & want;

	ft->bus->driver_features(ft, 0, (uint32_t)f);
	ft->bus->driver_features(ft, 1, (uint32_t)(f >> 32));
	return f;
}

static void setup_queue(struct fake_transport *ft, uint16_t i, uint64_t f)
{
	uint16_t size = ft->bus->queue_max_size(ft, i);
	struct drvq *q = &ft->q[i];

	if (ft->queue_size && ft->queue_size < size)
		size = ft->queue_size;
	drvq_init(q, ft->ram, i, size, f);
	ft->bus->queue_setup(ft, i, q);
}

void fake_transport_queue_restart(struct fake_transport *ft, uint16_t idx)
{
	ck_assert_uint_lt(idx, ft->nr_queues);
	drvq_destroy(&ft->q[idx]);
	setup_queue(ft, idx, ft->features);
}

int fake_transport_probe(struct fake_transport *ft, uint64_t want)
{
	struct virtio_dev *vd = ft->vd;
	uint64_t f;

	free_queues(ft);
	fake_transport_set_status(ft, 0);
	ck_assert_uint_eq(fake_transport_status(ft), 0);
	add_status(ft, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(ft, VIRTIO_CONFIG_S_DRIVER);
	f = negotiate(ft, want);
	ft->features = f;
	add_status(ft, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(fake_transport_status(ft) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENOTSUP;
	ck_assert_uint_le(vd->num_queues, FT_MAX_QUEUES);
	for (uint16_t i = 0; i < vd->num_queues; i++)
		setup_queue(ft, i, f);
	ft->nr_queues = vd->num_queues;
	add_status(ft, VIRTIO_CONFIG_S_DRIVER_OK);
	if (fake_transport_status(ft) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return -EIO;
	return 0;
}

void fake_transport_kick_now(struct fake_transport *ft, uint16_t idx)
{
	uint64_t one = 1;
	int fd = ft->kick_fds ? virtio_queue_kick_fd(ft->vd, idx) : -1;

	ck_assert_uint_lt(idx, ft->nr_queues);
	ft->kicks[idx]++;
	if (fd >= 0) /* what KVM does on a write to the notify address */
		ck_assert_int_eq(write(fd, &one, sizeof(one)), sizeof(one));
	else
		ft->bus->notify(ft, idx, drvq_notify_value(&ft->q[idx]));
}

bool fake_transport_kick(struct fake_transport *ft, uint16_t idx)
{
	ck_assert_uint_lt(idx, ft->nr_queues);
	if (!drvq_kick_prepare(&ft->q[idx]))
		return false;
	fake_transport_kick_now(ft, idx);
	return true;
}

int fake_transport_send(struct fake_transport *ft, uint16_t idx,
			const struct drvq_buf *bufs, unsigned int n,
			bool indirect, void *token)
{
	int r;

	ck_assert_uint_lt(idx, ft->nr_queues);
	r = drvq_add(&ft->q[idx], bufs, n, indirect, token);
	if (r == 0)
		fake_transport_kick(ft, idx);
	return r;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

void *fake_transport_wait_used(struct fake_transport *ft, uint16_t idx,
			       uint32_t *len, long long timeout_ns)
{
	long long end = now_ns() + timeout_ns;
	void *tok;

	ck_assert_uint_lt(idx, ft->nr_queues);
	while (!(tok = drvq_get_used(&ft->q[idx], len)) && now_ns() < end)
		usleep(100);
	return tok;
}
