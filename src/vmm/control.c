/* control: the --control command socket (see control.h).
 *
 * The thread waits on the listening socket and an eventfd that asks it to
 * stop; it serves one client at a time, line by line. Lines are bounded:
 * a client that sends a longer one gets an error and is dropped.
 */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "device_table.h"
#include "log.h"

#define CONTROL_LINE_MAX 256

struct control {
	struct virtio_devices *v;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd, stop_fd;
	pthread_t thread;
	bool running;
};

static void link_command(struct virtio_devices *v, char *id, char *state,
			 char *reply, size_t len)
{
	bool up = state && !strcmp(state, "up");
	int ret;

	if (!id || !state || (!up && strcmp(state, "down"))) {
		snprintf(reply, len, "ERR usage: link ID up|down");
		return;
	}
	ret = device_table_set_link(v, id, up);
	if (ret == 0)
		snprintf(reply, len, "OK");
	else if (ret == -ENOENT)
		snprintf(reply, len, "ERR no network device '%s'", id);
	else if (ret == -EALREADY)
		snprintf(reply, len, "ERR link of %s is already %s", id, state);
	else
		snprintf(reply, len, "ERR %s", strerror(-ret));
}

void control_command(struct virtio_devices *v, char *line, char *reply,
		     size_t len)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t\r", &save);
	char *a1 = strtok_r(NULL, " \t\r", &save);
	char *a2 = strtok_r(NULL, " \t\r", &save);
	char *extra = strtok_r(NULL, " \t\r", &save);

	if (!cmd)
		snprintf(reply, len, "ERR empty command");
	else if (!strcmp(cmd, "help"))
		snprintf(reply, len, "OK commands: link ID up|down, help");
	else if (!strcmp(cmd, "link") && !extra)
		link_command(v, a1, a2, reply, len);
	else if (!strcmp(cmd, "link"))
		snprintf(reply, len, "ERR usage: link ID up|down");
	else
		snprintf(reply, len, "ERR unknown command '%.64s' (try help)",
			 cmd);
}

static bool send_line(int fd, const char *reply)
{
	char out[CONTROL_LINE_MAX + 2];
	int n = snprintf(out, sizeof(out), "%s\n", reply);

	return send(fd, out, (size_t)n, MSG_NOSIGNAL) == n;
}

/* Runs every complete line in buf[0, *used); keeps the rest. Returns
 * false if the client must go. */
static bool run_lines(struct control *c, int fd, char *buf, size_t *used)
{
	char reply[CONTROL_LINE_MAX];
	char *nl;

	while ((nl = memchr(buf, '\n', *used))) {
		*nl = '\0';
		control_command(c->v, buf, reply, sizeof(reply));
		if (!send_line(fd, reply))
			return false;
		*used -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *used);
	}
	if (*used == CONTROL_LINE_MAX) {
		send_line(fd, "ERR line too long");
		return false;
	}
	return true;
}

/* Serves one client until it leaves or vmm stops. Returns false on stop. */
static bool serve_client(struct control *c, int fd)
{
	char buf[CONTROL_LINE_MAX];
	size_t used = 0;
	struct pollfd p[2] = {{.fd = c->stop_fd, .events = POLLIN},
			      {.fd = fd, .events = POLLIN}};
	ssize_t r;

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return true;
		if (p[0].revents)
			return false;
		if (!p[1].revents)
			continue;
		r = recv(fd, buf + used, sizeof(buf) - used, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return true;
		used += (size_t)r;
		if (!run_lines(c, fd, buf, &used))
			return true;
	}
}

static void *control_main(void *arg)
{
	struct control *c = arg;
	struct pollfd p[2] = {{.fd = c->stop_fd, .events = POLLIN},
			      {.fd = c->listen_fd, .events = POLLIN}};
	bool go = true;
	int fd;

	while (go) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (!p[1].revents)
			continue;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		go = serve_client(c, fd);
		close(fd);
	}
	return NULL;
}

/* A socket file left behind by a vmm that is gone may be replaced; a live
 * one, or anything that is not a socket, may not. */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	return unlink(sa->sun_path) < 0 ? -errno : 0;
}

static int open_listener(struct control *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	ret = clear_stale(&sa);
	if (ret < 0)
		return ret;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return -errno;
	if (bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(c->listen_fd, 4) < 0)
		return -errno;
	strcpy(c->path, path);
	return 0;
}

int control_start(const char *path, struct virtio_devices *v,
		  struct control **out, char *err, size_t err_len)
{
	struct control *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		snprintf(err, err_len, "--control %s: out of memory", path);
		return -1;
	}
	c->v = v;
	c->listen_fd = -1;
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	ret = c->stop_fd < 0 ? -errno : open_listener(c, path);
	if (ret == 0) {
		ret = -pthread_create(&c->thread, NULL, control_main, c);
		c->running = ret == 0;
	}
	if (ret < 0) {
		snprintf(err, err_len, "--control %s: %s", path,
			 ret == -EEXIST ? "exists and is not a socket"
					: strerror(-ret));
		control_stop(c);
		return -1;
	}
	*out = c;
	return 0;
}

void control_stop(struct control *c)
{
	uint64_t one = 1;

	if (!c)
		return;
	if (c->running) {
		if (write(c->stop_fd, &one, sizeof(one)) < 0)
			log_warn("control: cannot stop the thread");
		pthread_join(c->thread, NULL);
	}
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->path[0])
		unlink(c->path);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	free(c);
}
