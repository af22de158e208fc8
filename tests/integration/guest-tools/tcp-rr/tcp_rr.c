/*
 * tcp-rr: TCP request/response latency, in the manner of netperf's TCP_RR.
 * The client sends one byte, the server sends it back, COUNT times on one
 * connection with Nagle off; the client prints the mean and median round
 * trip in microseconds. tools/bench/net.sh runs the server on the host and
 * the client in the guest. Static, libc only.
 *
 * usage: tcp-rr server PORT        (serves one connection after another)
 *        tcp-rr client HOST PORT COUNT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void no_delay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int serve(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port)};
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	char byte;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4)) {
		perror("tcp-rr: listen");
		return 1;
	}
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		no_delay(fd);
		while (read(fd, &byte, 1) == 1 && write(fd, &byte, 1) == 1)
			;
		close(fd);
	}
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int client(const char *host, int port, int count)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double *rtt = calloc(count, sizeof(*rtt)), sum = 0;
	char byte = 'r';

	if (fd < 0 || !rtt || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("tcp-rr: connect");
		return 1;
	}
	no_delay(fd);
	for (int i = 0; i < count; i++) {
		double start = now_us();

		if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1) {
			fprintf(stderr, "tcp-rr: connection lost\n");
			return 1;
		}
		rtt[i] = now_us() - start;
		sum += rtt[i];
	}
	qsort(rtt, count, sizeof(*rtt), by_value);
	printf("mean_us=%.1f median_us=%.1f count=%d\n", sum / count,
	       rtt[count / 2], count);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client") && atoi(argv[4]) > 0)
		return client(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: tcp-rr server PORT | client HOST PORT COUNT\n");
	return 2;
}
