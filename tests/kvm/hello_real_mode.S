/* hello_real_mode: the smallest guest vmm can run (vmm --raw).
 *
 * vmm copies this flat binary to guest-physical 0x1000 and starts the vCPU
 * in 16-bit real mode at 0000:1000. There is no BIOS: the program talks to
 * the hardware vmm emulates through I/O ports. Each `out` below is one
 * KVM_EXIT_IO that vmm's run loop hands to a device on its port bus.
 */
	.code16
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	$message, %si
	mov	$0x3f8, %dx		/* COM1 transmit register */
next_char:
	lodsb				/* al = *si++ */
	test	%al, %al
	jz	done
	out	%al, (%dx)
	jmp	next_char
done:
	mov	$0x501, %dx		/* debug exit: status = (v << 1) | 1 */
	mov	$0x2a, %al		/* 42, so vmm exits with 85 */
	out	%al, (%dx)
halt:
	hlt
	jmp	halt

message:
	.asciz	"Hello from real mode\n"
