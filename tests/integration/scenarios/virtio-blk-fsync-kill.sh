# virtio-blk durability: what the guest flushed is in the image files even
# when vmm is SIGKILLed the moment the guest says so, so vmm gets no chance
# to write anything on its way out. One disk per cache mode: vda through
# the host page cache (cache=writeback), vdb with O_DIRECT (cache=none).
VMM_ARGS="--disk ${WORK:-}/wb.img --disk ${WORK:-}/direct.img,cache=none"
VMM_KILL_AFTER='vmm-report: flushed='
EXPECT_STATUS=137

host_before() {
	for img in wb direct; do
		dd if=/dev/zero of="$WORK/$img.img" bs=1048576 count=32 2>/dev/null
	done
}

# 4 MiB at 8 MiB into each image.
host_after() {
	for img in wb direct; do
		echo "${img}_sha=$(dd if="$WORK/$img.img" bs=1048576 skip=8 count=4 \
			2>/dev/null | sha256sum | cut -d' ' -f1)"
	done
}

guest_main() {
	head -c 4194304 /dev/urandom >/tmp/pattern
	report pattern_sha "$(sha256sum </tmp/pattern | cut -d' ' -f1)"
	# conv=fsync: fsync(2) on the block device, which ends in a
	# VIRTIO_BLK_T_FLUSH; only then is the data promised to be on disk.
	for dev in vda vdb; do
		dd if=/tmp/pattern of=/dev/$dev bs=1048576 seek=8 conv=fsync \
			2>/dev/null || report dd_failed $dev
	done
	report flushed yes
	# Wait to be killed; powering off would give vmm its orderly exit.
	sleep 600
}

check() {
	expect_report flushed yes &&
		expect_line "^host: wb_sha=$(reported pattern_sha)\$" &&
		expect_line "^host: direct_sha=$(reported pattern_sha)\$"
}
