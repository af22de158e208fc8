/* Unit tests for the --control socket (src/vmm/control.c): the command
 * words and their replies, a real client over the socket, a line that is
 * too long, a stale socket file replaced, a live one and a regular file
 * refused. No net device exists here, so "link" finds none; the link
 * itself is tested with virtio-net and in the net-link scenario.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "test_runner.h"

static const struct {
	const char *line;
	const char *reply;
} commands[] = {
	{"help", "OK commands: link ID up|down, help"},
	{"", "ERR empty command"},
	{"   ", "ERR empty command"},
	{"frobnicate", "ERR unknown command 'frobnicate' (try help)"},
	{"link", "ERR usage: link ID up|down"},
	{"link net0", "ERR usage: link ID up|down"},
	{"link net0 sideways", "ERR usage: link ID up|down"},
	{"link net0 down now", "ERR usage: link ID up|down"},
	{"link net0 down", "ERR no network device 'net0'"},
	{"link\tnet1 up\r", "ERR no network device 'net1'"},
};

START_TEST(test_command_table)
{
	char line[64], reply[256];

	snprintf(line, sizeof(line), "%s", commands[_i].line);
	control_command(NULL, line, reply, sizeof(reply));
	ck_assert_str_eq(reply, commands[_i].reply);
}
END_TEST

static char dir[] = "/tmp/vmm-control-XXXXXX";

static void make_path(char *path, size_t len, const char *name)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, len, "%s/%s", dir, name);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_ge(fd, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until a newline; returns the line without it. */
static void read_line(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t r;

	while (used + 1 < len) {
		r = read(fd, buf + used, 1);
		ck_assert_int_eq(r, 1);
		if (buf[used] == '\n')
			break;
		used++;
	}
	buf[used] = '\0';
}

START_TEST(test_socket_round_trip)
{
	char path[96], reply[256];
	struct control *c = NULL;
	char err[256];
	int fd;

	make_path(path, sizeof(path), "ctl");
	ck_assert_int_eq(control_start(path, NULL, &c, err, sizeof(err)), 0);
	fd = connect_to(path);
	ck_assert_int_ge(fd, 0);
	/* Two commands in one write, the second split across two. */
	ck_assert_int_eq(write(fd, "help\nlink net0 d", 16), 16);
	ck_assert_int_eq(write(fd, "own\n", 4), 4);
	read_line(fd, reply, sizeof(reply));
	ck_assert_str_eq(reply, "OK commands: link ID up|down, help");
	read_line(fd, reply, sizeof(reply));
	ck_assert_str_eq(reply, "ERR no network device 'net0'");
	close(fd);
	/* The next client is served after the first left. */
	fd = connect_to(path);
	ck_assert_int_eq(write(fd, "help\n", 5), 5);
	read_line(fd, reply, sizeof(reply));
	ck_assert_str_eq(reply, "OK commands: link ID up|down, help");
	close(fd);
	control_stop(c);
	ck_assert_int_eq(access(path, F_OK), -1); /* removed */
	rmdir(dir);
}
END_TEST

START_TEST(test_long_line_drops_client)
{
	char path[96], reply[256], junk[600];
	struct control *c = NULL;
	char err[256];
	ssize_t r;
	int fd;

	make_path(path, sizeof(path), "ctl");
	ck_assert_int_eq(control_start(path, NULL, &c, err, sizeof(err)), 0);
	fd = connect_to(path);
	memset(junk, 'x', sizeof(junk));
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), sizeof(junk));
	read_line(fd, reply, sizeof(reply));
	ck_assert_str_eq(reply, "ERR line too long");
	/* Hung up: EOF, or a reset since the rest of the line was unread. */
	r = read(fd, reply, 1);
	ck_assert(r == 0 || (r < 0 && errno == ECONNRESET));
	close(fd);
	control_stop(c);
	rmdir(dir);
}
END_TEST

START_TEST(test_stale_live_and_file)
{
	char path[96], err[256];
	struct control *c = NULL, *c2 = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;
	FILE *f;

	make_path(path, sizeof(path), "ctl");
	/* A socket file nobody listens on: replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(control_start(path, NULL, &c, err, sizeof(err)), 0);
	/* A live one: refused, and left alone. */
	ck_assert_int_eq(control_start(path, NULL, &c2, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Address already in use"));
	fd = connect_to(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	control_stop(c);
	/* A regular file: refused, not deleted. */
	f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(control_start(path, NULL, &c2, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "exists and is not a socket"));
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");

	tcase_add_loop_test(tc, test_command_table, 0,
			    sizeof(commands) / sizeof(commands[0]));
	tcase_add_test(tc, test_socket_round_trip);
	tcase_add_test(tc, test_long_line_drops_client);
	tcase_add_test(tc, test_stale_live_and_file);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
