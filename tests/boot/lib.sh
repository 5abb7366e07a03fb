# lib.sh - the qemu boot harness, sourced by tests/boot/*.sh and scripts/.
#
# boot_kernel        fetch Debian's cloud kernel and modules once (cached
#                    under build/kernel/); sets KVER, KROOT (holds
#                    lib/modules/KVER, depmod'ed) and VMLINUZ
# boot_run NAME INITRD APPEND [QEMU_ARGS...]
#                    boot under qemu (TCG, -nographic -no-reboot) with a hard
#                    timeout (BOOT_TIMEOUT, default 180 s) and memory BOOT_MEM
#                    (default 256M); the serial log is build/test-logs/
#                    boot-NAME.serial. Returns 0 only if the console printed
#                    a "BOOT-RESULT: PASS" line.
#                    BOOT_INPUT=FILE types FILE on the serial console once
#                    the log matches the regex BOOT_INPUT_AFTER (default: at
#                    once); without it qemu's stdin is /dev/null
# boot_report NAME   after boot_run: the PASS/FAIL line for tests/run
#
# A scenario's /init prints "BOOT-RESULT: PASS" (or FAIL: why) and then
# powers off or exits; the kernel is booted with panic=-1 so a dying PID 1
# ends qemu at once instead of hanging.

: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
BUILD=$TOP/build
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"

boot_need() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		{ echo "FAIL: ${1:-boot}: qemu-system-x86_64 missing (scripts/deps.sh tools installs it)"; exit 1; }
}

# The kernel comes from Debian's linux-image-cloud-amd64 metapackage: its
# dependency names the current version; apt-get download + dpkg -x, then
# depmod -b, because the package ships no modules.dep.
boot_kernel() {
	kd=$BUILD/kernel
	if [ ! -f "$kd/version" ]; then
		mkdir -p "$kd/dl"
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
		if [ -z "$pkg" ]; then
			apt-get update -qq >&2
			pkg=$(apt-cache depends linux-image-cloud-amd64 |
				sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
		fi
		[ -n "$pkg" ] || { echo "boot: cannot resolve linux-image-cloud-amd64" >&2; return 1; }
		(cd "$kd/dl" && rm -f ./*.deb && apt-get download -qq "$pkg" 2>/dev/null ||
			{ apt-get update -qq && apt-get download -qq "$pkg"; }) >&2 ||
			{ echo "boot: apt-get download $pkg failed" >&2; return 1; }
		rm -rf "$kd/root"
		dpkg -x "$kd"/dl/"$pkg"_*.deb "$kd/root" || return 1
		v=${pkg#linux-image-}
		depmod -b "$kd/root" "$v" || return 1
		echo "$v" > "$kd/version"
	fi
	KVER=$(cat "$kd/version")
	KROOT=$kd/root
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	[ -f "$VMLINUZ" ] || { echo "boot: $VMLINUZ missing" >&2; return 1; }
}

boot_run() { # NAME INITRD APPEND [QEMU_ARGS...]
	name=$1 initrd=$2 append=$3
	shift 3
	log=$LOGS/boot-$name.serial
	limit=${BOOT_TIMEOUT:-180}
	rm -f "$log"
	in=/dev/null inpid=
	if [ -n "${BOOT_INPUT:-}" ]; then
		in=$log.in
		rm -f "$in" && mkfifo "$in" || return 1
		(n=0
		until grep -qE "${BOOT_INPUT_AFTER:-.}" "$log" 2>/dev/null; do
			n=$((n + 1))
			[ $n -lt $((limit * 10)) ] || exit 0
			sleep 0.1
		done
		cat "$BOOT_INPUT"
		exec sleep "$limit") > "$in" &
		inpid=$!
	fi
	qemu-system-x86_64 -nographic -no-reboot -m "${BOOT_MEM:-256M}" \
		-cpu max -smp 1 -kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 $append" "$@" \
		< "$in" > "$log" 2>&1 &
	qpid=$!
	t=0 seen=
	# Poll the log: qemu ends by itself on poweroff or panic; a boot that
	# hangs after its result is stopped a few seconds later.
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -z "$seen" ] && grep -q '^BOOT-RESULT:' "$log" 2>/dev/null; then
			seen=$t
		fi
		if [ -n "$seen" ] && [ $((t - seen)) -ge 50 ]; then
			break
		fi
		if [ "$t" -ge $((limit * 10)) ]; then
			echo "boot: $name: timed out after $limit s" >> "$log"
			break
		fi
		sleep 0.1
		t=$((t + 1))
	done
	kill "$qpid" 2>/dev/null && sleep 0.2 && kill -9 "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	if [ -n "$inpid" ]; then
		kill "$inpid" 2>/dev/null
		wait "$inpid" 2>/dev/null
		rm -f "$in"
	fi
	BOOT_SECONDS=$(awk "BEGIN { print $t / 10 }")
	tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
	grep -q '^BOOT-RESULT: PASS' "$log"
}

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

# boot_cpio DIR OUT: pack DIR as a gzip-compressed newc initramfs, owned
# by root, with initbox's own cpio-pack (host profile, $INITBOX_HOST);
# GNU cpio + gzip only when no host binary was built.
boot_cpio() {
	if [ -x "${INITBOX_HOST:-}" ]; then
		"$INITBOX_HOST" cpio-pack -c gzip -l 1 -R 0:0 -o "$2" "$1"
	else
		(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
			gzip -n -1 > "$2"
	fi
}
