# Legacy virtio-mmio (version=1, virtio 1.3 §4.2.4: GuestPageSize and
# QueuePFN instead of separate ring addresses): Linux's virtio_mmio still
# drives it. A legacy device offers no VERSION_1 (feature bit 32: §2.2.3,
# that is how a driver tells it is legacy) and so no packed rings; the
# disk must work as on the modern layout, on a level-triggered line.
PATTERN_BYTES=262144
VMM_ARGS="--transport mmio --disk ${WORK:-}/disk.img,version=1
	--device virtio-rng,version=1"

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
	report blk_version_1 "$(cut -c 33 "$blk/features")"
	report blk_packed "$(cut -c 35 "$blk/features")"
	report rng_version_1 "$(cut -c 33 "$rng/features")"
	yes legacy-pattern | head -c $PATTERN_BYTES >/tmp/pattern
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
	report blk_irq "$(grep -E " ${blk##*/}\$" /proc/interrupts |
		awk '{ print $(NF - 1) }')"
}

check() {
	expect_report blk_transport mmio && expect_report blk_version_1 0 &&
		expect_report blk_packed 0 && expect_report rng_version_1 0 &&
		expect_report readback ok && expect_report rng_bytes 64 &&
		expect_report blk_irq 5-fasteoi &&
		expect_line "^host: image_sha=$(reported pattern_sha)\$"
}
