# lib_report.sh - how a boot scenario reports to tests/run: PASS/FAIL lines
# and the failures counted for its exit status. Sourced after
# scripts/lib/boot.sh (LOGS, boot_run). Here and not in scripts/lib/: no
# script reports this way (the demos print a summary, the benches figures).
#
# boot_report NAME [TEST-NAME]
#                          after boot_run: its PASS/FAIL line
# live_expect NAME LOG REGEX, live_refute NAME LOG REGEX
#                          a line of LOG matches, none does
# live_boot NAME TEST-NAME INITRD APPEND [QEMU...]
#                          boot_run and its boot_report
# live_done                true when none of the live_* above failed

boot_report() { # NAME [TEST-NAME]
	log=$LOGS/boot-$1.serial
	if grep -q '^BOOT-RESULT: PASS' "$log"; then
		echo "PASS: ${2:-$1}"
	else
		why=$(grep -m1 '^BOOT-RESULT:' "$log" | sed 's/^BOOT-RESULT: //')
		[ -n "$why" ] || why=$(grep -m1 -E 'Kernel panic|timed out' "$log")
		echo "FAIL: ${2:-$1}: ${why:-no BOOT-RESULT line} (serial log: $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

# live_expect NAME LOG REGEX: PASS when the serial log has a matching line
live_expect() {
	if grep -qE "$3" "$2"; then
		echo "PASS: $1"
	else
		echo "FAIL: $1: no line matching '$3' in $2"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	fi
}
# live_refute NAME LOG REGEX: PASS when no line matches; a missing or
# empty LOG (the boot never ran, the console was lost) is a FAIL
live_refute() {
	if [ ! -s "$2" ]; then
		echo "FAIL: $1: no serial output in $2"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	elif grep -E "$3" "$2" > /dev/null; then
		echo "FAIL: $1: $(grep -m1 -E "$3" "$2")"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	else
		echo "PASS: $1"
	fi
}
# live_boot NAME TEST-NAME INITRD APPEND [QEMU...]: boot_run + its result
live_boot() {
	n=$1 tn=$2
	shift 2
	boot_run "$n" "$@"
	boot_report "$n" "$tn"
	grep -q '^BOOT-RESULT: PASS' "$LOGS/boot-$n.serial" ||
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
}
live_done() { [ "${LIVE_FAILS:-0}" -eq 0 ]; }
