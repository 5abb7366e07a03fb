# lib.sh - helpers for the namespace tests, sourced by tests/ns/*.sh.
#
# ns_enter "$0" "$@"   re-run the calling script inside
#                      unshare --mount --pid --fork (private propagation), so
#                      every mount it makes vanishes with it; first line of
#                      every ns test. Outside a namespace nothing is mounted.
# ns_tmp               make $T: a fresh tmpfs of the test's own
# pass NAME / fail NAME WHY / t NAME CMD...
#                      result lines for tests/run; t passes when CMD exits 0
# has TEXT             TEXT (a fixed string) is in the output file $O
# expect NAME TEXT...  pass when every TEXT is in $O
# refute NAME TEXT PROOF
#                      pass when $O holds PROOF (the guest got as far as
#                      the check) and not TEXT: no output is a failure
# need CMD...          fail the whole file with a reason if a tool is missing
# track_loop DEV       detach DEV at exit (loop devices are not namespaced)
#
# Cleanup runs from an EXIT trap: tracked loop devices detached, mounts under
# $T unmounted (the namespace would drop them anyway), $T removed.

: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${INITBOX:=$TOP/build/initbox}"
NS_FAILS=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; NS_FAILS=$((NS_FAILS + 1)); }
skip() { echo "SKIP: $1: $2"; }
t() { # NAME CMD...
	n=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$n"
	else
		fail "$n" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

has() { grep -qF -- "$1" "$O"; }
expect() { # NAME TEXT...
	n=$1
	shift
	for p in "$@"; do
		has "$p" || { fail "$n" "no '$p' in output: $(tail -n 6 "$O" | tr '\n' '|')"; return; }
	done
	pass "$n"
}
refute() { # NAME TEXT PROOF
	if ! has "$3"; then
		fail "$1" "no '$3' in output, so no sign the check ran: $(tail -n 6 "$O" | tr '\n' '|')"
	elif has "$2"; then
		fail "$1" "'$2' in output"
	else
		pass "$1"
	fi
}

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		echo "FAIL: $(basename "$0" .sh): needs $c (scripts/deps.sh tools installs it)"
		exit 1
	done
}

ns_enter() { # SCRIPT ARGS...
	[ -n "${NS_INSIDE:-}" ] && return 0
	[ "$(id -u)" = 0 ] || { echo "FAIL: $(basename "$1" .sh): needs root"; exit 1; }
	[ -x "$INITBOX" ] || { echo "FAIL: $(basename "$1" .sh): no binary at $INITBOX (make)"; exit 1; }
	NS_INSIDE=1 exec unshare --mount --pid --fork --propagation private \
		sh "$@"
}

# Loop devices are global: a device is detached at exit only if it is still
# backed by the file it had when tracked, so a number reused by someone
# else after our own detach is never touched.
# The list is a file in $T, not a variable: tests attach in command
# substitutions (d=$(attach img)), whose variables die with the subshell.
track_loop() { # DEV
	b=$(cat "/sys/block/${1##*/}/loop/backing_file" 2>/dev/null) || return 0
	echo "$1|$b" >> "$T/.ns-loops"
}

ns_cleanup() {
	if [ -n "${T:-}" ] && [ -f "$T/.ns-loops" ]; then
		while IFS= read -r l; do
			d=${l%%|*}
			[ "$(cat "/sys/block/${d##*/}/loop/backing_file" 2>/dev/null)" = "${l#*|}" ] &&
				losetup -d "$d" 2>/dev/null
		done < "$T/.ns-loops"
	fi
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		# Deepest first; the namespace drops the rest when it ends.
		grep " $T" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
		rm -rf "$T"
	fi
}

ns_tmp() {
	T=$(mktemp -d /tmp/initbox-ns.XXXXXX) || exit 1
	mount -t tmpfs -o mode=0755 tmpfs "$T" || { echo "FAIL: mount tmpfs on $T"; exit 1; }
	trap ns_cleanup EXIT
	trap 'exit 130' INT TERM
}

# Exit status of the file: 1 if any test failed.
ns_done() { [ "$NS_FAILS" -eq 0 ]; }
