# Boot with one vCPU: the guest sees exactly one CPU online.
VMM_ARGS="--cpus 1"

guest_main() {
	report nproc "$(nproc)"
	report online "$(cat /sys/devices/system/cpu/online)"
}

check() {
	expect_report nproc 1 && expect_report online 0
}
