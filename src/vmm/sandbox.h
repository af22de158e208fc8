/* sandbox: the seccomp allow-list every vmm thread runs under once the
 * machine is set up (libseccomp).
 *
 * After setup vmm only moves bytes between guest RAM, its open files and
 * KVM: no new files, sockets, processes or executable memory, unless a
 * device needs sockets or to read a file (enum sandbox_needs). The filter
 * is installed on every thread at once (TSYNC) just before the vCPUs
 * start, and the threads created after (the vCPUs) inherit it.
 */
#ifndef VMM_VMM_SANDBOX_H
#define VMM_VMM_SANDBOX_H

#include <stddef.h>

enum sandbox_mode {
	SANDBOX_ON,  /* a forbidden system call ends vmm (status 159) */
	SANDBOX_LOG, /* it is allowed, and the kernel logs it */
	SANDBOX_OFF, /* no filter */
};

/* Exit status after a forbidden system call: 128 + SIGSYS, as if the
 * kernel had killed vmm with it. */
#define SANDBOX_EXIT_STATUS 159

/* What the machine's devices need beyond the base list, which already
 * lets a thread accept and talk on sockets vmm holds (--control). */
enum sandbox_needs {
	/* New Unix, IPv4 and IPv6 sockets at run time: libslirp opens one
	 * per guest connection, virtio-vsock connects to host sockets. */
	SANDBOX_NEED_SOCKETS = 1u << 0,
	/* Opening files read-only: libslirp re-reads /etc/resolv.conf to
	 * follow the host's DNS server. Never for writing or creating. */
	SANDBOX_NEED_READ_FILES = 1u << 1,
	/* Removing files: the socket files vmm made (--control, vsock
	 * uds=), when it stops. */
	SANDBOX_NEED_UNLINK = 1u << 2,
};

/* Installs the filter for mode, widened by needs (enum sandbox_needs
 * bits), on every thread of the process. In ON mode a forbidden call
 * prints one line naming it, restores the terminal and exits with
 * SANDBOX_EXIT_STATUS. Returns 0, or -1 with a message in err. */
int sandbox_install(enum sandbox_mode mode, unsigned int needs, char *err,
		    size_t err_len);

#endif
