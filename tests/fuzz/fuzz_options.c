/* fuzz_options: the vmm command line (src/vmm/options.c) and the device
 * spec field parsers (src/vmm/device_table.c, through
 * device_table_parse_spec: parsing only, no file is ever opened).
 *
 * The input split at NUL bytes is argv; what options_parse accepts must
 * satisfy what options.h promises, and every --disk and --device spec it
 * kept goes through the field parsers. Format in fz_formats.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_table.h"
#include "fz.h"
#include "fz_formats.h"
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
	if (!o->kernel == !o->raw)
		fail("accepted neither or both of --kernel and --raw");
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

static void check_specs(const struct vmm_options *o)
{
	char err[1024];

	for (unsigned int i = 0; i < o->nr_disks; i++) {
		err[0] = '\0';
		if (device_table_parse_spec("--disk", o->disks[i], err,
					    sizeof(err)) < 0 &&
		    !err[0])
			fail("a refused --disk spec without a message");
	}
	for (unsigned int i = 0; i < o->nr_devices; i++) {
		err[0] = '\0';
		if (device_table_parse_spec("--device", o->devices[i], err,
					    sizeof(err)) < 0 &&
		    !err[0])
			fail("a refused --device spec without a message");
	}
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
		check_specs(&o);
	} else if (!err[0]) {
		fail("refused without a message");
	}
	free(copy);
	return 0;
}
