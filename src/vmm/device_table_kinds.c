/* device_table_kinds: the rows for --disk (virtio-blk), --console virtio
 * and --device virtio-rng / virtio-console: each kind's own fields and
 * how to make one. The plan and the plugging are in device_table.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_table_internal.h"
#include "spec.h"

/* --disk PATH[,readonly=on][,serial=S][,cache=writeback|none]
 *        [,num-queues=N] */
static int blk_field(struct virtio_slot *s, const char *key, char *v)
{
	struct virtio_blk_options *o = &s->o.blk;
	unsigned long n;

	if (!strcmp(key, "readonly"))
		return spec_on_off(v, &o->readonly);
	if (!strcmp(key, "serial") && v) {
		o->serial = v;
		return 0;
	}
	if (!strcmp(key, "cache") && v && !strcmp(v, "writeback")) {
		o->cache = VIRTIO_BLK_CACHE_WRITEBACK;
		return 0;
	}
	if (!strcmp(key, "cache") && v && !strcmp(v, "none")) {
		o->cache = VIRTIO_BLK_CACHE_NONE;
		return 0;
	}
	if (!strcmp(key, "num-queues") &&
	    !spec_uint(v, VIRTIO_BLK_MAX_QUEUES, &n) && n > 0) {
		o->num_queues = (uint16_t)n;
		return 0;
	}
	return -1;
}

static int blk_create(struct virtio_slot *s, struct kvm_vm *vm,
		      struct virtio_dev **vd)
{
	struct virtio_blk *blk = NULL;
	int ret;

	s->o.blk.packed_off = !s->packed;
	ret = virtio_blk_create(&s->o.blk, &vm->mem, &blk);
	if (ret == 0) {
		s->dev = blk;
		*vd = virtio_blk_vdev(blk);
	}
	return ret;
}

static void blk_destroy(void *dev)
{
	virtio_blk_destroy(dev);
}

/* --device virtio-rng[,rate=BYTES_PER_SECOND] */
static int rng_field(struct virtio_slot *s, const char *key, char *v)
{
	unsigned long n;

	if (!strcmp(key, "rate") && !spec_uint(v, UINT32_MAX, &n)) {
		s->o.rng.bytes_per_sec = (uint32_t)n;
		return 0;
	}
	return -1;
}

static int rng_create(struct virtio_slot *s, struct kvm_vm *vm,
		      struct virtio_dev **vd)
{
	struct virtio_rng *rng = NULL;
	int ret;

	s->o.rng.packed_off = !s->packed;
	ret = virtio_rng_create(&s->o.rng, &vm->mem, &rng);
	if (ret == 0) {
		s->dev = rng;
		*vd = virtio_rng_vdev(rng);
	}
	return ret;
}

static void rng_destroy(void *dev)
{
	virtio_rng_destroy(dev);
}

/* --console virtio: port 0 on vmm's stdin and stdout; no fields of its
 * own. */
static int console_field(struct virtio_slot *s, const char *key, char *v)
{
	return -1;
}

static int console_create(struct virtio_slot *s, struct kvm_vm *vm,
			  struct virtio_dev **vd)
{
	struct virtio_console *con = NULL;
	int ret;

	s->o.console = (struct virtio_console_options){
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.cols = 80,
		.rows = 25,
		.packed_off = !s->packed,
	};
	ret = virtio_console_create(&s->o.console, &vm->mem, &con);
	if (ret == 0) {
		s->dev = con;
		*vd = virtio_console_vdev(con);
	}
	return ret;
}

static void console_destroy(void *dev)
{
	virtio_console_destroy(dev);
}

/* --device virtio-console,name=NAME[,in=PATH][,out=PATH]: a device with
 * one named port (MULTIPORT) on host files or FIFOs. */
static int port_field(struct virtio_slot *s, const char *key, char *v)
{
	if (!strcmp(key, "name") && v && *v &&
	    strlen(v) <= VIRTIO_CONSOLE_NAME_MAX) {
		s->o.port.o.ports[0].name = v;
		return 0;
	}
	if (!strcmp(key, "in") && v && *v) {
		s->o.port.in = v;
		return 0;
	}
	if (!strcmp(key, "out") && v && *v) {
		s->o.port.out = v;
		return 0;
	}
	return -1;
}

static int port_complete(struct virtio_slot *s, char *err, size_t len)
{
	if (s->o.port.o.ports[0].name)
		return 0;
	snprintf(err, len, "%s: missing field 'name'", s->what);
	return -1;
}

/* The host end: a FIFO is opened read-write so that opening never waits
 * for the other side and a writer leaving is not the end of input; a
 * regular file is read from the start / written from empty. */
static int open_port_file(const char *path, bool for_input)
{
	struct stat st;
	int flags = O_CLOEXEC;

	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		flags |= O_RDWR;
	else if (for_input)
		flags |= O_RDONLY;
	else
		flags |= O_WRONLY | O_CREAT | O_TRUNC;
	return open(path, flags, 0644);
}

/* What a port device owns: the device and its host files. */
struct console_port_dev {
	struct virtio_console *con;
	int in_fd, out_fd;
};

static void port_destroy(void *dev)
{
	struct console_port_dev *d = dev;

	virtio_console_destroy(d->con);
	if (d->in_fd >= 0)
		close(d->in_fd);
	if (d->out_fd >= 0)
		close(d->out_fd);
	free(d);
}

static int port_create(struct virtio_slot *s, struct kvm_vm *vm,
		       struct virtio_dev **vd)
{
	struct virtio_console_options *o = &s->o.port.o;
	struct console_port_dev *d = calloc(1, sizeof(*d));
	int ret = 0;

	if (!d)
		return -ENOMEM;
	d->in_fd = d->out_fd = -1;
	if (s->o.port.in && (d->in_fd = open_port_file(s->o.port.in, true)) < 0)
		ret = -errno;
	if (!ret && s->o.port.out &&
	    (d->out_fd = open_port_file(s->o.port.out, false)) < 0)
		ret = -errno;
	o->nr_ports = 1;
	o->ports[0].in_fd = d->in_fd;
	o->ports[0].out_fd = d->out_fd;
	o->packed_off = !s->packed;
	if (!ret)
		ret = virtio_console_create(o, &vm->mem, &d->con);
	if (ret < 0) {
		port_destroy(d);
		return ret;
	}
	s->dev = d;
	*vd = virtio_console_vdev(d->con);
	return 0;
}

/* The rows. --disk and --console virtio make one kind each; --device
 * names its kind. */
const struct virtio_kind device_table_blk_kind = {
	.name = "virtio-blk",
	.field = blk_field,
	.create = blk_create,
	.destroy = blk_destroy,
};
const struct virtio_kind device_table_console_kind = {
	.name = "virtio-console",
	.field = console_field,
	.create = console_create,
	.destroy = console_destroy,
};
static const struct virtio_kind rng_kind = {
	.name = "virtio-rng",
	.field = rng_field,
	.create = rng_create,
	.destroy = rng_destroy,
};
static const struct virtio_kind console_port_kind = {
	.name = "virtio-console",
	.field = port_field,
	.create = port_create,
	.destroy = port_destroy,
	.complete = port_complete,
};

/* What --device can name. */
const struct virtio_kind *const device_table_device_kinds[] = {
	&rng_kind,
	&console_port_kind,
	&device_table_vsock_kind,
};
const size_t device_table_nr_device_kinds =
	sizeof(device_table_device_kinds) /
	sizeof(device_table_device_kinds[0]);
