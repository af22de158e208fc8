/*
 * boottime: run a VMM and time one guest boot the same way for every VMM.
 * Starts the clock just before fork+exec, reads the VMM's console output
 * (stdout and stderr, one pipe) and notes when the guest's init prints its
 * first line ("vmm-guest: init reached", right after it writes the boot
 * timer port), then waits for the VMM to exit and takes its peak RSS from
 * wait4(). Prints one line:
 *   init_ms=N exit_ms=N maxrss_kb=N status=N vmm_timer_ms=N|-
 * vmm_timer_ms is what our vmm itself logged for the boot-timer port.
 * Built statically by tools/bench/boot.sh so it runs inside the test host.
 *
 * usage: boottime LOGFILE VMM [ARGS...]
 */
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INIT_MARK  "vmm-guest: init reached"
#define TIMER_MARK "vmm: boot-timer: guest init reached after "

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static pid_t spawn(char **argv, int out_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	return pid;
}

struct scan {
	double t0, init_ms;
	char line[4096], timer[32];
	size_t used;
};

/*
 * Scan the output a line at a time (a line can be split across reads, so
 * keep the partial line) and note the two markers.
 */
static void scan_output(struct scan *sc, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n' && sc->used < sizeof(sc->line) - 1) {
			sc->line[sc->used++] = buf[i];
			continue;
		}
		sc->line[sc->used] = '\0';
		sc->used = 0;
		if (sc->init_ms < 0 && strstr(sc->line, INIT_MARK))
			sc->init_ms = now_ms() - sc->t0;
		char *t = strstr(sc->line, TIMER_MARK);
		if (t && !sc->timer[0])
			snprintf(sc->timer, sizeof(sc->timer), "%.0f",
				 atof(t + strlen(TIMER_MARK)));
	}
}

/*
 * Copy the VMM's output to the log while scanning it, until the VMM exits
 * (not until the pipe's EOF: something the VMM started may hold the pipe
 * open). Kills it after timeout_s. Returns the wait4() status.
 */
static int watch(pid_t pid, int fd, FILE *log, struct scan *sc,
		 double timeout_s, struct rusage *ru)
{
	char buf[4096];
	int status;
	bool killed = false;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 50) > 0) {
			n = read(fd, buf, sizeof(buf));
			if (n > 0) {
				fwrite(buf, 1, n, log);
				scan_output(sc, buf, n);
				continue;
			}
			if (n == 0)
				fd = -1; /* EOF: poll ignores negative fds */
		}
		if (wait4(pid, &status, WNOHANG, ru) == pid)
			break;
		if (!killed && now_ms() - sc->t0 > timeout_s * 1e3) {
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	/* Whatever the VMM wrote just before exiting. */
	if (fd >= 0) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) {
			fwrite(buf, 1, n, log);
			scan_output(sc, buf, n);
		}
	}
	return status;
}

int main(int argc, char **argv)
{
	struct scan sc = {.init_ms = -1};
	int pipefd[2], status;
	struct rusage ru;
	double exit_ms;
	FILE *log;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr,
			"usage: boottime TIMEOUT LOGFILE VMM [ARGS...]\n");
		return 2;
	}
	log = fopen(argv[2], "w");
	if (!log || pipe(pipefd) < 0) {
		perror("boottime");
		return 2;
	}
	sc.t0 = now_ms();
	pid = spawn(argv + 3, pipefd[1]);
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	close(pipefd[1]);
	status = watch(pid, pipefd[0], log, &sc, atof(argv[1]), &ru);
	exit_ms = now_ms() - sc.t0;
	fclose(log);
	printf("init_ms=%.0f exit_ms=%.0f maxrss_kb=%ld status=%d "
	       "vmm_timer_ms=%s\n",
	       sc.init_ms, exit_ms, ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       sc.timer[0] ? sc.timer : "-");
	return 0;
}
