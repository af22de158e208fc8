/* Unit tests for vmm's seccomp allow-list (src/vmm/sandbox.c): a forbidden
 * system call from a thread started after the filter (as vmm's vCPUs are)
 * ends the process with status 159 in "on" mode and succeeds, logged by
 * the kernel, in "log" mode; allowed calls keep working; executable memory
 * and new processes are refused. Each case runs in a child process, since
 * a filter cannot be taken off again.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "test_runner.h"

/* What a thread under the filter tries; returns 0 if the call worked. */
static int try_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

/* What device threads do all the time: memory, time, I/O on a
 * descriptor they hold. */
static int try_allowed(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct timespec t = {0, 1000};

	if (p == MAP_FAILED || munmap(p, 4096) < 0)
		return 1;
	if (nanosleep(&t, NULL) < 0 || write(STDERR_FILENO, "", 0) < 0)
		return 1;
	return getpid() > 0 ? 0 : 1;
}

/* The RTC converts times with gmtime_r() and timegm(). glibc sets up its
 * time zone on the first conversion, opening /etc/localtime: that must
 * have happened before the filter, or the first RTC read ends vmm. */
static int try_time_conversion(void)
{
	time_t t = 1700000000;
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return 1;
	return timegm(&tm) == t ? 0 : 1;
}

/* What libslirp and virtio-vsock do: an IPv4 socket, a Unix one, a
 * connection attempt. */
static int try_net_sockets(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX,
				 .sun_path = "/nonexistent/vmm-test"};
	int in = socket(AF_INET, SOCK_DGRAM, 0);
	int un = socket(AF_UNIX, SOCK_STREAM, 0);
	int ret = in < 0 || un < 0 ||
		  connect(un, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	close(in);
	close(un);
	return ret;
}

/* A raw packet socket is never a device's business. */
static int try_packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	close(fd);
	return 0;
}

static int try_read_file(void)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static int __attribute__((unused)) try_write_file(void)
{
	int fd = open("/tmp/vmm-sandbox-test", O_WRONLY | O_CREAT, 0600);

	close(fd);
	return 0;
}

/* The file is made before the filter (see test_needs_unlink). */
static int try_unlink(void)
{
	return unlink("/tmp/vmm-sandbox-unlink") < 0;
}

static int try_exec_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED;
}

static int try_exec(void)
{
	char *const argv[] = {"true", NULL};

	execv("/bin/true", argv);
	return 1;
}

static int try_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid < 0;
}

static void *thread_main(void *arg)
{
	int (*action)(void) = (int (*)(void))arg;

	return (void *)(long)action();
}

/* In a child: installs mode, runs action on a new thread, exits with the
 * action's result. Returns the child's wait status. */
static int run_sandboxed_needs(enum sandbox_mode mode, unsigned int needs,
			       int (*action)(void))
{
	char err[256];
	pthread_t t;
	void *res;
	int wstatus;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sandbox_install(mode, needs, err, sizeof(err)) < 0)
			_exit(100);
		if (pthread_create(&t, NULL, thread_main, (void *)action))
			_exit(101);
		pthread_join(t, &res);
		_exit((int)(long)res);
	}
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	return wstatus;
}

static int run_sandboxed(enum sandbox_mode mode, int (*action)(void))
{
	return run_sandboxed_needs(mode, 0, action);
}

static void expect_exit(int wstatus, int code)
{
	ck_assert_msg(WIFEXITED(wstatus), "killed by signal %d",
		      WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
	ck_assert_int_eq(WEXITSTATUS(wstatus), code);
}

START_TEST(test_on_forbidden_call_ends_vmm)
{
	expect_exit(run_sandboxed(SANDBOX_ON, try_socket), SANDBOX_EXIT_STATUS);
}
END_TEST

START_TEST(test_on_allowed_calls_work)
{
	expect_exit(run_sandboxed(SANDBOX_ON, try_allowed), 0);
}
END_TEST

START_TEST(test_on_time_conversion_works)
{
	expect_exit(run_sandboxed(SANDBOX_ON, try_time_conversion), 0);
}
END_TEST

START_TEST(test_on_no_executable_memory)
{
	expect_exit(run_sandboxed(SANDBOX_ON, try_exec_memory),
		    SANDBOX_EXIT_STATUS);
}
END_TEST

/* Sanitizer builds let LeakSanitizer clone a helper process (sandbox.c),
 * so only a normal build refuses fork; no build runs another program. */
START_TEST(test_on_no_new_process)
{
#if !defined(__SANITIZE_ADDRESS__)
	expect_exit(run_sandboxed(SANDBOX_ON, try_fork), SANDBOX_EXIT_STATUS);
#endif
	expect_exit(run_sandboxed(SANDBOX_ON, try_exec), SANDBOX_EXIT_STATUS);
}
END_TEST

START_TEST(test_log_mode_allows_and_logs)
{
	expect_exit(run_sandboxed(SANDBOX_LOG, try_socket), 0);
}
END_TEST

/* --net user and virtio-vsock widen the list by exactly what they use. */
START_TEST(test_needs_sockets)
{
	expect_exit(run_sandboxed_needs(SANDBOX_ON, SANDBOX_NEED_SOCKETS,
					try_net_sockets),
		    0);
	expect_exit(run_sandboxed_needs(SANDBOX_ON, SANDBOX_NEED_SOCKETS,
					try_packet_socket),
		    SANDBOX_EXIT_STATUS);
	expect_exit(run_sandboxed(SANDBOX_ON, try_net_sockets),
		    SANDBOX_EXIT_STATUS);
}
END_TEST

START_TEST(test_needs_read_files)
{
	expect_exit(run_sandboxed_needs(SANDBOX_ON, SANDBOX_NEED_READ_FILES,
					try_read_file),
		    0);
#if !defined(__SANITIZE_ADDRESS__) /* LeakSanitizer needs openat */
	expect_exit(run_sandboxed_needs(SANDBOX_ON, SANDBOX_NEED_READ_FILES,
					try_write_file),
		    SANDBOX_EXIT_STATUS);
#endif
	unlink("/tmp/vmm-sandbox-test");
}
END_TEST

START_TEST(test_needs_unlink)
{
	close(open("/tmp/vmm-sandbox-unlink", O_WRONLY | O_CREAT, 0600));
	expect_exit(run_sandboxed_needs(SANDBOX_ON, SANDBOX_NEED_UNLINK,
					try_unlink),
		    0);
	close(open("/tmp/vmm-sandbox-unlink", O_WRONLY | O_CREAT, 0600));
	expect_exit(run_sandboxed(SANDBOX_ON, try_unlink), SANDBOX_EXIT_STATUS);
	unlink("/tmp/vmm-sandbox-unlink");
}
END_TEST

START_TEST(test_off_installs_nothing)
{
	expect_exit(run_sandboxed(SANDBOX_OFF, try_fork), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("seccomp");

	tcase_add_test(tc, test_on_forbidden_call_ends_vmm);
	tcase_add_test(tc, test_on_allowed_calls_work);
	tcase_add_test(tc, test_on_time_conversion_works);
	tcase_add_test(tc, test_on_no_executable_memory);
	tcase_add_test(tc, test_on_no_new_process);
	tcase_add_test(tc, test_log_mode_allows_and_logs);
	tcase_add_test(tc, test_off_installs_nothing);
	tcase_add_test(tc, test_needs_sockets);
	tcase_add_test(tc, test_needs_read_files);
	tcase_add_test(tc, test_needs_unlink);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
