/* serial: an 8250/16550A UART, the PC's COM port (see serial.h).
 *
 * Follows the National Semiconductor PC16550D datasheet: register map
 * (Table II), FIFO control (FCR), interrupt identification and priority
 * (Table IV), line status (LSR) and the loopback diagnostic mode (MCR bit 4).
 * Register constants come from <linux/serial_reg.h>. Depends on src/kvm only.
 */
#include "serial.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include "kvm.h"
#include "log.h"

#define SERIAL_NR_REGS	     8
#define SERIAL_FIFO_LEN	     16
#define SERIAL_HOST_BUF_LEN  4096
#define SERIAL_IIR_FIFO_BITS 0xc0 /* IIR bits 6-7: FIFOs enabled */
#define SERIAL_IER_MASK	     0x0f /* bits 4-7 of the IER are always 0 */
#define SERIAL_MCR_MASK	     0x1f /* bits 5-7 of the MCR are always 0 */
#define SERIAL_MSR_LINES     0xf0
/* Not in loopback, the far end holds CTS, DSR and DCD asserted: it is
 * always ready, so a driver that waits for them never waits. */
#define SERIAL_MSR_EXTERNAL (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
/* How long a vCPU may wait for out_fd to take a byte (see serial_emit). */
#define SERIAL_OUT_WAIT_MS 1000

/* A byte queue; used for the UART's receive FIFO and the host's buffer. */
struct serial_ring {
	uint8_t *data;
	unsigned int size, head, count;
};

struct serial {
	struct kvm_vm *vm;
	uint16_t port;
	uint32_t gsi;
	int out_fd;
	pthread_mutex_t lock; /* vCPUs and the host input thread */

	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;	   /* last FCR value that took effect */
	uint8_t lsr_err;   /* sticky LSR error bits, cleared by reading LSR */
	uint8_t msr;	   /* lines (bits 4-7) and their deltas (bits 0-3) */
	uint8_t rbr;	   /* last byte read; read again if none is left */
	bool thr_ipending; /* the THRE interrupt is latched */
	int irq_level;

	/* The guest sees rx_fifo; host input waits in host_buf until the
	 * receiver is open and the FIFO has room (serial_rx_refill). */
	struct serial_ring rx_fifo, host;
	uint8_t rx_fifo_buf[SERIAL_FIFO_LEN];
	uint8_t host_buf[SERIAL_HOST_BUF_LEN];

	bool out_stalled, out_broken;
	unsigned long out_dropped;
};

static void ring_init(struct serial_ring *r, uint8_t *data, unsigned int size)
{
	*r = (struct serial_ring){.data = data, .size = size};
}

static void ring_push(struct serial_ring *r, uint8_t byte)
{
	r->data[(r->head + r->count) % r->size] = byte;
	r->count++;
}

static uint8_t ring_pop(struct serial_ring *r)
{
	uint8_t byte = r->data[r->head];

	r->head = (r->head + 1) % r->size;
	r->count--;
	return byte;
}

static bool serial_fifo_enabled(const struct serial *s)
{
	return s->fcr & UART_FCR_ENABLE_FIFO;
}

static bool serial_loopback(const struct serial *s)
{
	return s->mcr & UART_MCR_LOOP;
}

/* Without FIFOs the receiver holds one byte (the RBR). */
static unsigned int serial_rx_capacity(const struct serial *s)
{
	return serial_fifo_enabled(s) ? SERIAL_FIFO_LEN : 1;
}

static unsigned int serial_rx_trigger(const struct serial *s)
{
	static const unsigned int level[4] = {1, 4, 8, 14};

	return level[UART_FCR_R_TRIG_BITS(s->fcr)];
}

/* The highest-priority enabled interrupt, as IIR bits 0-3 (Table IV). A
 * 16550 raises the character timeout once the FIFO, below its trigger level,
 * has been idle for four character times; input here arrives all at once,
 * so that idle time is taken to have passed already. */
static uint8_t serial_irq_source(const struct serial *s)
{
	unsigned int rx = s->rx_fifo.count;

	if ((s->ier & UART_IER_RLSI) && (s->lsr_err & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && rx) {
		if (serial_fifo_enabled(s) && rx < serial_rx_trigger(s))
			return UART_IIR_RX_TIMEOUT;
		return UART_IIR_RDI;
	}
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* The line is high while an enabled interrupt is pending. The IRQ is
 * edge-triggered on the ISA bus, so the guest sees a new interrupt only
 * after the line has dropped; the 8250 driver reads IIR until it says
 * "none", which is what lets the line drop. */
static void serial_update_irq(struct serial *s)
{
	int level = serial_irq_source(s) != UART_IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		kvm_irq_line(s->vm, s->gsi, level);
	}
}

/* Sets the modem status lines and the delta bits for those that changed.
 * In loopback the MCR outputs drive the inputs: DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD. TERI is set when RI goes from on to off. */
static void serial_update_msr(struct serial *s)
{
	uint8_t lines = SERIAL_MSR_EXTERNAL, changed;

	if (serial_loopback(s)) {
		lines = 0;
		if (s->mcr & UART_MCR_DTR)
			lines |= UART_MSR_DSR;
		if (s->mcr & UART_MCR_RTS)
			lines |= UART_MSR_CTS;
		if (s->mcr & UART_MCR_OUT1)
			lines |= UART_MSR_RI;
		if (s->mcr & UART_MCR_OUT2)
			lines |= UART_MSR_DCD;
	}
	changed = (s->msr ^ lines) & SERIAL_MSR_LINES;
	if (changed & UART_MSR_CTS)
		s->msr |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		s->msr |= UART_MSR_DDSR;
	if ((changed & UART_MSR_RI) && !(lines & UART_MSR_RI))
		s->msr |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		s->msr |= UART_MSR_DDCD;
	s->msr = (s->msr & UART_MSR_ANY_DELTA) | lines;
}

/* Host input flows only while the guest asserts RTS, as over a cable with
 * RTS/CTS flow control: a driver raises RTS when the port is opened, so
 * what the user typed before that is not thrown away by the FIFO resets of
 * the driver's probe. In loopback the receiver hears only the transmitter. */
static bool serial_rx_open(const struct serial *s)
{
	return !serial_loopback(s) && (s->mcr & UART_MCR_RTS);
}

static void serial_rx_refill(struct serial *s)
{
	while (serial_rx_open(s) && s->host.count &&
	       s->rx_fifo.count < serial_rx_capacity(s))
		ring_push(&s->rx_fifo, ring_pop(&s->host));
}

/* A byte arrives at the receiver with no room for it: an overrun. With
 * FIFOs the byte in the shift register is lost; without, it overwrites the
 * unread RBR (PC16550D, LSR bit 1). */
static void serial_rx_byte(struct serial *s, uint8_t byte)
{
	if (s->rx_fifo.count >= serial_rx_capacity(s)) {
		s->lsr_err |= UART_LSR_OE;
		if (serial_fifo_enabled(s))
			return;
		ring_pop(&s->rx_fifo);
	}
	ring_push(&s->rx_fifo, byte);
}

static void serial_deadline(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int serial_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Writes one byte to out_fd, waiting for room up to the deadline. Returns
 * 1 written, 0 no room in time, -errno on a write error. */
static int serial_write_until(int fd, uint8_t byte,
			      const struct timespec *deadline)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	ssize_t n;
	int ret;

	for (;;) {
		/* poll first: out_fd may be a blocking pipe that is full. */
		ret = poll(&pfd, 1, serial_ms_left(deadline));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret == 0)
			return 0;
		if (ret < 0)
			continue;
		n = write(fd, &byte, 1);
		if (n == 1)
			return 1;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (!serial_ms_left(deadline))
			return 0;
	}
}

/* Sends a transmitted byte to the host, unbuffered so that nothing is left
 * behind when the VM stops. A consumer that stops reading may hold a vCPU
 * for SERIAL_OUT_WAIT_MS once; after that the port counts as stalled and
 * drops bytes without waiting until out_fd takes one again. */
static void serial_emit(struct serial *s, uint8_t byte)
{
	struct timespec deadline;
	int ret;

	if (s->out_fd < 0 || s->out_broken)
		return;
	serial_deadline(&deadline, s->out_stalled ? 0 : SERIAL_OUT_WAIT_MS);
	ret = serial_write_until(s->out_fd, byte, &deadline);
	if (ret < 0) {
		log_warn("serial: cannot write output: %s; output disabled",
			 strerror(-ret));
		s->out_broken = true;
	} else if (ret == 0) {
		if (!s->out_stalled)
			log_warn("serial: output blocked for %d ms, dropping "
				 "output until it drains",
				 SERIAL_OUT_WAIT_MS);
		s->out_stalled = true;
		s->out_dropped++;
	} else if (s->out_stalled) {
		log_warn("serial: output resumed, %lu bytes dropped",
			 s->out_dropped);
		s->out_stalled = false;
		s->out_dropped = 0;
	}
}

/* A THR write. Transmission takes no time here, so the THR is empty again
 * at once and, with ETBEI set, the THRE interrupt is raised again (the
 * write cleared it, the emptying sets it). */
static void serial_write_thr(struct serial *s, uint8_t byte)
{
	if (serial_loopback(s))
		serial_rx_byte(s, byte);
	else
		serial_emit(s, byte);
	s->thr_ipending = s->ier & UART_IER_THRI;
}

/* Setting ETBEI while the THR is empty (always, here) raises THRE even if
 * an IIR read had cleared it: Linux's startup checks exactly this. */
static void serial_write_ier(struct serial *s, uint8_t val)
{
	uint8_t old = s->ier;

	s->ier = val & SERIAL_IER_MASK;
	if ((s->ier & ~old) & UART_IER_THRI)
		s->thr_ipending = true;
	else if (!(s->ier & UART_IER_THRI))
		s->thr_ipending = false;
}

/* FCR bit 0 gates the other bits; switching the FIFOs on or off empties
 * them. Transmission is instantaneous, so the transmit FIFO is always
 * empty and clearing it has nothing to do. */
static void serial_write_fcr(struct serial *s, uint8_t val)
{
	bool was_enabled = serial_fifo_enabled(s);

	if (!(val & UART_FCR_ENABLE_FIFO)) {
		s->fcr = 0;
		if (was_enabled)
			s->rx_fifo.count = 0;
		return;
	}
	if (!was_enabled || (val & UART_FCR_CLEAR_RCVR))
		s->rx_fifo.count = 0;
	s->fcr = val & (UART_FCR_ENABLE_FIFO | UART_FCR_DMA_SELECT |
			UART_FCR_TRIGGER_MASK);
}

static void serial_write_mcr(struct serial *s, uint8_t val)
{
	s->mcr = val & SERIAL_MCR_MASK;
	serial_update_msr(s);
}

static void serial_write_reg(struct serial *s, unsigned int reg, uint8_t val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->dll = val;
		else
			serial_write_thr(s, val);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = val;
		else
			serial_write_ier(s, val);
		break;
	case UART_FCR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		serial_write_mcr(s, val);
		break;
	case UART_SCR:
		s->scr = val;
		break;
	default: /* LSR and MSR are read-only (writes are for factory test) */
		break;
	}
	/* Any of the above may have opened the receiver or made room. */
	serial_rx_refill(s);
	serial_update_irq(s);
}

static uint8_t serial_read_rbr(struct serial *s)
{
	if (s->rx_fifo.count)
		s->rbr = ring_pop(&s->rx_fifo);
	return s->rbr;
}

/* Reading IIR acknowledges THRE when that is the interrupt it reports. */
static uint8_t serial_read_iir(struct serial *s)
{
	uint8_t source = serial_irq_source(s);

	if (source == UART_IIR_THRI)
		s->thr_ipending = false;
	return source | (serial_fifo_enabled(s) ? SERIAL_IIR_FIFO_BITS : 0);
}

static uint8_t serial_read_lsr(struct serial *s)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err;

	if (s->rx_fifo.count)
		lsr |= UART_LSR_DR;
	s->lsr_err = 0;
	return lsr;
}

static uint8_t serial_read_msr(struct serial *s)
{
	uint8_t msr = s->msr;

	s->msr &= ~UART_MSR_ANY_DELTA;
	return msr;
}

static uint8_t serial_read_reg(struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t val;

	switch (reg) {
	case UART_RX:
		val = dlab ? s->dll : serial_read_rbr(s);
		break;
	case UART_IER:
		val = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR:
		val = serial_read_iir(s);
		break;
	case UART_LCR:
		val = s->lcr;
		break;
	case UART_MCR:
		val = s->mcr;
		break;
	case UART_LSR:
		val = serial_read_lsr(s);
		break;
	case UART_MSR:
		val = serial_read_msr(s);
		break;
	default:
		val = s->scr;
		break;
	}
	serial_rx_refill(s);
	serial_update_irq(s);
	return val;
}

/* The UART is an 8-bit ISA device: a wider access reaches consecutive
 * registers one byte at a time, as the bus would split it. */
static void serial_pio_read(void *opaque, uint64_t off, void *data,
			    uint32_t len)
{
	struct serial *s = opaque;
	uint8_t *bytes = data;
	uint32_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < len; i++)
		bytes[i] = off + i < SERIAL_NR_REGS
				   ? serial_read_reg(s, off + i)
				   : 0xff;
	pthread_mutex_unlock(&s->lock);
}

static void serial_pio_write(void *opaque, uint64_t off, const void *data,
			     uint32_t len)
{
	struct serial *s = opaque;
	const uint8_t *bytes = data;
	uint32_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < len && off + i < SERIAL_NR_REGS; i++)
		serial_write_reg(s, off + i, bytes[i]);
	pthread_mutex_unlock(&s->lock);
}

static const struct iobus_ops serial_ops = {
	.read = serial_pio_read,
	.write = serial_pio_write,
};

struct serial *serial_create(struct kvm_vm *vm, uint16_t port, uint32_t gsi,
			     int out_fd)
{
	struct serial *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->vm = vm;
	s->port = port;
	s->gsi = gsi;
	s->out_fd = out_fd;
	s->dll = 12; /* 9600 baud from the PC's 1.8432 MHz clock */
	s->msr = SERIAL_MSR_EXTERNAL;
	ring_init(&s->rx_fifo, s->rx_fifo_buf, SERIAL_FIFO_LEN);
	ring_init(&s->host, s->host_buf, SERIAL_HOST_BUF_LEN);
	pthread_mutex_init(&s->lock, NULL);
	ret = iobus_register(&vm->pio, port, SERIAL_NR_REGS, &serial_ops, s,
			     "serial");
	if (ret < 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		errno = -ret;
		return NULL;
	}
	return s;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	iobus_unregister(&s->vm->pio, s->port);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

size_t serial_receive(struct serial *s, const void *buf, size_t len)
{
	const uint8_t *bytes = buf;
	size_t done = 0;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (done < len && s->host.count < s->host.size)
			ring_push(&s->host, bytes[done++]);
		serial_rx_refill(s);
		/* Stop when all is taken or the FIFO takes nothing more. */
		if (done == len || s->host.count == s->host.size)
			break;
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}
