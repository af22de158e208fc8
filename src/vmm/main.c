/* main: vmm's entry point. Parses the options, runs the machine, and turns
 * every host-side failure into one line on stderr and exit status 1; with
 * --reboot restart, supervises one child per boot. The only place that
 * calls exit (../shared/STYLE.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "machine.h"
#include "options.h"

#define EXIT_REBOOT 2

/* One machine from power-on to its end; returns vmm's exit status. */
static int run_machine(const struct vmm_options *opts,
		       const struct timespec *start)
{
	char err[512];
	int status = machine_run(opts, start, err, sizeof(err));
	int sig;

	console_restore();
	sig = machine_stop_signals();
	if (status < 0) {
		fprintf(stderr, "vmm: %s\n", err);
		return 1;
	}
	if (sig)
		return 128 +
		       sig; /* even if the guest rebooted at that moment */
	return status;
}

/* --reboot restart: this process only supervises. Each boot runs in a
 * fresh child, the simplest complete reset, and one that works under the
 * child's seccomp filter (which forbids starting programs). A signal that
 * stops vmm is passed on to the child, whose status becomes ours. */
static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NR_STOP_SIGNALS (sizeof(stop_signals) / sizeof(*stop_signals))

static void set_stop_handlers(void (*handler)(int))
{
	struct sigaction sa = {.sa_handler = handler};

	for (size_t i = 0; i < NR_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, NULL);
}

static int supervise(const struct vmm_options *opts)
{
	struct timespec start;
	int wstatus;
	pid_t pid;

	set_stop_handlers(forward_signal);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "vmm: cannot restart: fork failed\n");
			return 1;
		}
		if (pid == 0) {
			set_stop_handlers(SIG_DFL);
			exit(run_machine(opts, &start));
		}
		child_pid = pid;
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		child_pid = 0;
		if (WIFSIGNALED(wstatus))
			return 128 + WTERMSIG(wstatus);
		if (WEXITSTATUS(wstatus) != EXIT_REBOOT)
			return WEXITSTATUS(wstatus);
	}
}

int main(int argc, char **argv)
{
	struct timespec start;
	struct vmm_options opts;
	char err[512];

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
	if (opts.reboot == REBOOT_RESTART)
		return supervise(&opts);
	return run_machine(&opts, &start);
}
