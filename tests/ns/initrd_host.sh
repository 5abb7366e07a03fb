# initrd_host.sh - initrd-host as PID 1 of its own namespace on a fake
# initramfs: a legacy ext2 initrd whose /linuxrc chooses the root through
# real-root-dev (the kernel's sysctl, or the stand-in), compressed images,
# the 0x100 "stay on the initrd" value, and bad images.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
. "$TOP/tests/ns/lib_root.sh"
need mkfs.ext2 mkfs.ext4 losetup gzip xz

# real-root-dev is a global sysctl (dead after boot, but the host's): put
# the host's value back at the end.
RRD=/proc/sys/kernel/real-root-dev
[ -f $RRD ] || { echo "FAIL: initrd_host: the host kernel has no $RRD (Linux >= 7.0?): the sysctl path cannot be tested here"; exit 1; }
RRD0=$(cat $RRD)
trap 'ns_cleanup; echo "$RRD0" > $RRD' EXIT
O=$T/out

# --- the real root: an ext4 image on a loop device of the test's own ----
mkdir -p "$T/rootsrc/bin" "$T/rootsrc/sbin" "$T/rootsrc/dev" "$T/rootsrc/proc" \
	"$T/rootsrc/sys" "$T/rootsrc/run" "$T/rootsrc/initrd"
cp "$BUSYBOX" "$T/rootsrc/bin/busybox"
echo real-root > "$T/rootsrc/mark"
root_init "$T/rootsrc" sbin/init '
echo "INIT-ARGS: $0|$1"
echo "INIT-PID: $$"
/bin/busybox grep -q " /initrd " /proc/self/mountinfo && echo "MOUNTED: /initrd"
[ -x /initrd/linuxrc ] && echo "INITRD-CONTENT: linuxrc"
echo "ROOT-MARK: $(/bin/busybox cat /mark)"
echo "INIT-RRD: $(/bin/busybox cat /proc/sys/kernel/real-root-dev)"
/bin/busybox grep -q initrd-rrd /proc/self/mountinfo && echo "STANDIN-LEAKED"'
mkfs.ext4 -q -d "$T/rootsrc" "$T/root.img" 16M || { fail "setup" "mkfs.ext4"; exit 1; }
RL=$(losetup -f --show "$T/root.img") || { fail "setup" "losetup"; exit 1; }
track_loop "$RL"
RN=${RL#/dev/loop}
RDEV=$(printf '0x%x' $(( (RN & 255) | (7 << 8) | ((RN & ~255) << 12) )))
RDEC=$((RDEV))

# --- legacy images -------------------------------------------------------
# mkimg NAME LINUXRC-BODY: $T/NAME.img, ext2, with busybox and /linuxrc
mkimg() {
	s=$T/src-$1
	rm -rf "$s" && mkdir -p "$s/bin" "$s/proc" "$s/dev" "$s/sbin" "$s/new" || return 1
	cp "$BUSYBOX" "$s/bin/busybox" || return 1
	# busybox sh runs its applets through /proc/self/exe: links, since
	# /proc is what linuxrc mounts first
	for a in sh mount umount cat ls tr; do ln -s busybox "$s/bin/$a"; done
	printf '#!/bin/sh\nexport PATH=/bin\n%s\n' "$2" > "$s/linuxrc" && chmod 755 "$s/linuxrc"
	root_init "$s" sbin/init '
echo "IMAGE-INIT: pid $$ $0|$1"
echo "IMAGE-ROOT: $(/bin/busybox ls / | /bin/busybox tr "\n" " ")"'
	rm -f "$T/$1.img" && mkfs.ext2 -q -d "$s" "$T/$1.img" 8M
}
# What a linuxrc of the old days does, and what it sees.
LRC='mount -t proc proc /proc
echo "LINUXRC-ARGS: $0|$#"
echo "LINUXRC-ENV: HOME=$HOME TERM=$TERM"
read -r pid comm state ppid pgrp sid rest < /proc/self/stat
[ "$sid" = "$pid" ] && echo "LINUXRC-SESSION-LEADER"
[ $$ != 1 ] && echo "LINUXRC-NOT-PID1"
echo "LINUXRC-ROOT: $(ls / | tr "\n" " ")"
echo "LINUXRC-SAW: $(cat /proc/sys/kernel/real-root-dev)"
echo "LINUXRC-OSTYPE: $(cat /proc/sys/kernel/ostype)"
echo '"$RDEV"' > /proc/sys/kernel/real-root-dev
echo "LINUXRC-WROTE: $(cat /proc/sys/kernel/real-root-dev)"
umount /proc && echo "LINUXRC-UMOUNT-PROC: ok"'
mkimg legacy "$LRC" || { fail "setup" "mkfs.ext2 legacy"; exit 1; }
gzip -9 -n -c "$T/legacy.img" > "$T/legacy.img.gz"
xz --check=crc32 -c "$T/legacy.img" > "$T/legacy.img.xz"

# The fake initramfs: proc, sys, a /dev tmpfs with null and loop-control;
# /run is left for initrd-host to mount.
SETUP='mount -t proc proc proc
mount -t sysfs sys sys
mount -t tmpfs -o mode=0755 devfs dev
touch dev/null && mount --bind /dev/null dev/null
mknod dev/loop-control c 10 237'
# host IMAGE-FILE STAGE: a fresh fake initramfs holding IMAGE-FILE as
# /initrd.image, then STAGE as PID 1
host() {
	root_fresh || { fail "setup" "cannot build the fake initramfs"; return 1; }
	cp "$1" "$T/ir/initrd.image"
	root_boot "$T/ir" "$O" "$SETUP" "$2" < "${3:-/dev/null}"
}

# --- the kernel's sysctl ------------------------------------------------
echo 0 > $RRD
host "$T/legacy.img" 'exec /bin/initbox initrd-host -w 5 /initrd.image /sbin/init one'
expect "/linuxrc runs chrooted in the image, not as PID 1, as a session leader, no arguments, the kernel's environment" \
	"LINUXRC-ARGS: /linuxrc|0" "LINUXRC-ENV: HOME=/ TERM=linux" "LINUXRC-SESSION-LEADER" \
	"LINUXRC-NOT-PID1" "LINUXRC-ROOT: bin dev linuxrc lost+found new proc sbin "
expect "without root= real-root-dev starts at 0 and /linuxrc writes the kernel's sysctl" \
	"LINUXRC-SAW: 0" "LINUXRC-WROTE: $RDEC" "LINUXRC-UMOUNT-PROC: ok"
expect "the device /linuxrc chose is mounted and its init runs as PID 1 with the arguments" \
	"initrd-host: root $RL (ext4) mounted on /root" "INIT-PID: 1" "INIT-ARGS: /sbin/init|one" "ROOT-MARK: real-root"
expect "the initrd is moved to /initrd of the new root" "MOUNTED: /initrd" "INITRD-CONTENT: linuxrc"
grep -q '^initrd-host: freed [0-9.]* MiB' "$O" && pass "the initramfs is freed and the switch reported" ||
	fail "the initramfs is freed and the switch reported" "$(grep 'initrd-host:' "$O" | tr '\n' '|')"
left=$(ls -A "$T/ir")
[ -z "$left" ] && pass "no file of the initramfs is left (the image either)" ||
	fail "no file of the initramfs is left (the image either)" "left: $(echo $left)"
[ "$(cat $RRD)" = "$RDEC" ] && pass "the value went through the kernel's real-root-dev" ||
	fail "the value went through the kernel's real-root-dev" "host sysctl is $(cat $RRD)"
echo 0 > $RRD

# -r: real-root-dev starts at ROOT's number, as the kernel sets it
host "$T/legacy.img" "exec /bin/initbox initrd-host -r 7:$RN /initrd.image /sbin/init"
expect "-r ROOT: /linuxrc finds ROOT's number in real-root-dev" "LINUXRC-SAW: $RDEC" "INIT-PID: 1" "ROOT-MARK: real-root"

# --- the stand-in (forced: this kernel still has the sysctl) ------------
echo 4660 > $RRD
host "$T/legacy.img.gz" "exec /bin/initbox initrd-host -E -r 7:$RN /initrd.image /sbin/init"
expect "-E on a gzip image: /linuxrc's own proc shows a writable real-root-dev starting at ROOT's number" \
	"LINUXRC-SAW: $RDEC" "LINUXRC-WROTE: $RDEV"
expect "the stand-in keeps the kernel's other entries reachable" "LINUXRC-OSTYPE: Linux"
expect "umount /proc by /linuxrc still works with the stand-in on it" "LINUXRC-UMOUNT-PROC: ok"
expect "the value written to the stand-in chooses the root" "ROOT-MARK: real-root" "INIT-PID: 1" "MOUNTED: /initrd"
[ "$(cat $RRD)" = 4660 ] && pass "the stand-in leaves the kernel's sysctl alone" ||
	fail "the stand-in leaves the kernel's sysctl alone" "host sysctl is $(cat $RRD)"
expect "the new root sees the kernel's real-root-dev, not the stand-in" "INIT-RRD: 4660"
refute "no stand-in mount survives into the new root" STANDIN-LEAKED "INIT-RRD:"
echo 0 > $RRD

host "$T/legacy.img.xz" "exec /bin/initbox initrd-host -E /initrd.image /sbin/init"
expect "an xz image boots the same way" "LINUXRC-SAW: 0" "LINUXRC-WROTE: $RDEV" "ROOT-MARK: real-root" "INIT-PID: 1"

# --- 0x100: the initrd stays the root ------------------------------------
mkimg stay 'mount -t proc proc /proc
echo 0x100 > /proc/sys/kernel/real-root-dev
umount /proc' || fail "setup" "mkfs.ext2 stay"
host "$T/stay.img" "exec /bin/initbox initrd-host -E -r 7:$RN /initrd.image"
expect "real-root-dev 0x100: the image becomes the root and its /sbin/init runs as PID 1" \
	"real-root-dev 0x100: the initrd is the root" "IMAGE-INIT: pid 1 /sbin/init|" \
	"IMAGE-ROOT: bin dev linuxrc lost+found new proc"
refute "real-root-dev 0x100: the real root is not mounted" "ROOT-MARK" "IMAGE-ROOT:"
host "$T/stay.img" "exec /bin/initbox initrd-host -r /dev/ram0 /initrd.image /sbin/init x"
expect "root=/dev/ram0: no /linuxrc, the image is the root (as the kernel)" "IMAGE-INIT: pid 1 /sbin/init|x"

# --- failures: one line, a rescue shell, nothing destroyed ----------------
echo 'echo RESCUE-SHELL-RAN' > "$T/rescue.in"
refuse() { # NAME IMAGE-FILE STAGE MESSAGE
	root_fresh || { fail "$1" "setup failed"; return; }
	cp "$2" "$T/ir/initrd.image"
	before=$(root_sum "$T/ir")
	ROOT_TIMEOUT=6 root_boot "$T/ir" "$O" "$SETUP" "$3" < "$T/rescue.in"
	after=$(root_sum "$T/ir")
	if [ "$before" != "$after" ]; then
		fail "$1" "the initramfs changed"
	elif ! grep -q "^initrd-host: .*$4" "$O"; then
		fail "$1" "no '$4' in: $(head -n 4 "$O" | tr '\n' '|')"
	elif ! has RESCUE-SHELL-RAN || ! has "initrd-host: boot stopped; starting /bin/sh on the initramfs"; then
		fail "$1" "no rescue shell: $(tail -n 3 "$O" | tr '\n' '|')"
	elif has "usage:" || has INIT-PID || has LINUXRC; then
		fail "$1" "usage text, or something ran"
	elif losetup -a | grep -q 'initbox/initrd.img'; then
		fail "$1" "a loop device was left on the copy"
	else
		pass "$1"
	fi
}
head -c 2000000 /dev/urandom > "$T/junk.img"
refuse "an image with no filesystem: one line, rescue shell, initramfs untouched" "$T/junk.img" \
	'exec /bin/initbox initrd-host /initrd.image' "image /initrd.image: no filesystem found in it; nothing changed"
gzip -c "$T/junk.img" > "$T/junk.img.gz"
refuse "a gzip image with no filesystem inside: the same" "$T/junk.img.gz" \
	'exec /bin/initbox initrd-host /initrd.image' "no filesystem found in it (after decompressing); nothing changed"
head -c 300000 "$T/legacy.img.gz" > "$T/cut.img.gz"
refuse "a truncated gzip image: the copy is removed, image left" "$T/cut.img.gz" \
	'exec /bin/initbox initrd-host /initrd.image' "decompress /initrd.image: "
s=$T/src-legacy
mv "$s/linuxrc" "$s/notlinuxrc" && mkfs.ext2 -q -d "$s" "$T/nolrc.img" 8M && mv "$s/notlinuxrc" "$s/linuxrc"
refuse "an image without /linuxrc: named, unmounted, copy removed, image left" "$T/nolrc.img" \
	'exec /bin/initbox initrd-host /initrd.image' "image /initrd.image has no /linuxrc; the copy is removed, /initrd.image left as it was"
refuse "a missing image: named" "$T/junk.img" \
	'exec /bin/initbox initrd-host /nowhere.image' "open image /nowhere.image: No such file or directory"

mkimg silent 'echo "LINUXRC-QUIET"' || fail "setup" "mkfs.ext2 silent"
root_fresh && cp "$T/silent.img" "$T/ir/initrd.image"
ROOT_TIMEOUT=6 root_boot "$T/ir" "$O" "$SETUP" 'exec /bin/initbox initrd-host -E /initrd.image' < "$T/rescue.in"
expect "no root= and real-root-dev left at 0: says so and starts a rescue shell" \
	"initrd-host: no root device: /linuxrc left real-root-dev at 0 and no root= was given" "RESCUE-SHELL-RAN"

root_fresh && cp "$T/legacy.img" "$T/ir/initrd.image"
root_boot "$T/ir" "$O" "$SETUP" '/bin/initbox initrd-host /initrd.image; echo "RC=$?"'
expect "refuses when not PID 1, without usage text" "initrd-host: not running as PID 1" "RC=1"
refute "no usage text for a runtime refusal" "usage:" "initrd-host: not running as PID 1"

out=$("$INITBOX" initrd-host -n -E -r 7:$RN "$T/legacy.img.gz" 2>&1); rc=$?
case $out in
*"image $T/legacy.img.gz: ext2, gzip"*"root 7:$RN (7:$RN), real-root-dev starts at $RDEV"*"a stand-in"*ready*)
	[ $rc = 0 ] && pass "-n names the image, its type, the root and the real-root-dev source" ||
		fail "-n names the image, its type, the root and the real-root-dev source" "exit $rc" ;;
*) fail "-n names the image, its type, the root and the real-root-dev source" "$out" ;;
esac

# root=UUID= is found the way findmedia finds a medium (lib/media/media.c)
U=$(blkid -p -o value -s UUID "$T/root.img")
out=$("$INITBOX" initrd-host -n -E -r "UUID=$U" "$T/legacy.img.gz" 2>&1)
case $out in
*"root UUID=$U (7:$RN)"*) pass "-r UUID= resolves to the device holding that filesystem" ;;
*) fail "-r UUID= resolves to the device holding that filesystem" "$out" ;;
esac

# Without -r, root= comes from the kernel command line, split by the
# kernel's rules (lib/base/cmdline.c): root=LABEL="My Root" is one word, the
# last root= wins, and words after "--" are init's, not the kernel's.
e2label "$RL" "My Root"
printf 'BOOT_IMAGE=/vmlinuz root=/dev/nope root=LABEL="My Root" ro -- root=/dev/nope2\n' > "$T/cmdline"
mount --bind "$T/cmdline" /proc/cmdline
out=$("$INITBOX" initrd-host -n -E "$T/legacy.img.gz" 2>&1)
umount /proc/cmdline
case $out in
*'root LABEL="My Root" (7:'"$RN)"*) pass "root=LABEL=\"My Root\" on the command line is one word, the last root= before --" ;;
*) fail "root=LABEL=\"My Root\" on the command line is one word, the last root= before --" "$out" ;;
esac
ns_done
