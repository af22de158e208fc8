/* device_table: creates the machine's devices (see device_table.h).
 * The only file that includes device headers (../shared/STYLE.md). */
#include "device_table.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi_pm.h"
#include "debug_ports.h"
#include "i8042.h"
#include "kvm.h"
#include "kvm_msi.h"
#include "layout.h"
#include "options.h"
#include "pci.h"
#include "rtc.h"
#include "serial.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_pci.h"
#include "virtio_rng.h"

static size_t serial_sink(void *opaque, const void *buf, size_t len)
{
	return serial_receive(opaque, buf, len);
}

static void add_legacy(struct machine *m, const char *name, const char *pnp,
		       uint16_t port, uint16_t len, int irq)
{
	if (m->nr_legacy < MACHINE_MAX_LEGACY_DEVS)
		m->legacy[m->nr_legacy++] =
			(struct machine_legacy_dev){.acpi_name = name,
						    .pnp_id = pnp,
						    .port = port,
						    .port_len = len,
						    .irq = irq};
}

/* Creates each device in turn; returns the name of the one that failed,
 * or NULL. */
static const char *create_all(struct kvm_vm *vm, struct platform_devices *p,
			      int out_fd, const struct timespec *start)
{
	const struct debug_ports_config dbg = {
		.post_port = LAYOUT_PORT_POST,
		.exit_port = LAYOUT_PORT_DEBUG_EXIT,
		.boot_timer_port = LAYOUT_PORT_BOOT_TIMER,
		.start = *start,
	};
	const struct acpi_pm_config pm = {
		.sleep_ctl_port = LAYOUT_PORT_ACPI_SLEEP_CTL,
		.sleep_sts_port = LAYOUT_PORT_ACPI_SLEEP_STS,
		.reset_port = LAYOUT_PORT_ACPI_RESET,
		.reset_value = LAYOUT_ACPI_RESET_VALUE,
		.s5_type = LAYOUT_ACPI_S5_TYPE,
	};

	p->com1 = serial_create(vm, LAYOUT_PORT_COM1, LAYOUT_IRQ_COM1, out_fd);
	if (!p->com1)
		return "serial port COM1";
	p->rtc = rtc_new(vm, LAYOUT_PORT_RTC, LAYOUT_IRQ_RTC);
	if (!p->rtc)
		return "RTC";
	p->i8042 = i8042_new(vm, LAYOUT_PORT_I8042_DATA, LAYOUT_PORT_I8042_CMD);
	if (!p->i8042)
		return "i8042";
	p->debug_ports = debug_ports_new(vm, &dbg);
	if (!p->debug_ports)
		return "debug ports";
	p->acpi_pm = acpi_pm_new(vm, &pm);
	if (!p->acpi_pm)
		return "ACPI power management";
	return NULL;
}

int device_table_create_platform(struct kvm_vm *vm, struct machine *m,
				 struct platform_devices *p, int out_fd,
				 const struct timespec *start,
				 struct console_sink *sink, char *err,
				 size_t err_len)
{
	const char *failed;

	memset(p, 0, sizeof(*p));
	failed = create_all(vm, p, out_fd, start);
	if (failed) {
		snprintf(err, err_len, "cannot create the %s: %s", failed,
			 strerror(errno));
		device_table_destroy_platform(p);
		return -1;
	}
	add_legacy(m, "COM1", "PNP0501", LAYOUT_PORT_COM1, 8, LAYOUT_IRQ_COM1);
	add_legacy(m, "RTC_", "PNP0B00", LAYOUT_PORT_RTC, 2, LAYOUT_IRQ_RTC);
	*sink = (struct console_sink){.fn = serial_sink, .opaque = p->com1};
	return 0;
}

void device_table_destroy_platform(struct platform_devices *p)
{
	acpi_pm_free(p->acpi_pm);
	debug_ports_free(p->debug_ports);
	i8042_free(p->i8042);
	rtc_free(p->rtc);
	if (p->com1)
		serial_destroy(p->com1);
	memset(p, 0, sizeof(*p));
}

/* --- Virtio devices on PCI ------------------------------------------- */

#define MAX_VIRTIO_DEVICES (OPTIONS_MAX_DISKS + OPTIONS_MAX_DEVICES + 1)
#define MAX_SPEC_LEN	   512

/* One created device: its virtio_dev, its transport, and how to free it. */
struct virtio_slot {
	void *dev;
	void (*destroy)(void *dev);
	struct virtio_pci *transport;
};

struct virtio_devices {
	struct kvm_msi_table msi;
	struct pci_host host;
	struct virtio_slot slots[MAX_VIRTIO_DEVICES];
	unsigned int nr;
};

/* "key=value" fields after the first comma of a spec. Splits in place;
 * returns the next key (and *value) or NULL at the end. */
static char *next_field(char **cursor, char **value)
{
	char *field = *cursor, *eq;

	if (!field)
		return NULL;
	*cursor = strchr(field, ',');
	if (*cursor)
		*(*cursor)++ = '\0';
	eq = strchr(field, '=');
	*value = eq ? eq + 1 : NULL;
	if (eq)
		*eq = '\0';
	return field;
}

static int parse_on_off(const char *v, bool *out)
{
	if (v && (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "1")))
		*out = true;
	else if (v &&
		 (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0")))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* --disk PATH[,readonly=on][,serial=S][,cache=writeback|none]
 *        [,num-queues=N][,packed=on|off] */
static int parse_disk(char *spec, struct virtio_blk_options *o,
		      const char **bad)
{
	char *cursor = strchr(spec, ','), *key, *v;
	bool packed = true;
	unsigned long n;

	if (cursor)
		*cursor++ = '\0';
	*o = (struct virtio_blk_options){.path = spec};
	while ((key = next_field(&cursor, &v))) {
		*bad = key;
		if (!strcmp(key, "readonly") && !parse_on_off(v, &o->readonly))
			continue;
		if (!strcmp(key, "serial") && v) {
			o->serial = v;
			continue;
		}
		if (!strcmp(key, "cache") && v && !strcmp(v, "writeback")) {
			o->cache = VIRTIO_BLK_CACHE_WRITEBACK;
			continue;
		}
		if (!strcmp(key, "cache") && v && !strcmp(v, "none")) {
			o->cache = VIRTIO_BLK_CACHE_NONE;
			continue;
		}
		if (!strcmp(key, "num-queues") &&
		    !parse_uint(v, VIRTIO_BLK_MAX_QUEUES, &n) && n > 0) {
			o->num_queues = (uint16_t)n;
			continue;
		}
		if (!strcmp(key, "packed") && !parse_on_off(v, &packed)) {
			o->packed_off = !packed;
			continue;
		}
		return -1;
	}
	return 0;
}

/* --device virtio-rng[,rate=BYTES_PER_SECOND][,packed=on|off] */
static int parse_rng(char *cursor, struct virtio_rng_options *o,
		     const char **bad)
{
	bool packed = true;
	unsigned long n;
	char *key, *v;

	*o = (struct virtio_rng_options){0};
	while ((key = next_field(&cursor, &v))) {
		*bad = key;
		if (!strcmp(key, "rate") && !parse_uint(v, UINT32_MAX, &n)) {
			o->bytes_per_sec = (uint32_t)n;
			continue;
		}
		if (!strcmp(key, "packed") && !parse_on_off(v, &packed)) {
			o->packed_off = !packed;
			continue;
		}
		return -1;
	}
	return 0;
}

/* A virtio-console with one named port and the host files behind it. */
struct console_port_dev {
	struct virtio_console *con;
	int in_fd, out_fd;
};

/* --device virtio-console,name=NAME[,in=PATH][,out=PATH][,packed=on|off]
 * Fills the port's name and the two paths (NULL: none). */
static int parse_console_port(char *cursor, struct virtio_console_options *o,
			      const char **in, const char **out,
			      const char **bad)
{
	bool packed = true;
	char *key, *v;

	*o = (struct virtio_console_options){.nr_ports = 1};
	*in = *out = NULL;
	while ((key = next_field(&cursor, &v))) {
		*bad = key;
		if (!strcmp(key, "name") && v && *v &&
		    strlen(v) <= VIRTIO_CONSOLE_NAME_MAX)
			o->ports[0].name = v;
		else if (!strcmp(key, "in") && v && *v)
			*in = v;
		else if (!strcmp(key, "out") && v && *v)
			*out = v;
		else if (!strcmp(key, "packed") && !parse_on_off(v, &packed))
			o->packed_off = !packed;
		else
			return -1;
	}
	*bad = "name";
	return o->ports[0].name ? 0 : -1;
}

/* The host end of a port: a FIFO is opened read-write so that opening
 * never waits for the other side and a writer leaving is not the end of
 * input; a regular file is read from the start / written from empty. */
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

static void destroy_console_port(void *dev)
{
	struct console_port_dev *d = dev;

	virtio_console_destroy(d->con);
	if (d->in_fd >= 0)
		close(d->in_fd);
	if (d->out_fd >= 0)
		close(d->out_fd);
	free(d);
}

/* Opens the port's files and creates the device; -errno, with *failed
 * naming the path that could not be opened. */
static int create_console_port(struct virtio_console_options *o, const char *in,
			       const char *out, struct kvm_vm *vm,
			       struct console_port_dev **dp,
			       const char **failed)
{
	struct console_port_dev *d = calloc(1, sizeof(*d));
	int ret = 0;

	*dp = d;
	if (!d)
		return -ENOMEM;
	d->in_fd = d->out_fd = -1;
	if (in && (d->in_fd = open_port_file(in, true)) < 0) {
		*failed = in;
		return -errno;
	}
	if (out && (d->out_fd = open_port_file(out, false)) < 0) {
		*failed = out;
		return -errno;
	}
	o->ports[0].in_fd = d->in_fd;
	o->ports[0].out_fd = d->out_fd;
	ret = virtio_console_create(o, &vm->mem, &d->con);
	return ret;
}

static void destroy_blk(void *dev)
{
	virtio_blk_destroy(dev);
}

static void destroy_rng(void *dev)
{
	virtio_rng_destroy(dev);
}

static void destroy_console(void *dev)
{
	virtio_console_destroy(dev);
}

/* Puts a device on the PCI bus, given what its create function returned;
 * a failure of either step becomes one line, "WHAT: reason", in err. */
static int plug(struct virtio_devices *v, int ret, void *dev,
		struct virtio_dev *vd, void (*destroy)(void *),
		const char *what, char *err, size_t err_len)
{
	struct virtio_slot *s = &v->slots[v->nr];

	if (ret == 0) {
		*s = (struct virtio_slot){.dev = dev, .destroy = destroy};
		v->nr++;
		ret = virtio_pci_add(&v->host, vd, &s->transport);
	}
	if (ret < 0) {
		snprintf(err, err_len, "%s: %s", what, strerror(-ret));
		return -1;
	}
	return 0;
}

/* A writable copy of a spec for the field parsers. */
static int copy_spec(char *buf, const char *opt, const char *spec, char *err,
		     size_t err_len)
{
	if ((size_t)snprintf(buf, MAX_SPEC_LEN, "%s", spec) < MAX_SPEC_LEN)
		return 0;
	snprintf(err, err_len, "%s: longer than %d characters", opt,
		 MAX_SPEC_LEN - 1);
	return -1;
}

static int add_disk(struct virtio_devices *v, struct kvm_vm *vm,
		    const char *spec, char *err, size_t err_len)
{
	char buf[MAX_SPEC_LEN], what[MAX_SPEC_LEN + 8];
	struct virtio_blk_options o;
	struct virtio_blk *blk = NULL;
	const char *bad = "";
	int ret;

	if (copy_spec(buf, "--disk", spec, err, err_len) < 0)
		return -1;
	if (parse_disk(buf, &o, &bad) < 0) {
		snprintf(err, err_len, "--disk %s: bad or unknown field '%s'",
			 spec, bad);
		return -1;
	}
	ret = virtio_blk_create(&o, &vm->mem, &blk);
	snprintf(what, sizeof(what), "--disk %s", spec);
	return plug(v, ret, blk, ret ? NULL : virtio_blk_vdev(blk), destroy_blk,
		    what, err, err_len);
}

static int add_rng(struct virtio_devices *v, struct kvm_vm *vm,
		   const char *spec, char *fields, char *err, size_t err_len)
{
	char what[MAX_SPEC_LEN + 10];
	struct virtio_rng_options o;
	struct virtio_rng *rng = NULL;
	const char *bad = "";
	int ret;

	if (parse_rng(fields, &o, &bad) < 0) {
		snprintf(err, err_len, "--device %s: bad or unknown field '%s'",
			 spec, bad);
		return -1;
	}
	ret = virtio_rng_create(&o, &vm->mem, &rng);
	snprintf(what, sizeof(what), "--device %s", spec);
	return plug(v, ret, rng, ret ? NULL : virtio_rng_vdev(rng), destroy_rng,
		    what, err, err_len);
}

static int add_console_port(struct virtio_devices *v, struct kvm_vm *vm,
			    const char *spec, char *fields, char *err,
			    size_t err_len)
{
	char what[MAX_SPEC_LEN + 2 * PATH_MAX];
	struct virtio_console_options o;
	struct console_port_dev *d = NULL;
	const char *bad = "", *in, *out, *failed = NULL;
	int ret;

	if (parse_console_port(fields, &o, &in, &out, &bad) < 0) {
		snprintf(err, err_len,
			 "--device %s: bad, missing or unknown field '%s'",
			 spec, bad);
		return -1;
	}
	ret = create_console_port(&o, in, out, vm, &d, &failed);
	if (ret < 0 && failed)
		snprintf(what, sizeof(what), "--device %s: %s", spec, failed);
	else
		snprintf(what, sizeof(what), "--device %s", spec);
	if (ret < 0 && d) {
		destroy_console_port(d);
		d = NULL;
	}
	return plug(v, ret, d, ret ? NULL : virtio_console_vdev(d->con),
		    destroy_console_port, what, err, err_len);
}

static int add_device(struct virtio_devices *v, struct kvm_vm *vm,
		      const char *spec, char *err, size_t err_len)
{
	char buf[MAX_SPEC_LEN], *fields;

	if (copy_spec(buf, "--device", spec, err, err_len) < 0)
		return -1;
	fields = strchr(buf, ',');
	if (fields)
		*fields++ = '\0';
	if (!strcmp(buf, "virtio-rng"))
		return add_rng(v, vm, spec, fields, err, err_len);
	if (!strcmp(buf, "virtio-console"))
		return add_console_port(v, vm, spec, fields, err, err_len);
	snprintf(err, err_len,
		 "--device %s: unknown device '%s' (known: virtio-rng, "
		 "virtio-console)",
		 spec, buf);
	return -1;
}

static int add_console(struct virtio_devices *v, struct kvm_vm *vm, char *err,
		       size_t err_len)
{
	const struct virtio_console_options o = {.in_fd = STDIN_FILENO,
						 .out_fd = STDOUT_FILENO,
						 .cols = 80,
						 .rows = 25};
	struct virtio_console *con = NULL;
	int ret = virtio_console_create(&o, &vm->mem, &con);

	return plug(v, ret, con, ret ? NULL : virtio_console_vdev(con),
		    destroy_console, "--console virtio", err, err_len);
}

static void describe_pci(struct machine *m)
{
	m->pci = (struct machine_pci){
		.present = 1,
		.ecam_gpa = LAYOUT_PCI_ECAM_GPA,
		.ecam_len = LAYOUT_PCI_ECAM_LEN,
		.mmio32_gpa = LAYOUT_PCI_MMIO32_GPA,
		.mmio32_len = LAYOUT_PCI_MMIO32_LEN,
		.intx_gsi_base = LAYOUT_PCI_INTX_GSI_BASE,
		.intx_gsi_count = LAYOUT_PCI_INTX_GSI_COUNT,
	};
}

static int create_bus(struct virtio_devices *v, struct kvm_vm *vm,
		      const struct machine *m, char *err, size_t err_len)
{
	const struct pci_host_config pc = {
		.ecam_gpa = m->pci.ecam_gpa,
		.ecam_len = m->pci.ecam_len,
		.mmio32_gpa = m->pci.mmio32_gpa,
		.mmio32_len = m->pci.mmio32_len,
		.intx_gsi_base = m->pci.intx_gsi_base,
		.intx_gsi_count = m->pci.intx_gsi_count,
	};
	int ret = kvm_msi_init(&v->msi, vm);

	if (ret == 0)
		ret = pci_host_init(&v->host, vm, &v->msi, &pc);
	if (ret < 0)
		snprintf(err, err_len, "cannot create the PCI bus: %s",
			 strerror(-ret));
	return ret < 0 ? -1 : 0;
}

int device_table_create_virtio(struct kvm_vm *vm, struct machine *m,
			       const struct vmm_options *o,
			       struct virtio_devices **out, char *err,
			       size_t err_len)
{
	struct virtio_devices *v;
	int ret = 0;

	*out = NULL;
	if (!o->nr_disks && !o->nr_devices && o->console != CONSOLE_VIRTIO)
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	describe_pci(m);
	ret = create_bus(v, vm, m, err, err_len);
	if (ret == 0 && o->console == CONSOLE_VIRTIO)
		ret = add_console(v, vm, err, err_len);
	for (unsigned int i = 0; ret == 0 && i < o->nr_disks; i++)
		ret = add_disk(v, vm, o->disks[i], err, err_len);
	for (unsigned int i = 0; ret == 0 && i < o->nr_devices; i++)
		ret = add_device(v, vm, o->devices[i], err, err_len);
	*out = v; /* even on failure: the caller destroys what was made */
	return ret;
}

void device_table_destroy_virtio(struct virtio_devices *v)
{
	if (!v)
		return;
	if (v->host.vm)
		pci_host_destroy(&v->host);
	for (unsigned int i = 0; i < v->nr; i++) {
		if (v->slots[i].transport)
			virtio_pci_remove(v->slots[i].transport);
		v->slots[i].destroy(v->slots[i].dev);
	}
	if (v->msi.vm)
		kvm_msi_destroy(&v->msi);
	free(v);
}

int device_table_parse_spec(const char *opt, const char *spec, char *err,
			    size_t err_len)
{
	char buf[MAX_SPEC_LEN], *fields;
	struct virtio_blk_options blk;
	struct virtio_rng_options rng;
	struct virtio_console_options con;
	const char *bad = "", *in, *out;
	int r;

	if (copy_spec(buf, opt, spec, err, err_len) < 0)
		return -1;
	if (!strcmp(opt, "--disk")) {
		r = parse_disk(buf, &blk, &bad);
	} else {
		fields = strchr(buf, ',');
		if (fields)
			*fields++ = '\0';
		bad = buf; /* an unknown device name */
		r = -1;
		if (!strcmp(buf, "virtio-rng"))
			r = parse_rng(fields, &rng, &bad);
		else if (!strcmp(buf, "virtio-console"))
			r = parse_console_port(fields, &con, &in, &out, &bad);
	}
	if (r < 0)
		snprintf(err, err_len, "%s %s: bad or unknown field '%s'", opt,
			 spec, bad);
	return r;
}
