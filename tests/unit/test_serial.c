/* Unit tests for src/devices/serial.c: the 16550A register model, interrupt
 * rules, FIFOs, loopback, host input and output, and the probe sequence of
 * Linux's 8250 driver (drivers/tty/serial/8250/8250_port.c, 6.12). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include "fake_vm.h"
#include "serial.h"
#include "test_runner.h"

#define COM	 0x3f8
#define GSI	 4
#define IIR_FIFO 0xc0

static struct fake_vm f;
static struct serial *s;

static uint8_t uart_in(unsigned int reg)
{
	return fake_inb(&f, COM + reg);
}

static void uart_out(unsigned int reg, uint8_t val)
{
	fake_outb(&f, COM + reg, val);
}

static uint8_t data_ready(void)
{
	return uart_in(UART_LSR) & UART_LSR_DR;
}

static uint8_t msr_lines(void)
{
	return uart_in(UART_MSR) & 0xf0;
}

static void setup(void)
{
	fake_vm_init(&f, 0);
	s = serial_create(&f.vm, COM, GSI, -1);
	ck_assert_ptr_nonnull(s);
}

static void teardown(void)
{
	serial_destroy(s);
	fake_vm_destroy(&f);
}

/* Sends bytes through the transmitter in loopback, into our own FIFO. */
static void loop_in(const uint8_t *bytes, size_t len)
{
	uint8_t mcr = uart_in(UART_MCR);

	uart_out(UART_MCR, mcr | UART_MCR_LOOP);
	for (size_t i = 0; i < len; i++)
		uart_out(UART_TX, bytes[i]);
	uart_out(UART_MCR, mcr);
}

START_TEST(test_reset_state)
{
	ck_assert_uint_eq(uart_in(UART_IER), 0);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_uint_eq(uart_in(UART_LCR), 0);
	ck_assert_uint_eq(uart_in(UART_MCR), 0);
	ck_assert_uint_eq(uart_in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(uart_in(UART_MSR),
			  UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

/* Register, value written, value read back. */
static const struct {
	unsigned int reg;
	uint8_t val, expect;
} roundtrip_cases[] =
	{
		{UART_IER, 0x0f, 0x0f},
		{UART_IER, 0xff, 0x0f}, /* bits 4-7 are always 0 */
		{UART_IER, 0x40, 0x00}, /* no XScale UUE bit */
		{UART_LCR, 0x03, 0x03},
		{UART_LCR, 0x7f, 0x7f},
		{UART_LCR, 0xbf, 0xbf},
		{UART_MCR, 0x0b, 0x0b},
		{UART_MCR, 0xff, 0x1f}, /* no 16750 AFE, nothing above LOOP */
		{UART_SCR, 0xa5, 0xa5},
		{UART_SCR, 0x5a, 0x5a},
		{UART_SCR, 0x00, 0x00},
};

START_TEST(test_register_roundtrip)
{
	uart_out(roundtrip_cases[_i].reg, roundtrip_cases[_i].val);
	ck_assert_uint_eq(uart_in(roundtrip_cases[_i].reg),
			  roundtrip_cases[_i].expect);
}
END_TEST

START_TEST(test_divisor_latch)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe(p), 0);
	serial_destroy(s);
	s = serial_create(&f.vm, COM, GSI, p[1]);
	uart_out(UART_IER, UART_IER_RDI);
	uart_out(UART_LCR, UART_LCR_DLAB | 0x03);
	ck_assert_uint_eq(uart_in(UART_DLL), 12); /* reset divisor: 9600 baud */
	uart_out(UART_DLL, 0x01);
	uart_out(UART_DLM, 0x02);
	ck_assert_uint_eq(uart_in(UART_DLL), 0x01);
	ck_assert_uint_eq(uart_in(UART_DLM), 0x02);
	uart_out(UART_LCR, 0x03);
	/* The same offsets are now RBR/THR and IER, untouched. */
	ck_assert_uint_eq(uart_in(UART_IER), UART_IER_RDI);
	uart_out(UART_TX, 'x');
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	uart_out(UART_LCR, UART_LCR_DLAB);
	ck_assert_uint_eq(uart_in(UART_DLL), 0x01);
	ck_assert_uint_eq(uart_in(UART_DLM), 0x02);
	/* IIR/FCR and the rest do not depend on DLAB. */
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	uart_out(UART_SCR, 0x77);
	ck_assert_uint_eq(uart_in(UART_SCR), 0x77);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* All four sources pending at once come out in datasheet order, each
 * cleared by its own action. */
START_TEST(test_iir_priority)
{
	uart_out(UART_MCR, UART_MCR_LOOP); /* CTS/DSR/DCD drop: deltas */
	uart_out(UART_IER, 0x0f);	   /* ETBEI newly set: THRE */
	uart_out(UART_TX, 'a');
	uart_out(UART_TX, 'b'); /* no FIFO: overruns the unread 'a' */
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_RLSI);
	ck_assert_uint_eq(uart_in(UART_LSR), UART_LSR_DR | UART_LSR_OE |
						     UART_LSR_THRE |
						     UART_LSR_TEMT);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(uart_in(UART_RX), 'b');
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_MSI); /* THRE was read */
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(uart_in(UART_MSR),
			  UART_MSR_DDCD | UART_MSR_DDSR | UART_MSR_DCTS);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	ck_assert_uint_eq(f.irq_raises[GSI], 1);
}
END_TEST

/* A disabled source is not reported, and a lower one shows through. */
START_TEST(test_iir_masked_sources)
{
	uart_out(UART_MCR, UART_MCR_LOOP);
	uart_out(UART_TX, 'a');
	uart_out(UART_TX, 'b');
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT); /* IER is 0 */
	uart_out(UART_IER, UART_IER_MSI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_MSI);
	uart_out(UART_IER, UART_IER_RDI | UART_IER_MSI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_RDI);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	uart_out(UART_IER, 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

START_TEST(test_thre_rules)
{
	/* ETBEI set with the THR empty: raised. */
	uart_out(UART_IER, UART_IER_THRI);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	/* Reading IIR when it reports THRE clears it. */
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* Writing IER again without a 0 -> 1 change of ETBEI: nothing. */
	uart_out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	/* Toggling ETBEI re-raises it (Linux's UART_BUG_THRE test). */
	uart_out(UART_IER, 0);
	uart_out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
	ck_assert_uint_eq(f.irq_raises[GSI], 2);
	/* A THR write: the THR empties again at once, THRE is raised. */
	uart_out(UART_TX, 'x');
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(f.irq_raises[GSI], 3);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
	/* With ETBEI off, THR writes latch nothing... */
	uart_out(UART_IER, 0);
	uart_out(UART_TX, 'y');
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* ...until ETBEI is set while the THR is empty. */
	uart_out(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
}
END_TEST

/* A THRE interrupt that is not the reported source survives an IIR read. */
START_TEST(test_thre_survives_other_iir_read)
{
	const uint8_t b = 'z';

	loop_in(&b, 1);
	uart_out(UART_IER, UART_IER_THRI | UART_IER_RDI);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(uart_in(UART_RX), 'z');
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_THRI);
}
END_TEST

/* FCR trigger bits, and the level the RDI and timeout interrupts use. */
static const struct {
	uint8_t fcr;
	unsigned int level;
} trigger_cases[] = {
	{UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_1, 1},
	{UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_4, 4},
	{UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8, 8},
	{UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_14, 14},
};

/* What IIR should say with n bytes in the FIFO and RDI enabled. */
static uint8_t rx_iir(unsigned int n, unsigned int level)
{
	if (n == 0)
		return IIR_FIFO | UART_IIR_NO_INT;
	if (n < level)
		return IIR_FIFO | UART_IIR_RX_TIMEOUT;
	return IIR_FIFO | UART_IIR_RDI;
}

START_TEST(test_fifo_trigger_level)
{
	unsigned int level = trigger_cases[_i].level;
	uint8_t byte = 0;

	uart_out(UART_FCR, trigger_cases[_i].fcr);
	uart_out(UART_IER, UART_IER_RDI);
	for (unsigned int n = 1; n <= 16; n++, byte++) {
		loop_in(&byte, 1);
		ck_assert_uint_eq(uart_in(UART_IIR), rx_iir(n, level));
	}
	/* Drained below the level again: back to the timeout. */
	for (unsigned int n = 16; n > 0; n--) {
		ck_assert_uint_eq(uart_in(UART_RX), 16 - n);
		ck_assert_uint_eq(uart_in(UART_IIR), rx_iir(n - 1, level));
	}
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

START_TEST(test_fifo_enable_and_clear)
{
	const uint8_t bytes[5] = "abcde";

	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	ck_assert_uint_eq(uart_in(UART_IIR), IIR_FIFO | UART_IIR_NO_INT);
	loop_in(bytes, 5);
	ck_assert_uint_eq(data_ready(), UART_LSR_DR);
	/* Other FCR bits are ignored unless bit 0 is set in the same write;
	 * switching FIFOs off empties them. */
	uart_out(UART_FCR, UART_FCR_CLEAR_RCVR | UART_FCR_TRIGGER_14);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
	ck_assert_uint_eq(data_ready(), 0);
	/* Clearing the receive FIFO with FIFOs on. */
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	loop_in(bytes, 5);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_XMIT);
	ck_assert_uint_eq(uart_in(UART_RX),
			  'a'); /* XMIT clear leaves rx alone */
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	ck_assert_uint_eq(data_ready(), 0);
	/* Switching FIFOs on empties the holding register too. */
	uart_out(UART_FCR, 0);
	loop_in(bytes, 1);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	ck_assert_uint_eq(data_ready(), 0);
}
END_TEST

/* 20 bytes into a 16-byte FIFO: the first 16 are kept, OE is set once. */
START_TEST(test_fifo_overrun)
{
	uint8_t bytes[20];

	for (int i = 0; i < 20; i++)
		bytes[i] = 0x40 + i;
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	loop_in(bytes, 20);
	ck_assert_uint_eq(uart_in(UART_LSR), UART_LSR_DR | UART_LSR_OE |
						     UART_LSR_THRE |
						     UART_LSR_TEMT);
	for (int i = 0; i < 16; i++) {
		ck_assert_uint_eq(data_ready(), UART_LSR_DR);
		ck_assert_uint_eq(uart_in(UART_RX), 0x40 + i);
	}
	ck_assert_uint_eq(uart_in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

/* Loopback: MCR outputs appear as MSR inputs (DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD). */
static const struct {
	uint8_t mcr, msr_lines;
} loop_msr_cases[] = {
	{0, 0},
	{UART_MCR_DTR, UART_MSR_DSR},
	{UART_MCR_RTS, UART_MSR_CTS},
	{UART_MCR_OUT1, UART_MSR_RI},
	{UART_MCR_OUT2, UART_MSR_DCD},
	{UART_MCR_RTS | UART_MCR_OUT2, UART_MSR_CTS | UART_MSR_DCD},
	{0x0f, 0xf0},
};

START_TEST(test_loopback_msr)
{
	uart_out(UART_MCR, UART_MCR_LOOP | loop_msr_cases[_i].mcr);
	ck_assert_uint_eq(msr_lines(), loop_msr_cases[_i].msr_lines);
	uart_out(UART_MCR, 0);
	ck_assert_uint_eq(msr_lines(),
			  UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}
END_TEST

START_TEST(test_loopback_deltas)
{
	uart_out(UART_MCR, UART_MCR_LOOP | 0x0f); /* all lines on: DSR/CTS/DCD
						stay, RI rises */
	ck_assert_uint_eq(uart_in(UART_MSR), 0xf0);
	uart_out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS |
				   UART_MCR_OUT2); /* RI falls: TERI */
	ck_assert_uint_eq(uart_in(UART_MSR), 0xb0 | UART_MSR_TERI);
	ck_assert_uint_eq(uart_in(UART_MSR), 0xb0); /* deltas clear on read */
	uart_out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	ck_assert_uint_eq(uart_in(UART_MSR),
			  UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_DDCD);
	uart_out(UART_MCR,
		 UART_MCR_LOOP | UART_MCR_OUT1); /* RI rises: no TERI */
	ck_assert_uint_eq(uart_in(UART_MSR), UART_MSR_RI | UART_MSR_DCTS);
}
END_TEST

/* In loopback the transmitter feeds the receiver, not out_fd, and host
 * input is held back. */
START_TEST(test_loopback_data)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	serial_destroy(s);
	s = serial_create(&f.vm, COM, GSI, p[1]);
	uart_out(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	ck_assert_uint_eq(serial_receive(s, "h", 1), 1);
	uart_out(UART_TX, 'L');
	ck_assert_int_eq(read(p[0], &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(uart_in(UART_RX), 'L');
	ck_assert_uint_eq(data_ready(), 0);
	uart_out(UART_MCR,
		 UART_MCR_RTS); /* out of loopback: host input flows */
	ck_assert_uint_eq(data_ready(), UART_LSR_DR);
	ck_assert_uint_eq(uart_in(UART_RX), 'h');
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_receive_waits_for_rts)
{
	uart_out(UART_IER, UART_IER_RDI);
	ck_assert_uint_eq(serial_receive(s, "ok", 2), 2);
	ck_assert_uint_eq(data_ready(), 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	uart_out(UART_MCR, UART_MCR_DTR); /* DTR alone is not enough */
	ck_assert_uint_eq(data_ready(), 0);
	uart_out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(uart_in(UART_RX), 'o');
	ck_assert_uint_eq(uart_in(UART_RX), 'k');
	ck_assert_int_eq(f.irq_level[GSI], 0);
	ck_assert_uint_eq(uart_in(UART_IIR), UART_IIR_NO_INT);
}
END_TEST

/* The host buffer (4 KiB) plus the FIFO take what they can; the rest is
 * left to the caller, and nothing is lost or reordered. */
START_TEST(test_receive_buffer_full)
{
	static uint8_t buf[5000];
	size_t taken, more;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	uart_out(UART_MCR, UART_MCR_RTS);
	taken = serial_receive(s, buf, sizeof(buf));
	ck_assert_uint_eq(taken, 4096 + 16);
	ck_assert_uint_eq(serial_receive(s, buf + taken, 1), 0);
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(uart_in(UART_RX), buf[i]);
	more = serial_receive(s, buf + taken, sizeof(buf) - taken);
	ck_assert_uint_eq(more, 100);
	for (size_t i = 100; i < taken + more; i++) {
		ck_assert_uint_eq(data_ready(), UART_LSR_DR);
		ck_assert_uint_eq(uart_in(UART_RX), buf[i]);
	}
	ck_assert_uint_eq(data_ready(), 0);
	ck_assert_uint_eq(serial_receive(s, buf, 0), 0);
}
END_TEST

/* Without RTS nothing enters the FIFO, so only the host buffer fills. */
START_TEST(test_receive_full_without_rts)
{
	static uint8_t buf[5000];

	ck_assert_uint_eq(serial_receive(s, buf, sizeof(buf)), 4096);
	ck_assert_uint_eq(serial_receive(s, buf, 1), 0);
}
END_TEST

START_TEST(test_irq_level_transitions)
{
	uart_out(UART_MCR, UART_MCR_RTS);
	uart_out(UART_IER, UART_IER_RDI);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(serial_receive(s, "x", 1), 1);
		ck_assert_int_eq(f.irq_level[GSI], 1);
		uart_in(UART_RX);
		ck_assert_int_eq(f.irq_level[GSI], 0);
	}
	ck_assert_uint_eq(f.irq_raises[GSI], 3);
	/* No change, no call: a second byte while high is not a new raise. */
	serial_receive(s, "ab", 2);
	ck_assert_uint_eq(f.irq_raises[GSI], 4);
	uart_in(UART_RX);
	ck_assert_int_eq(f.irq_level[GSI], 1); /* 'b' arrived at once */
	uart_in(UART_RX);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	ck_assert_uint_eq(f.irq_raises[GSI], 4);
}
END_TEST

START_TEST(test_output_to_pipe)
{
	const char msg[] = "hello, world\n";
	char got[sizeof(msg)] = {0};
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	serial_destroy(s);
	s = serial_create(&f.vm, COM, GSI, p[1]);
	for (size_t i = 0; i < sizeof(msg) - 1; i++) {
		while (!(uart_in(UART_LSR) & UART_LSR_THRE))
			;
		uart_out(UART_TX, msg[i]);
	}
	ck_assert_int_eq(read(p[0], got, sizeof(got)), sizeof(msg) - 1);
	ck_assert_str_eq(got, msg);
	close(p[0]);
	close(p[1]);
}
END_TEST

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A full pipe holds the vCPU about a second once, then output is dropped
 * without waiting, and it resumes when the pipe drains. The write end is
 * blocking, as a shell's stdout usually is. */
START_TEST(test_output_stall)
{
	static char junk[1 << 16];
	int p[2], fl;
	double t0;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	fcntl(p[1], F_SETFL, fl);
	serial_destroy(s);
	s = serial_create(&f.vm, COM, GSI, p[1]);
	t0 = now_ms();
	uart_out(UART_TX, 'a');
	ck_assert_double_ge(now_ms() - t0, 900);
	ck_assert_double_le(now_ms() - t0, 3000);
	t0 = now_ms();
	uart_out(UART_TX, 'b');
	ck_assert_double_le(now_ms() - t0, 100);
	while (read(p[0], junk, sizeof(junk)) > 0)
		;
	uart_out(UART_TX, 'c');
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'c');
	close(p[0]);
	close(p[1]);
}
END_TEST

/* A closed reader: the write fails (SIGPIPE ignored, as vmm must), output
 * is switched off, the guest goes on. */
START_TEST(test_output_broken_pipe)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	serial_destroy(s);
	s = serial_create(&f.vm, COM, GSI, p[1]);
	uart_out(UART_TX, 'a');
	uart_out(UART_TX, 'b');
	ck_assert_uint_eq(uart_in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	close(p[1]);
}
END_TEST

/* 16-bit and 32-bit accesses reach consecutive registers, as the ISA bus
 * splits them into byte cycles. */
START_TEST(test_wide_access)
{
	fake_out(&f, COM + UART_LCR, 0x0b03, 2); /* LCR = 3, MCR = 0x0b */
	ck_assert_uint_eq(uart_in(UART_LCR), 0x03);
	ck_assert_uint_eq(uart_in(UART_MCR), 0x0b);
	uart_out(UART_SCR, 0x5a);
	ck_assert_uint_eq(fake_in(&f, COM + 4, 4),
			  0x5a000000u | (0xb0u << 16) |
				  ((UART_LSR_THRE | UART_LSR_TEMT) << 8) |
				  0x0b);
	/* Straddling the end of the UART: not ours, all-ones. */
	ck_assert_uint_eq(fake_in(&f, COM + 6, 4), 0xffffffffu);
}
END_TEST

START_TEST(test_create_errors)
{
	errno = 0;
	ck_assert_ptr_null(serial_create(&f.vm, COM + 4, GSI, -1));
	ck_assert_int_eq(errno, EEXIST);
	serial_destroy(NULL);
	serial_destroy(s);
	ck_assert_uint_eq(uart_in(UART_LSR), 0xff); /* gone from the bus */
	s = serial_create(&f.vm, COM + 4, GSI, -1);
	ck_assert_ptr_nonnull(s);
}
END_TEST

/* ---- The Linux 8250 driver's probe, step by step (8250_port.c) ---- */

/* size_fifo(): counts what loopback leaves in the receive FIFO. */
static int linux_size_fifo(void)
{
	uint8_t old_lcr, old_mcr, old_fcr, dll, dlm;
	int count;

	old_lcr = uart_in(UART_LCR);
	uart_out(UART_LCR, 0);
	old_fcr = uart_in(UART_FCR);
	old_mcr = uart_in(UART_MCR);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
				   UART_FCR_CLEAR_XMIT);
	uart_out(UART_MCR, UART_MCR_LOOP);
	uart_out(UART_LCR, UART_LCR_DLAB);
	dll = uart_in(UART_DLL);
	dlm = uart_in(UART_DLM);
	uart_out(UART_DLL, 1);
	uart_out(UART_DLM, 0);
	uart_out(UART_LCR, UART_LCR_WLEN8);
	for (count = 0; count < 256; count++)
		uart_out(UART_TX, count);
	for (count = 0; (data_ready()) && count < 256; count++)
		uart_in(UART_RX);
	uart_out(UART_FCR, old_fcr);
	uart_out(UART_MCR, old_mcr);
	uart_out(UART_LCR, UART_LCR_DLAB);
	uart_out(UART_DLL, dll);
	uart_out(UART_DLM, dlm);
	uart_out(UART_LCR, old_lcr);
	return count;
}

/* autoconfig_16550a() with CONFIG_SERIAL_8250_16550A_VARIANTS=y. */
static const char *linux_autoconfig_16550a(void)
{
	uint8_t st1, st2, iersave;

	uart_out(UART_LCR, UART_LCR_CONF_MODE_A);
	if (uart_in(UART_EFR) == 0)
		return "ST16C650V1/FSL64";
	uart_out(UART_LCR, UART_LCR_CONF_MODE_B);
	if (uart_in(UART_EFR) == 0)
		return "EFR UART";
	uart_out(UART_LCR, 0);
	st1 = uart_in(UART_MCR);
	uart_out(UART_LCR, 0xe0);
	st2 = uart_in(0x02);
	if (!((st2 ^ st1) & UART_MCR_LOOP)) {
		uart_out(UART_LCR, 0);
		uart_out(UART_MCR, st1 ^ UART_MCR_LOOP);
		uart_out(UART_LCR, 0xe0);
		st2 = uart_in(0x02);
		uart_out(UART_LCR, 0);
		uart_out(UART_MCR, st1);
		if ((st2 ^ st1) & UART_MCR_LOOP)
			return "NS16550A";
	}
	uart_out(UART_LCR, 0);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	st1 = uart_in(UART_IIR) & 0xe0;
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	uart_out(UART_LCR, UART_LCR_CONF_MODE_A);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	st2 = uart_in(UART_IIR) & 0xe0;
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	uart_out(UART_LCR, 0);
	if (st1 == 0xc0 && st2 == 0xe0)
		return "16750";
	iersave = uart_in(UART_IER);
	uart_out(UART_IER, iersave & ~UART_IER_UUE);
	if (!(uart_in(UART_IER) & UART_IER_UUE)) {
		uart_out(UART_IER, iersave | UART_IER_UUE);
		if (uart_in(UART_IER) & UART_IER_UUE)
			return "XScale";
	}
	uart_out(UART_IER, iersave);
	if (linux_size_fifo() == 64)
		return "U6_16550A";
	return "16550A";
}

/* autoconfig(): the IER test, the loopback test, then the IIR FIFO bits. */
static const char *linux_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, st;
	const char *type;

	scratch = uart_in(UART_IER);
	uart_out(UART_IER, 0);
	scratch2 = uart_in(UART_IER) & 0x0f;
	uart_out(UART_IER, 0x0f);
	scratch3 = uart_in(UART_IER) & 0x0f;
	uart_out(UART_IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "IER test failed";
	save_mcr = uart_in(UART_MCR);
	save_lcr = uart_in(UART_LCR);
	uart_out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	st = msr_lines();
	uart_out(UART_MCR, save_mcr);
	if (st != (UART_MSR_DCD | UART_MSR_CTS))
		return "LOOP test failed";
	uart_out(UART_LCR, UART_LCR_CONF_MODE_B);
	uart_out(UART_EFR, 0);
	uart_out(UART_LCR, 0);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	switch (uart_in(UART_IIR) >> 6) {
	case 0:
		type = "8250/16450";
		break;
	case 1:
		type = "unknown";
		break;
	case 2:
		type = "16550";
		break;
	default:
		type = linux_autoconfig_16550a();
		break;
	}
	uart_out(UART_LCR, save_lcr);
	uart_out(UART_MCR, save_mcr);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO); /* serial8250_clear_fifos */
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
				   UART_FCR_CLEAR_XMIT);
	uart_out(UART_FCR, 0);
	uart_in(UART_RX);
	uart_out(UART_IER, 0);
	return type;
}

#define BUG_THRE    1
#define BUG_TXEN    2
#define BUG_NO_UART 4

/* serial8250_do_startup(): the LSR sanity check, the THRE re-assert test
 * and the TX-enable test; returns the bugs Linux would flag. The console
 * left DTR on (uart_configure_port); startup adds OUT2, not RTS. */
static unsigned int linux_startup(void)
{
	unsigned int bugs = 0;
	uint8_t iir1, iir, lsr;

	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
				   UART_FCR_CLEAR_XMIT);
	uart_out(UART_FCR, 0);
	uart_in(UART_LSR);
	uart_in(UART_RX);
	uart_in(UART_IIR);
	uart_in(UART_MSR);
	if (uart_in(UART_LSR) == 0xff)
		return BUG_NO_UART;
	ck_assert(uart_in(UART_LSR) & UART_LSR_THRE); /* wait_for_xmitr */
	uart_out(UART_IER, UART_IER_THRI);
	iir1 = uart_in(UART_IIR);
	uart_out(UART_IER, 0);
	uart_out(UART_IER, UART_IER_THRI);
	iir = uart_in(UART_IIR);
	uart_out(UART_IER, 0);
	if (!(iir1 & UART_IIR_NO_INT) && (iir & UART_IIR_NO_INT))
		bugs |= BUG_THRE;
	uart_out(UART_LCR, UART_LCR_WLEN8);
	uart_out(UART_MCR, UART_MCR_DTR | UART_MCR_OUT2);
	uart_out(UART_IER, UART_IER_THRI);
	lsr = uart_in(UART_LSR);
	iir = uart_in(UART_IIR);
	uart_out(UART_IER, 0);
	if ((lsr & UART_LSR_TEMT) && (iir & UART_IIR_NO_INT))
		bugs |= BUG_TXEN;
	uart_in(UART_LSR);
	uart_in(UART_RX);
	uart_in(UART_IIR);
	uart_in(UART_MSR);
	return bugs;
}

START_TEST(test_linux_detects_16550a)
{
	ck_assert_str_eq(linux_autoconfig(), "16550A");
	ck_assert_int_eq(linux_size_fifo(), 16);
	ck_assert_uint_eq(linux_startup(), 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

/* Input typed before the driver opened the port survives the probe's and
 * startup's FIFO resets and register reads: it arrives when serial_core
 * raises RTS, after set_termios() (uart_port_startup()). */
START_TEST(test_linux_probe_keeps_early_input)
{
	uart_out(UART_MCR, UART_MCR_DTR); /* uart_configure_port() */
	ck_assert_uint_eq(serial_receive(s, "ls\n", 3), 3);
	ck_assert_str_eq(linux_autoconfig(), "16550A");
	ck_assert_uint_eq(linux_startup(), 0);
	uart_out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8); /* set_termios */
	uart_out(UART_DLL, 1);
	uart_out(UART_DLM, 0);
	uart_out(UART_LCR, UART_LCR_WLEN8);
	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8);
	uart_out(UART_IER, UART_IER_RLSI | UART_IER_RDI);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	uart_out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(uart_in(UART_IIR), IIR_FIFO | UART_IIR_RX_TIMEOUT);
	ck_assert_uint_eq(uart_in(UART_RX), 'l');
	ck_assert_uint_eq(uart_in(UART_RX), 's');
	ck_assert_uint_eq(uart_in(UART_RX), '\n');
	ck_assert_uint_eq(uart_in(UART_IIR), IIR_FIFO | UART_IIR_NO_INT);
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

/* A host thread feeds input while the "vCPU" drains it: every byte
 * arrives once and in order. */
static void *feeder(void *arg)
{
	uint8_t chunk[97];
	unsigned int next = 0;

	for (int n = 0; n < 200; n++) {
		size_t off = 0;

		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (uint8_t)next++;
		while (off < sizeof(chunk)) {
			off += serial_receive(s, chunk + off,
					      sizeof(chunk) - off);
			sched_yield();
		}
	}
	return arg;
}

START_TEST(test_concurrent_receive)
{
	pthread_t t;
	unsigned int total = 200 * 97;

	uart_out(UART_FCR, UART_FCR_ENABLE_FIFO);
	uart_out(UART_MCR, UART_MCR_RTS);
	ck_assert_int_eq(pthread_create(&t, NULL, feeder, NULL), 0);
	for (unsigned int i = 0; i < total;) {
		if (data_ready())
			ck_assert_uint_eq(uart_in(UART_RX), (uint8_t)i++);
	}
	pthread_join(t, NULL);
	ck_assert_uint_eq(data_ready(), 0);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("serial");
	TCase *tc = tcase_create("serial");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_reset_state);
	tcase_add_loop_test(tc, test_register_roundtrip, 0,
			    sizeof(roundtrip_cases) /
				    sizeof(roundtrip_cases[0]));
	tcase_add_test(tc, test_divisor_latch);
	tcase_add_test(tc, test_iir_priority);
	tcase_add_test(tc, test_iir_masked_sources);
	tcase_add_test(tc, test_thre_rules);
	tcase_add_test(tc, test_thre_survives_other_iir_read);
	tcase_add_loop_test(tc, test_fifo_trigger_level, 0,
			    sizeof(trigger_cases) / sizeof(trigger_cases[0]));
	tcase_add_test(tc, test_fifo_enable_and_clear);
	tcase_add_test(tc, test_fifo_overrun);
	tcase_add_loop_test(tc, test_loopback_msr, 0,
			    sizeof(loop_msr_cases) / sizeof(loop_msr_cases[0]));
	tcase_add_test(tc, test_loopback_deltas);
	tcase_add_test(tc, test_loopback_data);
	tcase_add_test(tc, test_receive_waits_for_rts);
	tcase_add_test(tc, test_receive_buffer_full);
	tcase_add_test(tc, test_receive_full_without_rts);
	tcase_add_test(tc, test_irq_level_transitions);
	tcase_add_test(tc, test_output_to_pipe);
	tcase_add_test(tc, test_output_stall);
	tcase_add_test(tc, test_output_broken_pipe);
	tcase_add_test(tc, test_wide_access);
	tcase_add_test(tc, test_create_errors);
	tcase_add_test(tc, test_linux_detects_16550a);
	tcase_add_test(tc, test_linux_probe_keeps_early_input);
	tcase_add_test(tc, test_concurrent_receive);
	suite_add_tcase(su, tc);
	return test_run_suite(su);
}
