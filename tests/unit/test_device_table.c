/* test_device_table: the virtio plan (device_table_plan_virtio), which
 * parses every device option and places each device on its transport
 * before any VM exists: transports per device and by default, the legacy
 * version= field, the PCI bus only when a device is on it, and one clear
 * line for each bad request. Creating devices needs KVM: the integration
 * scenarios do that. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "device_table.h"
#include "layout.h"
#include "machine.h"
#include "machine_layout.h"
#include "options.h"
#include "test_runner.h"

#define MAX_ARGS 48

static char err[512];

/* Parses "vmm --kernel bz LINE" and plans it; returns the plan's result,
 * with the machine in *m and the plan freed. */
static int plan(const char *line, struct machine *m)
{
	static char buf[4096];
	char *argv[MAX_ARGS + 1] = {"vmm", "--kernel", "bz"};
	struct virtio_devices *v = (void *)1;
	struct vmm_options o;
	int argc = 3, ret;

	strncpy(buf, line, sizeof(buf) - 1);
	for (char *tok = strtok(buf, " "); tok && argc < MAX_ARGS;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	ck_assert_int_eq(options_parse(argc, argv, &o, err, sizeof(err)), 0);
	machine_describe(m, &o);
	ret = device_table_plan_virtio(m, &o, &v, err, sizeof(err));
	if (ret < 0) {
		ck_assert_ptr_null(v);
		ck_assert_uint_eq(m->nr_virtio, 0);
		ck_assert_uint_gt(strlen(err), 0);
		ck_assert_ptr_null(strchr(err, '\n'));
	} else {
		ck_assert_int_eq(ret, 0);
		ck_assert((v == NULL) == (m->nr_virtio == 0));
		/* The strings in m live in v: check them before freeing. */
		for (unsigned int i = 0; i < m->nr_virtio; i++) {
			ck_assert_ptr_nonnull(m->virtio[i].kind);
			ck_assert_ptr_nonnull(m->virtio[i].option);
		}
	}
	device_table_destroy_virtio(v);
	return ret;
}

START_TEST(test_no_devices)
{
	struct machine m;

	ck_assert_int_eq(plan("", &m), 0);
	ck_assert_uint_eq(m.nr_virtio, 0);
	ck_assert(!m.pci.present);
}
END_TEST

/* Without --transport everything is on PCI, as before MMIO existed. */
START_TEST(test_default_is_pci)
{
	struct machine m;

	ck_assert_int_eq(plan("--disk a.img --device virtio-rng "
			      "--console virtio",
			      &m),
			 0);
	ck_assert_uint_eq(m.nr_virtio, 3);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_uint_eq(m.virtio[i].transport, MACHINE_TRANSPORT_PCI);
	ck_assert(m.pci.present);
	ck_assert_uint_eq(m.pci.ecam_gpa, LAYOUT_PCI_ECAM_GPA);
	ck_assert_uint_eq(m.pci.intx_gsi_base, LAYOUT_PCI_INTX_GSI_BASE);
}
END_TEST

/* --transport mmio: every device on MMIO, in the order console, disks,
 * devices, and no PCI bus at all. */
START_TEST(test_all_mmio)
{
	struct machine m;

	ck_assert_int_eq(plan("--transport mmio --device virtio-rng "
			      "--disk a.img --disk b.img --console virtio",
			      &m),
			 0);
	ck_assert_uint_eq(m.nr_virtio, 4);
	ck_assert(!m.pci.present);
	ck_assert_str_eq(m.virtio[0].kind, "virtio-console");
	ck_assert_str_eq(m.virtio[1].kind, "virtio-blk");
	ck_assert_str_eq(m.virtio[2].kind, "virtio-blk");
	ck_assert_str_eq(m.virtio[3].kind, "virtio-rng");
	for (unsigned int i = 0; i < 4; i++) {
		ck_assert_uint_eq(m.virtio[i].transport,
				  MACHINE_TRANSPORT_MMIO);
		ck_assert_uint_eq(m.virtio[i].mmio.gpa,
				  LAYOUT_VIRTIO_MMIO_GPA +
					  i * LAYOUT_VIRTIO_MMIO_SLOT);
		ck_assert_uint_eq(m.virtio[i].mmio.version, 2);
	}
}
END_TEST

/* --net and virtio-vsock: both backends, every field, ordered after the
 * --device ones; the plan opens no socket and no TAP. */
START_TEST(test_net_and_vsock)
{
	struct machine m;

	ck_assert_int_eq(plan("--net user,hostfwd=tcp:127.0.0.1:8080-:80,"
			      "hostfwd=udp::5353-10.0.2.15:53,mtu=9000 "
			      "--net tap=tap0,queues=2,transport=mmio,id=lan,"
			      "mac=02:00:00:00:00:01,packed=off "
			      "--device virtio-vsock,cid=3,uds=/nonexistent/v",
			      &m),
			 0);
	ck_assert_uint_eq(m.nr_virtio, 3);
	ck_assert_str_eq(m.virtio[0].kind, "virtio-vsock");
	ck_assert_str_eq(m.virtio[1].kind, "virtio-net");
	ck_assert_str_eq(m.virtio[2].kind, "virtio-net");
	ck_assert_uint_eq(m.virtio[1].transport, MACHINE_TRANSPORT_PCI);
	ck_assert_uint_eq(m.virtio[2].transport, MACHINE_TRANSPORT_MMIO);
}
END_TEST

/* A device's own transport= wins over --transport, either way round. */
START_TEST(test_mixed)
{
	struct machine m;

	ck_assert_int_eq(plan("--disk a.img,transport=mmio "
			      "--device virtio-rng",
			      &m),
			 0);
	ck_assert_uint_eq(m.virtio[0].transport, MACHINE_TRANSPORT_MMIO);
	ck_assert_uint_eq(m.virtio[1].transport, MACHINE_TRANSPORT_PCI);
	ck_assert(m.pci.present);

	ck_assert_int_eq(plan("--transport mmio --disk a.img,transport=pci "
			      "--device virtio-rng,rate=100",
			      &m),
			 0);
	ck_assert_uint_eq(m.virtio[0].transport, MACHINE_TRANSPORT_PCI);
	ck_assert_uint_eq(m.virtio[1].transport, MACHINE_TRANSPORT_MMIO);
	/* The first MMIO device gets the first slot, PCI ones none. */
	ck_assert_uint_eq(m.virtio[1].mmio.gpa, LAYOUT_VIRTIO_MMIO_GPA);
	ck_assert(m.pci.present);
}
END_TEST

START_TEST(test_legacy_version)
{
	struct machine m;

	ck_assert_int_eq(plan("--disk a.img,transport=mmio,version=1 "
			      "--transport mmio --device virtio-rng,version=2 "
			      "--console virtio,version=1,packed=off",
			      &m),
			 0);
	ck_assert_uint_eq(m.virtio[0].mmio.version, 1); /* the console */
	ck_assert_uint_eq(m.virtio[1].mmio.version, 1);
	ck_assert_uint_eq(m.virtio[2].mmio.version, 2);
}
END_TEST

/* What the layout and messages show: the option as typed. */
START_TEST(test_option_text)
{
	struct vmm_options o;
	struct virtio_devices *v;
	struct machine m;
	char *argv[] = {"vmm",
			"--kernel",
			"bz",
			"--console",
			"virtio,transport=mmio",
			"--disk",
			"d.img,serial=x",
			NULL};

	ck_assert_int_eq(options_parse(7, argv, &o, err, sizeof(err)), 0);
	machine_describe(&m, &o);
	ck_assert_int_eq(device_table_plan_virtio(&m, &o, &v, err, sizeof(err)),
			 0);
	ck_assert_str_eq(m.virtio[0].option, "--console virtio,transport=mmio");
	ck_assert_str_eq(m.virtio[1].option, "--disk d.img,serial=x");
	device_table_destroy_virtio(v);
}
END_TEST

static const struct {
	const char *line;
	const char *err; /* the one line must contain this */
} bad[] = {
	{"--disk a.img,transport=usb",
	 "--disk a.img,transport=usb: unknown transport 'usb' (known: pci, "
	 "mmio)"},
	{"--disk a.img,transport", "unknown transport ''"},
	{"--device virtio-rng,transport=ccw",
	 "--device virtio-rng,transport=ccw: transport 'ccw' is not "
	 "available on x86 guests"},
	{"--transport ccw --disk a.img", "--transport: transport 'ccw' is not "
					 "available on x86 guests"},
	{"--transport virtio-mmio --disk a.img",
	 "--transport: unknown transport 'virtio-mmio'"},
	{"--console virtio,transport=isa", "--console virtio,transport=isa: "
					   "unknown transport 'isa'"},
	{"--disk a.img,version=1", "--disk a.img,version=1: version= is a "
				   "virtio-mmio field (add transport=mmio)"},
	{"--disk a.img,transport=mmio,version=3", "unknown field 'version'"},
	{"--disk a.img,transport=mmio,version=0", "unknown field 'version'"},
	{"--device virtio-rng,colour=red", "bad or unknown field 'colour'"},
	{"--console virtio,rate=5", "--console virtio,rate=5: bad or unknown "
				    "field 'rate'"},
	{"--device virtio-gpu", "unknown device 'virtio-gpu' (known: "
				"virtio-rng, virtio-console, virtio-vsock)"},
	{"--net tap", "--net tap: bad or unknown field 'tap'"},
	{"--net user,tap=t0", "give exactly one backend: user or tap=IFNAME"},
	{"--net mac=52:54:00:00:00:01", "give exactly one backend"},
	{"--net user,hostfwd=tcp:127.0.0.1:8080", "--net user,hostfwd="
						  "tcp:127.0.0.1:8080: "},
	{"--net user,hostfwd", "hostfwd needs a rule"},
	{"--net tap=t0,hostfwd=tcp::1-:2", "hostfwd= is a field of the user "
					   "backend"},
	{"--net user,queues=2", "queues= needs a multi-queue TAP"},
	{"--net tap=t0,queues=9", "bad or unknown field 'queues'"},
	{"--net tap=t0,queues=0", "bad or unknown field 'queues'"},
	{"--net user,mac=01:00:5e:00:00:01", "bad or unknown field 'mac'"},
	{"--net user,mac=52:54:00:00:00", "bad or unknown field 'mac'"},
	{"--net user,mac=52:54:00:00:00:01:02", "bad or unknown field 'mac'"},
	{"--net user,mtu=67", "bad or unknown field 'mtu'"},
	{"--net user,mtu=65536", "bad or unknown field 'mtu'"},
	{"--net user,id=a/b", "bad or unknown field 'id'"},
	{"--net user --net user,id=net0", "--net user,id=net0: id 'net0' is "
					  "taken"},
	{"--device virtio-vsock,cid=2,uds=/tmp/v",
	 "--device virtio-vsock,cid=2,uds=/tmp/v: cid=2 is reserved"},
	{"--device virtio-vsock,cid=3", "needs cid=N and uds=PATH"},
	{"--device virtio-vsock,uds=/tmp/v", "needs cid=N and uds=PATH"},
	{"--device virtio-vsock,cid=4294967295,uds=/tmp/v",
	 "bad or unknown field 'cid'"},
	{"--device virtio-vsock,cid=3,uds=a --device virtio-vsock,cid=4,uds=b",
	 "only one virtio-vsock device"},
	{"--device virtio-console,in=x", "missing field 'name'"},
	{"--disk a,packed=maybe", "bad or unknown field 'packed'"},
	{"--transport mmio --console virtio --disk 1 --disk 2 --disk 3 "
	 "--disk 4 --disk 5 --disk 6 --disk 7 --disk 8 --device virtio-rng "
	 "--device virtio-rng",
	 "--device virtio-rng: no IRQ left for another virtio-mmio device "
	 "(the layout has 9: GSIs 5-7, 10-15); put some on transport=pci"},
};

START_TEST(test_bad)
{
	struct machine m;

	ck_assert_int_eq(plan(bad[_i].line, &m), -1);
	ck_assert_msg(strstr(err, bad[_i].err) != NULL,
		      "for '%s': got '%s', want '%s'", bad[_i].line, err,
		      bad[_i].err);
}
END_TEST

/* Nine MMIO devices fit, the tenth does not; on PCI any number do. */
START_TEST(test_capacity_edge)
{
	struct machine m;

	ck_assert_uint_eq(machine_layout_mmio_capacity(),
			  LAYOUT_VIRTIO_MMIO_NR_GSIS);
	ck_assert_int_eq(plan("--transport mmio --disk 1 --disk 2 --disk 3 "
			      "--disk 4 --disk 5 --disk 6 --disk 7 --disk 8 "
			      "--device virtio-rng",
			      &m),
			 0);
	ck_assert_uint_eq(m.nr_virtio, 9);
	ck_assert_int_eq(plan("--console virtio --disk 1 --disk 2 --disk 3 "
			      "--disk 4 --disk 5 --disk 6 --disk 7 --disk 8 "
			      "--device virtio-rng --device virtio-rng "
			      "--device virtio-rng --device virtio-rng",
			      &m),
			 0);
	ck_assert_uint_eq(m.nr_virtio, 13);
}
END_TEST

/* A spec longer than the parser's buffer is refused, not cut. */
START_TEST(test_long_spec)
{
	char *line = malloc(1200);
	struct machine m;

	strcpy(line, "--disk ");
	memset(line + 7, 'a', 1000);
	line[1007] = '\0';
	ck_assert_int_eq(plan(line, &m), -1);
	ck_assert_ptr_nonnull(strstr(err, "--disk: longer than 511"));
	free(line);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_table");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, test_no_devices);
	tcase_add_test(tc, test_default_is_pci);
	tcase_add_test(tc, test_all_mmio);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_net_and_vsock);
	tcase_add_test(tc, test_legacy_version);
	tcase_add_test(tc, test_option_text);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_capacity_edge);
	tcase_add_test(tc, test_long_spec);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
