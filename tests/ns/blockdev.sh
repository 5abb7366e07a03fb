# blockdev.sh - block device ioctls on a loop device of our own, and the
# real-root-dev helper against a stand-in file bound over the sysctl (the
# host's own value is never written).
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need losetup mkfs.ext4
ns_tmp
bd() { "$INITBOX" blockdev "$@"; }
truncate -s 12M "$T/img"
R=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
mkfs.ext4 -q -F -L "bd$R" "$T/img"
L=$(losetup -f --show "$T/img") || { fail "attach a loop device" "losetup failed"; exit 1; }
track_loop "$L"
t "--getsize64 prints the size in bytes" sh -c "[ \"\$('$INITBOX' blockdev --getsize64 $L)\" = 12582912 ]"
t "--getss prints the logical sector size" sh -c "[ \"\$('$INITBOX' blockdev --getss $L)\" = 512 ]"
t "--setro then --getro: 1, and sysfs agrees" sh -c \
	"'$INITBOX' blockdev --setro $L && [ \"\$('$INITBOX' blockdev --getro $L)\" = 1 ] &&
	 [ \"\$(cat /sys/class/block/${L#/dev/}/ro)\" = 1 ]"
t "--setrw --getro in one call: 0" sh -c "[ \"\$('$INITBOX' blockdev --setrw --getro $L)\" = 0 ]"
t "--flushbufs succeeds" bd --flushbufs "$L"
t "an unknown command is a usage error" sh -c "'$INITBOX' blockdev --frob $L 2>/dev/null; [ \$? = 2 ]"
t "a missing device: exit 1 naming it" sh -c \
	"'$INITBOX' blockdev --getro /dev/nonexistent 2> $T/err; [ \$? = 1 ] && grep -q 'open /dev/nonexistent' $T/err"

if [ -e /proc/sys/kernel/real-root-dev ]; then
	echo 256 > "$T/rrd"
	mount --bind "$T/rrd" /proc/sys/kernel/real-root-dev
	maj=$(stat -c %t "$L") min=$(stat -c %T "$L")
	want=$(( (0x$min & 255) | (0x$maj << 8) | ((0x$min & ~255) << 12) ))
	t "--set-real-root LABEL= writes the device in new_encode_dev form" sh -c \
		"'$INITBOX' blockdev --set-real-root LABEL=bd$R && [ \"\$(cat $T/rrd)\" = $want ]"
	t "--set-real-root 0x100 keeps the initrd as root" sh -c \
		"'$INITBOX' blockdev --set-real-root 0x100 && [ \"\$(cat $T/rrd)\" = 256 ] &&
		 [ \"\$('$INITBOX' blockdev --get-real-root)\" = 0x100 ]"
	t "--set-real-root of an unknown label: exit 1" sh -c \
		"'$INITBOX' blockdev --set-real-root LABEL=none$R 2> $T/err; [ \$? = 1 ] && grep -q 'no device matches LABEL=none' $T/err"
	umount /proc/sys/kernel/real-root-dev
fi
mount -t tmpfs tmpfs /proc/sys/kernel
t "without real-root-dev (Linux >= 7.0) it says so and what to do" sh -c \
	"'$INITBOX' blockdev --set-real-root $L 2> $T/err; [ \$? = 1 ] && grep -q 'pass root= instead' $T/err"
umount /proc/sys/kernel
ns_done
