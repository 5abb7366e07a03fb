# media_modules.sh - modprobe, coldplug and findmedia on Debian's cloud
# kernel, whose loop, squashfs, overlay and isofs are modules (virtio and
# virtio_pci too on 6.1; built in on 6.12 and 7.x: what the checks expect
# is read from the kernel's module tree, with kmod's modprobe).
#
# The initramfs holds initbox (modprobe, insmod, findmedia; /sbin/modprobe
# for the kernel's request_module), busybox only as the shell, and a subset
# of the kernel's module tree re-indexed with depmod. Four virtio disks:
#   vda  whole-disk ext4, LABEL=MEDIA<rnd>
#   vdb  GPT: p1 squashfs (holds /hello), p2 ext4 LABEL=GPT2<rnd>
#   vdc  MBR, disk id 0x1234abcd: p1 (no fs), extended p2, logical p5 ext4
#   vdd  an iso9660 image with an MBR partition 1 starting at sector 0
#        (classic isohybrid): the same fs on vdd and vdd1
#   vde  a UDF disc with an ISO 9660 bridge (genisoimage -udf)
# Each check prints "CHECK PASS: ..." or "CHECK FAIL: ...: why" on the
# console; BOOT-RESULT: PASS only if every check passed.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need media_modules
boot_kernel || { echo "FAIL: media_modules: cannot fetch the test kernel"; exit 1; }
for c in depmod sfdisk mkfs.ext4 mksquashfs xorriso genisoimage; do
	command -v $c >/dev/null 2>&1 ||
		{ echo "FAIL: media_modules: needs $c (scripts/deps.sh tools)"; exit 1; }
done
: "${INITBOX:=$BUILD/initbox}"
for a in modprobe insmod findmedia; do
	"$INITBOX" --list 2>/dev/null | grep -qx $a ||
		{ echo "FAIL: media_modules: $INITBOX lacks the $a applet"; exit 1; }
done

w=$BOOT_WORK/media_modules
r=$w/root
rm -rf "$w" && mkdir -p "$w" "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/mnt" "$r/tmp" "$r/run"
R=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')

# --- initramfs ---------------------------------------------------------------
cp "$(command -v busybox)" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cp "$INITBOX" "$r/bin/initbox"
for a in modprobe insmod findmedia; do ln -s ../bin/initbox "$r/sbin/$a"; done
boot_modules "$r" virtio_pci virtio_blk loop squashfs overlay isofs udf vfat ||
	{ echo "FAIL: media_modules: the module subset"; exit 1; }
# What this kernel's tree says (kmod's modprobe as the reference): the
# files isofs loads in order, the modules virtio_blk brings that are not
# built in, the modules' suffix (.ko, .ko.xz), virtio_pci a module or not.
shows() { modprobe -d "$KROOT" -S "$KVER" --show-depends "$1" | sed -n 's|^insmod .*/\([^ /]*\) *$|\1|p'; }
ISO_ORDER=$(shows isofs | tr '\n' ' ')
VBLK_MODS=$(shows virtio_blk | sed 's/\.ko.*//' | tr '\n-' ' _')
SUF=$(kmod_file isofs | sed 's/.*\(\.ko[.a-z]*\)$/\1/')
if kmod_builtin virtio_pci; then VPCI=builtin; else VPCI=module; fi

# --- disks -------------------------------------------------------------------
LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
mkdir -p "$w/sq" && echo "hello $R" > "$w/sq/hello"
mksquashfs "$w/sq" "$w/p1.sqfs" -noappend -quiet > /dev/null
truncate -s 16M "$w/vda" && mkfs.ext4 -q -F -L "MEDIA$R" "$w/vda"
truncate -s 16M "$w/vdb"
printf 'label: gpt\nstart=2048, size=8192, type=%s\nstart=10240, size=20480, type=%s\n' \
	$LINUX $LINUX | sfdisk -q "$w/vdb"
dd if="$w/p1.sqfs" of="$w/vdb" bs=512 seek=2048 conv=notrunc 2>/dev/null
truncate -s 10M "$w/p2" && mkfs.ext4 -q -F -L "GPT2$R" "$w/p2"
dd if="$w/p2" of="$w/vdb" bs=512 seek=10240 conv=notrunc 2>/dev/null
G1=$(sfdisk --part-uuid "$w/vdb" 1 | tr A-F a-f)
G2=$(sfdisk --part-uuid "$w/vdb" 2 | tr A-F a-f)
truncate -s 16M "$w/vdc"
printf 'label: dos\nlabel-id: 0x1234abcd\nstart=2048, size=4096, type=83\nstart=6144, size=24576, type=5\nstart=8192, size=20480, type=83\n' |
	sfdisk -q "$w/vdc"
truncate -s 10M "$w/p5" && mkfs.ext4 -q -F -L "LOGI$R" "$w/p5"
dd if="$w/p5" of="$w/vdc" bs=512 seek=8192 conv=notrunc 2>/dev/null
xorriso -as mkisofs -quiet -V "HYB$R" -o "$w/vdd" "$w/sq" 2>/dev/null
# classic isohybrid: MBR in the ISO's system area, partition 1 from 0
sec=$(( $(stat -c %s "$w/vdd") / 512 ))
printf "\\200\\000\\001\\000\\027\\000\\000\\000\\000\\000\\000\\000$(printf '\\%03o\\%03o\\%03o\\%03o' \
	$((sec & 255)) $((sec >> 8 & 255)) $((sec >> 16 & 255)) $((sec >> 24)))" |
	dd of="$w/vdd" bs=1 seek=446 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$w/vdd" bs=1 seek=510 conv=notrunc 2>/dev/null
HU=$(blkid -p -o value -s UUID "$w/vdd")
genisoimage -quiet -udf -J -V "UDFB$R" -o "$w/vde" "$w/sq" 2>/dev/null

# --- /init -------------------------------------------------------------------
cat > "$r/init" <<EOT
#!/bin/sh
export PATH=/sbin:/bin
echo  # the firmware leaves terminal escapes on the first console line
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mount -t tmpfs tmpfs /run
# busybox's shell would run its own modprobe applet for a bare name
modprobe() { /sbin/modprobe "\$@"; }
findmedia() { /sbin/findmedia "\$@"; }
fails=0
ok() { echo "CHECK PASS: \$1"; }
no() { echo "CHECK FAIL: \$1: \$2"; fails=\$((fails + 1)); }
live() { [ "\$(busybox cat /sys/module/\$1/initstate 2>/dev/null)" = live ]; }
has_fs() { busybox grep -qw "\$1" /proc/filesystems; }

if modprobe -v loop > /tmp/o 2>&1 && live loop && [ -c /dev/loop-control ]; then
	ok "modprobe loop: loaded, /dev/loop-control exists"
else no "modprobe loop" "\$(busybox cat /tmp/o)"; fi

modprobe -v isofs > /tmp/o 2>&1
if live cdrom && live isofs && has_fs iso9660 &&
	[ "\$(busybox sed -n 's|^insmod .*/||p' /tmp/o | busybox tr '\n' ' ')" = "$ISO_ORDER" ]; then
	ok "modprobe isofs loads its dependency cdrom first ($ISO_ORDER)"
else no "modprobe isofs loads cdrom first" "\$(busybox cat /tmp/o)"; fi

if modprobe overlay && live overlay && has_fs overlay; then
	ok "modprobe overlay: overlay in /proc/filesystems"
else no "modprobe overlay" "not live"; fi

all_live() { for m in "\$@"; do live \$m || return 1; done; }
# With virtio_pci built in, the disks appear once virtio_blk is in: then
# the coldplug below must load it, and modprobe virtio-blk comes after.
vblk() {
	if modprobe virtio-blk > /tmp/ov 2>&1 && all_live $VBLK_MODS; then
		ok "modprobe virtio-blk (dash): virtio_blk with what it needs that is not built in ($VBLK_MODS)"
	else no "modprobe virtio-blk" "\$(busybox cat /tmp/ov)"; fi
}
[ $VPCI = builtin ] || vblk

if modprobe ext4 && modprobe fs-ext4; then ok "a built-in module (ext4, fs-ext4) is success"
else no "built-in module is success" "modprobe ext4 failed"; fi

modprobe nosuchmod 2> /tmp/e; rc=\$?
if [ \$rc = 1 ] && busybox grep -q "module nosuchmod not found in modules.dep (\$(busybox uname -r))" /tmp/e; then
	ok "a missing module: exit 1 and one clear line"
else no "a missing module" "rc \$rc: \$(busybox cat /tmp/e)"; fi

if modprobe -q nosuchmod 2> /tmp/e; then no "modprobe -q" "exit 0"
elif [ -s /tmp/e ]; then no "modprobe -q is quiet" "\$(busybox cat /tmp/e)"
else ok "modprobe -q: exit 1, no message"; fi

if [ -e /sys/class/block/vda ]; then no "no disk before coldplug" "vda exists"
else ok "no virtio disk before coldplug"; fi
# Three jobs on one CPU: the parallel path (a child per load, each once
# its dependencies are in), with vfat (needs fat) named alongside.
modprobe -v -j 3 -C -a vfat > /tmp/o 2> /tmp/e; rc=\$?
if [ \$rc = 0 ] && { [ $VPCI = builtin ] || live virtio_pci; } &&
	[ -e /sys/class/block/vda ] && [ -e /sys/class/block/vdd ]; then
	ok "coldplug (-j 3) loads virtio_pci ($VPCI) and the four virtio disks appear"
else no "coldplug makes the disks appear" "rc \$rc \$(busybox cat /tmp/e; busybox ls /sys/class/block)"; fi
[ $VPCI = module ] || vblk
# "insmod" lines come as loads start: each after those it needs ended
order=\$(busybox sed -n 's|^insmod .*/||p' /tmp/o | busybox tr '\n' ' ')
before() { case " \$order" in *" \$1 "*" \$2 "* | *" \$1 \$2 "*) return 0 ;; esac; return 1; }
# (virtio and virtio_ring came with virtio-blk above); a built-in
# virtio_pci leaves only vfat after fat to order
if live vfat && live fat && before fat$SUF vfat$SUF &&
	{ [ $VPCI = builtin ] || { before virtio_pci_modern_dev$SUF virtio_pci$SUF &&
	  before virtio_pci_legacy_dev$SUF virtio_pci$SUF; }; }; then
	ok "-j 3: every module after its dependencies (\$order)"
else no "-j 3 order" "\$order \$(busybox cat /tmp/e)"; fi

expect() { # NAME WANT FINDMEDIA-ARGS...
	n=\$1 want=\$2; shift 2
	got=\$(findmedia "\$@" 2>/tmp/e)
	if [ "\$got" = "\$want" ]; then ok "\$n"
	else no "\$n" "findmedia \$* gave '\$got' \$(busybox cat /tmp/e)"; fi
}
expect "findmedia LABEL= finds the whole-disk ext4 (vda)" /dev/vda -t 5 LABEL=MEDIA$R
expect "LABEL= finds a GPT partition (vdb2)" /dev/vdb2 LABEL=GPT2$R
expect "PARTUUID= of a GPT partition entry (vdb2)" /dev/vdb2 PARTUUID=$G2
expect "PARTUUID= of an MBR logical partition (1234abcd-05)" /dev/vdc5 PARTUUID=1234abcd-05
expect "PARTUUID= of an MBR primary partition without a fs" /dev/vdc1 PARTUUID=1234ABCD-01
expect "the partition is preferred over its whole disk (isohybrid)" /dev/vdd1 LABEL=HYB$R
expect "UUID= of the hybrid ISO also gives the partition" /dev/vdd1 UUID=$HU
if findmedia -p /dev/vdb1 | busybox grep -qx "PARTUUID=$G1"; then
	ok "findmedia -p prints the GPT PARTUUID of vdb1"
else no "findmedia -p vdb1 PARTUUID" "\$(findmedia -p /dev/vdb1 2>&1)"; fi

# mount(2) of squashfs makes the kernel run /sbin/modprobe -q -- fs-squashfs
if live squashfs; then no "squashfs not loaded before" "already live"; fi
if findmedia -m /mnt PARTUUID=$G1 > /tmp/o 2> /tmp/e &&
	[ "\$(busybox cat /mnt/hello)" = "hello $R" ] && live squashfs; then
	ok "findmedia -m mounts squashfs; the kernel's request_module ran our /sbin/modprobe"
else no "findmedia -m squashfs via request_module" "\$(busybox cat /tmp/o /tmp/e)"; fi

# A UDF disc mounts as udf; with no udf module to load (hidden here), as
# its ISO 9660 bridge.
busybox mkdir -p /run/u
udf=\$(busybox find /lib/modules -name 'udf.ko*')
busybox mv "\$udf" /tmp/udf.ko.off
if findmedia -m /run/u LABEL=UDFB$R > /tmp/o 2> /tmp/e &&
	busybox grep -q "^/dev/vde /run/u iso9660 " /proc/mounts &&
	[ "\$(busybox cat /run/u/hello)" = "hello $R" ]; then
	ok "without udf in the kernel, the UDF disc mounts by its ISO 9660 bridge"
else no "UDF disc without udf: iso9660" "\$(busybox cat /tmp/o /tmp/e; busybox grep /run/u /proc/mounts)"; fi
busybox umount /run/u 2>/dev/null
busybox mv /tmp/udf.ko.off "\$udf"
if findmedia -m /run/u TYPE=udf > /tmp/o 2> /tmp/e &&
	busybox grep -q "^/dev/vde /run/u udf " /proc/mounts &&
	[ "\$(busybox cat /run/u/hello)" = "hello $R" ] && live udf; then
	ok "findmedia -m mounts the UDF disc with an ISO 9660 bridge as udf"
else no "UDF disc mounted as udf" "\$(busybox cat /tmp/o /tmp/e; busybox grep /run/u /proc/mounts)"; fi

if [ \$fails = 0 ]; then echo "BOOT-RESULT: PASS"
else echo "BOOT-RESULT: FAIL: \$fails checks failed"; fi
busybox poweroff -f
EOT
chmod +x "$r/init"
boot_cpio "$r" "$w/initrd.img"

disks=
for d in vda vdb vdc vdd vde; do
	disks="$disks -drive file=$w/$d,if=virtio,format=raw"
done
# shellcheck disable=SC2086
boot_run media_modules "$w/initrd.img" "quiet" $disks
log=$LOGS/boot-media_modules.serial
grep -a '^CHECK \(PASS\|FAIL\): ' "$log" | sed 's/^CHECK //'
[ "$(grep -ac '^CHECK PASS: ' "$log")" -ge 21 ] ||
	echo "FAIL: media_modules: expected 21 checks, saw $(grep -ac '^CHECK ' "$log")"
boot_report media_modules "the media and modules boot scenario passes every check"
