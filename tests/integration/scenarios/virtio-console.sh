# --console virtio: the guest console is hvc0, port 0 of a virtio-console
# on virtio-pci (and, as virtio-console-mmio, on virtio-mmio, where hvc0
# appears only once /init has loaded virtio_mmio). The shell there gets
# typed input through vmm's stdin and its output comes back on vmm's stdout.
TRANSPORTS="pci mmio"
VMM_ARGS="--console virtio"
GUEST_SHELL=1
VMM_STDIN='echo hvc-$((6*7))
echo active=$(cat /sys/class/tty/console/active)
exit
'

check() {
	expect_line '^hvc-42$' && expect_line '^active=hvc0$'
}
