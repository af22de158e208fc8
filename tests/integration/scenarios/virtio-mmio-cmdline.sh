# --mmio-cmdline: the virtio-mmio devices are announced on the kernel
# command line (virtio_mmio.device=SIZE@ADDR:IRQ) instead of in the DSDT.
# The stock Debian kernel is built without CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES,
# so it finds no device at all (docs/machine-layout.md says why a kernel
# with it would still need ACPI here): what is checked is that the words
# reach the guest exactly as the layout places the devices, and that ACPI
# no longer lists them (a kernel that read both would see each device
# twice).
VMM_ARGS="--transport mmio --mmio-cmdline --device virtio-rng
	--device virtio-rng,version=1"

guest_main() {
	words=
	for word in $(cat /proc/cmdline); do
		case $word in
		virtio_mmio.device=*) words="$words ${word#virtio_mmio.device=}" ;;
		esac
	done
	report cmdline_devices "${words# }"
	report acpi_lnro "$(ls -d /sys/bus/acpi/devices/LNRO0005:* 2>/dev/null |
		wc -l)"
	report virtio_devices "$(ls /sys/bus/virtio/devices | wc -l)"
}

check() {
	expect_report cmdline_devices "0x200@0xfeb00000:5 0x200@0xfeb01000:6" &&
		expect_report acpi_lnro 0 && expect_report virtio_devices 0
}
