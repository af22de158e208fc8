# Boot with four vCPUs: all four come online (SMP bring-up through the
# MP table / ACPI MADT and INIT-SIPI).
VMM_ARGS="--cpus 4"

guest_main() {
	report nproc "$(nproc)"
	report online "$(cat /sys/devices/system/cpu/online)"
	report cpuinfo "$(grep -c '^processor' /proc/cpuinfo)"
}

check() {
	expect_report nproc 4 && expect_report online 0-3 &&
		expect_report cpuinfo 4
}
