/* fuzz_options: the vmm command line (src/vmm/options.c) and the device
 * plan (src/vmm/device_table.c, device_table_plan_virtio: every spec's
 * fields parsed and each device placed on its transport, with no file
 * opened and no KVM).
 *
 * The input split at NUL bytes is argv; what options_parse accepts must
 * satisfy what options.h promises, and then goes through the plan. Format
 * in fz_formats.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_table.h"
#include "fz.h"
#include "fz_formats.h"
#include "machine.h"
#include "options.h"

static void __attribute__((noreturn)) fail(const char *what)
{
	fprintf(stderr, "fuzz_options: %s\n", what);
	abort();
}

/* options.h's promises about a successful parse. */
static void check_options(const struct vmm_options *o)
{
	if (o->help || o->version)
		return;
	if (o->kernel && o->raw)
		fail("accepted both --kernel and --raw");
	/* Without a guest, only describing the machine is allowed. */
	if (!o->kernel && !o->raw && !o->print_layout && !o->dump_dtb)
		fail("accepted no guest and nothing to describe");
	if (o->memory < OPTIONS_MIN_MEMORY || o->memory > OPTIONS_MAX_MEMORY)
		fail("accepted a memory size out of range");
	if (o->cpus < 1 || o->cpus > OPTIONS_MAX_CPUS)
		fail("accepted a CPU count out of range");
	if (o->nr_disks > OPTIONS_MAX_DISKS ||
	    o->nr_devices > OPTIONS_MAX_DEVICES)
		fail("kept more specs than there is room for");
	if (strnlen(o->append, OPTIONS_APPEND_MAX) == OPTIONS_APPEND_MAX)
		fail("--append not terminated");
}

/* The plan refuses with a message or accepts within the layout's room. */
static void check_plan(const struct vmm_options *o)
{
	struct virtio_devices *v = NULL;
	struct machine m;
	char err[1024] = "";

	machine_describe(&m, o);
	if (device_table_plan_virtio(&m, o, &v, err, sizeof(err)) < 0) {
		if (!err[0])
			fail("a refused device plan without a message");
		return;
	}
	if (m.nr_virtio > MACHINE_MAX_VIRTIO)
		fail("planned more devices than the machine has room for");
	device_table_destroy_virtio(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FZ_OPTIONS_MAX_ARGS + 2], *copy = malloc(size + 1);
	int argc = 1;
	struct vmm_options o;
	char err[512] = "";
	uint64_t bytes;

	if (!copy)
		fail("out of memory");
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "vmm";
	for (char *p = copy; p < copy + size && argc <= FZ_OPTIONS_MAX_ARGS;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++)
		options_parse_size(argv[i], &bytes);
	if (options_parse(argc, argv, &o, err, sizeof(err)) == 0) {
		check_options(&o);
		check_plan(&o);
	} else if (!err[0]) {
		fail("refused without a message");
	}
	free(copy);
	return 0;
}
