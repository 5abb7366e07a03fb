# initramfs_tools.sh - Debian's initramfs-tools as a client of initbox:
# Debian's own mkinitramfs, run in a cached Debian root (scripts/lib/debroot.sh) for the
# test kernel, builds the image as Debian ships it (the control) and with
# scripts/initramfs-tools installed by its recipe (initbox's run-init),
# once as Debian's default (BUSYBOX=auto with busybox installed: the
# control's run-init is busybox's) and once with BUSYBOX=n (klibc's
# run-init and sh). All four boot the same ext4 root, found by root=UUID=
# through Debian's /init and udev; its /sbin/init says whether it is PID 1,
# its capability bounding set and the memory available. Only a hooked boot
# may show initbox's "run-init: freed ..." line, and it must. Also: the
# hooked image with drop_capabilities=, with a process an init-bottom
# script leaves running (named in the report), and the images built with
# the hook but no binary and after "install -r" (Debian's files).
# The root is of the KERNEL suite (bookworm by default); ITOOLS_SUITE=trixie
# takes trixie's initramfs-tools with the same test kernel.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need initramfs_tools
boot_kernel || { echo "FAIL: initramfs_tools: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
. "$TOP/scripts/lib/debroot.sh"
suite=${ITOOLS_SUITE:-$KERNEL}
tn=initramfs_tools-$suite
command -v unshare >/dev/null && command -v mkfs.ext4 >/dev/null ||
	{ echo "FAIL: $tn: needs unshare and mkfs.ext4"; exit 1; }
[ -x "${INITBOX_MINIMAL:-}" ] ||
	{ echo "FAIL: $tn: no minimal build at ${INITBOX_MINIMAL:-(unset)} (make CONFIG=minimal)"; exit 1; }
debian_root "itools-$suite" "$suite" "initramfs-tools busybox udev kmod zstd" ||
	{ echo "FAIL: $tn: cannot build the Debian root"; exit 1; }
w=$BOOT_WORK/$tn
rm -rf "$w" && mkdir -p "$w/out" || exit 1

# In a chroot of the cached root (scripts/lib/debroot.sh debroot: an
# overlay, so the cache stays as it was, the test kernel's modules bound
# in), $w/out as /out for the images.
build=$(cat <<'EOS'
recipe=$1 bin=$2
mkinit() { in_root mkinitramfs -o "/out/$1.img" "$KVER"; }
mkinit plain
"$recipe" -D "$r" -b "$bin"
mkinit hooked
# a process started in the initramfs that outlives it, as plymouthd does
pin=$r/etc/initramfs-tools/scripts/init-bottom/itools-pin
mkdir -p "${pin%/*}"
printf '%s\n' '#!/bin/sh' '[ "$1" = prereqs ] && exit 0' \
	'sleep 600 < /dev/null > /dev/null 2>&1 &' > "$pin"
chmod 755 "$pin"
mkinit hooked-pin
rm "$pin"
# the binary gone, the hook left: the hook warns, the image is Debian's
rm "$r/usr/local/sbin/initbox"
mkinit nobinary
"$recipe" -r -D "$r"
mkinit removed
echo BUSYBOX=n > "$r/etc/initramfs-tools/conf.d/busybox"
mkinit klibc
"$recipe" -D "$r" -b "$bin"
mkinit klibc-hooked
EOS
)
if ! debroot "$DEBROOT" "$w/out" "$build" "$TOP/scripts/initramfs-tools/install" \
	"$INITBOX_MINIMAL" > "$w/build.log" 2>&1; then
	echo "FAIL: $tn: Debian's mkinitramfs in the $suite root failed; the end of $w/build.log:"
	tail -n 15 "$w/build.log" | sed 's/^/    | /'
	exit 1
fi
rc=0

# What each image holds, unpacked by initbox's cpio-unpack.
images="plain hooked klibc klibc-hooked"
for n in $images hooked-pin nobinary removed; do
	mkdir "$w/$n" && "$INITBOX" cpio-unpack -C "$w/$n" "$w/out/$n.img" 2> "$w/$n.err" ||
		{ echo "FAIL: $tn: cpio-unpack cannot read $n.img: $(head -n 1 "$w/$n.err")"; exit 1; }
	(cd "$w/$n" && find . | LC_ALL=C sort) > "$w/$n.names"
done
for n in hooked klibc-hooked; do
	h=$w/$n
	if [ "$(readlink "$h/usr/sbin/run-init")" = ../bin/initbox ] &&
		[ "$(readlink "$h/usr/sbin/switch_root")" = ../bin/initbox ] &&
		cmp -s "$h/usr/bin/initbox" "$INITBOX_MINIMAL" &&
		[ ! -e "$h/usr/bin/run-init" ] && [ ! -e "$h/usr/bin/switch_root" ]; then
		echo "PASS: $tn: the $n image's run-init and switch_root are initbox (usr/sbin/NAME -> ../bin/initbox, the others gone)"
	else
		echo "FAIL: $tn: the $n image's run-init and switch_root are initbox: $(ls -l "$h/usr/sbin/run-init" "$h/usr/sbin/switch_root" "$h/usr/bin/initbox" 2>&1 | tr '\n' ';')"; rc=1
	fi
done
# Debian's own: busybox's run-init when busybox is installed (its hook
# runs first; klibc-utils then skips a name sbin has), else klibc's.
p=$w/plain
if [ "$p/usr/sbin/run-init" -ef "$p/usr/bin/busybox" ] && ! grep -q initbox "$w/plain.names"; then
	echo "PASS: $tn: the plain image's run-init is busybox's, no initbox in it"
else
	echo "FAIL: $tn: the plain image's run-init is busybox's: $(ls -li "$p/usr/sbin/run-init" "$p/usr/bin/busybox" 2>&1 | tr '\n' ';')"; rc=1
fi
p=$w/klibc
if cmp -s "$p/usr/bin/run-init" "$DEBROOT/usr/lib/klibc/bin/run-init" && [ ! -e "$p/usr/bin/busybox" ] &&
	! grep -q initbox "$w/klibc.names"; then
	echo "PASS: $tn: the BUSYBOX=n image's run-init is klibc's, no busybox or initbox in it"
else
	echo "FAIL: $tn: the BUSYBOX=n image's run-init is klibc's: $(ls -li "$p/usr/bin/run-init" "$p/usr/bin/busybox" 2>&1 | tr '\n' ';')"; rc=1
fi
if cmp -s "$w/plain.names" "$w/removed.names"; then
	echo "PASS: $tn: after install -r the image holds the same files as the plain one"
else
	echo "FAIL: $tn: after install -r the image holds the same files as the plain one: $(diff "$w/plain.names" "$w/removed.names" | grep '^[<>]' | head -n 5 | tr '\n' ';')"; rc=1
fi
if cmp -s "$w/plain.names" "$w/nobinary.names" &&
	grep -q "^W: initbox: /usr/local/sbin/initbox missing or without run-init: the image keeps its own run-init$" "$w/build.log"; then
	echo "PASS: $tn: with the hook but no binary, mkinitramfs warns and builds the plain image's files"
else
	echo "FAIL: $tn: with the hook but no binary, mkinitramfs warns and builds the plain image's files: $(grep '^[WE]: initbox' "$w/build.log"; diff "$w/plain.names" "$w/nobinary.names" | grep '^[<>]' | head -n 5 | tr '\n' ';')"; rc=1
fi
sz() { stat -c %s "$w/out/$1.img"; }
un() { du -s -B1 --apparent-size "$w/$1" | cut -f1; }
for n in $images; do
	echo "$tn: $n image: $(sz "$n") bytes, $(un "$n") unpacked"
done

# The root: busybox and an /sbin/init that reports its PID, its capability
# bounding set and the memory available.
uuid=5e1f0c1a-17b0-4c3e-9a1d-1ee7b0c0ffee
sr_newroot "$w/root" "$SR_MEMINIT
echo \"ITOOLS-INIT: pid \$\$\"
echo \"ITOOLS-CAPBND: \$(/bin/busybox awk '/^CapBnd:/ { print \$2 }' /proc/self/status)\"
if [ \$\$ = 1 ]; then echo 'BOOT-RESULT: PASS'; else echo \"BOOT-RESULT: FAIL: init is pid \$\$\"; fi
/bin/busybox poweroff -f" &&
	mkfs.ext4 -q -F -U "$uuid" -d "$w/root" "$w/root.img" 64M > /dev/null ||
	{ echo "FAIL: $tn: cannot build the root disk"; exit 1; }

# A Debian image with every module and udev needs more than the 256 MiB
# default to unpack and run.
freed_re='^run-init: freed [0-9.]+ [KMG]?i?B \([0-9]+ files\); (nothing pinned|still pinned .*)$'
for n in $images; do
	BOOT_MEM=512M boot_run "itools-$suite-$n" "$w/out/$n.img" "root=UUID=$uuid" \
		-drive "file=$w/root.img,if=virtio,format=raw"
	boot_report "itools-$suite-$n" "$tn: Debian's /init finds root=UUID= and the root's init runs as PID 1 ($n image, $BOOT_SECONDS s)"
	l=$LOGS/boot-itools-$suite-$n.serial
	grep -q '^BOOT-RESULT: PASS' "$l" || rc=1
	line=$(grep -E "$freed_re" "$l" | head -n 1)
	case $n in
	*hooked)
		if [ -n "$line" ] && grep -q '^ITOOLS-INIT: pid 1$' "$l"; then
			echo "PASS: $tn: the $n boot shows initbox's report before the root's init: $line"
		else
			echo "FAIL: $tn: the $n boot shows initbox's report ($freed_re): $(grep -E '^run[-_]init:' "$l" | head -n 3 | tr '\n' ';')"; rc=1
		fi
		# run-init deletes the whole unpacked image (/init moved its
		# mounts away first): within 5 % of what cpio-unpack wrote.
		freed=$(printf '%s' "$line" | sed -n 's/^run-init: freed \([0-9.]*\) MiB.*/\1/p')
		if [ -n "$freed" ] && awk -v f="$freed" -v u="$(un "$n")" 'BEGIN { exit !(f * 1048576 >= u * 0.95 && f * 1048576 <= u * 1.05) }'; then
			echo "PASS: $tn: run-init freed the whole $n image: $freed MiB of $(un "$n") bytes unpacked"
		else
			echo "FAIL: $tn: run-init freed the whole $n image: '${freed:-?}' MiB of $(un "$n") bytes unpacked"; rc=1
		fi
		;;
	*)
		if ! grep -Eq '^(run[-_]init|switch_root): (freed|kept)' "$l" && grep -q '^ITOOLS-INIT: pid 1$' "$l"; then
			echo "PASS: $tn: the $n boot (Debian's own run-init) reaches the same init with no such line"
		else
			echo "FAIL: $tn: the $n boot (Debian's own run-init) reaches the same init with no such line: $(grep -E '^(run[-_]init|switch_root):|^ITOOLS-INIT' "$l" | head -n 3 | tr '\n' ';')"; rc=1
		fi
		;;
	esac
	# the kernel's clock at /init's start and at the new root's first
	# kernel line (its init's drop_caches): the initramfs's time, under TCG
	echo "$tn: $n boot: MemAvailable in the new root $(sed -n 's/^MEMAVAIL: //p' "$l" | head -n 1) kB; initramfs $(awk -F'[][]' '/Run \/init as init process/ { a = $2 } /drop_caches:/ && a != "" { printf "%.2f s", $2 - a; exit }' "$l")"
done

# drop_capabilities= on the command line: Debian's /init passes it as
# run-init -d; the root's init must start without CAP_SYS_MODULE (bit 16)
# in its bounding set, which the hooked boot above still had.
capbit() { v=$(sed -n 's/^ITOOLS-CAPBND: //p' "$1" | head -n 1); [ -n "$v" ] && echo $(((0x$v >> 16) & 1)); }
n=hooked-dropcaps
BOOT_MEM=512M boot_run "itools-$suite-$n" "$w/out/hooked.img" "root=UUID=$uuid drop_capabilities=cap_sys_module" \
	-drive "file=$w/root.img,if=virtio,format=raw"
boot_report "itools-$suite-$n" "$tn: the hooked image boots with drop_capabilities=cap_sys_module"
l=$LOGS/boot-itools-$suite-$n.serial
grep -q '^BOOT-RESULT: PASS' "$l" || rc=1
if [ "$(capbit "$l")" = 0 ] && [ "$(capbit "$LOGS/boot-itools-$suite-hooked.serial")" = 1 ] &&
	grep -Eq "$freed_re" "$l"; then
	echo "PASS: $tn: drop_capabilities=cap_sys_module reaches initbox's run-init -d: the root's init lacks CAP_SYS_MODULE ($(grep '^ITOOLS-CAPBND' "$l"))"
else
	echo "FAIL: $tn: drop_capabilities=cap_sys_module reaches initbox's run-init -d: bit 16 is '$(capbit "$l")' with it, '$(capbit "$LOGS/boot-itools-$suite-hooked.serial")' without"; rc=1
fi

# A process of the initramfs still running at the switch (an init-bottom
# script started "sleep 600 &"): the report names it and the biggest file
# it holds (busybox is dynamic on Debian: libc's mapping).
n=hooked-pin
BOOT_MEM=512M boot_run "itools-$suite-$n" "$w/out/$n.img" "root=UUID=$uuid" \
	-drive "file=$w/root.img,if=virtio,format=raw"
boot_report "itools-$suite-$n" "$tn: the hooked image with a process left running boots"
l=$LOGS/boot-itools-$suite-$n.serial
grep -q '^BOOT-RESULT: PASS' "$l" || rc=1
line=$(grep -E "$freed_re" "$l" | head -n 1)
case $line in
*"; still pinned "*": pid "*" (sleep) "*" MiB map /usr/lib/"*)
	echo "PASS: $tn: a process left by the initramfs is named in the report: $line" ;;
*)
	echo "FAIL: $tn: a process left by the initramfs is named in the report: '${line:-no line}'"; rc=1 ;;
esac
# the unpacked trees (50-70 MiB each) go; the images and logs stay
for n in $images hooked-pin nobinary removed; do rm -rf "${w:?}/$n"; done
exit $rc
