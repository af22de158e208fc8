/* dev: take a virtio-pci function away from Linux and reach its registers.
 *
 * virtio 1.3 §4.1.4 (the vendor capabilities that say which BAR and offset
 * hold the common configuration, notifications, ISR status and device
 * configuration), §4.1.4.3 (common configuration), §4.1.4.4 (notification
 * addresses). Uses sysfs only: driver unbind, the config file, resourceN.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>

#include "hostile.h"

#define VIRTIO_VENDOR 0x1af4
#define SYS_PCI	      "/sys/bus/pci/devices"

static unsigned long read_hex(const char *dir, const char *file)
{
	char path[160], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* A modern virtio-pci function has device id 0x1040 + the virtio type. */
static int find(struct dev *d, unsigned int virtio_id)
{
	DIR *dir = opendir(SYS_PCI);
	struct dirent *e;
	char path[96];

	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYS_PCI "/%.40s", e->d_name);
		if (read_hex(path, "vendor") == VIRTIO_VENDOR &&
		    read_hex(path, "device") == 0x1040 + virtio_id) {
			snprintf(d->bdf, sizeof(d->bdf), "%.31s", e->d_name);
			snprintf(d->path, sizeof(d->path), "%s", path);
			closedir(dir);
			return 0;
		}
	}
	closedir(dir);
	return -1;
}

/* Unbinding makes the driver reset the device and release its BARs; only
 * then may resourceN be mapped (CONFIG_IO_STRICT_DEVMEM refuses busy
 * ranges). */
static int unbind(struct dev *d)
{
	char link[160], target[160] = "", path[200];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/driver", d->path);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -1; /* no driver bound */
	target[n] = 0;
	snprintf(path, sizeof(path), "%s/unbind", link);
	if (write_str(path, d->bdf) < 0)
		return -1;
	printf("vmm-hostile: %s unbound from %s\n", d->bdf,
	       strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return 0;
}

int dev_cfg_read(struct dev *d, uint32_t off, void *buf, size_t len)
{
	return pread(d->cfg_fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

int dev_cfg_write(struct dev *d, uint32_t off, const void *buf, size_t len)
{
	return pwrite(d->cfg_fd, buf, len, off) == (ssize_t)len ? 0 : -1;
}

/* Memory decoding and bus mastering on, INTx masked: with MSI-X off (the
 * driver turned it off when it let go) the device would otherwise raise a
 * level interrupt nobody in this guest acknowledges. */
static int enable(struct dev *d)
{
	uint16_t cmd;

	if (dev_cfg_read(d, PCI_COMMAND, &cmd, 2) < 0)
		return -1;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	       PCI_COMMAND_INTX_DISABLE;
	return dev_cfg_write(d, PCI_COMMAND, &cmd, 2);
}

/* One vendor-specific capability (§4.1.4): where its structure lives. We
 * map one BAR, the common configuration's (vmm puts everything in BAR 0,
 * QEMU in BAR 4); a structure in another BAR is ignored. */
static void take_cap(struct dev *d, const uint8_t *cfg, uint8_t pos)
{
	const uint8_t *c = &cfg[pos];
	uint32_t off, len;

	memcpy(&off, &c[VIRTIO_PCI_CAP_OFFSET], 4);
	memcpy(&len, &c[VIRTIO_PCI_CAP_LENGTH], 4);
	if (c[VIRTIO_PCI_CAP_CFG_TYPE] == VIRTIO_PCI_CAP_PCI_CFG) {
		d->pci_cfg_cap = pos;
		return;
	}
	if (c[VIRTIO_PCI_CAP_BAR] != d->bar_idx)
		return;
	switch (c[VIRTIO_PCI_CAP_CFG_TYPE]) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		d->common = off;
		break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		d->notify = off;
		d->notify_len = len;
		memcpy(&d->notify_mult, &c[16], 4);
		break;
	case VIRTIO_PCI_CAP_ISR_CFG:
		d->isr = off;
		break;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		d->devcfg = off;
		d->devcfg_len = len;
		break;
	}
}

/* The vendor-specific capabilities, in list order; the walk is bounded
 * (48 capabilities fill the 192 bytes after the header). */
static int vendor_caps(const uint8_t *cfg, uint8_t *pos, int max)
{
	int n = 0, steps = 0;

	for (uint8_t p = cfg[PCI_CAPABILITY_LIST] & ~3;
	     p && p <= 256 - 20 && steps < 48 && n < max;
	     p = cfg[p + 1] & ~3, steps++)
		if (cfg[p] == PCI_CAP_ID_VNDR)
			pos[n++] = p;
	return n;
}

static int read_caps(struct dev *d)
{
	uint8_t cfg[256], pos[48];
	int n;

	if (dev_cfg_read(d, 0, cfg, sizeof(cfg)) < 0)
		return -1;
	n = vendor_caps(cfg, pos, 48);
	d->common = d->notify = d->isr = UINT32_MAX;
	d->bar_idx = 0xff;
	for (int i = 0; i < n && d->bar_idx == 0xff; i++)
		if (cfg[pos[i] + VIRTIO_PCI_CAP_CFG_TYPE] ==
		    VIRTIO_PCI_CAP_COMMON_CFG)
			d->bar_idx = cfg[pos[i] + VIRTIO_PCI_CAP_BAR];
	for (int i = 0; i < n; i++)
		take_cap(d, cfg, pos[i]);
	return d->common == UINT32_MAX || d->notify == UINT32_MAX ||
			       d->isr == UINT32_MAX
		       ? -1
		       : 0;
}

static int map_bar(struct dev *d)
{
	char path[128];
	unsigned long long start = 0, end = 0, flags;
	FILE *f;
	int fd, ok = 1;

	/* One "start end flags" line per BAR. */
	snprintf(path, sizeof(path), "%s/resource", d->path);
	f = fopen(path, "r");
	if (!f)
		return -1;
	for (int i = 0; i <= d->bar_idx && ok; i++)
		ok = fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3;
	fclose(f);
	if (!ok || !end)
		return -1;
	d->bar_gpa = start;
	d->bar_len = end - start + 1;
	snprintf(path, sizeof(path), "%s/resource%u", d->path, d->bar_idx);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return -1;
	d->bar = mmap(NULL, d->bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	close(fd);
	if (d->bar == MAP_FAILED) {
		d->bar = NULL;
		return -1;
	}
	return 0;
}

int dev_open(struct dev *d, unsigned int virtio_id)
{
	char path[128];
	const char *step;

	memset(d, 0, sizeof(*d));
	d->cfg_fd = -1;
	step = "find a virtio-pci function of that type";
	if (find(d, virtio_id) < 0)
		goto out_fail;
	step = "unbind its driver";
	if (unbind(d) < 0)
		goto out_fail;
	snprintf(path, sizeof(path), "%s/config", d->path);
	d->cfg_fd = open(path, O_RDWR);
	step = "enable memory decoding and bus mastering";
	if (d->cfg_fd < 0 || enable(d) < 0)
		goto out_fail;
	step = "read the virtio capabilities";
	if (read_caps(d) < 0)
		goto out_fail;
	step = "mmap the BAR";
	if (map_bar(d) < 0)
		goto out_fail;
	return 0;

out_fail:
	fprintf(stdout, "vmm-hostile: cannot %s (device type %u): %s\n", step,
		virtio_id, errno ? strerror(errno) : "not found");
	dev_close(d);
	return -1;
}

void dev_close(struct dev *d)
{
	if (d->bar)
		munmap((void *)d->bar, d->bar_len);
	if (d->cfg_fd >= 0)
		close(d->cfg_fd);
	d->bar = NULL;
	d->cfg_fd = -1;
}

/* ---- registers ---- */

uint64_t dev_read(struct dev *d, uint32_t off, unsigned int width)
{
	volatile uint8_t *p = d->bar + off;

	if (off >= d->bar_len || width > d->bar_len - off)
		return ~0ULL;
	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return *(volatile uint32_t *)p;
	default:
		return *(volatile uint64_t *)p;
	}
}

void dev_write(struct dev *d, uint32_t off, unsigned int width, uint64_t v)
{
	volatile uint8_t *p = d->bar + off;

	if (off >= d->bar_len || width > d->bar_len - off)
		return;
	/* Everything we stored in the rings before this is visible first:
	 * the device reads them after it sees the write (x86 keeps stores in
	 * order; the fence keeps the compiler from moving them). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	switch (width) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)p = v;
	}
}

uint64_t cc_read(struct dev *d, uint32_t field, unsigned int width)
{
	return dev_read(d, d->common + field, width);
}

void cc_write(struct dev *d, uint32_t field, unsigned int width, uint64_t v)
{
	dev_write(d, d->common + field, width, v);
}

uint8_t dev_status(struct dev *d)
{
	return (uint8_t)cc_read(d, VIRTIO_PCI_COMMON_STATUS, 1);
}

void dev_set_status(struct dev *d, uint8_t s)
{
	cc_write(d, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

int dev_reset(struct dev *d)
{
	struct timespec ms = {0, 1000000};

	dev_set_status(d, 0);
	for (int i = 0; i < 5000; i++) {
		if (dev_status(d) == 0)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

uint64_t dev_features(struct dev *d)
{
	uint64_t f;

	cc_write(d, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	f = cc_read(d, VIRTIO_PCI_COMMON_DF, 4);
	cc_write(d, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	return f | cc_read(d, VIRTIO_PCI_COMMON_DF, 4) << 32;
}

uint64_t dev_driver_features(struct dev *d)
{
	uint64_t f;

	cc_write(d, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	f = cc_read(d, VIRTIO_PCI_COMMON_GF, 4);
	cc_write(d, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	return f | cc_read(d, VIRTIO_PCI_COMMON_GF, 4) << 32;
}

void dev_set_driver_features(struct dev *d, uint64_t f)
{
	cc_write(d, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	cc_write(d, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	cc_write(d, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	cc_write(d, VIRTIO_PCI_COMMON_GF, 4, f >> 32);
}

/* §4.1.4.4: queue q's address is notify + queue_notify_off * multiplier. */
uint32_t dev_notify_off(struct dev *d, uint16_t q)
{
	uint16_t noff;

	cc_write(d, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	noff = (uint16_t)cc_read(d, VIRTIO_PCI_COMMON_Q_NOFF, 2);
	return d->notify + noff * d->notify_mult;
}

/* The driver writes the queue index (no NOTIFICATION_DATA here). */
void dev_notify(struct dev *d, uint16_t q)
{
	dev_write(d, dev_notify_off(d, q), 2, q);
}
