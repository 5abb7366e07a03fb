# boot.sh - the test kernel and the qemu boot harness, for tests/boot/*.sh,
# the ns tests that read the kernel's tree, `make kernel`, scripts/demo,
# demo-iso and bench-*. Needs TOP (scripts/lib/common.sh or tests/run set
# it).
#
# boot_kernel        fetch the KERNEL suite's cloud kernel and modules once
#                    (bookworm, trixie or sid; cached under build/kernel/);
#                    sets KVER, KROOT (holds lib/modules/KVER, depmod'ed),
#                    VMLINUZ and KERNEL_MAJOR
# kmod_file, kmod_builtin, kmod_have
#                    what the kernel's module tree holds (below)
# boot_run NAME INITRD APPEND [QEMU_ARGS...]
#                    boot under qemu (TCG, -nographic -no-reboot) with a hard
#                    timeout (BOOT_TIMEOUT, default 180 s) and memory BOOT_MEM
#                    (default 256M); the serial log is build/test-logs/
#                    boot-NAME.serial. Returns 0 only if the console printed
#                    a "BOOT-RESULT: PASS" line.
#                    BOOT_INPUT=FILE types FILE on the serial console once
#                    the log matches the regex BOOT_INPUT_AFTER (default: at
#                    once); without it qemu's stdin is /dev/null
#                    BOOT_MONITOR=FUNCTION puts qemu's monitor on two FIFOs
#                    (qemu's pipe: chardev, LOG.mon.in and LOG.mon.out)
#                    and runs FUNCTION in the background during the boot;
#                    it calls mon_after and mon (below). qemu's answers
#                    are kept in build/test-logs/boot-NAME.mon
# mon_after REGEX [SECONDS]
#                    in a BOOT_MONITOR function: wait until the serial log
#                    matches REGEX (1 if it never does), then SECONDS more
# mon COMMAND...     in a BOOT_MONITOR function: one monitor command
#                    (device_add, device_del, drive_add ...)
# boot_firmware NAME bios|uefi [QEMU_ARGS...]
#                    boot_run without -kernel: SeaBIOS or OVMF boots the
#                    media QEMU_ARGS give (below)
#
# The tests' PASS/FAIL lines (boot_report, live_expect ...) are in
# tests/boot/lib_report.sh.
#
# A scenario's /init prints "BOOT-RESULT: PASS" (or FAIL: why) and then
# powers off or exits; the kernel is booted with panic=-1 so a dying PID 1
# ends qemu at once instead of hanging.

: "${TOP:?boot.sh: TOP unset (source scripts/lib/common.sh, or run under tests/run)}"
BUILD=$TOP/build
LOGS=$BUILD/test-logs/${KERNEL:-bookworm}
# A test's scratch tree, one per kernel: tests/run boots the kernels side
# by side, and the same test of two kernels must not share its files.
BOOT_WORK=$BUILD/boot-work/${KERNEL:-bookworm}
mkdir -p "$LOGS"

boot_need() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		{ echo "FAIL: ${1:-boot}: qemu-system-x86_64 missing (scripts/deps.sh tools installs it)"; exit 1; }
}

# The test kernels: Debian's cloud kernel of a suite, KERNEL=bookworm (6.1,
# the default), trixie (6.12) or sid (7.x). Fetched without touching the
# machine's apt sources: a private apt state per suite under build/apt/
# (its sources are the machine's Debian entries with the suite renamed),
# then apt-get download + dpkg -x, and depmod -b because no package ships
# modules.dep. Each kernel is cached under build/kernel/VERSION/; the
# suite's choice is remembered in build/kernel/SUITE.version, so a cached
# kernel needs no network.
#
# Packaging, normalised here to one layout (KROOT/lib/modules/KVER,
# KROOT/boot/vmlinuz-KVER):
#   bookworm  linux-image-V: boot/vmlinuz-V, lib/modules/V
#   trixie    linux-image-V: boot/vmlinuz-V, usr/lib/modules/V
#   sid       linux-image-V is empty and depends on linux-binary-V
#             (usr/lib/modules/V/vmlinuz), linux-modules-V and
#             linux-base-V (config, modules.builtin, modules.order)
KERNEL=${KERNEL:-bookworm}
# KFLAVOR=cloud (the default: virtio, few drivers) or generic (Debian's
# linux-image-amd64, every storage driver a module: the kernel PCs boot).
KFLAVOR=${KFLAVOR:-cloud}

. "$TOP/scripts/lib/apt.sh"

# kapt SUITE apt-get|apt-cache ARGS...: apt with the suite's private state.
kapt() { ks=$1; shift; suite_apt "$BUILD/apt/$ks" "$@"; }
kernel_apt_update() { suite_apt_update "$BUILD/apt/$1" "$1"; }

# kernel_meta FLAVOR: the metapackage naming a suite's kernel of FLAVOR
kernel_meta() {
	case $1 in
	cloud) echo linux-image-cloud-amd64 ;;
	generic) echo linux-image-amd64 ;;
	*) echo "boot: KFLAVOR=$1: expected cloud or generic" >&2; return 1 ;;
	esac
}

kernel_fetch() { # SUITE FLAVOR -> writes build/kernel/SUITE[-FLAVOR].version
	ks=$1 kf=${2:-cloud}
	case $ks in bookworm|trixie|sid) ;;
	*) echo "boot: KERNEL=$ks: expected bookworm, trixie or sid" >&2; return 1 ;; esac
	meta=$(kernel_meta "$kf") || return 1
	kernel_apt_update "$ks" || return 1
	pkg=$(kapt "$ks" apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || { echo "boot: cannot resolve $meta in $ks" >&2; return 1; }
	v=${pkg#linux-image-}
	kd=$BUILD/kernel/$v
	if [ ! -f "$kd/ok" ]; then
		# the image package and, where it is only a dependency holder, the
		# packages with the kernel, the modules and modules.builtin
		pkgs="$pkg $(kapt "$ks" apt-cache depends "$pkg" 2>/dev/null |
			sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$v\)$/\1/p")"
		rm -rf "$kd" && mkdir -p "$kd/dl" || return 1
		(cd "$kd/dl" && kapt "$ks" apt-get download -qq $pkgs) >&2 ||
			{ echo "boot: apt-get download $pkgs ($ks) failed" >&2; return 1; }
		for d in "$kd"/dl/*.deb; do
			dpkg -x "$d" "$kd/root" || return 1
		done
		r=$kd/root
		if [ ! -d "$r/lib/modules/$v" ] && [ -d "$r/usr/lib/modules/$v" ]; then
			mkdir -p "$r/lib/modules" &&
			mv "$r/usr/lib/modules/$v" "$r/lib/modules/$v" || return 1
		fi
		mkdir -p "$r/boot"
		for f in vmlinuz config System.map; do
			[ -f "$r/lib/modules/$v/$f" ] &&
				{ mv "$r/lib/modules/$v/$f" "$r/boot/$f-$v" || return 1; }
		done
		[ -f "$r/boot/vmlinuz-$v" ] || { echo "boot: $pkgs hold no vmlinuz" >&2; return 1; }
		[ -d "$r/lib/modules/$v/kernel" ] || { echo "boot: $pkgs hold no modules" >&2; return 1; }
		depmod -b "$r" "$v" || return 1
		echo "$ks" > "$kd/suite"
		touch "$kd/ok"
	fi
	echo "$v" > "$BUILD/kernel/$(kernel_tag "$ks" "$kf").version"
}

# kernel_tag SUITE FLAVOR: the name of the suite's choice (bookworm for the
# cloud kernel, as before flavours; bookworm-generic)
kernel_tag() { if [ "$2" = cloud ]; then echo "$1"; else echo "$1-$2"; fi; }

# boot_kernel [FLAVOR]: the KERNEL suite's kernel of FLAVOR (default
# KFLAVOR), fetched once; sets KVER, KROOT, VMLINUZ, KERNEL_MAJOR (7 for
# 7.2.13+deb14-cloud-amd64).
boot_kernel() {
	mkdir -p "$BUILD/kernel"
	vf=$BUILD/kernel/$(kernel_tag "$KERNEL" "${1:-$KFLAVOR}").version
	if [ ! -f "$vf" ] || [ ! -f "$BUILD/kernel/$(cat "$vf")/ok" ]; then
		kernel_fetch "$KERNEL" "${1:-$KFLAVOR}" || return 1
	fi
	KVER=$(cat "$vf")
	KROOT=$BUILD/kernel/$KVER/root
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	KERNEL_MAJOR=${KVER%%.*}
	[ -f "$VMLINUZ" ] || { echo "boot: $VMLINUZ missing" >&2; return 1; }
}

# What the kernel's module tree says, for tests that must not assume 6.1:
# kmod_file NAME      the module's path under lib/modules/KVER ("" if none;
#                     NAME with - or _ alike); its suffix is the kernel's
#                     (.ko, .ko.xz, .ko.zst, .ko.gz)
# kmod_builtin NAME   true when NAME is built into the kernel
# kmod_have NAME      true when NAME is a loadable module
kmod_file() {
	n=$(echo "$1" | tr - _)
	awk -F: -v n="$n" '{ f = $1; b = f; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print f; exit } }' \
		"$KROOT/lib/modules/$KVER/modules.dep"
}
kmod_builtin() {
	n=$(echo "$1" | tr - _)
	sed 's|.*/||; s|\.ko$||; s|-|_|g' "$KROOT/lib/modules/$KVER/modules.builtin" |
		grep -qx "$n"
}
kmod_have() { [ -n "$(kmod_file "$1")" ]; }
# kmod_hash_module    the loadable arch implementation of the hash the
#                     modules' signatures use (sha256_ssse3 on 6.1 and
#                     6.12), "" where there is none (7.x builds SHA-256 in)
kmod_hash_module() {
	md=$KROOT/lib/modules/$KVER
	h=$(modinfo -F sig_hashalgo "$md/$(sed -n '1s/:.*//p' "$md/modules.dep")" 2>/dev/null)
	[ -n "$h" ] || return 0
	for a in $(awk -v a="crypto-$h" '$1 == "alias" && $2 == a && $3 !~ /_generic$/ { print $3 }' "$md/modules.alias"); do
		kmod_have "$a" && { echo "$a"; return 0; }
	done
	return 0
}

# boot_modules DIR MODULE...: the modules with everything they need (kmod's
# own modprobe --show-depends over the kernel's tree: a module built in
# needs nothing) under DIR/lib/modules/KVER, files as the kernel ships
# them (.ko or .ko.xz), re-indexed with depmod; the image loads them with
# initbox's modprobe, never by a path.
boot_modules() {
	br=$1 bd=$1/lib/modules/$KVER
	shift
	M=$KROOT/lib/modules/$KVER
	mkdir -p "$bd" || return 1
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" ||
			{ echo "boot: no module $m in $KVER" >&2; return 1; }
	done | sed -n 's/^insmod \([^ ]*\).*/\1/p' | sort -u |
	while read -r f; do
		rel=${f#"$M"/}
		mkdir -p "$bd/$(dirname "$rel")" && cp "$f" "$bd/$rel" || exit 1
	done || return 1
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$M/$f" ] && { cp "$M/$f" "$bd/" || return 1; }
	done
	depmod -b "$br" "$KVER" || return 1
	rm -f "$bd"/*.bin
}

boot_run() { # NAME INITRD APPEND [QEMU_ARGS...]
	name=$1 initrd=$2 append=$3
	shift 3
	boot_qemu "$name" -kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 $append" "$@"
}

# boot_firmware NAME bios|uefi [QEMU_ARGS...]: boot_run's variant where
# the firmware boots the machine's media, without -kernel: SeaBIOS (qemu's
# own) or OVMF (Debian's ovmf, its variables in a copy of their own).
# QEMU_ARGS name the medium and, for a choice among several, bootindex.
boot_firmware() {
	name=$1 fw=$2
	shift 2
	case $fw in
	bios) boot_qemu "$name" "$@" ;;
	uefi)
		code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
		[ -f "$code" ] && [ -f "$vars" ] ||
			{ echo "boot: $name: no $code (scripts/deps.sh tools installs ovmf)" > "$LOGS/boot-$name.serial"; return 1; }
		cp "$vars" "$LOGS/boot-$name.vars" || return 1
		boot_qemu "$name" -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" \
			-drive "if=pflash,format=raw,unit=1,file=$LOGS/boot-$name.vars" "$@"
		rc=$?
		rm -f "$LOGS/boot-$name.vars"
		return $rc ;;
	*) echo "boot: $name: firmware $fw: expected bios or uefi" >&2; return 1 ;;
	esac
}

# boot_qemu NAME QEMU_ARGS...: what boot_run and boot_firmware share: qemu
# with the log polled until BOOT_UNTIL (a regex, default ^BOOT-RESULT:)
# matches, the timeout, BOOT_INPUT, BOOT_MONITOR. Sets BOOT_SECONDS (qemu's wall time)
# and BOOT_UNTIL_SECONDS (wall time when BOOT_UNTIL first matched, "" if
# never); returns 0 only on a "BOOT-RESULT: PASS" line.
boot_qemu() {
	name=$1
	shift
	until_re=${BOOT_UNTIL:-^BOOT-RESULT:}
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
	monpid= catpid=
	if [ -n "${BOOT_MONITOR:-}" ]; then
		mon_fifo=$log.mon
		rm -f "$mon_fifo.in" "$mon_fifo.out" "$LOGS/boot-$name.mon" &&
			mkfifo "$mon_fifo.in" "$mon_fifo.out" || return 1
		# qemu opens both FIFOs read-write, so neither open blocks
		set -- "$@" -monitor "pipe:$mon_fifo"
		cat "$mon_fifo.out" > "$LOGS/boot-$name.mon" &
		catpid=$!
		(mon_log=$log mon_limit=$limit "$BOOT_MONITOR") > /dev/null 2>&1 &
		monpid=$!
	fi
	# No network unless the boot asks for one (a network test's own
	# -netdev/-nic): qemu adds a user-net NIC by default, and firmware
	# whose boot fails would fall back to network boot through it.
	nonet=1
	for a; do
		case $a in -nic | -netdev | -net) nonet= ;; esac
	done
	qemu-system-x86_64 -nographic -no-reboot -m "${BOOT_MEM:-256M}" \
		-cpu "${BOOT_CPU:-max}" -smp 1 ${nonet:+-nic none} "$@" < "$in" > "$log" 2>&1 &
	qpid=$!
	t=0 seen= t0=$(date +%s%N) until_ns=
	# Poll the log: qemu ends by itself on poweroff or panic; a boot that
	# hangs after its result is stopped a few seconds later.
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -z "$seen" ] && grep -q "$until_re" "$log" 2>/dev/null; then
			seen=$t until_ns=$(date +%s%N)
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
	if [ -n "$monpid" ]; then
		kill "$monpid" "$catpid" 2>/dev/null
		wait "$monpid" "$catpid" 2>/dev/null
		rm -f "$mon_fifo.in" "$mon_fifo.out"
		# the monitor's line editor redraws the line at each key: keep
		# the prompt and the last drawing
		sed 's/^\((qemu) \).*\x1b\[D/\1/; s/\x1b\[K//g' "$LOGS/boot-$name.mon" > "$mon_fifo.tmp" &&
			mv "$mon_fifo.tmp" "$LOGS/boot-$name.mon"
	fi
	BOOT_SECONDS=$(awk "BEGIN { print $t / 10 }")
	BOOT_UNTIL_SECONDS=${until_ns:+$(awk "BEGIN { printf \"%.1f\", ($until_ns - $t0) / 1e9 }")}
	tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
	grep -q '^BOOT-RESULT: PASS' "$log"
}

mon_after() { # REGEX [SECONDS]
	n=0
	until grep -qE "$1" "$mon_log" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $((mon_limit * 10)) ] || return 1
		sleep 0.1
	done
	[ -z "${2:-}" ] || sleep "$2"
}
mon() { # COMMAND...
	echo "$*" > "$mon_log.mon.in"
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
