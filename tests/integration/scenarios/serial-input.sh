# Serial input: vmm's stdin reaches the guest's ttyS0. The guest runs its
# interactive shell; we type a command and 'exit', which powers off.
VMM_ARGS=""
GUEST_SHELL=1
VMM_STDIN='echo typed-$((6*7))
exit
'

check() {
	expect_line '^typed-42$'
}
