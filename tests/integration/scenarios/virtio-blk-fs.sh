# virtio-blk as a guest file system sees it, with two disks at once:
# mkfs.ext2 + mount + copy + umount on vda, a clean e2fsck in the guest
# and again on the host; discard (fstrim) punching holes in the host file;
# vdb read-only (readonly=on), refusing writes the guest tries anyway.
VMM_ARGS="--disk ${WORK:-}/fs.img,serial=fsdisk
	--disk ${WORK:-}/ro.img,readonly=on,serial=rodisk"
RO_SECTORS=8192

# host_before prints to the output as it is (no "host: " prefix).
host_before() {
	# 128 MiB of non-zero bytes (so discard has something to punch),
	# then a read-only disk with a known pattern.
	head -c 134217728 /dev/zero | tr '\0' 'x' >"$WORK/fs.img"
	yes vmm-readonly | head -c $((RO_SECTORS * 512)) >"$WORK/ro.img"
	echo "fs_blocks_before=$(stat -c %b "$WORK/fs.img")"
	echo "ro_sha=$(sha256sum <"$WORK/ro.img" | cut -d' ' -f1)"
}

host_after() {
	echo "fs_blocks_after=$(stat -c %b "$WORK/fs.img")"
	echo "fs_size=$(stat -c %s "$WORK/fs.img")"
	echo "ro_sha_after=$(sha256sum <"$WORK/ro.img" | cut -d' ' -f1)"
	if command -v e2fsck >/dev/null; then
		e2fsck -fn "$WORK/fs.img" >/dev/null 2>&1
		echo "host_fsck=$?"
	else
		echo "host_fsck=missing"
	fi
}

guest_main() {
	report disks "$(cat /sys/block/vda/serial) $(cat /sys/block/vdb/serial)"
	report vdb_ro "$(cat /sys/block/vdb/ro)"

	# ext2 round trip, with the kernel's page cache dropped in between.
	# e2fsprogs by full path: busybox's sh would run its own mke2fs
	# applet for a bare "mke2fs".
	/sbin/mke2fs -q -t ext2 -F /dev/vda && report mkfs ok
	mkdir -p /mnt
	mount -t ext2 /dev/vda /mnt && report mount ok
	cp /bin/busybox /mnt/busybox.copy
	mkdir /mnt/dir && head -c 3000000 /dev/urandom >/mnt/dir/random
	sha256sum </mnt/dir/random | cut -d' ' -f1 >/tmp/random.sha
	umount /mnt && report umount ok
	echo 3 >/proc/sys/vm/drop_caches
	/sbin/e2fsck -fn /dev/vda >/tmp/fsck.log 2>&1
	report guest_fsck $?
	mount -t ext2 /dev/vda /mnt
	cmp -s /bin/busybox /mnt/busybox.copy && report copy ok
	[ "$(sha256sum </mnt/dir/random | cut -d' ' -f1)" = \
		"$(cat /tmp/random.sha)" ] && report random ok
	# Discard: the free blocks (most of the disk) go back to the host.
	rm /mnt/dir/random
	fstrim -v /mnt >/tmp/fstrim.log 2>&1
	report fstrim $?
	umount /mnt
	sync

	# Read-only: writes fail with an I/O or permission error and the
	# bytes stay; reads still work.
	if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct \
		2>/dev/null; then
		report ro_write accepted
	else
		report ro_write refused
	fi
	report ro_sha "$(sha256sum </dev/vdb | cut -d' ' -f1)"
}

check() {
	local before after
	before=$(sed -n "s/^fs_blocks_before=//p" "$OUT")
	after=$(sed -n 's/^host: fs_blocks_after=//p' "$OUT")
	expect_report disks "fsdisk rodisk" && expect_report vdb_ro 1 &&
		expect_report mkfs ok && expect_report mount ok &&
		expect_report umount ok && expect_report guest_fsck 0 &&
		expect_report copy ok && expect_report random ok &&
		expect_report fstrim 0 &&
		expect_line '^host: host_fsck=0$' &&
		expect_line '^host: fs_size=134217728$' &&
		expect_report ro_write refused &&
		expect_report ro_sha "$(sed -n "s/^ro_sha=//p" "$OUT")" &&
		expect_line "^host: ro_sha_after=$(reported ro_sha)\$" || return 1
	# fstrim discarded the free space: the file lost most of its blocks
	# (st_blocks counts 512-byte units; 128 MiB is 262144 of them).
	[ -n "$before" ] && [ -n "$after" ] && [ "$after" -lt $((before / 2)) ] ||
		fail "discard punched no holes: $before -> $after blocks"
}
