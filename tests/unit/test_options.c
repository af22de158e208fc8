/* Unit tests for src/vmm/options.c: every bad command line gets one clear
 * line; good ones fill the right fields. */
#include <check.h>
#include <string.h>

#include "options.h"
#include "test_runner.h"

#define MAX_ARGS 32

static int parse(const char *line, struct vmm_options *o, char *err, size_t len)
{
	static char buf[512];
	char *argv[MAX_ARGS + 1] = {"vmm"};
	int argc = 1;

	strncpy(buf, line, sizeof(buf) - 1);
	for (char *tok = strtok(buf, " "); tok && argc < MAX_ARGS;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return options_parse(argc, argv, o, err, len);
}

static const struct {
	const char *line;
	const char *err_contains; /* NULL: must parse */
} cases[] = {
	{"--kernel bz", NULL},
	{"-k bz -m 2G -c 4", NULL},
	{"--kernel bz --memory 256M --cpus 64", NULL},
	{"--raw boot.bin", NULL},
	{"--help", NULL},
	{"--version", NULL},
	{"--kernel bz --console none", NULL},
	{"--kernel bz --reboot restart", NULL},
	{"", "no guest given"},
	{"--kernel", "needs a value"},
	{"--frobnicate", "unknown option '--frobnicate'"},
	{"-Z", "unknown option"},
	{"--kernel bz extra", "unexpected argument 'extra'"},
	{"--kernel bz --memory 0", "--memory '0'"},
	{"--kernel bz --memory 8M", "--memory '8M'"},
	{"--kernel bz --memory 2X", "--memory '2X'"},
	{"--kernel bz --memory -5", "--memory '-5'"},
	{"--kernel bz --memory 99999999999999999999", "--memory"},
	{"--kernel bz --memory 2T", "--memory '2T'"},
	{"--kernel bz --cpus 0", "--cpus '0'"},
	{"--kernel bz --cpus 65", "--cpus '65'"},
	{"--kernel bz --cpus 4x", "--cpus '4x'"},
	{"--kernel bz --cpus -1", "--cpus '-1'"},
	{"--kernel bz --console virtio", NULL},
	{"--kernel bz --console tty", "expected serial, virtio or none"},
	{"--kernel bz --reboot maybe", "expected exit or restart"},
	{"--kernel bz --disk a.img --disk b.img,readonly=on", NULL},
	{"--kernel bz --device virtio-rng,rate=10", NULL},
	{"--kernel bz --disk ,readonly=on", "first field must not be empty"},
	{"--kernel bz --device ,x", "first field must not be empty"},
	{"--kernel bz --disk a --disk b --disk c --disk d --disk e --disk f "
	 "--disk g --disk h --disk i",
	 "at most 8"},
	{"--kernel bz --net user --net tap=tap0", NULL},
	{"--kernel bz --net user --net user --net user --net user --net user",
	 "--net user: at most 4"},
	{"--kernel bz --net ,mac=x", "first field must not be empty"},
	{"--kernel bz --control /tmp/c", NULL},
	{"--kernel bz --control=", "--control: empty socket path"},
	{"--kernel bz --raw r.bin", "cannot be combined"},
	{"--raw r.bin --initrd i", "need --kernel"},
	{"--kernel bz --transport mmio --mmio-cmdline", NULL},
	{"--kernel bz --transport", "needs a value"},
	{"--kernel bz --console virtio,transport=mmio", NULL},
	{"--kernel bz --console virtiox", "--console 'virtiox'"},
	{"--kernel bz --console serial,transport=mmio", "expected serial"},
	{"--print-layout", NULL}, /* no guest: describe the machine only */
	{"--dump-dtb m.dtb", NULL},
	{"--kernel bz --dump-dtb", "needs a value"},
	{"--kernel bz --dump-dtb=", "--dump-dtb: empty file name"},
	{"--mmio-cmdline", "no guest given"},
};

START_TEST(test_parse_table)
{
	struct vmm_options o;
	char err[256];
	int ret = parse(cases[_i].line, &o, err, sizeof(err));

	if (!cases[_i].err_contains) {
		ck_assert_msg(ret == 0, "'%s' failed: %s", cases[_i].line, err);
		return;
	}
	ck_assert_msg(ret < 0, "'%s' should fail", cases[_i].line);
	ck_assert_msg(strstr(err, cases[_i].err_contains) != NULL,
		      "'%s': message '%s' lacks '%s'", cases[_i].line, err,
		      cases[_i].err_contains);
	ck_assert_msg(strchr(err, '\n') == NULL, "message is one line");
}
END_TEST

START_TEST(test_values_and_defaults)
{
	struct vmm_options o;
	char err[256];

	ck_assert_int_eq(parse("--kernel bz", &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.memory, 512ULL << 20);
	ck_assert_uint_eq(o.cpus, 1);
	ck_assert_int_eq(o.console, CONSOLE_SERIAL);
	ck_assert_int_eq(o.reboot, REBOOT_EXIT);
	ck_assert_str_eq(o.kernel, "bz");
	ck_assert_int_eq(parse("-k bz -i rd -a quiet -m 4G -c 16 -v -v", &o,
			       err, sizeof(err)),
			 0);
	ck_assert_str_eq(o.initrd, "rd");
	ck_assert_str_eq(o.append, "quiet");
	ck_assert_uint_eq(o.memory, 4ULL << 30);
	ck_assert_uint_eq(o.cpus, 16);
	ck_assert_int_eq(o.verbosity, 2);
	ck_assert_int_eq(
		parse("-k bz -a a=1 --append b=2 -a c", &o, err, sizeof(err)),
		0);
	ck_assert_str_eq(o.append, "a=1 b=2 c");
}
END_TEST

/* The transport options are kept as typed: device_table.c parses them. */
START_TEST(test_transport_options)
{
	struct vmm_options o;
	char err[256];

	ck_assert_int_eq(parse("--kernel bz", &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.transport);
	ck_assert_ptr_null(o.console_fields);
	ck_assert_ptr_null(o.dump_dtb);
	ck_assert(!o.mmio_cmdline && !o.print_layout);
	ck_assert_int_eq(parse("--kernel bz --transport mmio --mmio-cmdline "
			       "--console virtio,transport=pci,packed=off "
			       "--dump-dtb /tmp/m.dtb --print-layout",
			       &o, err, sizeof(err)),
			 0);
	ck_assert_str_eq(o.transport, "mmio");
	ck_assert(o.mmio_cmdline && o.print_layout);
	ck_assert_int_eq(o.console, CONSOLE_VIRTIO);
	ck_assert_str_eq(o.console_fields, "transport=pci,packed=off");
	ck_assert_str_eq(o.dump_dtb, "/tmp/m.dtb");
	/* A later --console replaces the fields of an earlier one. */
	ck_assert_int_eq(parse("--kernel bz --console virtio,packed=off "
			       "--console virtio",
			       &o, err, sizeof(err)),
			 0);
	ck_assert_ptr_null(o.console_fields);
}
END_TEST

static const struct {
	const char *s;
	int ok;
	uint64_t bytes;
} sizes[] = {
	{"512M", 1, 512ULL << 20},
	{"2G", 1, 2ULL << 30},
	{"2g", 1, 2ULL << 30},
	{"1024K", 1, 1ULL << 20},
	{"256", 1, 256ULL << 20},
	{"1T", 1, 1ULL << 40},
	{"4GiB", 1, 4ULL << 30},
	{"4GB", 1, 4ULL << 30},
	{"", 0, 0},
	{"M", 0, 0},
	{"1.5G", 0, 0},
	{"12Q", 0, 0},
	{"4Gx", 0, 0},
	{"-1M", 0, 0},
	{" 4M", 0, 0},
	{"17179869184T", 0, 0},
	{"18446744073709551616", 0, 0},
};

START_TEST(test_size_table)
{
	uint64_t bytes = 0;
	int ret = options_parse_size(sizes[_i].s, &bytes);

	ck_assert_msg((ret == 0) == sizes[_i].ok, "'%s'", sizes[_i].s);
	if (sizes[_i].ok)
		ck_assert_uint_eq(bytes, sizes[_i].bytes);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");

	tcase_add_loop_test(tc, test_parse_table, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_values_and_defaults);
	tcase_add_test(tc, test_transport_options);
	tcase_add_loop_test(tc, test_size_table, 0,
			    sizeof(sizes) / sizeof(sizes[0]));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
