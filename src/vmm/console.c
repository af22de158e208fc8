/* console: host terminal and input thread for the guest console
 * (see console.h). Terminal handling follows termios(3): cfmakeraw-style
 * input, with output post-processing left on so vmm's own messages still
 * start at column 0.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kvm.h"
#include "log.h"

static struct termios saved_termios;
static int saved_fd = -1;

struct console {
	struct kvm_vm *vm;
	int in_fd;
	int wake_pipe[2]; /* console_stop() writes here to end the thread */
	pthread_t thread;
	bool running;
	bool is_tty;
	struct console_sink sink;
	struct console_escape escape;
};

static struct console the_console;

void console_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
		saved_fd = -1;
	}
}

static int enter_raw_mode(int fd)
{
	struct termios raw;

	if (tcgetattr(fd, &saved_termios) < 0)
		return -errno;
	raw = saved_termios;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			 ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0)
		return -errno;
	saved_fd = fd;
	atexit(console_restore);
	return 0;
}

enum console_action console_escape_feed(struct console_escape *e,
					unsigned char c)
{
	if (!e->pending) {
		if (c != CONSOLE_ESCAPE_KEY)
			return CONSOLE_PASS;
		e->pending = 1;
		return CONSOLE_SWALLOW;
	}
	e->pending = 0;
	if (c == 'x' || c == 'X')
		return CONSOLE_QUIT;
	/* Ctrl-A Ctrl-A sends one Ctrl-A; any other key is dropped. */
	return c == CONSOLE_ESCAPE_KEY ? CONSOLE_PASS : CONSOLE_SWALLOW;
}

/* Hands all of buf to the sink, waiting while the guest drains its buffer. */
static void deliver(struct console *c, const unsigned char *buf, size_t len)
{
	while (len && !kvm_vm_stopping(c->vm)) {
		size_t n = c->sink.fn(c->sink.opaque, buf, len);
		buf += n;
		len -= n;
		if (len)
			usleep(1000);
	}
}

/* Applies the escape keys (terminal only) and delivers what remains. */
static void handle_input(struct console *c, unsigned char *buf, size_t len)
{
	size_t kept = 0;

	if (!c->is_tty) {
		deliver(c, buf, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		switch (console_escape_feed(&c->escape, buf[i])) {
		case CONSOLE_PASS:
			buf[kept++] = buf[i];
			break;
		case CONSOLE_SWALLOW:
			break;
		case CONSOLE_QUIT:
			deliver(c, buf, kept);
			kvm_vm_request_stop(c->vm, VM_STOP_USER, 0);
			return;
		}
	}
	deliver(c, buf, kept);
}

static void *input_thread(void *arg)
{
	struct console *c = arg;
	unsigned char buf[256];

	while (!kvm_vm_stopping(c->vm)) {
		struct pollfd p[2] = {
			{.fd = c->in_fd, .events = POLLIN},
			{.fd = c->wake_pipe[0], .events = POLLIN}};
		ssize_t n;

		if (poll(p, 2, -1) <= 0 || p[1].revents)
			continue;
		n = read(c->in_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* end of input: the guest just gets no more */
		handle_input(c, buf, (size_t)n);
	}
	return NULL;
}

int console_start(struct kvm_vm *vm, int in_fd, const struct console_sink *s)
{
	struct console *c = &the_console;
	int ret;

	*c = (struct console){.vm = vm, .in_fd = in_fd, .sink = *s};
	if (pipe2(c->wake_pipe, O_CLOEXEC) < 0)
		return -errno;
	c->is_tty = isatty(in_fd);
	if (c->is_tty && (ret = enter_raw_mode(in_fd)) < 0)
		goto out_close;
	ret = -pthread_create(&c->thread, NULL, input_thread, c);
	if (ret)
		goto out_close;
	c->running = true;
	return 0;
out_close:
	close(c->wake_pipe[0]);
	close(c->wake_pipe[1]);
	return ret;
}

void console_stop(void)
{
	struct console *c = &the_console;

	if (!c->running)
		return;
	/* The VM is stopping, so the thread leaves its loop once woken. */
	if (write(c->wake_pipe[1], "", 1) < 0)
		log_warn("console: cannot wake the input thread");
	pthread_join(c->thread, NULL);
	close(c->wake_pipe[0]);
	close(c->wake_pipe[1]);
	c->running = false;
	console_restore();
}
