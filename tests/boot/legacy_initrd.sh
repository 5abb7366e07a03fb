# legacy_initrd.sh - a legacy initrd (ext2, gzip, /linuxrc) hosted by
# initrd-host from an initramfs, on a kernel that never runs /linuxrc
# itself for an initramfs (brd is a module on Debian's kernels; Linux >= 7.0
# has neither linuxrc nor real-root-dev):
#  (a) /linuxrc loads virtio_blk from the image (initbox modprobe) and
#      writes vda's number
#      to real-root-dev; no root= on the command line. Once with the
#      kernel's sysctl, once with the stand-in (-E, as on Linux >= 7.0).
#  (b) the mixed mechanism: /linuxrc writes 0x100, the image (copied into
#      /dev/ram0, brd loaded by /init) becomes the root, its /sbin/init
#      does pivot_root . initrd + exec chroot . /sbin/init with initbox;
#      the real init unmounts /initrd and runs blockdev --flushbufs.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need legacy_initrd
boot_kernel || { echo "FAIL: legacy_initrd: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
command -v mkfs.ext2 >/dev/null || { echo "FAIL: legacy_initrd: needs mkfs.ext2 (e2fsprogs)"; exit 1; }
w=$BOOT_WORK/legacy_initrd
M=$KROOT/lib/modules/$KVER
BB=$(command -v busybox)
rm -rf "$w" && mkdir -p "$w"
rc=0

# The initramfs: busybox, initbox, the loop and brd modules with the
# module indexes, the legacy image as /initrd.image; /init loads loop (and
# $2) with initbox modprobe and execs initrd-host with $1.
li_initramfs() { # DIR FLAGS PRE
	d=$1
	rm -rf "$d" && mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/run" || return 1
	cp "$BB" "$d/bin/busybox" && cp "$INITBOX" "$d/bin/initbox" && ln -s busybox "$d/bin/sh" || return 1
	boot_modules "$d" loop brd || return 1
	cp "$w/legacy.img.gz" "$d/initrd.image" || return 1
	cat > "$d/init" <<EOI
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/initbox modprobe loop || echo "BOOT-RESULT: FAIL: initbox modprobe loop"
$3
exec /bin/initbox initrd-host $2 /initrd.image
EOI
	chmod 755 "$d/init"
}

# The legacy image: busybox with the links an old linuxrc uses, initbox
# with the virtio modules (for its modprobe), /linuxrc = $1, and the
# image's own /sbin/init = $2 (for the 0x100 case).
li_image() { # LINUXRC-BODY SBIN-INIT-BODY
	s=$w/legacy
	rm -rf "$s" && mkdir -p "$s/bin" "$s/sbin" "$s/dev" "$s/proc" "$s/sys" "$s/run" "$s/new" || return 1
	cp "$BB" "$s/bin/busybox" && cp "$INITBOX" "$s/bin/initbox" || return 1
	for a in sh mount umount cat sleep echo ls; do ln -s busybox "$s/bin/$a"; done
	boot_modules "$s" virtio_pci virtio_blk || return 1
	printf '#!/bin/sh\nexport PATH=/bin\n%s\n' "$1" > "$s/linuxrc"
	printf '#!/bin/sh\nexport PATH=/bin\n%s\n' "$2" > "$s/sbin/init"
	chmod 755 "$s/linuxrc" "$s/sbin/init"
	rm -f "$w/legacy.img" && mkfs.ext2 -q -d "$s" "$w/legacy.img" 12M &&
		gzip -9 -n -f "$w/legacy.img"
}

# --- (a) /linuxrc picks /dev/vda through real-root-dev -------------------
LRC_A='mount -t proc proc /proc
mount -t sysfs sys /sys
/bin/initbox modprobe -a virtio_pci virtio_blk || echo "LINUXRC: modprobe virtio_blk failed"
i=0
while [ ! -e /sys/block/vda/dev ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
IFS=: read -r maj min < /sys/block/vda/dev
echo $(( (min & 255) | (maj << 8) | ((min & ~255) << 12) )) > /proc/sys/kernel/real-root-dev
echo "LINUXRC: real-root-dev $(cat /proc/sys/kernel/real-root-dev) for vda ($maj:$min)"
umount /sys
umount /proc'
li_image "$LRC_A" 'echo "IMAGE-INIT-RAN"' || { echo "FAIL: legacy_initrd: cannot build the legacy image"; exit 1; }

sr_newroot "$w/rootA" '
/bin/busybox mount -t proc proc /proc 2>/dev/null
src=$(/bin/busybox awk "{ i = 7; while (\$i != \"-\") i++ } \$5 == \"/\" { s = \$(i + 2) } END { print s }" /proc/self/mountinfo)
rrd=$(/bin/busybox cat /proc/sys/kernel/real-root-dev)
echo "REAL-INIT: pid $$ root $src kernel-real-root-dev $rrd"
if [ $$ != 1 ]; then echo "BOOT-RESULT: FAIL: init is not PID 1"
elif [ "$src" != /dev/vda ]; then echo "BOOT-RESULT: FAIL: root is $src, not /dev/vda"
elif ! /bin/busybox grep -q " /initrd " /proc/self/mountinfo || [ ! -x /initrd/linuxrc ]; then
	echo "BOOT-RESULT: FAIL: the initrd is not on /initrd"
else echo "BOOT-RESULT: PASS"; fi
'"$SR_FREE"'
mem() { free_kb; }
m0=$(mem)
/bin/busybox umount /initrd
# the loop device under it detaches (autoclear) asynchronously on newer
# kernels: measure once it has let its backing file go
i=0
while /bin/busybox ls /sys/block/loop*/loop/backing_file > /dev/null 2>&1 && [ $i -lt 50 ]; do
	/bin/busybox sleep 0.1; i=$((i + 1))
done
echo "MEM-KB: before-umount $m0 after-umount $(mem)"
/bin/busybox poweroff -f'
mkdir -p "$w/rootA/initrd"
sr_rootdisk "$w/rootA" "$w/diskA.img" || { echo "FAIL: legacy_initrd: mkfs.ext4"; exit 1; }

for v in sysctl standin; do
	case $v in
	sysctl) flags= what="the kernel's real-root-dev" ;;
	standin) flags=-E what="the stand-in real-root-dev (-E, as on Linux >= 7.0)" ;;
	esac
	li_initramfs "$w/ir-$v" "$flags" "" && boot_cpio "$w/ir-$v" "$w/ir-$v.img" ||
		{ echo "FAIL: legacy_initrd: cannot build the initramfs"; exit 1; }
	cp "$w/diskA.img" "$w/disk-$v.img"
	name="(a) /linuxrc insmods virtio_blk and writes vda to $what; the real root's init runs with the initrd on /initrd"
	log=$LOGS/boot-legacy-$v.serial
	if boot_run "legacy-$v" "$w/ir-$v.img" "" \
		-drive "file=$w/disk-$v.img,format=raw,if=virtio"; then
		echo "PASS: $name (${BOOT_SECONDS} s)"
	else
		boot_report "legacy-$v" "$name"; rc=1
	fi
	want=$(sed -n 's/^LINUXRC: real-root-dev \([0-9]*\) for vda.*/\1/p' "$log")
	got=$(sed -n 's/^REAL-INIT: .* kernel-real-root-dev \([0-9]*\).*/\1/p' "$log")
	if [ "$KERNEL_MAJOR" -ge 7 ] && [ -n "$want" ] && [ -z "$got" ] &&
		grep -q '^REAL-INIT: pid 1 root /dev/vda ' "$log"; then
		echo "PASS: (a) $v: the kernel has no real-root-dev (Linux >= 7.0): the stand-in carried $want to the root it mounted"
	elif [ $v = sysctl ] && [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "PASS: (a) without -E the value lives in the kernel's sysctl ($got)"
	elif [ $v = standin ] && [ -n "$want" ] && [ "$got" = 0 ]; then
		echo "PASS: (a) with -E the kernel's sysctl stays 0 and the stand-in carried $want"
	else
		echo "FAIL: (a) $what carried the value: linuxrc wrote '$want', the kernel's sysctl says '$got'"; rc=1
	fi
	set -- $(sed -n 's/^MEM-KB: before-umount \([0-9]*\) after-umount \([0-9]*\)$/\1 \2/p' "$log")
	if [ $# = 2 ] && [ $(($2 - $1)) -ge 8192 ]; then
		echo "PASS: (a) $v: umount /initrd gives the image's memory back ($(($2 - $1)) KiB of the 12 MiB copy)"
	else
		echo "FAIL: (a) $v: umount /initrd gives the image's memory back: MemAvailable ${1:-?} -> ${2:-?} KiB"; rc=1
	fi
	f=$(grep -m1 '^initrd-host: freed' "$log")
	if [ -n "$f" ]; then
		echo "PASS: (a) $v: the initramfs is freed at the hand-over ($f)"
	else
		echo "FAIL: (a) $v: no 'initrd-host: freed' report on the console"; rc=1
	fi
done

# --- (b) 0x100: the mixed change_root and pivot_root mechanism -------------
LRC_B='mount -t proc proc /proc
/bin/initbox modprobe -a virtio_pci virtio_blk || echo "LINUXRC: modprobe virtio_blk failed"
echo 0x100 > /proc/sys/kernel/real-root-dev
echo "LINUXRC: real-root-dev $(cat /proc/sys/kernel/real-root-dev)"
umount /proc'
INIT_B='echo "IMAGE-INIT: pid $$"
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /new || { echo "BOOT-RESULT: FAIL: the image init cannot mount /dev/vda"; exec sh; }
for d in dev proc sys run; do mount --move /$d /new/$d; done
cd /new
/bin/initbox pivot_root . initrd || { echo "BOOT-RESULT: FAIL: pivot_root . initrd"; exec sh; }
exec /initrd/bin/initbox chroot . /sbin/init <dev/console >dev/console 2>&1'
li_image "$LRC_B" "$INIT_B" || { echo "FAIL: legacy_initrd: cannot build the legacy image (b)"; exit 1; }
sr_newroot "$w/rootB" '
cp=/bin/busybox
'"$SR_FREE"'
mem() { free_kb; }
src=$($cp awk "{ i = 7; while (\$i != \"-\") i++ } \$5 == \"/\" { s = \$(i + 2) } END { print s }" /proc/self/mountinfo)
echo "REAL-INIT: pid $$ root $src"
$cp grep -q " /initrd " /proc/self/mountinfo && echo "REAL-INIT: /initrd mounted"
m0=$(mem)
$cp umount /initrd; u=$?
m1=$(mem)
/bin/initbox blockdev --flushbufs /dev/ram0; f=$?
m2=$(mem)
echo "MEM-KB: before-umount $m0 after-umount $m1 after-flushbufs $m2"
if [ $$ != 1 ]; then echo "BOOT-RESULT: FAIL: init is not PID 1"
elif [ "$src" != /dev/vda ]; then echo "BOOT-RESULT: FAIL: root is $src, not /dev/vda"
elif [ $u != 0 ]; then echo "BOOT-RESULT: FAIL: umount /initrd failed"
elif [ $f != 0 ]; then echo "BOOT-RESULT: FAIL: blockdev --flushbufs /dev/ram0 failed"
else echo "BOOT-RESULT: PASS"; fi
/bin/busybox poweroff -f'
mkdir -p "$w/rootB/initrd"
cp "$INITBOX" "$w/rootB/bin/initbox"
sr_rootdisk "$w/rootB" "$w/diskB.img" || { echo "FAIL: legacy_initrd: mkfs.ext4 (b)"; exit 1; }
li_initramfs "$w/ir-mixed" "-d /dev/ram0" \
	'/bin/initbox modprobe brd rd_nr=1 rd_size=16384 || echo "BOOT-RESULT: FAIL: initbox modprobe brd"' &&
	boot_cpio "$w/ir-mixed" "$w/ir-mixed.img" || { echo "FAIL: legacy_initrd: initramfs (b)"; exit 1; }
name="(b) real-root-dev 0x100 on /dev/ram0: the image's init does pivot_root . initrd + exec chroot . /sbin/init, the real init unmounts /initrd and flushes /dev/ram0"
log=$LOGS/boot-legacy-mixed.serial
if boot_run legacy-mixed "$w/ir-mixed.img" "" -drive "file=$w/diskB.img,format=raw,if=virtio"; then
	echo "PASS: $name (${BOOT_SECONDS} s)"
else
	boot_report legacy-mixed "$name"; rc=1
fi
if grep -q '^IMAGE-INIT: pid 1$' "$log" && grep -q 'the initrd is the root' "$log"; then
	echo "PASS: (b) the image's /sbin/init runs as PID 1 with the image as root"
else
	echo "FAIL: (b) the image's /sbin/init runs as PID 1 with the image as root: $(grep -E '^(IMAGE-INIT|initrd-host)' "$log" | tr '\n' '|')"; rc=1
fi
grep -m1 '^MEM-KB:' "$log" | sed 's/^/    measured: /'
# initbox's modprobe loads the kernel's compressed modules as the kernel
# allows: never a compressed file without MODULE_INIT_COMPRESSED_FILE
if grep -l 'Invalid ELF header' "$LOGS"/boot-legacy-*.serial > /dev/null 2>&1; then
	echo "FAIL: the kernel was given a compressed module as ELF: $(grep -l 'Invalid ELF header' "$LOGS"/boot-legacy-*.serial | tr '\n' ' ')"; rc=1
else
	echo "PASS: the kernel was never given a compressed module as ELF"
fi
# brd frees a RAM disk's pages on a discard from Linux 6.10 (blockdev
# --flushbufs issues it); before, only rmmod does, and blockdev says so.
set -- $(sed -n 's/^MEM-KB: before-umount \([0-9]*\) after-umount \([0-9]*\) after-flushbufs \([0-9]*\)$/\1 \2 \3/p' "$log")
mm=$(echo "$KVER" | awk -F. '{ print $1 * 1000 + $2 }')
if [ "$mm" -ge 6010 ]; then
	if [ $# = 3 ] && [ $(($3 - $2)) -ge 8192 ]; then
		echo "PASS: (b) blockdev --flushbufs /dev/ram0 frees the RAM disk: MemAvailable +$(($3 - $2)) KiB"
	else
		echo "FAIL: (b) blockdev --flushbufs /dev/ram0 frees the RAM disk: MemAvailable ${2:-?} -> ${3:-?} KiB"; rc=1
	fi
elif grep -q "^blockdev: free the RAM disk /dev/ram0: this kernel's brd cannot (no discard before Linux 6.10): rmmod brd frees it" "$log"; then
	echo "PASS: (b) blockdev --flushbufs says this kernel's brd cannot free the RAM disk (before 6.10)"
else
	echo "FAIL: (b) blockdev --flushbufs on a brd without discard says the memory stays: $(grep '^blockdev' "$log")"; rc=1
fi
exit $rc
