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
# ext4_clean NAME IMG      e2fsck -fn finds nothing in IMG and its journal
#                          is closed (no needs_recovery): two PASS/FAIL lines
# ext4_features IMG        its feature words (dumpe2fs -h)
# big_file NAME LOG IMG    the file /upper/var/big in IMG has the md5 the
#                          guest printed ("LIVE: md5 /var/big SUM" in LOG)

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
live_fail() { echo "FAIL: $1"; LIVE_FAILS=$((${LIVE_FAILS:-0} + 1)); }

ext4_features() { dumpe2fs -h "$1" 2> /dev/null | sed -n 's/^Filesystem features: *//p'; }
ext4_clean() { # NAME IMG
	if e2fsck -fn "$2" > "$2.fsck" 2>&1; then
		echo "PASS: $1: e2fsck -fn is clean"
	else
		live_fail "$1: e2fsck -fn: $(tail -n 4 "$2.fsck" | tr '\n' '|')"
	fi
	case " $(ext4_features "$2") " in
	*" needs_recovery "*) live_fail "$1: needs_recovery is set (the journal was never closed)" ;;
	*) echo "PASS: $1: no journal left to recover" ;;
	esac
}
big_file() { # NAME LOG IMG
	bf_want=$(sed -n 's/^LIVE: md5 \/var\/big \([0-9a-f]*\).*/\1/p' "$2")
	bf_got=$(debugfs -R "dump /upper/var/big $3.big" "$3" > /dev/null 2>&1 && md5sum < "$3.big" | cut -c 1-32)
	rm -f "$3.big"
	if [ -n "$bf_want" ] && [ "$bf_want" = "$bf_got" ]; then
		echo "PASS: $1: the 16 MiB file written before the poweroff holds its bytes"
	else
		live_fail "$1: the 16 MiB file: guest ${bf_want:-?}, disk ${bf_got:-?}"
	fi
}
