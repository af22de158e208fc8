# Boot with 256 MiB of RAM: the guest's MemTotal is a little below that
# (the kernel keeps its image and early reservations out of MemTotal).
VMM_ARGS="--memory 256M"

guest_main() {
	report memtotal_kb "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
	grep 'System RAM' /proc/iomem | while read -r line; do
		report iomem "$line"
	done
}

check() {
	expect_range memtotal_kb $((200 * 1024)) $((256 * 1024))
}
