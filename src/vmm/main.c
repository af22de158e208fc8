/* main: vmm's entry point. Parses the options, runs the machine, and turns
 * every host-side failure into one line on stderr and exit status 1.
 * The only place that calls exit (../shared/STYLE.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "machine.h"
#include "options.h"

#define EXIT_REBOOT 2

int main(int argc, char **argv)
{
	struct timespec start;
	struct vmm_options opts;
	char err[512];
	int status, sig;

	clock_gettime(CLOCK_MONOTONIC, &start);
	/* A closed stdout must not kill vmm: the serial port notices the
	 * failed write and stops sending output instead. */
	signal(SIGPIPE, SIG_IGN);
	if (options_parse(argc, argv, &opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmm: %s\n", err);
		return 1;
	}
	if (opts.help) {
		fputs(options_usage, stdout);
		return 0;
	}
	if (opts.version) {
		printf("vmm %s\n", VMM_VERSION);
		return 0;
	}
	log_threshold = opts.verbosity >= 2   ? LOG_DEBUG
			: opts.verbosity == 1 ? LOG_INFO
					      : LOG_WARN;
	status = machine_run(&opts, &start, err, sizeof(err));
	console_restore();
	sig = machine_stop_signals();
	if (status < 0) {
		fprintf(stderr, "vmm: %s\n", err);
		return 1;
	}
	if (sig)
		return 128 +
		       sig; /* even if the guest rebooted at that moment */
	if (status == EXIT_REBOOT && opts.reboot == REBOOT_RESTART) {
		/* A fresh process is the simplest complete reset. */
		fflush(NULL);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "vmm: cannot restart: exec failed\n");
		return 1;
	}
	return status;
}
