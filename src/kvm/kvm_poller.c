/* kvm_poller: an epoll thread over eventfds (see kvm_poller.h).
 *
 * The thread stops when its private stop eventfd fires; that fd carries
 * the token UINT32_MAX, which callers may not use.
 */
#include "kvm_poller.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define STOP_TOKEN UINT32_MAX

int kvm_poller_init(struct kvm_poller *p, kvm_poller_fn fn, void *opaque)
{
	int ret;

	p->running = false;
	p->fn = fn;
	p->opaque = opaque;
	p->stop_efd = -1;
	p->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epoll_fd < 0)
		return -errno;
	p->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (p->stop_efd < 0) {
		ret = -errno;
		goto out_close;
	}
	ret = kvm_poller_add(p, p->stop_efd, STOP_TOKEN);
	if (ret == 0)
		return 0;
	close(p->stop_efd);
out_close:
	close(p->epoll_fd);
	p->epoll_fd = p->stop_efd = -1;
	return ret;
}

int kvm_poller_add(struct kvm_poller *p, int fd, uint32_t token)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = token};

	return epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void *poller_thread(void *arg)
{
	struct kvm_poller *p = arg;
	struct epoll_event ev[8];

	for (;;) {
		int n = epoll_wait(p->epoll_fd, ev, 8, -1);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == STOP_TOKEN)
				return NULL;
			p->fn(p->opaque, ev[i].data.u32);
		}
	}
}

int kvm_poller_start(struct kvm_poller *p)
{
	int ret = pthread_create(&p->thread, NULL, poller_thread, p);

	if (ret)
		return -ret;
	p->running = true;
	return 0;
}

void kvm_poller_destroy(struct kvm_poller *p)
{
	uint64_t one = 1;

	if (p->running && write(p->stop_efd, &one, sizeof(one)) == sizeof(one))
		pthread_join(p->thread, NULL);
	p->running = false;
	if (p->epoll_fd >= 0)
		close(p->epoll_fd);
	if (p->stop_efd >= 0)
		close(p->stop_efd);
	p->epoll_fd = p->stop_efd = -1;
}
