# mount_overlay.sh - a writable root over read-only layers: writes land in
# the upper layer, lowers stay untouched, -p keeps the layer across
# remounts, failures leave nothing mounted.
#
# Not covered here: "overlay module missing" (overlay is built into the
# host kernel, so it cannot be absent; the message comes from ENODEV).
# Loop devices: cleanup detaches only those backed by files under $T.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need mksquashfs mkfs.ext4 truncate losetup perl
ns_tmp

L="$INITBOX losetup"
M="$INITBOX mount"
U="$INITBOX umount"
O="$INITBOX mount-overlay"
detach_mine() {
	find "$T" -type f 2>/dev/null | while read -r f; do
		{ losetup -j "$f"; $L -j "$f"; } 2>/dev/null | cut -d: -f1 |
		sort -u | while read -r d; do losetup -d "$d"; done
	done
	ns_cleanup
}
trap detach_mine EXIT

mi() { awk -v d="$1" '$5 == d { l = $0 } END { print l }' /proc/self/mountinfo; }
mounted() { [ -n "$(mi "$1")" ]; }
superopt() { mi "$1" | sed 's/.* - [^ ]* [^ ]* //' | tr , '\n' | grep -qx "$2"; }

# Layers: a squashfs image (the live case) and a plain directory on top.
mkdir -p "$T/src/etc" "$T/sq" "$T/top" "$T/root"
echo base > "$T/src/etc/motd"
echo gone > "$T/src/etc/old"
mksquashfs "$T/src" "$T/base.img" -quiet -noappend >/dev/null
$M "$T/base.img" "$T/sq"
echo top > "$T/top/motd-top"
echo plain > "$T/top/plain"

t "mounts overlayfs on TARGET over a tmpfs of the given size" eval \
	"$O -s 16m -c $T/cow $T/top:$T/sq $T/root &&
	 mi $T/root | grep -q ' - overlay overlay .*lowerdir=$T/top:$T/sq,upperdir=$T/cow/upper,workdir=$T/cow/work' &&
	 mi $T/cow | grep -q ' - tmpfs ' && superopt $T/cow size=16384k && superopt $T/cow mode=755"
t "the merged root is mode 0755" eval \
	"[ \"\$(stat -c %a $T/root)\" = 755 ]"
t "both lowers are visible, the leftmost on top" eval \
	"[ \"\$(cat $T/root/etc/motd)\" = base ] && [ \"\$(cat $T/root/plain)\" = plain ]"
t "a new file lands in upper" eval \
	"echo new > $T/root/newfile && [ \"\$(cat $T/cow/upper/newfile)\" = new ]"
t "a changed lower file is copied up, the lower untouched" eval \
	"echo changed > $T/root/plain && [ \"\$(cat $T/cow/upper/plain)\" = changed ] &&
	 [ \"\$(cat $T/top/plain)\" = plain ]"
t "a deleted lower file becomes a whiteout, the lower keeps it" eval \
	"rm $T/root/etc/old && [ ! -e $T/root/etc/old ] &&
	 [ \"\$(stat -c '%F %t:%T' $T/cow/upper/etc/old)\" = 'character special file 0:0' ] &&
	 [ \"\$(cat $T/sq/etc/old)\" = gone ]"
# rename(2) itself: mv would hide an EXDEV by copying.
t "rename(2) of a directory from a lower layer works (redirect_dir=on)" eval \
	"perl -e 'rename(\$ARGV[0], \$ARGV[1]) or die \"\$!\\n\"' $T/root/etc $T/root/etc2 && [ \"\$(cat $T/root/etc2/motd)\" = base ] && [ ! -e $T/root/etc ]"
$U "$T/root" "$T/cow"

# The default writable layer lives under /run (a tmpfs of this namespace:
# the host's /run is never touched).
mount -t tmpfs tmpfs /run
t "without -c the tmpfs is /run/initbox/cow" eval \
	"$O $T/sq $T/root && mi /run/initbox/cow | grep -q ' - tmpfs ' &&
	 mi $T/root | grep -q 'upperdir=/run/initbox/cow/upper,' &&
	 echo x > $T/root/x && [ -f /run/initbox/cow/upper/x ]"
$U "$T/root" /run/initbox/cow

# --- persistence --------------------------------------------------------
truncate -s 16M "$T/persist.img"
mkfs.ext4 -q "$T/persist.img"
t "-p IMAGE keeps the upper layer on the image" eval \
	"$O -c $T/pcow -p $T/persist.img $T/sq $T/root && mi $T/pcow | grep -q ' - ext4 /dev/loop' &&
	 echo kept > $T/root/etc/saved && [ \"\$(cat $T/pcow/upper/etc/saved)\" = kept ]"
$U "$T/root" "$T/pcow"
t "after unmounting, no loop device holds the image" eval \
	"! $L -j $T/persist.img"
t "-p IMAGE: the write survives a remount" eval \
	"$O -c $T/pcow -p $T/persist.img $T/sq $T/root && [ \"\$(cat $T/root/etc/saved)\" = kept ] &&
	 [ \"\$(cat $T/root/etc/motd)\" = base ]"
$U "$T/root" "$T/pcow"

mkdir "$T/pdir"
t "-p DIR: the write survives a remount" eval \
	"$O -p $T/pdir $T/sq $T/root && echo d > $T/root/d && $U $T/root && ! mounted $T/root &&
	 $O -p $T/pdir $T/sq $T/root && [ \"\$(cat $T/root/d)\" = d ] && [ -f $T/pdir/upper/d ]"
$U "$T/root"

# --- failures leave nothing behind ------------------------------------------
before=$(cat /proc/self/mountinfo)
nothing_left() { [ "$(cat /proc/self/mountinfo)" = "$before" ]; }
t "a missing lower: one line, exit 1, nothing mounted" eval \
	"$O -c $T/fcow $T/sq:$T/nope $T/root 2> $T/err; [ \$? = 1 ] && [ \$(wc -l < $T/err) = 1 ] &&
	 grep -q 'lower layer $T/nope: No such file' $T/err && nothing_left && [ ! -e $T/fcow ]"
t "a missing target: one line, exit 1, nothing mounted" eval \
	"$O -c $T/fcow $T/sq $T/nodir 2> $T/err; [ \$? = 1 ] && [ \$(wc -l < $T/err) = 1 ] &&
	 grep -q 'target $T/nodir: No such file' $T/err && nothing_left"
t "an option overlayfs rejects: exit 1, the tmpfs unmounted again" eval \
	"$O -c $T/fcow -o no_such_option=1 $T/sq $T/root 2> $T/err; [ \$? = 1 ] &&
	 [ \$(wc -l < $T/err) = 1 ] && grep -q 'see dmesg' $T/err && nothing_left && [ ! -e $T/fcow ]"
mkdir -p "$T/ro/upper" "$T/ro/work"
cp "$T/persist.img" "$T/ro/p.img"
mount --bind "$T/ro" "$T/ro" && mount -o remount,bind,ro "$T/ro"
before=$(cat /proc/self/mountinfo)
t "an unwritable upper: one line, exit 1, nothing mounted" eval \
	"$O -p $T/ro $T/sq $T/root 2> $T/err; [ \$? = 1 ] && [ \$(wc -l < $T/err) = 1 ] &&
	 grep -q 'upper layer $T/ro/upper: not writable: Read-only file system' $T/err && nothing_left"
t "-p with a write-protected image: exit 1, nothing mounted, no loop left" eval \
	"$O -c $T/fcow -p $T/ro/p.img $T/sq $T/root 2> $T/err; [ \$? = 1 ] &&
	 [ \$(wc -l < $T/err) = 1 ] && grep -q 'upper layer $T/ro/p.img: not writable' $T/err &&
	 nothing_left && ! $L -j $T/ro/p.img && [ ! -e $T/fcow ]"
head -c 1M /dev/zero > "$T/junk.img"
t "-p with an image holding no filesystem: exit 1, no loop left" eval \
	"$O -c $T/fcow -p $T/junk.img $T/sq $T/root 2> $T/err; [ \$? = 1 ] &&
	 [ \$(wc -l < $T/err) = 1 ] && grep -q 'no filesystem recognised' $T/err &&
	 nothing_left && ! $L -j $T/junk.img && [ ! -e $T/fcow ]"
t "a bad -s is a usage error" eval \
	"$O -s lots $T/sq $T/root 2> $T/err; [ \$? = 2 ] && grep -q \"bad size 'lots'\" $T/err"
t "-s N% is passed to tmpfs" eval \
	"$O -s 10% -c $T/pc $T/sq $T/root && mi $T/pc | grep -q ' - tmpfs ' && $U $T/root $T/pc"

ns_done
