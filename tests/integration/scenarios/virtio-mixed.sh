# Both transports in one machine: the disk on virtio-mmio, found through
# the DSDT's LNRO0005 device, the entropy device on virtio-pci. The guest
# says where sysfs put each one, and uses both.
PATTERN_BYTES=262144
VMM_ARGS="--disk ${WORK:-}/disk.img,transport=mmio,serial=mixed0
	--device virtio-rng,transport=pci"

host_before() {
	dd if=/dev/zero of="$WORK/disk.img" bs=1048576 count=16 2>/dev/null
}

host_after() {
	echo "image_sha=$(head -c $PATTERN_BYTES "$WORK/disk.img" | sha256sum |
		cut -d' ' -f1)"
}

guest_main() {
	for d in /sys/bus/virtio/devices/*; do
		case $(cat "$d/device") in
		0x0002) blk=$d ;;
		0x0004) rng=$d ;;
		esac
	done
	report blk_transport "$(virtio_transport "$blk")"
	report blk_parent "$(basename "$(dirname "$(readlink -f "$blk")")")"
	report rng_transport "$(virtio_transport "$rng")"
	report serial "$(cat /sys/block/vda/serial)"
	yes mixed-pattern | head -c $PATTERN_BYTES >/tmp/pattern
	report pattern_sha "$(sha256sum </tmp/pattern | cut -d' ' -f1)"
	dd if=/tmp/pattern of=/dev/vda bs=65536 conv=fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	if head -c $PATTERN_BYTES /dev/vda | cmp -s - /tmp/pattern; then
		report readback ok
	else
		report readback mismatch
	fi
	report rng_bytes "$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null |
		wc -c)"
	# "5-fasteoi": IOAPIC pin 5, level-triggered (edge would be
	# "5-edge"), as the DSDT's Interrupt descriptor says.
	report blk_irq "$(grep -E " ${blk##*/}\$" /proc/interrupts |
		awk '{ print $(NF - 1) }')"
}

check() {
	expect_report blk_transport mmio && expect_report rng_transport pci &&
		expect_report blk_parent LNRO0005:00 &&
		expect_report blk_irq 5-fasteoi &&
		expect_report serial mixed0 && expect_report readback ok &&
		expect_report rng_bytes 64 &&
		expect_line "^host: image_sha=$(reported pattern_sha)\$"
}
