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
#include "device_table_internal.h"
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

struct virtio_devices {
	struct transport_buses buses;
	struct virtio_slot slots[MAX_VIRTIO_DEVICES];
	unsigned int nr;
};

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
			if (s->why[0])
				snprintf(err, len, "%s: %s", s->what, s->why);
			else
				snprintf(err, len,
					 "%s: bad or unknown field '%s'",
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
	s = new_slot(v, &device_table_console_kind, "--console", spec, err,
		     len);
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
		new_slot(v, &device_table_blk_kind, "--disk", spec, err, len);
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
	for (size_t i = 0; i < device_table_nr_device_kinds; i++)
		if (!strcmp(device_table_device_kinds[i]->name, name))
			return device_table_device_kinds[i];
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
		for (size_t i = 0; i < device_table_nr_device_kinds; i++)
			snprintf(known + strlen(known),
				 sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "",
				 device_table_device_kinds[i]->name);
		snprintf(err, len,
			 "--device %s: unknown device '%s' (known: %s)", spec,
			 name, known);
		return -1;
	}
	for (unsigned int i = 0; kind->only_one && i < v->nr; i++)
		if (v->slots[i].kind == kind) {
			snprintf(err, len,
				 "--device %s: only one %s device (the guest "
				 "driver takes one)",
				 spec, name);
			return -1;
		}
	s = new_slot(v, kind, "--device", spec, err, len);
	if (!s ||
	    parse_fields(s, spec[name_len] ? s->fields + name_len + 1 : NULL,
			 def, err, len) < 0)
		return -1;
	return place(m, s, err, len);
}

/* --net user|tap=IFNAME[,FIELDS]: the index-th one, ids unique. */
static int plan_net(struct virtio_devices *v, struct machine *m,
		    const char *spec, unsigned int index,
		    enum machine_transport def, char *err, size_t len)
{
	struct virtio_slot *s =
		new_slot(v, &device_table_net_kind, "--net", spec, err, len);

	if (!s)
		return -1;
	device_table_net_defaults(s, index);
	if (parse_fields(s, s->fields, def, err, len) < 0)
		return -1;
	for (unsigned int i = 0; i + 1 < v->nr; i++)
		if (v->slots[i].kind == &device_table_net_kind &&
		    !strcmp(v->slots[i].o.net.id, s->o.net.id)) {
			snprintf(err, len, "--net %s: id '%s' is taken", spec,
				 s->o.net.id);
			return -1;
		}
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
	for (unsigned int i = 0; ret == 0 && i < o->nr_nets; i++)
		ret = plan_net(v, m, o->nets[i], i, def, err, len);
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
		snprintf(err, err_len, "%s: %s", s->what,
			 s->why[0] ? s->why : strerror(-ret));
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

int device_table_set_link(struct virtio_devices *v, const char *id, bool up)
{
	struct virtio_net *net;

	for (unsigned int i = 0; v && i < v->nr; i++) {
		net = device_table_net_of(&v->slots[i]);
		if (net && !strcmp(v->slots[i].o.net.id, id))
			return virtio_net_set_link(net, up);
	}
	return -ENOENT;
}

unsigned int device_table_sandbox_needs(const struct virtio_devices *v)
{
	const struct virtio_slot *s;
	unsigned int needs = 0;

	for (unsigned int i = 0; v && i < v->nr; i++) {
		s = &v->slots[i];
		if (s->kind->sandbox_needs)
			needs |= s->kind->sandbox_needs(s);
	}
	return needs;
}
