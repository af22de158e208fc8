# virtio-blk and virtio-rng, on virtio-pci and (as virtio-blk-packed-mmio
# and virtio-blk-split-mmio) on virtio-mmio. This file serves two
# scenarios: virtio-blk-packed (the default offer: the guest negotiates
# packed rings, feature bit 34) and virtio-blk-split (a symlink here;
# packed=off pins split rings). The guest finds /dev/vda and /dev/hwrng,
# writes a pattern, fsyncs, drops its caches and reads it back; after vmm
# exits the host checks the image's bytes.
TRANSPORTS="pci mmio"
case "${name:-}${scenario:-}" in
*split*) RING=split PACKED=off ;;
*) RING=packed PACKED=on ;;
esac
PATTERN_BYTES=1048576
VMM_ARGS="--disk ${WORK:-}/disk.img,serial=vmmdisk0,packed=$PACKED
	--device virtio-rng,packed=$PACKED"

host_before() {
	dd if=/dev/zero of="$WORK/disk.img" bs=1048576 count=64 2>/dev/null
}

host_after() {
	echo "image_sha=$(head -c $PATTERN_BYTES "$WORK/disk.img" | sha256sum |
		cut -d' ' -f1)"
}

# The guest's features file is a string of 0/1 characters, bit 0 first.
feature_bit() { # device-dir bit
	cut -c $(($2 + 1)) "$1/features"
}

guest_main() {
	for d in /sys/bus/virtio/devices/*; do
		case $(cat "$d/device") in
		0x0002) blk=$d ;;
		0x0004) rng=$d ;;
		esac
	done
	report blk_packed "$(feature_bit "$blk" 34)"
	report rng_packed "$(feature_bit "$rng" 34)"
	report serial "$(cat /sys/block/vda/serial)"
	report size_sectors "$(cat /sys/block/vda/size)"
	yes vmm-pattern | head -c $PATTERN_BYTES >/tmp/pattern
	report pattern_sha "$(sha256sum </tmp/pattern | cut -d' ' -f1)"
	dd if=/tmp/pattern of=/dev/vda bs=65536 conv=fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	if head -c $PATTERN_BYTES /dev/vda | cmp -s - /tmp/pattern; then
		report readback ok
	else
		report readback mismatch
	fi
	report rng_device "$(cat /sys/class/misc/hw_random/rng_current)"
	report rng_bytes "$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null |
		wc -c)"
}

check() {
	local want=1
	[ "$RING" = split ] && want=0
	expect_report blk_packed $want && expect_report rng_packed $want &&
		expect_report serial vmmdisk0 &&
		expect_report size_sectors 131072 &&
		expect_report readback ok &&
		expect_report rng_device virtio_rng.0 &&
		expect_report rng_bytes 64 &&
		expect_line "^host: image_sha=$(reported pattern_sha)\$"
}
