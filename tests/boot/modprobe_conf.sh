# modprobe_conf.sh - modprobe.d and the kernel command line at boot, on
# Debian's cloud kernel: what tests/ns/modprobe_conf.sh compares with
# kmod as a plan, here loaded for real and seen in /sys/module.
#
# The initramfs: busybox as the shell, initbox's modprobe (also as
# /sbin/modprobe for the kernel's request_module), the modules below with
# depmod's indexes, /etc/modprobe.d/test.conf, and one virtio disk. The
# kernel command line sets loop.max_loop=4 and modprobe.blacklist=squashfs.
# Each check prints "CHECK PASS: ..." or "CHECK FAIL: ...: why"; the last
# line is BOOT-RESULT: PASS only if every check passed.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
boot_need modprobe_conf
boot_kernel || { echo "FAIL: modprobe_conf: cannot fetch the test kernel"; exit 1; }
for c in depmod mksquashfs; do
	command -v $c >/dev/null 2>&1 ||
		{ echo "FAIL: modprobe_conf: needs $c (scripts/deps.sh tools)"; exit 1; }
done
: "${INITBOX:=$BUILD/initbox}"
w=$BOOT_WORK/modprobe_conf
r=$w/root
rm -rf "$w" && mkdir -p "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" \
	"$r/mnt" "$r/tmp" "$r/run" "$r/etc/modprobe.d" || exit 1
cp "$(command -v busybox)" "$r/bin/busybox" && ln -s busybox "$r/bin/sh" &&
	cp "$INITBOX" "$r/bin/initbox" && ln -s ../bin/initbox "$r/sbin/modprobe" || exit 1
boot_modules "$r" virtio_pci virtio_blk loop isofs squashfs ||
	{ echo "FAIL: modprobe_conf: the module subset"; exit 1; }
# virtio_blk's loadable part (virtio and virtio_ring are built in on 6.12)
if kmod_builtin virtio_blk; then
	echo "FAIL: modprobe_conf: virtio_blk is built into $KVER: nothing to blacklist"
	exit 1
fi
cat > "$r/etc/modprobe.d/test.conf" <<'EOF'
# the coldplug must leave the disk alone
blacklist virtio_blk
options loop max_part=3
# the classic install command: something first, then the module itself
install isofs echo "$MODPROBE_MODULE $CMDLINE_OPTS" > /run/isofs.ran; /sbin/modprobe -i isofs $CMDLINE_OPTS
EOF
mkdir -p "$w/sq" && echo hello > "$w/sq/hello"
mksquashfs "$w/sq" "$w/vda" -noappend -quiet > /dev/null || exit 1

cat > "$r/init" <<'EOT'
#!/bin/sh
export PATH=/sbin:/bin
echo  # the firmware leaves terminal escapes on the first console line
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
busybox mount -t tmpfs tmpfs /run
# busybox's shell would run its own modprobe applet for a bare name
modprobe() { /sbin/modprobe "$@"; }
fails=0
ok() { echo "CHECK PASS: $1"; }
no() { echo "CHECK FAIL: $1: $2"; fails=$((fails + 1)); }
live() { [ "$(busybox cat /sys/module/$1/initstate 2>/dev/null)" = live ]; }
param() { busybox cat /sys/module/$1/parameters/$2 2>/dev/null; }

modprobe -C > /tmp/o 2>&1; rc=$?
if [ $rc = 0 ] && ! live virtio_blk && [ ! -e /sys/class/block/vda ] &&
	busybox ls /sys/bus/virtio/devices/ | busybox grep -q virtio; then
	ok "coldplug: the virtio device is there, its blacklisted driver not loaded"
else no "coldplug skips a blacklisted driver" "rc $rc $(busybox cat /tmp/o; busybox ls /sys/class/block)"; fi
if modprobe virtio_blk && live virtio_blk && [ -e /sys/class/block/vda ]; then
	ok "by its name, the blacklisted virtio_blk loads (as kmod) and vda appears"
else no "modprobe virtio_blk by name" "$(busybox ls /sys/class/block)"; fi

if modprobe loop && [ "$(param loop max_loop)" = 4 ] && [ "$(param loop max_part)" = 3 ]; then
	ok "loop got max_part=3 from modprobe.d and max_loop=4 from the kernel command line"
else no "loop's options" "max_loop=$(param loop max_loop) max_part=$(param loop max_part)"; fi
modprobe --first-time loop 2> /tmp/e; rc=$?
if [ $rc = 1 ] && [ -s /tmp/e ]; then ok "--first-time: a loaded module fails (exit 1, said)"
else no "--first-time on a loaded module" "rc $rc"; fi

# mount(2) of squashfs: the kernel runs /sbin/modprobe -q -- fs-squashfs,
# an alias of a module blacklisted by modprobe.blacklist=
if busybox mount -t squashfs /dev/vda /mnt 2> /tmp/e; then
	no "modprobe.blacklist= stops the kernel's request for fs-squashfs" "mounted"
	busybox umount /mnt
elif live squashfs; then no "modprobe.blacklist= on fs-squashfs" "squashfs loaded"
else ok "modprobe.blacklist=squashfs: the kernel's request for fs-squashfs loads nothing"; fi
if modprobe squashfs && busybox mount -t squashfs /dev/vda /mnt &&
	[ "$(busybox cat /mnt/hello)" = hello ]; then
	ok "by its name, squashfs loads and the disk mounts"
	busybox umount /mnt
else no "modprobe squashfs by name" "$(busybox cat /tmp/e)"; fi

if modprobe isofs && live isofs && live cdrom &&
	[ "$(busybox cat /run/isofs.ran 2>/dev/null)" = "isofs " ]; then
	ok "an install command runs (/bin/sh, MODPROBE_MODULE) and loads the module with -i"
else no "install command" "$(busybox cat /run/isofs.ran 2>&1)"; fi

if modprobe -c | busybox grep -qx 'options loop max_loop=4' &&
	modprobe -c | busybox grep -qx 'blacklist squashfs'; then
	ok "-c shows the kernel command line's options and blacklist"
else no "-c" "$(modprobe -c | busybox head -n 8)"; fi

modprobe -v -r isofs > /tmp/o 2>&1; rc=$?
if [ $rc = 0 ] && ! live isofs && ! live cdrom &&
	[ "$(busybox tr '\n' ' ' < /tmp/o)" = "rmmod isofs rmmod cdrom " ]; then
	ok "-r isofs removes it and cdrom, which nothing uses then"
else no "-r isofs" "rc $rc $(busybox cat /tmp/o)"; fi
modprobe -r --first-time isofs 2> /tmp/e; rc=$?
if [ $rc = 1 ] && [ -s /tmp/e ]; then ok "-r --first-time: a module not loaded fails"
else no "-r --first-time" "rc $rc"; fi
busybox mount -t squashfs /dev/vda /mnt
modprobe -r virtio_blk 2> /tmp/e; rc=$?
if [ $rc = 1 ] && live virtio_blk; then ok "-r of a module in use (vda mounted) fails, the module stays"
else no "-r of a module in use" "rc $rc $(busybox cat /tmp/e)"; fi
busybox umount /mnt

if [ $fails = 0 ]; then echo "BOOT-RESULT: PASS"
else echo "BOOT-RESULT: FAIL: $fails checks failed"; fi
busybox poweroff -f
EOT
chmod +x "$r/init"
boot_cpio "$r" "$w/initrd.img"
boot_run modprobe_conf "$w/initrd.img" "quiet loop.max_loop=4 modprobe.blacklist=squashfs" \
	-drive "file=$w/vda,if=virtio,format=raw"
log=$LOGS/boot-modprobe_conf.serial
grep -a '^CHECK \(PASS\|FAIL\): ' "$log" | sed 's/^CHECK //'
[ "$(grep -ac '^CHECK PASS: ' "$log")" -ge 10 ] ||
	echo "FAIL: modprobe_conf: expected 10 checks, saw $(grep -ac '^CHECK ' "$log")"
boot_report modprobe_conf "modprobe.d and the kernel command line hold at boot"
