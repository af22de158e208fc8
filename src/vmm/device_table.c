/* device_table: creates the machine's devices (see device_table.h).
 * The only file that includes device headers (../shared/STYLE.md). */
#include "device_table.h"

#include <errno.h>
#include <fcntl.h>
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
#include "layout.h"
#include "log.h"
#include "machine_layout.h"
#include "options.h"
#include "rtc.h"
#include "serial.h"
#include "spec.h"
#include "transport.h"
#include "virtio_blk.h"
#include "virtio_console.h"
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

/* --- Virtio devices -------------------------------------------------- */

#define MAX_VIRTIO_DEVICES (OPTIONS_MAX_DISKS + OPTIONS_MAX_DEVICES + 1)
#define MAX_SPEC_LEN	   512

_Static_assert(MAX_VIRTIO_DEVICES <= MACHINE_MAX_VIRTIO,
	       "struct machine has room for every virtio device");

struct virtio_slot;

/* One row per kind of virtio device: its name, the fields only it takes,
 * and how to make one. Fields every device takes (transport=, version=,
 * packed=) are handled once, in parse_fields(). */
struct virtio_kind {
	const char *name; /* as --device and --print-layout name it */
	/* Takes one "key=value" field (value NULL for a bare "key"): 0, or
	 * -1 if the key or value is not one of this device's. */
	int (*field)(struct virtio_slot *s, const char *key, char *value);
	/* Makes the device from s->o: 0 with s->dev and *vd set, or -errno. */
	int (*create)(struct virtio_slot *s, struct kvm_vm *vm,
		      struct virtio_dev **vd);
	void (*destroy)(void *dev);
	/* Optional: after the last field, -1 (err set) if one the device
	 * needs is missing. */
	int (*complete)(struct virtio_slot *s, char *err, size_t len);
};

/* One device the user asked for: parsed and placed by the plan, then
 * created and put on its transport. */
struct virtio_slot {
	const struct virtio_kind *kind;
	char what[MAX_SPEC_LEN + 16]; /* "--disk SPEC": messages, layout */
	char fields[MAX_SPEC_LEN];    /* split in place; o points into it */
	union {
		struct virtio_blk_options blk;
		struct virtio_rng_options rng;
		struct virtio_console_options console;
		struct {
			struct virtio_console_options o;
			const char *in, *out; /* host files; NULL: none */
		} port;
	} o;
	bool packed;
	enum machine_transport transport;
	unsigned int version; /* virtio-mmio register layout; 0: default */
	unsigned int idx;     /* the device in m->virtio */
	void *dev;
};

struct virtio_devices {
	struct transport_buses buses;
	struct virtio_slot slots[MAX_VIRTIO_DEVICES];
	unsigned int nr;
};

/* --- The device kinds ------------------------------------------------ */

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
static const struct virtio_kind blk_kind = {
	.name = "virtio-blk",
	.field = blk_field,
	.create = blk_create,
	.destroy = blk_destroy,
};
static const struct virtio_kind console_kind = {
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
static const struct virtio_kind *const device_kinds[] = {
	&rng_kind,
	&console_port_kind,
};
#define NR_DEVICE_KINDS (sizeof(device_kinds) / sizeof(device_kinds[0]))

/* --- The plan: parse and place, before the VM exists ------------------ */

/* Takes the next slot for "OPT SPEC", with a writable copy of the spec. */
static struct virtio_slot *new_slot(struct virtio_devices *v,
				    const struct virtio_kind *kind,
				    const char *opt, const char *spec,
				    char *err, size_t len)
{
	struct virtio_slot *s = &v->slots[v->nr];

	if ((size_t)snprintf(s->fields, sizeof(s->fields), "%s", spec) >=
	    sizeof(s->fields)) {
		snprintf(err, len, "%s: longer than %d characters", opt,
			 MAX_SPEC_LEN - 1);
		return NULL;
	}
	snprintf(s->what, sizeof(s->what), "%s%s%s", opt, spec[0] ? " " : "",
		 spec);
	s->kind = kind;
	v->nr++;
	return s;
}

/* transport=, version= and packed=, which every device takes: 1 if key is
 * one of them and taken, 0 if it is not, -1 (err set) for a bad transport. */
static int common_field(struct virtio_slot *s, const char *key, char *v,
			char *err, size_t len)
{
	unsigned long n;

	if (!strcmp(key, "transport"))
		return spec_transport(s->what, v, &s->transport, err, len) < 0
			       ? -1
			       : 1;
	if (!strcmp(key, "version") && !spec_uint(v, 2, &n) && n >= 1) {
		s->version = (unsigned int)n;
		return 1;
	}
	if (!strcmp(key, "packed") && !spec_on_off(v, &s->packed))
		return 1;
	return 0;
}

/* Parses the fields at cursor into s: the common ones, then the kind's.
 * def is the --transport default. */
static int parse_fields(struct virtio_slot *s, char *cursor,
			enum machine_transport def, char *err, size_t len)
{
	char *key, *v;
	int ret;

	s->packed = true;
	s->transport = def;
	while ((key = spec_next_field(&cursor, &v))) {
		ret = common_field(s, key, v, err, len);
		if (ret < 0)
			return -1;
		if (ret == 0 && s->kind->field(s, key, v) < 0) {
			snprintf(err, len, "%s: bad or unknown field '%s'",
				 s->what, key);
			return -1;
		}
	}
	if (s->kind->complete && s->kind->complete(s, err, len) < 0)
		return -1;
	if (s->version && s->transport != MACHINE_TRANSPORT_MMIO) {
		snprintf(err, len,
			 "%s: version= is a virtio-mmio field (add "
			 "transport=mmio)",
			 s->what);
		return -1;
	}
	return 0;
}

/* Adds s to the machine description: on MMIO, a window and an IRQ. */
static int place(struct machine *m, struct virtio_slot *s, char *err,
		 size_t len)
{
	int idx = machine_layout_add_virtio(m, s->kind->name, s->what,
					    s->transport,
					    s->version ? s->version : 2);
	char gsis[64];

	if (idx >= 0) {
		s->idx = (unsigned int)idx;
		return 0;
	}
	if (idx == -ENOSPC) {
		machine_layout_mmio_gsis(gsis, sizeof(gsis));
		snprintf(err, len,
			 "%s: no IRQ left for another virtio-mmio device (the "
			 "layout has %u: GSIs %s); put some on transport=pci",
			 s->what, machine_layout_mmio_capacity(), gsis);
	} else {
		snprintf(err, len, "%s: %s", s->what, strerror(-idx));
	}
	return -1;
}

static int plan_console(struct virtio_devices *v, struct machine *m,
			const char *fields, enum machine_transport def,
			char *err, size_t len)
{
	char spec[MAX_SPEC_LEN + 8];
	struct virtio_slot *s;

	snprintf(spec, sizeof(spec), "virtio%s%s", fields ? "," : "",
		 fields ? fields : "");
	s = new_slot(v, &console_kind, "--console", spec, err, len);
	if (!s || parse_fields(s, fields ? s->fields + strlen("virtio,") : NULL,
			       def, err, len) < 0)
		return -1;
	return place(m, s, err, len);
}

/* --disk PATH[,FIELDS]: the first field is the image. */
static int plan_disk(struct virtio_devices *v, struct machine *m,
		     const char *spec, enum machine_transport def, char *err,
		     size_t len)
{
	struct virtio_slot *s =
		new_slot(v, &blk_kind, "--disk", spec, err, len);
	char *cursor;

	if (!s)
		return -1;
	cursor = strchr(s->fields, ',');
	if (cursor)
		*cursor++ = '\0';
	s->o.blk.path = s->fields;
	if (parse_fields(s, cursor, def, err, len) < 0)
		return -1;
	return place(m, s, err, len);
}

static const struct virtio_kind *device_kind(const char *name)
{
	for (size_t i = 0; i < NR_DEVICE_KINDS; i++)
		if (!strcmp(device_kinds[i]->name, name))
			return device_kinds[i];
	return NULL;
}

/* --device NAME[,FIELDS] */
static int plan_device(struct virtio_devices *v, struct machine *m,
		       const char *spec, enum machine_transport def, char *err,
		       size_t len)
{
	size_t name_len = strcspn(spec, ",");
	const struct virtio_kind *kind;
	char name[MAX_SPEC_LEN], known[128] = "";
	struct virtio_slot *s;

	snprintf(name, sizeof(name), "%.*s", (int)name_len, spec);
	kind = device_kind(name);
	if (!kind) {
		for (size_t i = 0; i < NR_DEVICE_KINDS; i++)
			snprintf(known + strlen(known),
				 sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", device_kinds[i]->name);
		snprintf(err, len,
			 "--device %s: unknown device '%s' (known: %s)", spec,
			 name, known);
		return -1;
	}
	s = new_slot(v, kind, "--device", spec, err, len);
	if (!s ||
	    parse_fields(s, spec[name_len] ? s->fields + name_len + 1 : NULL,
			 def, err, len) < 0)
		return -1;
	return place(m, s, err, len);
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

static int plan_all(struct virtio_devices *v, struct machine *m,
		    const struct vmm_options *o, char *err, size_t len)
{
	enum machine_transport def = MACHINE_TRANSPORT_PCI;
	int ret = 0;

	if (o->transport &&
	    spec_transport("--transport", o->transport, &def, err, len) < 0)
		return -1;
	if (o->console == CONSOLE_VIRTIO)
		ret = plan_console(v, m, o->console_fields, def, err, len);
	for (unsigned int i = 0; ret == 0 && i < o->nr_disks; i++)
		ret = plan_disk(v, m, o->disks[i], def, err, len);
	for (unsigned int i = 0; ret == 0 && i < o->nr_devices; i++)
		ret = plan_device(v, m, o->devices[i], def, err, len);
	return ret;
}

int device_table_plan_virtio(struct machine *m, const struct vmm_options *o,
			     struct virtio_devices **out, char *err,
			     size_t err_len)
{
	struct virtio_devices *v;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	if (plan_all(v, m, o, err, err_len) < 0) {
		m->nr_virtio = 0; /* its strings live in v */
		free(v);
		return -1;
	}
	/* The PCI bus exists only when a device is on it: an all-MMIO
	 * machine has no PCI at all (and boots with pci=off). */
	for (unsigned int i = 0; i < m->nr_virtio; i++)
		if (m->virtio[i].transport == MACHINE_TRANSPORT_PCI)
			describe_pci(m);
	if (!v->nr) {
		free(v);
		return 0;
	}
	*out = v;
	return 0;
}

/* --- Creating the planned devices ------------------------------------ */

/* Creates the device and puts it on its transport; a failure of either
 * step becomes one line, "WHAT: reason", in err. */
static int plug(struct virtio_devices *v, struct kvm_vm *vm, struct machine *m,
		struct virtio_slot *s, char *err, size_t err_len)
{
	struct virtio_dev *vd = NULL;
	char line[MAX_SPEC_LEN + 128];
	int ret = s->kind->create(s, vm, &vd);

	if (ret == 0)
		ret = transport_plug(&v->buses, m, s->idx, vd);
	if (ret < 0) {
		snprintf(err, err_len, "%s: %s", s->what, strerror(-ret));
		return -1;
	}
	machine_layout_describe_dev(m, s->idx, line, sizeof(line));
	log_debug("device %s", line);
	return 0;
}

int device_table_create_virtio(struct kvm_vm *vm, struct machine *m,
			       struct virtio_devices *v, char *err,
			       size_t err_len)
{
	if (!v)
		return 0;
	if (transport_buses_init(&v->buses, vm, m, err, err_len) < 0)
		return -1;
	for (unsigned int i = 0; i < v->nr; i++)
		if (plug(v, vm, m, &v->slots[i], err, err_len) < 0)
			return -1;
	return 0;
}

void device_table_destroy_virtio(struct virtio_devices *v)
{
	if (!v)
		return;
	transport_buses_stop(&v->buses);
	for (unsigned int i = 0; i < v->nr; i++) {
		struct virtio_slot *s = &v->slots[i];

		transport_unplug(&v->buses, s->idx);
		if (s->dev)
			s->kind->destroy(s->dev);
	}
	transport_buses_destroy(&v->buses);
	free(v);
}
