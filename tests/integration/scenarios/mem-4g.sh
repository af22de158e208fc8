# Boot with 4 GiB of RAM: part of it must be placed above 4 GiB (below 4 GiB
# there is the PCI/MMIO hole) and MemTotal must be close to 4 GiB.
VMM_ARGS="--memory 4G"
TESTHOST_MEMORY=6G

guest_main() {
	report memtotal_kb "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
	grep 'System RAM' /proc/iomem | while read -r line; do
		report iomem "$line"
	done
}

check() {
	expect_range memtotal_kb $((3800 * 1024)) $((4096 * 1024)) || return 1
	# iomem lines look like "100000000-13fffffff : System RAM".
	above=$(grep -o 'vmm-report: iomem=[0-9a-f]*-[0-9a-f]* : System RAM' "$OUT" |
		sed 's/.*=\([0-9a-f]*\)-\([0-9a-f]*\) .*/\1 \2/' |
		while read -r start end; do
			[ $((0x$end)) -gt $((0xffffffff)) ] && echo "$start-$end"
		done)
	[ -n "$above" ] || fail "no System RAM above 4 GiB in /proc/iomem"
}
