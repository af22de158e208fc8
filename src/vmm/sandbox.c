/* sandbox: vmm's seccomp allow-list (see sandbox.h). Linux
 * Documentation/userspace-api/seccomp_filter.rst; libseccomp builds the
 * BPF program. Depends on libseccomp and console.h (terminal restore).
 */
#include "sandbox.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

/* Allowed with any arguments: memory, threads' synchronisation, signals,
 * time, and I/O on descriptors vmm already holds. */
static const int allowed[] = {
	SCMP_SYS(read),		 SCMP_SYS(write),
	SCMP_SYS(readv),	 SCMP_SYS(writev),
	SCMP_SYS(pread64),	 SCMP_SYS(pwrite64),
	SCMP_SYS(preadv),	 SCMP_SYS(pwritev),
	SCMP_SYS(preadv2),	 SCMP_SYS(pwritev2),
	SCMP_SYS(lseek),	 SCMP_SYS(close),
	SCMP_SYS(fstat),	 SCMP_SYS(newfstatat),
	SCMP_SYS(fcntl),	 SCMP_SYS(fdatasync),
	SCMP_SYS(fsync),	 SCMP_SYS(fallocate),
	SCMP_SYS(poll),		 SCMP_SYS(ppoll),
	SCMP_SYS(epoll_wait),	 SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl),	 SCMP_SYS(eventfd2),
	SCMP_SYS(futex),	 SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),		 SCMP_SYS(sched_yield),
	SCMP_SYS(munmap),	 SCMP_SYS(madvise),
	SCMP_SYS(brk),		 SCMP_SYS(mremap),
	SCMP_SYS(rt_sigaction),	 SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),	 SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(sigaltstack),	 SCMP_SYS(tgkill),
	SCMP_SYS(tkill),	 SCMP_SYS(getpid),
	SCMP_SYS(gettid),	 SCMP_SYS(exit),
	SCMP_SYS(exit_group),	 SCMP_SYS(restart_syscall),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),	 SCMP_SYS(gettimeofday),
	SCMP_SYS(getrandom),	 SCMP_SYS(sched_getaffinity),
	SCMP_SYS(accept),	 SCMP_SYS(accept4),
	SCMP_SYS(sendto),	 SCMP_SYS(recvfrom),
	SCMP_SYS(sendmsg),	 SCMP_SYS(recvmsg),
	SCMP_SYS(shutdown),
};

/* SANDBOX_NEED_SOCKETS: making sockets and connections (socket() itself
 * only for the families in socket_families). */
static const int allowed_for_sockets[] = {
	SCMP_SYS(connect),     SCMP_SYS(bind),	     SCMP_SYS(listen),
	SCMP_SYS(setsockopt),  SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(socketpair),
};
static const int socket_families[] = {AF_UNIX, AF_INET, AF_INET6};

/* Sanitizer builds only (never a normal build): LeakSanitizer's check at
 * exit stops the process's threads from a helper process it clones and
 * ptraces, after reading /proc. Without these the check itself would be
 * "forbidden" and every sanitizer run would end in status 159. */
#if defined(__SANITIZE_ADDRESS__)
static const int allowed_for_sanitizers[] = {
	SCMP_SYS(prctl),     SCMP_SYS(ptrace),	   SCMP_SYS(wait4),
	SCMP_SYS(clone),     SCMP_SYS(openat),	   SCMP_SYS(getdents64),
	SCMP_SYS(readlink),  SCMP_SYS(readlinkat), SCMP_SYS(sysinfo),
	SCMP_SYS(prlimit64), SCMP_SYS(getppid),	   SCMP_SYS(pipe2),
	SCMP_SYS(open),	     SCMP_SYS(getdents),
};
#endif

/* ioctl only with these requests: running vCPUs, interrupts and
 * notifications (KVM), the register dump after a crash, the terminal,
 * block-device images. */
static const unsigned long allowed_ioctls[] = {
	KVM_RUN,
	KVM_IRQ_LINE,
	KVM_IRQ_LINE_STATUS,
	KVM_SET_GSI_ROUTING,
	KVM_IRQFD,
	KVM_IOEVENTFD,
	KVM_SIGNAL_MSI,
	KVM_GET_REGS,
	KVM_GET_SREGS,
	KVM_GET_LAPIC,
	TCGETS,
	TCSETS,
	TCSETSW,
	TCSETSF,
	TIOCGWINSZ,
	FIONBIO,
	FIONREAD,
	BLKGETSIZE64,
	BLKSSZGET,
	BLKDISCARD,
	BLKZEROOUT,
	TUNSETOFFLOAD,
};

/* System call names for the message, looked up when the filter is
 * installed: the handler must not allocate (the forbidden call may come
 * from inside fork(), which holds the allocator's locks). */
#define SYSCALL_NAMES	 512
#define SYSCALL_NAME_MAX 24
static char syscall_names[SYSCALL_NAMES][SYSCALL_NAME_MAX];

static void learn_syscall_names(void)
{
	char *name;

	for (int nr = 0; nr < SYSCALL_NAMES; nr++) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name)
			snprintf(syscall_names[nr], SYSCALL_NAME_MAX, "%s",
				 name);
		free(name);
	}
}

/* In ON mode: name the call, put the terminal back, end vmm. Only
 * async-signal-safe work here (snprintf of integers and strings does not
 * allocate in glibc). */
static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	int nr = info->si_syscall;
	const char *name = nr >= 0 && nr < SYSCALL_NAMES && syscall_names[nr][0]
				   ? syscall_names[nr]
				   : "?";
	char line[160];
	int n = snprintf(line, sizeof(line),
			 "vmm: seccomp: forbidden system call %s (%d); "
			 "stopping\n",
			 name, nr);

	void *frames[32];

	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
	/* Where it came from (addr2line -e vmm turns +0x... into lines). */
	backtrace_symbols_fd(frames, backtrace(frames, 32), STDERR_FILENO);
	console_restore();
	_exit(SANDBOX_EXIT_STATUS);
}

static int add_list(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
	return r;
}

static int add_needs(scmp_filter_ctx ctx, unsigned int needs)
{
	const size_t nr_families =
		sizeof(socket_families) / sizeof(*socket_families);
	int r = 0;

	if (needs & SANDBOX_NEED_SOCKETS) {
		r = add_list(ctx, allowed_for_sockets,
			     sizeof(allowed_for_sockets) /
				     sizeof(*allowed_for_sockets));
		for (size_t i = 0; r == 0 && i < nr_families; i++)
			r = seccomp_rule_add(
				ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				SCMP_A0(SCMP_CMP_EQ, socket_families[i]));
	}
	if (r == 0 && (needs & SANDBOX_NEED_UNLINK))
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlink), 0);
	/* Read-only: no write access, no creating, no truncating. */
	if (r == 0 && (needs & SANDBOX_NEED_READ_FILES))
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ,
					     O_ACCMODE | O_CREAT | O_TRUNC,
					     O_RDONLY));
	return r;
}

static int add_rules(scmp_filter_ctx ctx, unsigned int needs)
{
	int r = add_needs(ctx, needs);

	if (r == 0)
		r = add_list(ctx, allowed, sizeof(allowed) / sizeof(*allowed));
#if defined(__SANITIZE_ADDRESS__)
	for (size_t i = 0;
	     r == 0 && i < sizeof(allowed_for_sanitizers) /
				       sizeof(*allowed_for_sanitizers);
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				     allowed_for_sanitizers[i], 0);
#endif
	for (size_t i = 0;
	     r == 0 && i < sizeof(allowed_ioctls) / sizeof(*allowed_ioctls);
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
	/* Memory, but never executable: no new code in a running vmm. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* Threads, never processes. clone3 hides its flags behind a
	 * pointer, so it says "not here" and glibc falls back to clone. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					     CLONE_THREAD));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(clone3), 0);
	return r;
}

static int install_sigsys_handler(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys,
			       .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int sandbox_install(enum sandbox_mode mode, unsigned int needs, char *err,
		    size_t err_len)
{
	scmp_filter_ctx ctx;
	int r;

	if (mode == SANDBOX_OFF)
		return 0;
	/* glibc reads the time zone file on the first gmtime_r() (the RTC
	 * calls it when the guest reads the clock): read it now. */
	tzset();
	if (mode == SANDBOX_ON) {
		learn_syscall_names();
		/* The first backtrace() loads libgcc_s: do it while open()
		 * is still allowed. */
		void *frame;
		backtrace(&frame, 1);
		r = install_sigsys_handler();
		if (r < 0)
			goto out_err;
	}
	ctx = seccomp_init(mode == SANDBOX_ON ? SCMP_ACT_TRAP : SCMP_ACT_LOG);
	if (!ctx) {
		r = -ENOMEM;
		goto out_err;
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0)
		r = add_rules(ctx, needs);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r == 0)
		return 0;
out_err:
	snprintf(err, err_len, "cannot install the seccomp filter: %s",
		 strerror(-r));
	return -1;
}
