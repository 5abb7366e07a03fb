# live_legacy.sh - a legacy initrd through initbox's own /init: the image
# made by scripts/mkinitramfs -I holds an old-style ext2 initrd (gzip) as
# /initrd.image, and nothing on the command line names it. /init hands it
# to initrd-host, whose /linuxrc loads virtio_pci and virtio_blk from the
# image with initbox's modprobe (the initramfs has only loop) and writes vda's number to
# real-root-dev; the real root on the virtio disk is mounted and its init
# runs as PID 1 with the initrd moved to /initrd. Then an /initrd.image
# that is no filesystem: /init's rescue shell, the image left as it was.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_legacy
boot_kernel || { echo "FAIL: live_legacy: cannot fetch the test kernel"; exit 1; }
. "$TOP/scripts/lib/switchroot.sh"
command -v mkfs.ext2 > /dev/null || { echo "FAIL: live_legacy: needs mkfs.ext2 (e2fsprogs)"; exit 1; }
w=$BOOT_WORK/live_legacy
M=$KROOT/lib/modules/$KVER
BB=$(command -v busybox)
rm -rf "$w" && mkdir -p "$w/legacy/bin" "$w/legacy/dev" "$w/legacy/proc" \
	"$w/legacy/sys"

# The legacy image: busybox, initbox with the virtio modules, /linuxrc.
cp "$BB" "$w/legacy/bin/busybox" && cp "$INITBOX" "$w/legacy/bin/initbox" || exit 1
for a in sh mount umount cat sleep; do ln -s busybox "$w/legacy/bin/$a"; done

boot_modules "$w/legacy" virtio_pci virtio_blk || { echo "FAIL: live_legacy: the legacy image's modules"; exit 1; }
cat > "$w/legacy/linuxrc" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
/bin/initbox modprobe -a virtio_pci virtio_blk || echo "LINUXRC: modprobe virtio_blk failed"
i=0
while [ ! -e /sys/block/vda/dev ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
IFS=: read -r maj min < /sys/block/vda/dev
echo $(( (min & 255) | (maj << 8) | ((min & ~255) << 12) )) > /proc/sys/kernel/real-root-dev
echo "LINUXRC: pid $$ wrote real-root-dev $(cat /proc/sys/kernel/real-root-dev) for vda ($maj:$min)"
umount /sys
umount /proc
EOF
chmod 755 "$w/legacy/linuxrc"
mkfs.ext2 -q -d "$w/legacy" "$w/legacy.img" 12M && gzip -9 -n -f "$w/legacy.img" ||
	{ echo "FAIL: live_legacy: cannot build the legacy image"; exit 1; }

# The real root: an ext4 virtio disk whose init checks where it runs.
sr_newroot "$w/root" '
/bin/busybox mount -t proc proc /proc 2>/dev/null
src=$(/bin/busybox awk "{ i = 7; while (\$i != \"-\") i++ } \$5 == \"/\" { s = \$(i + 2) } END { print s }" /proc/self/mountinfo)
echo "REAL-INIT: pid $$ root $src"
if [ $$ != 1 ]; then echo "BOOT-RESULT: FAIL: init is not PID 1"
elif [ "$src" != /dev/vda ]; then echo "BOOT-RESULT: FAIL: root is $src, not /dev/vda"
elif ! /bin/busybox grep -q " /initrd " /proc/self/mountinfo || [ ! -x /initrd/linuxrc ]; then
	echo "BOOT-RESULT: FAIL: the initrd is not on /initrd"
else echo "BOOT-RESULT: PASS"; fi
/bin/busybox poweroff -f' && mkdir -p "$w/root/initrd" && sr_rootdisk "$w/root" "$w/disk.img" ||
	{ echo "FAIL: live_legacy: cannot build the root disk"; exit 1; }

# Only loop in the initramfs: vda can only come from /linuxrc's insmod.
live_initramfs "$w/initrd.img" -m loop -I "$w/legacy.img.gz" > "$w/mkinitramfs.out" 2>&1 ||
	{ echo "FAIL: live_legacy: mkinitramfs -I failed: $(tail -n 3 "$w/mkinitramfs.out")"; exit 1; }
mkdir -p "$w/unpacked" && "$INITBOX_HOST" cpio-unpack -C "$w/unpacked" "$w/initrd.img" 2> /dev/null
if cmp -s "$w/unpacked/initrd.image" "$w/legacy.img.gz" && ! find "$w/unpacked/lib/modules" -name 'virtio_blk.ko*' | grep -q .; then
	echo "PASS: mkinitramfs -I puts the legacy image in as /initrd.image"
else
	echo "FAIL: mkinitramfs -I puts the legacy image in as /initrd.image (or virtio_blk slipped in)"
	LIVE_FAILS=1
fi

log=$LOGS/boot-live-legacy.serial
BOOT_MEM=128M live_boot live-legacy \
	"/init boots /initrd.image through initrd-host: /linuxrc loads virtio_blk, writes real-root-dev, the real root's init runs as PID 1 on /dev/vda" \
	"$w/initrd.img" "" -drive "file=$w/disk.img,format=raw,if=virtio"
live_expect "/init finds /initrd.image without a command-line key" "$log" \
	'^initbox: legacy initrd /initrd.image: running its /linuxrc'
live_expect "/linuxrc ran and wrote vda's number" "$log" '^LINUXRC: pid [0-9]+ wrote real-root-dev [1-9][0-9]* for vda'
live_expect "the initramfs is freed at the hand-over" "$log" '^initrd-host: freed [0-9.]+ [KMG]iB'
live_refute "no live medium is searched" "$log" '^initbox: (medium|no medium)'
live_refute "the kernel was never given a compressed module as ELF" "$log" 'Invalid ELF header'
live_refute "no kernel panic" "$log" 'Kernel panic'

# An image that is no filesystem: initrd-host -n refuses it, /init says so
# in one line and gives its rescue shell, nothing changed (the image is
# still there). The words typed are assembled at run time, so the echo of
# the typed line never matches.
head -c 65536 /dev/urandom > "$w/bad.img"
live_initramfs "$w/initrd-bad.img" -m loop -I "$w/bad.img" > "$w/mkinitramfs-bad.out" 2>&1 ||
	{ echo "FAIL: live_legacy: mkinitramfs -I (bad image) failed"; exit 1; }
printf '%s\n' 'r=PA; echo; [ -f /initrd.image ] && echo "BOOT-RESULT: ${r}SS" || echo "BOOT-RESULT: FAIL: /initrd.image is gone"' > "$w/input"
log=$LOGS/boot-live-legacy-bad.serial
BOOT_MEM=128M BOOT_TIMEOUT=60 BOOT_INPUT=$w/input BOOT_INPUT_AFTER='rescue shell on the console' \
	live_boot live-legacy-bad "an /initrd.image that is no filesystem stops in /init's rescue shell with the image untouched" \
	"$w/initrd-bad.img" "" -drive "file=$w/disk.img,format=raw,if=virtio"
live_expect "one line says the legacy initrd cannot be booted" "$log" \
	'initbox: cannot boot the legacy initrd /initrd.image \(initrd-host -n said why above\)'
live_expect "initrd-host says why" "$log" '^initrd-host: .*initrd.image'
live_refute "no kernel panic after the refused image" "$log" 'Kernel panic'
live_done
