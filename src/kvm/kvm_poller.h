/* kvm_poller: one thread that waits on a set of eventfds (KVM_IOEVENTFD
 * kicks, KVM_IRQFD resample notifications) and calls a handler for each
 * that fires.
 *
 * Transports use it to take queue notifications without a vCPU exit. Plain
 * epoll(7) and eventfd(2); depends on nothing of ours.
 */
#ifndef VMM_KVM_KVM_POLLER_H
#define VMM_KVM_KVM_POLLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Called on the poller thread with the token an fd was added with. The
 * handler reads (drains) the fd itself. */
typedef void (*kvm_poller_fn)(void *opaque, uint32_t token);

struct kvm_poller {
	int epoll_fd, stop_efd;
	bool running;
	pthread_t thread;
	kvm_poller_fn fn;
	void *opaque;
};

/* Sets up an idle poller: 0 or -errno. */
int kvm_poller_init(struct kvm_poller *p, kvm_poller_fn fn, void *opaque);
/* Watches fd (readable = fired); token must not be UINT32_MAX. The fd
 * stays the caller's: close it only after kvm_poller_destroy. */
int kvm_poller_add(struct kvm_poller *p, int fd, uint32_t token);
/* Starts the thread; 0 or -errno. */
int kvm_poller_start(struct kvm_poller *p);
/* Stops and joins the thread (if started) and closes the poller's own fds.
 * Safe after any kvm_poller_init, even a failed one, and twice. */
void kvm_poller_destroy(struct kvm_poller *p);

#endif
