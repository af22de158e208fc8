# shellcheck shell=sh
# Scenario names and transport variants, shared by run-scenarios,
# check-scenario and testhost-batch.sh. POSIX sh plus "local", which bash,
# dash and busybox ash all have (ash sources it in the test host). See
# README.md "Transport variants".
#
# A scenario file that declares, on one line of its own,
#     TRANSPORTS="pci mmio"
# runs once per transport: as NAME on vmm's default transport (PCI), and
# as NAME-T with "--transport T" for every other T in the list. CMake reads
# the same line (tests/integration/CMakeLists.txt), so it must be a literal.

# The transports a scenario file declares ("" when it declares none).
scenario_transports() { # file
	sed -n 's/^TRANSPORTS="\([a-z ]*\)"[[:space:]]*$/\1/p' "$1" | head -n 1
}

# Every scenario name in dir: each file's NAME, then its NAME-T variants.
scenario_names() { # dir
	local f n t
	for f in "$1"/*.sh; do
		[ -f "$f" ] || continue
		n=${f##*/}
		n=${n%.sh}
		echo "$n"
		for t in $(scenario_transports "$f"); do
			[ "$t" = pci ] || echo "$n-$t"
		done
	done
}

# Sets scenario_file (the file that serves name) and scenario_transport:
# "" for a scenario without TRANSPORTS, "pci" for the base run of one that
# has them, T for the variant NAME-T. Returns 1 if dir has no such name.
scenario_resolve() { # dir name
	local t
	scenario_file=$1/$2.sh
	scenario_transport=
	if [ -f "$scenario_file" ]; then
		[ -n "$(scenario_transports "$scenario_file")" ] &&
			scenario_transport=pci
		return 0
	fi
	scenario_file=$1/${2%-*}.sh
	scenario_transport=${2##*-}
	[ "$scenario_transport" != "$2" ] && [ -f "$scenario_file" ] &&
		[ "$scenario_transport" != pci ] || return 1
	for t in $(scenario_transports "$scenario_file"); do
		[ "$t" = "$scenario_transport" ] && return 0
	done
	return 1
}
