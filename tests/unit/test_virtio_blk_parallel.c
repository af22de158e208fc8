/* Unit test: virtio-blk serves the requests of one queue in parallel
 * (src/devices/virtio_blk.c, VIRTIO_BLK_THREADS).
 *
 * The proof is a request that cannot finish: its data buffer lies in guest
 * RAM registered with userfaultfd and never populated, so the host thread
 * writing it to the image blocks inside pwritev. A second request on the
 * same queue must still complete; then the page is supplied and the first
 * one lands. With one thread per queue the second request would wait
 * forever. Needs userfaultfd for kernel-mode faults (root or
 * vm.unprivileged_userfaultfd=1): otherwise the program exits 77 (skip).
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_blk.h"

#define PAGE	      4096
#define TRAP_GPA      0x40000000ULL /* the userfaultfd region */
#define IMG_LEN	      (1 << 20)
#define WAIT_NS	      (5LL * 1000000000LL)
#define SETTLE_NS     (200LL * 1000000LL)
#define TOKEN_TRAPPED ((void *)1)
#define TOKEN_FREE    ((void *)2)

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_blk *blk;
static char path[64];
static int img_fd = -1, uffd = -1;
static void *trap; /* host side of the trapped page */

/* A userfaultfd that also catches the kernel's own accesses (no
 * UFFD_USER_MODE_ONLY), or -1. */
static int open_uffd(void)
{
	struct uffdio_api api = {.api = UFFD_API};
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void setup(void)
{
	struct uffdio_register reg;

	/* A userfaultfd belongs to the mm that made it: open it here, in
	 * the forked test process. */
	uffd = open_uffd();
	ck_assert_int_ge(uffd, 0);
	guest_ram_init(&ram, 4 << 20);
	trap = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(trap, MAP_FAILED);
	reg = (struct uffdio_register){
		.range = {.start = (uintptr_t)trap, .len = PAGE},
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	ck_assert_int_eq(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);
	ck_assert_int_eq(gmem_add_region(&ram.mem, TRAP_GPA, trap, PAGE), 0);

	strcpy(path, "/tmp/test_virtio_blk_parallel.XXXXXX");
	img_fd = mkstemp(path);
	ck_assert_int_ge(img_fd, 0);
	ck_assert_int_eq(ftruncate(img_fd, IMG_LEN), 0);
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	virtio_blk_destroy(blk);
	blk = NULL;
	close(img_fd);
	unlink(path);
	munmap(trap, PAGE);
	close(uffd);
	guest_ram_destroy(&ram);
}

/* Header, one data buffer, status byte; returns the status byte's gpa. */
static uint64_t send(uint32_t type, uint64_t sector, uint64_t data_gpa,
		     void *token)
{
	struct virtio_blk_outhdr h = {.type = htole32(type),
				      .sector = htole64(sector)};
	uint64_t status = guest_ram_alloc(&ram, 1, 1);
	struct drvq_buf b[3] = {
		{guest_ram_put(&ram, &h, sizeof(h)), sizeof(h), false},
		{data_gpa, PAGE, type == VIRTIO_BLK_T_IN},
		{status, 1, true},
	};

	*(uint8_t *)guest_ram_ptr(&ram, status, 1) = 0xee;
	ck_assert_int_eq(fake_transport_send(&ft, 0, b, 3, false, token), 0);
	return status;
}

/* The next completion on queue 0 within wait_ns, or NULL. */
static void *next_used(long long wait_ns)
{
	uint32_t len;

	return fake_transport_wait_used(&ft, 0, &len, wait_ns);
}

/* Gives the trapped page its bytes, waking the blocked host thread. */
static void supply_page(uint8_t fill)
{
	static uint8_t src[PAGE] __attribute__((aligned(PAGE)));
	struct uffdio_copy copy = {
		.dst = (uintptr_t)trap,
		.src = (uintptr_t)src,
		.len = PAGE,
	};

	memset(src, fill, PAGE);
	ck_assert_int_eq(ioctl(uffd, UFFDIO_COPY, &copy), 0);
}

START_TEST(test_blocked_request_does_not_hold_the_queue)
{
	struct virtio_blk_options o = {.path = path};
	uint64_t free_buf = guest_ram_alloc(&ram, PAGE, PAGE);
	uint64_t trapped_status, free_status;
	uint8_t disk[PAGE];

	ck_assert_int_eq(virtio_blk_create(&o, &ram.mem, &blk), 0);
	fake_transport_init(&ft, virtio_blk_vdev(blk), &ram);
	ck_assert_int_eq(
		fake_transport_probe(&ft, FT_LINUX_FEATURES |
						  ((_i & 1) ? FT_PACKED : 0)),
		0);

	/* A write from the trapped page: its thread blocks in pwritev. */
	trapped_status = send(VIRTIO_BLK_T_OUT, 0, TRAP_GPA, TOKEN_TRAPPED);
	ck_assert_ptr_null(next_used(SETTLE_NS));
	/* A read on the same queue completes meanwhile. */
	free_status = send(VIRTIO_BLK_T_IN, 8, free_buf, TOKEN_FREE);
	ck_assert_ptr_eq(next_used(WAIT_NS), TOKEN_FREE);
	ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(&ram, free_status, 1),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(&ram, trapped_status, 1),
			  0xee);

	supply_page(0x5a);
	ck_assert_ptr_eq(next_used(WAIT_NS), TOKEN_TRAPPED);
	ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(&ram, trapped_status, 1),
			  VIRTIO_BLK_S_OK);
	ck_assert_int_eq(pread(img_fd, disk, PAGE, 0), PAGE);
	for (unsigned int i = 0; i < PAGE; i++)
		ck_assert_uint_eq(disk[i], 0x5a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_blk_parallel");
	TCase *tc = tcase_create("parallel");
	int probe = open_uffd();

	if (probe < 0) {
		fprintf(stderr,
			"test_virtio_blk_parallel: userfaultfd for "
			"kernel faults unavailable (%s): skipped\n",
			strerror(errno));
		return 77;
	}
	close(probe);
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Completions are awaited with deadlines of their own; Check's 4 s
	 * default is too short on a loaded machine. */
	tcase_set_timeout(tc, 60);
	/* _i: 0 split ring, 1 packed ring. */
	tcase_add_loop_test(tc, test_blocked_request_does_not_hold_the_queue, 0,
			    2);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
