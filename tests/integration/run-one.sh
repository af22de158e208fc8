#!/bin/sh
# Run one integration scenario: start the VMM on the guest kernel and the
# guest initramfs (with the scenarios appended), feed it VMM_STDIN if the
# scenario has one, and capture console + stderr and the exit status.
# POSIX sh: runs under bash on a machine with hardware virtualization and
# under busybox ash inside the test host.
#
# usage: run-one.sh VMM KERNEL INITRD SCENARIO_FILE PREFIX [TRANSPORT]
# writes PREFIX.out (console + vmm stderr), PREFIX.status (exit status;
# 137 when killed by the timeout) and PREFIX.time (seconds taken).
# TRANSPORT (scenario-lib.sh's scenario_transport): the guest gets
# vmm.transport=TRANSPORT so that it reports where its virtio devices are,
# and vmm gets --transport TRANSPORT unless it is pci (vmm's default).
#
# Scenario variables: VMM_ARGS (extra vmm options, split on spaces; may use
# $WORK, a scratch folder for this scenario on the machine running vmm),
# VMM_APPEND (extra kernel command line), VMM_STDIN (text for the guest
# console, sent once the output shows VMM_STDIN_AFTER), VMM_KILL_AFTER (a
# regex: SIGKILL vmm as soon as the output shows it, as a crash or an
# impatient user would; the status is then 137), VMM_TIMEOUT (s),
# VMM_NETNS (non-empty: the whole run, host_before, vmm and host_after,
# happens in a network namespace of its own with only loopback up, so a
# scenario may make TAP devices and bind ports without meeting another
# scenario or the machine's own network; needs root).
# Optional functions run where vmm runs: host_before (e.g. make a disk
# image in $WORK) and host_after (its output, prefixed "host: ", is added to
# PREFIX.out so check can see what the guest left in $WORK).

vmm=$1
kernel=$2
initrd=$3
scenario_file=$4
prefix=$5
transport=${6:-}
name=$(basename "$scenario_file" .sh)

VMM_ARGS=
VMM_APPEND=
VMM_STDIN=
VMM_STDIN_AFTER='vmm-guest: shell on the console'
VMM_KILL_AFTER=
VMM_TIMEOUT=180
WORK=$prefix.work
rm -rf "$WORK"
mkdir -p "$WORK"
. "$scenario_file"
if [ -n "${VMM_NETNS:-}" ] && [ -z "${VMM_IN_NETNS:-}" ]; then
	# Start again inside a fresh network namespace (util-linux's or
	# busybox's unshare).
	if unshare -n true 2>/dev/null; then
		export VMM_IN_NETNS=1
		exec unshare -n sh "$0" "$@"
	fi
	echo "run-one: $name needs a network namespace of its own (root)" >"$prefix.out"
	echo 0 >"$prefix.time"
	echo 1 >"$prefix.status"
	exit 0
fi
[ -n "${VMM_IN_NETNS:-}" ] && ip link set lo up
if [ -n "$transport" ]; then
	VMM_APPEND="vmm.transport=$transport $VMM_APPEND"
	[ "$transport" = pci ] || VMM_ARGS="--transport $transport $VMM_ARGS"
fi

out=$prefix.out
rm -f "$out" "$prefix.status" "$prefix.time" "$prefix.stdin"
: >"$out"

# Waits until the output shows a line matching REGEX (grep's basic
# syntax), looking POLLS times a second (default 5). Returns 1 after
# VMM_TIMEOUT seconds. Also for host_before's background jobs (say, to
# wait until the guest listens).
host_wait_for() { # regex [polls]
	polls=${2:-5}
	tries=0
	while ! grep -q "$1" "$out" 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -gt $((VMM_TIMEOUT * polls)) ] && return 1
		sleep "$(printf '0.%03d' $((1000 / polls)))"
	done
}

# The sha256 of a file, for host_before and host_after to print.
sha_of() { # file
	sha256sum "$1" | cut -d' ' -f1
}

# Wait until the guest is ready for input, type VMM_STDIN, then keep the
# write end open (a closed stdin is not what a user at a terminal does).
feed_stdin() {
	host_wait_for "$VMM_STDIN_AFTER"
	sleep 0.5
	printf '%s' "$VMM_STDIN"
	exec sleep 100000
}

if type host_before >/dev/null 2>&1; then
	host_before >>"$out" 2>&1
fi

# "quiet" halves boot time inside a test host (every console byte is a
# nested exit); errors and panics still print. VMM_GUEST_VERBOSE=1, or
# VMM_APPEND=loglevel=7 in a scenario, brings the full kernel log back.
quiet=quiet
[ -n "${VMM_GUEST_VERBOSE:-}" ] && quiet=

# Wait for VMM_KILL_AFTER in the output, then SIGKILL the process.
kill_after() { # pid
	host_wait_for "$VMM_KILL_AFTER" 20
	kill -KILL "$1" 2>/dev/null
}

run_vmm() {
	# VMM_ARGS is deliberately unquoted: it holds several options.
	# shellcheck disable=SC2086
	if [ -n "$VMM_KILL_AFTER" ]; then
		# No timeout(1) in between: the pid must be vmm's own. The
		# killer gives up (and kills) after VMM_TIMEOUT anyway.
		"$vmm" --kernel "$kernel" --initrd "$initrd" \
			--append "vmm.scenario=$name $quiet $VMM_APPEND" \
			$VMM_ARGS </dev/null >>"$out" 2>&1 &
		vmm_pid=$!
		kill_after $vmm_pid &
		killer=$!
		wait $vmm_pid
		status=$?
		kill $killer 2>/dev/null
		wait $killer 2>/dev/null
	elif [ -n "$VMM_STDIN" ]; then
		mkfifo "$prefix.stdin"
		timeout -s KILL "$VMM_TIMEOUT" "$vmm" --kernel "$kernel" \
			--initrd "$initrd" --append "vmm.scenario=$name $quiet $VMM_APPEND" \
			$VMM_ARGS <"$prefix.stdin" >>"$out" 2>&1 &
		vmm_pid=$!
		feed_stdin >"$prefix.stdin" &
		feeder=$!
		wait $vmm_pid
		status=$?
		kill $feeder 2>/dev/null
		wait $feeder 2>/dev/null
		rm -f "$prefix.stdin"
	else
		timeout -s KILL "$VMM_TIMEOUT" "$vmm" --kernel "$kernel" \
			--initrd "$initrd" --append "vmm.scenario=$name $quiet $VMM_APPEND" \
			$VMM_ARGS </dev/null >>"$out" 2>&1
		status=$?
	fi
}

start=$(date +%s)
run_vmm
# A guest that printed nothing and never reached its init in VMM_TIMEOUT
# seconds. Seen once in about 40 test-host boots (cause not found yet; QEMU's
# nested-SVM emulation is suspected, as in README.md "Test host hangs").
# Run it once more, saying so in the output; a hang that repeats fails.
if [ "$status" = 137 ] && ! grep -q 'vmm-guest: init reached' "$out"; then
	echo "run-one: no guest init within ${VMM_TIMEOUT}s; running once more" >>"$out"
	if type host_before >/dev/null 2>&1; then
		host_before >>"$out" 2>&1
	fi
	run_vmm
fi
echo $(($(date +%s) - start)) >"$prefix.time"
if type host_after >/dev/null 2>&1; then
	host_after 2>&1 | sed 's/^/host: /' >>"$out"
fi
rm -rf "$WORK"
echo "$status" >"$prefix.status"
