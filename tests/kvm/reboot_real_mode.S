/* reboot_real_mode: a real-mode guest that prints "boot" and then resets
 * the machine through the keyboard controller (command 0xFE on port 0x64),
 * the way Linux's reboot=k does. Run under vmm --raw: the default
 * --reboot exit ends vmm with status 2; --reboot restart boots it again.
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
	lodsb
	test	%al, %al
	jz	reset
	out	%al, (%dx)
	jmp	next_char
reset:
	mov	$0xfe, %al		/* pulse the CPU reset line */
	out	%al, $0x64
halt:
	hlt
	jmp	halt

message:
	.asciz	"boot\n"
