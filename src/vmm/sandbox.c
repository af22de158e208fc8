/* sandbox: vmm's seccomp allow-list (see sandbox.h). Linux
 * Documentation/userspace-api/seccomp_filter.rst; libseccomp builds the
 * BPF program. Depends on libseccomp and console.h (terminal restore).
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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
	SCMP_SYS(getrandom),
};

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

	if (n > 0)
		(void)!write(STDERR_FILENO, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
	console_restore();
	_exit(SANDBOX_EXIT_STATUS);
}

static int add_rules(scmp_filter_ctx ctx)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(allowed) / sizeof(*allowed);
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
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

/* glibc sets some things up on first use, with calls the filter refuses:
 * do that now. The time zone: the first gmtime_r() or timegm() (the RTC,
 * on the guest's first clock read) opens /etc/localtime. */
static void warm_up_libc(void)
{
	tzset();
}

int sandbox_install(enum sandbox_mode mode, char *err, size_t err_len)
{
	scmp_filter_ctx ctx;
	int r;

	if (mode == SANDBOX_OFF)
		return 0;
	warm_up_libc();
	if (mode == SANDBOX_ON) {
		learn_syscall_names();
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
		r = add_rules(ctx);
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
