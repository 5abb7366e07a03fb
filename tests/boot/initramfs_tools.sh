# initramfs_tools.sh - Debian's initramfs-tools as a client of initbox:
# Debian's own mkinitramfs, run in a cached Debian root (debroot.sh) for the
# test kernel, builds the image twice: as Debian ships it (the control:
# klibc's run-init) and with scripts/initramfs-tools installed by its
# recipe (initbox's run-init). Both boot the same ext4 root, found by
# root=UUID= through Debian's /init and udev; its /sbin/init says whether it
# is PID 1 and how much memory is available. Only the hooked boot may show
# initbox's "run_init: freed ..." line, and it must. A third build after
# "install -r" holds the same files as the control.
# ITOOLS_SUITE=trixie takes trixie's initramfs-tools (same test kernel).
. "$TOP/tests/boot/lib.sh"
boot_need initramfs_tools
boot_kernel || { echo "FAIL: initramfs_tools: cannot fetch the test kernel"; exit 1; }
. "$TOP/tests/boot/lib_switchroot.sh"
. "$TOP/tests/boot/debroot.sh"
suite=${ITOOLS_SUITE:-bookworm}
tn=initramfs_tools-$suite
command -v unshare >/dev/null && command -v mkfs.ext4 >/dev/null ||
	{ echo "FAIL: $tn: needs unshare and mkfs.ext4"; exit 1; }
[ -x "${INITBOX_MINIMAL:-}" ] ||
	{ echo "FAIL: $tn: no minimal build at ${INITBOX_MINIMAL:-(unset)} (make CONFIG=minimal)"; exit 1; }
debian_root "itools-$suite" "$suite" "initramfs-tools busybox udev kmod zstd" ||
	{ echo "FAIL: $tn: cannot build the Debian root"; exit 1; }
w=$BUILD/boot-work/$tn
rm -rf "$w" && mkdir -p "$w/out" "$w/ns" || exit 1

# In a mount namespace of its own (every mount goes with it): the cached
# root under an overlay on a tmpfs, so the cache stays as it was, the test
# kernel's modules bound in, /proc /sys /dev for mkinitramfs, and $w/out
# as /out for the images.
cat > "$w/build.sh" <<'EOS'
set -eu
w=$1 root=$2 kroot=$3 kver=$4 recipe=$5 bin=$6
mount -t tmpfs -o size=1g itools "$w/ns"
mkdir "$w/ns/upper" "$w/ns/work" "$w/ns/root"
mount -t overlay -o "lowerdir=$root,upperdir=$w/ns/upper,workdir=$w/ns/work" itools "$w/ns/root"
r=$w/ns/root
mkdir -p "$r/usr/lib/modules/$kver" "$r/out"
mount --bind "$kroot/lib/modules/$kver" "$r/usr/lib/modules/$kver"
mount -o remount,bind,ro "$r/usr/lib/modules/$kver"
cp "$kroot/boot/config-$kver" "$r/boot/"
mount -t proc proc "$r/proc"
mount -t sysfs sys "$r/sys"
mount --bind /dev "$r/dev"
mount --bind "$w/out" "$r/out"
mkinit() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$r" mkinitramfs -o "/out/$1.img" "$kver"; }
mkinit plain
"$recipe" -D "$r" -b "$bin"
mkinit hooked
"$recipe" -r -D "$r"
mkinit removed
EOS
if ! unshare --mount --fork sh "$w/build.sh" "$w" "$DEBROOT" "$KROOT" "$KVER" \
	"$TOP/scripts/initramfs-tools/install" "$INITBOX_MINIMAL" > "$w/build.log" 2>&1; then
	echo "FAIL: $tn: Debian's mkinitramfs in the $suite root failed; the end of $w/build.log:"
	tail -n 15 "$w/build.log" | sed 's/^/    | /'
	exit 1
fi
rc=0

# What each image holds, unpacked by initbox's cpio-unpack.
for n in plain hooked removed; do
	mkdir "$w/$n" && "$INITBOX" cpio-unpack -C "$w/$n" "$w/out/$n.img" 2> "$w/$n.err" ||
		{ echo "FAIL: $tn: cpio-unpack cannot read $n.img: $(head -n 1 "$w/$n.err")"; exit 1; }
	(cd "$w/$n" && find . | LC_ALL=C sort) > "$w/$n.names"
done
h=$w/hooked p=$w/plain
if [ "$(readlink "$h/usr/sbin/run-init")" = ../bin/initbox ] &&
	[ "$(readlink "$h/usr/sbin/switch_root")" = ../bin/initbox ] &&
	cmp -s "$h/usr/bin/initbox" "$INITBOX_MINIMAL" &&
	[ ! -e "$h/usr/bin/run-init" ] && [ ! -e "$h/usr/bin/switch_root" ]; then
	echo "PASS: $tn: the hooked image's run-init and switch_root are initbox (usr/sbin/NAME -> ../bin/initbox, the others gone)"
else
	echo "FAIL: $tn: the hooked image's run-init and switch_root are initbox: $(ls -l "$h/usr/sbin/run-init" "$h/usr/sbin/switch_root" "$h/usr/bin/initbox" 2>&1 | tr '\n' ';')"; rc=1
fi
# Debian's own: busybox's run-init when busybox is installed (its hook
# runs first; klibc-utils then skips a name sbin has), else klibc's.
if [ "$p/usr/sbin/run-init" -ef "$p/usr/bin/busybox" ] && ! grep -q initbox "$w/plain.names"; then
	echo "PASS: $tn: the control image's run-init is Debian's (busybox's run-init), no initbox in it"
else
	echo "FAIL: $tn: the control image's run-init is Debian's (busybox's run-init): $(ls -li "$p/usr/sbin/run-init" "$p/usr/bin/busybox" 2>&1 | tr '\n' ';')"; rc=1
fi
if cmp -s "$w/plain.names" "$w/removed.names"; then
	echo "PASS: $tn: after install -r the image holds the same files as the control"
else
	echo "FAIL: $tn: after install -r the image holds the same files as the control: $(diff "$w/plain.names" "$w/removed.names" | grep '^[<>]' | head -n 5 | tr '\n' ';')"; rc=1
fi
sz() { stat -c %s "$w/out/$1.img"; }
un() { du -s -B1 --apparent-size "$w/$1" | cut -f1; }
echo "$tn: sizes: control $(sz plain) bytes ($(un plain) unpacked), hooked $(sz hooked) bytes ($(un hooked) unpacked)"

# The root: busybox and an /sbin/init that reports its PID and memory.
uuid=5e1f0c1a-17b0-4c3e-9a1d-1ee7b0c0ffee
sr_newroot "$w/root" "$SR_MEMINIT
echo \"ITOOLS-INIT: pid \$\$\"
if [ \$\$ = 1 ]; then echo 'BOOT-RESULT: PASS'; else echo \"BOOT-RESULT: FAIL: init is pid \$\$\"; fi
/bin/busybox poweroff -f" &&
	mkfs.ext4 -q -F -U "$uuid" -d "$w/root" "$w/root.img" 64M > /dev/null ||
	{ echo "FAIL: $tn: cannot build the root disk"; exit 1; }

# A Debian image with every module and udev needs more than the 256 MiB
# default to unpack and run.
freed_re='^run-init: freed [0-9.]+ [KMG]?i?B \([0-9]+ files\); (nothing pinned|still pinned .*)$'
for n in plain hooked; do
	BOOT_MEM=512M boot_run "itools-$suite-$n" "$w/out/$n.img" "root=UUID=$uuid" \
		-drive "file=$w/root.img,if=virtio,format=raw"
	boot_report "itools-$suite-$n" "$tn: Debian's /init finds root=UUID= and the root's init runs as PID 1 ($n image, $BOOT_SECONDS s)"
	grep -q '^BOOT-RESULT: PASS' "$LOGS/boot-itools-$suite-$n.serial" || rc=1
done
hl=$LOGS/boot-itools-$suite-hooked.serial pl=$LOGS/boot-itools-$suite-plain.serial
line=$(grep -E "$freed_re" "$hl" | head -n 1)
if [ -n "$line" ] && grep -q '^ITOOLS-INIT: pid 1$' "$hl"; then
	echo "PASS: $tn: the hooked boot shows initbox's report before the root's init: $line"
else
	echo "FAIL: $tn: the hooked boot shows initbox's report ($freed_re): $(grep -E '^run[-_]init:' "$hl" | head -n 3 | tr '\n' ';')"; rc=1
fi
# What it freed is the unpacked image (run-init deletes all of it; /init's
# mounts moved away first): within 5 % of the bytes cpio-unpack wrote.
freed=$(printf '%s' "$line" | sed -n 's/^run-init: freed \([0-9.]*\) MiB.*/\1/p')
if [ -n "$freed" ] && awk -v f="$freed" -v u="$(un hooked)" 'BEGIN { exit !(f * 1048576 >= u * 0.95 && f * 1048576 <= u * 1.05) }'; then
	echo "PASS: $tn: run-init freed the whole image: $freed MiB of $(un hooked) bytes unpacked"
else
	echo "FAIL: $tn: run-init freed the whole image: '${freed:-?}' MiB of $(un hooked) bytes unpacked"; rc=1
fi
if ! grep -Eq '^(run[-_]init|switch_root): (freed|kept)' "$pl" && grep -q '^ITOOLS-INIT: pid 1$' "$pl"; then
	echo "PASS: $tn: the control boot reaches the same init with no such line (busybox's run-init is silent)"
else
	echo "FAIL: $tn: the control boot reaches the same init with no such line: $(grep -E '^(run_init|switch_root):|^ITOOLS-INIT' "$pl" | head -n 3 | tr '\n' ';')"; rc=1
fi
mem() { sed -n 's/^MEMAVAIL: //p' "$1" | head -n 1; }
echo "$tn: MemAvailable in the new root: control $(mem "$pl") kB, hooked $(mem "$hl") kB"
exit $rc
