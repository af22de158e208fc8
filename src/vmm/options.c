/* options: parse the vmm command line (see options.h).
 *
 * getopt_long does the splitting; its own messages are turned off so that
 * every error is one line in our words.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char options_usage[] =
	"Usage: vmm --kernel FILE [options]\n"
	"       vmm --raw FILE [options]\n"
	"\n"
	"Boot a Linux guest on KVM.\n"
	"\n"
	"  -k, --kernel FILE      Linux bzImage (x86 boot protocol 2.10+, "
	"64-bit)\n"
	"  -i, --initrd FILE      initramfs / initrd image\n"
	"  -a, --append CMDLINE   added to the default kernel command line\n"
	"                         (repeatable: each one is added in turn)\n"
	"  -m, --memory SIZE      guest RAM: 512M, 2G, ... (no suffix: MiB; "
	"default 512M)\n"
	"  -c, --cpus N           virtual CPUs, 1 to 64 (default 1)\n"
	"      --console KIND     serial (default), virtio[,transport=T]"
	"[,packed=off] (hvc0)\n"
	"                         or none\n"
	"      --reboot ACTION    on guest reboot: exit (status 2, default) or "
	"restart\n"
	"      --seccomp MODE     on (default): a system call outside vmm's\n"
	"                         allow-list ends vmm; log: allowed, logged by "
	"the\n"
	"                         kernel; off: no filter\n"
	"      --raw FILE         flat binary loaded at 0x1000, started in "
	"real mode\n"
	"                         at 0000:1000 (a first lesson in KVM)\n"
	"      --disk PATH[,readonly=on][,serial=S][,cache=writeback|none]\n"
	"             [,num-queues=N][,packed=on|off][,transport=T]\n"
	"                         virtio-blk disk on a raw image (repeatable)\n"
	"      --device virtio-rng[,rate=BYTES_PER_S][,packed=on|off]"
	"[,transport=T]\n"
	"      --device virtio-console,name=NAME[,in=PATH][,out=PATH]"
	"[,packed=on|off][,transport=T]\n"
	"                         extra device (repeatable)\n"
	"      --transport T      default transport of the virtio devices: "
	"pci\n"
	"                         (default) or mmio; a device's own "
	"transport=\n"
	"                         wins. With mmio, version=1 picks the legacy\n"
	"                         register layout\n"
	"      --mmio-cmdline     announce virtio-mmio devices on the kernel\n"
	"                         command line (virtio_mmio.device=), not in "
	"ACPI\n"
	"      --dump-dtb FILE    write the machine's flattened device tree\n"
	"      --print-layout     print addresses and interrupts of "
	"everything\n"
	"                         (without a guest: print, then exit)\n"
	"      --net user[,hostfwd=tcp|udp:[HOSTADDR]:PORT-[GUESTADDR]:PORT]"
	"...\n"
	"      --net tap=IFNAME[,queues=N]\n"
	"             [,mac=MAC][,mtu=N][,id=NAME][,packed=on|off]"
	"[,transport=T]\n"
	"                         virtio-net on user-mode networking "
	"(libslirp,\n"
	"                         10.0.2.0/24, no root) or an existing TAP "
	"(repeatable)\n"
	"      --device virtio-vsock,cid=N,uds=PATH[,packed=on|off]"
	"[,transport=T]\n"
	"                         guest port P <-> Unix sockets: guest "
	"connects reach\n"
	"                         PATH_P; host writes 'CONNECT P' to PATH\n"
	"      --control PATH     Unix socket taking commands, e.g. "
	"'link net0 down'\n"
	"  -v, --verbose          more messages (twice: debug)\n"
	"  -h, --help             this text\n"
	"  -V, --version          print the version\n"
	"\n"
	"Serial console keys (terminal only): Ctrl-A x quits, Ctrl-A Ctrl-A "
	"sends Ctrl-A.\n"
	"Exit status: 0 guest powered off, 1 vmm error, 2 guest rebooted,\n"
	"4 guest crashed, (v << 1) | 1 guest wrote v to debug-exit port "
	"0x501.\n";

enum {
	OPT_CONSOLE = 0x100,
	OPT_REBOOT,
	OPT_RAW,
	OPT_DISK,
	OPT_NET,
	OPT_DEVICE,
	OPT_SECCOMP,
	OPT_TRANSPORT,
	OPT_MMIO_CMDLINE,
	OPT_DUMP_DTB,
	OPT_PRINT_LAYOUT,
	OPT_CONTROL,
};

static const struct option long_options[] = {
	{"kernel", required_argument, NULL, 'k'},
	{"initrd", required_argument, NULL, 'i'},
	{"append", required_argument, NULL, 'a'},
	{"memory", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, 'c'},
	{"console", required_argument, NULL, OPT_CONSOLE},
	{"reboot", required_argument, NULL, OPT_REBOOT},
	{"raw", required_argument, NULL, OPT_RAW},
	{"disk", required_argument, NULL, OPT_DISK},
	{"net", required_argument, NULL, OPT_NET},
	{"device", required_argument, NULL, OPT_DEVICE},
	{"seccomp", required_argument, NULL, OPT_SECCOMP},
	{"transport", required_argument, NULL, OPT_TRANSPORT},
	{"mmio-cmdline", no_argument, NULL, OPT_MMIO_CMDLINE},
	{"dump-dtb", required_argument, NULL, OPT_DUMP_DTB},
	{"print-layout", no_argument, NULL, OPT_PRINT_LAYOUT},
	{"control", required_argument, NULL, OPT_CONTROL},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The binary shift for a size suffix, or -1. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	}
	return -1;
}

int options_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long n;
	int shift = 20; /* no suffix: MiB, as QEMU reads -m */
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end != '\0') {
		shift = suffix_shift(*end++);
		/* "M", "MB" and "MiB" all mean 2^20 here. */
		if (!strcmp(end, "B") || !strcmp(end, "iB"))
			end += strlen(end);
	}
	if (shift < 0 || *end != '\0' || n > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}

static int parse_cpus(const char *s, unsigned int *cpus)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < 1 || n > OPTIONS_MAX_CPUS)
		return -1;
	*cpus = (unsigned int)n;
	return 0;
}

static int add_append(struct vmm_options *o, const char *arg, char *err,
		      size_t len)
{
	size_t used = strlen(o->append);
	int n = snprintf(o->append + used, sizeof(o->append) - used, "%s%s",
			 used ? " " : "", arg);

	if (n < 0 || (size_t)n >= sizeof(o->append) - used) {
		snprintf(err, len,
			 "--append: command line longer than %d bytes",
			 OPTIONS_APPEND_MAX - 1);
		return -1;
	}
	return 0;
}

static int add_spec(const char **list, unsigned int *nr, unsigned int max,
		    const char *opt, const char *arg, char *err, size_t len)
{
	if (*nr == max) {
		snprintf(err, len, "%s %s: at most %u of these", opt, arg, max);
		return -1;
	}
	if (!arg[0] || arg[0] == ',') {
		snprintf(err, len, "%s '%s': the first field must not be empty",
			 opt, arg);
		return -1;
	}
	list[(*nr)++] = arg;
	return 0;
}

/* serial, none, or virtio with optional ",FIELDS" for the device. */
static int parse_console(const char *arg, struct vmm_options *o, char *err,
			 size_t len)
{
	o->console_fields = NULL;
	if (!strcmp(arg, "serial")) {
		o->console = CONSOLE_SERIAL;
	} else if (!strcmp(arg, "none")) {
		o->console = CONSOLE_NONE;
	} else if (!strncmp(arg, "virtio", 6) &&
		   (arg[6] == '\0' || arg[6] == ',')) {
		o->console = CONSOLE_VIRTIO;
		if (arg[6] == ',')
			o->console_fields = arg + 7;
	} else {
		snprintf(err, len,
			 "--console '%s': expected serial, virtio or none",
			 arg);
		return -1;
	}
	return 0;
}

/* Handles one option; returns 0 or -1 with err filled. */
static int apply(int opt, const char *arg, struct vmm_options *o, char *err,
		 size_t len)
{
	switch (opt) {
	case 'k':
		o->kernel = arg;
		return 0;
	case 'i':
		o->initrd = arg;
		return 0;
	case 'a':
		return add_append(o, arg, err, len);
	case OPT_RAW:
		o->raw = arg;
		return 0;
	case 'v':
		o->verbosity++;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case 'm':
		if (options_parse_size(arg, &o->memory) == 0 &&
		    o->memory >= OPTIONS_MIN_MEMORY &&
		    o->memory <= OPTIONS_MAX_MEMORY)
			return 0;
		snprintf(err, len,
			 "--memory '%s': expected a size from 16M to 1T, "
			 "like 512M or 2G",
			 arg);
		return -1;
	case 'c':
		if (parse_cpus(arg, &o->cpus) == 0)
			return 0;
		snprintf(err, len,
			 "--cpus '%s': expected a number from 1 to %d", arg,
			 OPTIONS_MAX_CPUS);
		return -1;
	case OPT_CONSOLE:
		return parse_console(arg, o, err, len);
	case OPT_REBOOT:
		if (!strcmp(arg, "exit") || !strcmp(arg, "restart")) {
			o->reboot =
				arg[0] == 'e' ? REBOOT_EXIT : REBOOT_RESTART;
			return 0;
		}
		snprintf(err, len, "--reboot '%s': expected exit or restart",
			 arg);
		return -1;
	case OPT_SECCOMP:
		if (!strcmp(arg, "on"))
			o->seccomp = SANDBOX_ON;
		else if (!strcmp(arg, "log"))
			o->seccomp = SANDBOX_LOG;
		else if (!strcmp(arg, "off"))
			o->seccomp = SANDBOX_OFF;
		else {
			snprintf(err, len,
				 "--seccomp '%s': expected on, log or off",
				 arg);
			return -1;
		}
		return 0;
	case OPT_DISK:
		return add_spec(o->disks, &o->nr_disks, OPTIONS_MAX_DISKS,
				"--disk", arg, err, len);
	case OPT_DEVICE:
		return add_spec(o->devices, &o->nr_devices, OPTIONS_MAX_DEVICES,
				"--device", arg, err, len);
	case OPT_TRANSPORT:
		o->transport = arg;
		return 0;
	case OPT_MMIO_CMDLINE:
		o->mmio_cmdline = true;
		return 0;
	case OPT_DUMP_DTB:
		if (!arg[0]) {
			snprintf(err, len, "--dump-dtb: empty file name");
			return -1;
		}
		o->dump_dtb = arg;
		return 0;
	case OPT_PRINT_LAYOUT:
		o->print_layout = true;
		return 0;
	case OPT_NET:
		return add_spec(o->nets, &o->nr_nets, OPTIONS_MAX_NETS, "--net",
				arg, err, len);
	case OPT_CONTROL:
		if (!arg[0]) {
			snprintf(err, len, "--control: empty socket path");
			return -1;
		}
		o->control = arg;
		return 0;
	}
	snprintf(err, len, "internal error: option %d", opt);
	return -1;
}

static void describe_bad_option(int argc, char **argv, int opt, char *err,
				size_t len)
{
	const char *word = optind - 1 < argc ? argv[optind - 1] : "?";

	if (opt == ':')
		snprintf(err, len, "option '%s' needs a value (see vmm --help)",
			 word);
	else
		snprintf(err, len, "unknown option '%s' (see vmm --help)",
			 word);
}

int options_parse(int argc, char **argv, struct vmm_options *o, char *err,
		  size_t err_len)
{
	int opt;

	*o = (struct vmm_options){.memory = OPTIONS_DEFAULT_MEMORY, .cpus = 1};
	optind = 0; /* full re-initialisation: the tests parse many times */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:i:a:m:c:vhV", long_options,
				  NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			describe_bad_option(argc, argv, opt, err, err_len);
			return -1;
		}
		if (apply(opt, optarg, o, err, err_len) < 0)
			return -1;
	}
	if (optind < argc) {
		snprintf(err, err_len,
			 "unexpected argument '%s' (see vmm "
			 "--help)",
			 argv[optind]);
		return -1;
	}
	if (o->help || o->version)
		return 0;
	if (!o->kernel && !o->raw && !o->print_layout && !o->dump_dtb) {
		snprintf(err, err_len,
			 "no guest given: use --kernel FILE (see "
			 "vmm --help)");
		return -1;
	}
	if (o->kernel && o->raw) {
		snprintf(err, err_len, "--kernel and --raw cannot be combined");
		return -1;
	}
	if (o->raw && (o->initrd || o->append[0])) {
		snprintf(err, err_len, "--initrd and --append need --kernel");
		return -1;
	}
	return 0;
}
