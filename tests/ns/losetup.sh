# losetup.sh - attach, list, find and detach real loop devices.
#
# Loop devices are global: every device attached here is backed by a file
# under this test's own $T, and cleanup detaches exactly the devices whose
# backing inode is one of those files (util-linux losetup -j matches device
# and inode, as does ours). lib.sh's track_loop detaches by name, which could hit another
# test's device once ours was detached and its number reused. -D (detach ALL devices of the host) is not exercised: no
# namespace isolates loop devices, so it would detach other tests' devices.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
need truncate losetup dd
ns_tmp

backing() { cat "/sys/block/${1#/dev/}/loop/backing_file" 2>/dev/null; }
detach_mine() {
	find "$T" -type f | while read -r f; do
		{ losetup -j "$f"; $INITBOX losetup -j "$f"; } | cut -d: -f1 |
		sort -u | while read -r d; do losetup -d "$d"; done
	done
	ns_cleanup
}
trap detach_mine EXIT
L="$INITBOX losetup"

truncate -s 8M "$T/a.img" "$T/b.img"

# --- -f --show, offset, sizelimit ---------------------------------------
A=$($L -f --show -o 1M --sizelimit 2MiB "$T/a.img" 2> "$T/err")
rc=$?
t "-f --show prints the device it attached" sh -c \
	"[ $rc = 0 ] && expr '$A' : '/dev/loop[0-9][0-9]*\$' >/dev/null &&
	 [ \"\$(cat /sys/block/${A#/dev/}/loop/backing_file)\" = '$T/a.img' ]"
t "offset and sizelimit are visible in sysfs" sh -c \
	"[ \"\$(cat /sys/block/${A#/dev/}/loop/offset)\" = 1048576 ] &&
	 [ \"\$(cat /sys/block/${A#/dev/}/loop/sizelimit)\" = 2097152 ] &&
	 [ \"\$(cat /sys/block/${A#/dev/}/size)\" = 4096 ]"
t "the device is writable by default and not autoclear" sh -c \
	"[ \"\$(cat /sys/block/${A#/dev/}/ro)\" = 0 ] &&
	 [ \"\$(cat /sys/block/${A#/dev/}/loop/autoclear)\" = 0 ]"
# Data at the offset is what the device shows.
printf 'at-the-offset' | dd of="$T/a.img" bs=1M seek=1 conv=notrunc 2>/dev/null
t "the device reads FILE from the offset on" sh -c \
	"[ \"\$(dd if=$A bs=13 count=1 2>/dev/null)\" = at-the-offset ]"

# --- listing compared with util-linux ----------------------------------
t "-j FILE prints util-linux's -a line for the device" sh -c \
	"$L -j '$T/a.img' > $T/ours && losetup -j '$T/a.img' > $T/theirs &&
	 [ -s $T/ours ] && cmp $T/ours $T/theirs"
t "-l -j FILE prints util-linux's table" sh -c \
	"$L -l -j '$T/a.img' > $T/ours && losetup -l -j '$T/a.img' > $T/theirs &&
	 cmp $T/ours $T/theirs"
t "-a lists the device in the classic format" sh -c \
	"$L -a | grep -qx '$A: \\[[0-9]*\\]:[0-9]* ($T/a.img), offset 1048576, sizelimit 2097152'"
t "-j with a file no device uses exits 1 and prints nothing" sh -c \
	"out=\$($L -j '$T/b.img'); [ \$? = 1 ] && [ -z \"\$out\" ]"
# With no /dev/loopN node to ask, device and inode are unknown: util-linux
# prints "[]:", and -j falls back to the backing file's name.
t "without device nodes, -a prints '[]:' and -j matches by name" eval \
	"unshare --mount sh -c 'mount -t tmpfs tmpfs /dev && $L -a > $T/nonode.a && $L -j $T/a.img > $T/nonode.j' &&
	 grep -qx '$A: \\[\\]: ($T/a.img), offset 1048576, sizelimit 2097152' $T/nonode.a &&
	 grep -q '^$A: ' $T/nonode.j"
t "LOOPDEV alone shows that device" sh -c \
	"$L '$A' | grep -q '^$A: .*($T/a.img)'"
t "-l LOOPDEV prints util-linux's table for that device" sh -c \
	"$L -l '$A' > $T/ours && losetup -l '$A' > $T/theirs && [ \$(wc -l < $T/ours) = 2 ] && cmp $T/ours $T/theirs"
t "-a LOOPDEV prints util-linux's classic line for that device" sh -c \
	"$L -a '$A' > $T/ours && losetup -a '$A' > $T/theirs && [ -s $T/ours ] && cmp $T/ours $T/theirs"
# Scripts find the device of a file with -n -O NAME -j FILE; columns in
# any order and case, with and without headings.
for args in "-n -O NAME -j $T/a.img" "--noheadings --output name -j $T/a.img" \
	"-l -n $A" "-O NAME,BACK-FILE,RO $A" "-O BACK-FILE,NAME $A" \
	"-n -O name,ro,back-ino,partscan,log-sec -j $T/a.img" "-ln -j $T/a.img"; do
	t "losetup $args prints what util-linux prints" sh -c \
		"$L $args > $T/ours && losetup $args > $T/theirs && [ -s $T/ours ] && cmp $T/ours $T/theirs"
done
t "-O with an unknown column fails naming it, as util-linux" sh -c \
	"! $L -O NAME,FOO '$A' 2> $T/err && grep -qx 'losetup: unknown column: FOO' $T/err"
truncate -s 4M "$T/grow.img"
G=$($L -f --show "$T/grow.img")
truncate -s 8M "$T/grow.img"
t "-c re-reads the grown file's size (sysfs size 8 MiB after 4)" sh -c \
	"[ \"\$(cat /sys/block/${G#/dev/}/size)\" = 8192 ] && $L -c '$G' &&
	 [ \"\$(cat /sys/block/${G#/dev/}/size)\" = 16384 ] && $L -d '$G'"
t "-l with something that is no loop device is an error naming it" sh -c \
	"! $L -l '$T/a.img' 2> $T/err && grep -q 'list $T/a.img: not a loop device' $T/err"

# --- read-only -----------------------------------------------------------
R=$($L -f --show -r "$T/b.img")
t "-r gives a read-only device (sysfs ro=1)" sh -c \
	"[ \"\$(cat /sys/block/${R#/dev/}/ro)\" = 1 ]"
t "a write to a -r device fails" sh -c \
	"! printf x | dd of=$R conv=notrunc 2>/dev/null"
mkdir "$T/rodir"
cp "$T/b.img" "$T/rodir/c.img"
mount --bind "$T/rodir" "$T/rodir" && mount -o remount,bind,ro "$T/rodir"
F=$($L -f --show "$T/rodir/c.img" 2> "$T/err")
rc=$?
t "a file on a read-only mount falls back to a read-only device" sh -c \
	"[ $rc = 0 ] && [ \"\$(cat /sys/block/${F#/dev/}/ro)\" = 1 ]"

# --- explicit device -------------------------------------------------------
t "attaching to a busy device fails and leaves its owner's file" sh -c \
	"! $L '$A' '$T/b.img' 2> $T/err && grep -q 'busy' $T/err &&
	 [ \"\$(cat /sys/block/${A#/dev/}/loop/backing_file)\" = '$T/a.img' ]"
# A number no allocator hands out while lower ones are free; LOOP_CTL_ADD
# creates it.
N=$((200 + $$ % 50))
if [ -z "$(backing /dev/loop$N)" ]; then
	$L /dev/loop$N "$T/b.img" 2> "$T/err"
	rc=$?
	t "LOOPDEV FILE attaches that device (created on demand)" sh -c \
		"[ $rc = 0 ] && [ \"\$(cat /sys/block/loop$N/loop/backing_file)\" = '$T/b.img' ]"
else
	fail "LOOPDEV FILE attaches that device" "loop$N is in use by someone else"
fi

# --- flags -------------------------------------------------------------------
P=$($L -f --show -P --direct-io "$T/b.img" 2> "$T/err")
rc=$?
t "-P and --direct-io set partscan and dio" sh -c \
	"[ $rc = 0 ] && [ \"\$(cat /sys/block/${P#/dev/}/loop/partscan)\" = 1 ] &&
	 [ \"\$(cat /sys/block/${P#/dev/}/loop/dio)\" = 1 ]"

# --- detach --------------------------------------------------------------------
t "-d detaches the device" sh -c \
	"$L -d '$P' && [ ! -e /sys/block/${P#/dev/}/loop ] || [ \"\$(cat /sys/block/${P#/dev/}/loop/backing_file 2>/dev/null)\" != '$T/b.img' ]"
t "-d on something not a loop device exits 1 and names it" sh -c \
	"! $L -d '$T/b.img' 2> $T/err && grep -q 'detach $T/b.img: ' $T/err"

# --- bad input ---------------------------------------------------------------
t "a missing FILE fails with one line naming the step" sh -c \
	"! $L -f --show '$T/nope.img' > $T/out 2> $T/err && [ ! -s $T/out ] &&
	 [ \$(wc -l < $T/err) = 1 ] && grep -q 'attach $T/nope.img: open backing file: No such file' $T/err"
t "a bad size is a usage error (exit 2)" sh -c \
	"$L -f -o 12Q '$T/b.img' 2> $T/err; [ \$? = 2 ] && grep -q \"bad offset '12Q'\" $T/err"
t "nothing from the failed attaches is left attached" sh -c \
	"! $L -a | grep -q '$T/nope.img'"

# --- /dev without devtmpfs ----------------------------------------------------
# A private /dev holding only loop-control: losetup must mknod the node.
unshare --mount sh -c "mount -t tmpfs tmpfs /dev && mknod /dev/loop-control c 10 237 &&
	$L -f --show '$T/b.img' > '$T/nodev.out' && D=\$(cat '$T/nodev.out') &&
	stat -c '%F %t' \$D > '$T/nodev.stat'" 2> "$T/nodev.err"
rc=$?
ND=$(cat "$T/nodev.out" 2>/dev/null)
# Its backing_file now reads "/b.img": the nested namespace's copy of the
# $T mount died with it. -j matches device and inode instead.
t "without a /dev/loopN node, -f creates it (block, major 7)" sh -c \
	"[ $rc = 0 ] && [ \"\$(cat $T/nodev.stat)\" = 'block special file 7' ] &&
	 $L -j '$T/b.img' | grep -q '^$ND: '"

# --- 2 x 16 concurrent allocations ----------------------------------------
mkdir "$T/c"
i=1
while [ $i -le 32 ]; do
	truncate -s 1M "$T/c/f$i"
	i=$((i + 1))
done
burst() { # FIRST: 16 allocations at once
	j=$1
	while [ $j -lt $(($1 + 16)) ]; do
		($L -f --show "$T/c/f$j" > "$T/c/out$j" 2> "$T/c/err$j"
		 echo $? > "$T/c/rc$j") &
		j=$((j + 1))
	done
	wait
}
start=$(date +%s%N)
burst 1 &
b1=$!
burst 17 &
b2=$!
wait $b1 $b2
ms=$((($(date +%s%N) - start) / 1000000))
cat "$T"/c/out* > "$T/c/all"
echo "32 concurrent attaches took $ms ms"
t "2 x 16 concurrent -f --show all succeed" sh -c \
	"[ \"\$(cat $T/c/rc* | sort -u)\" = 0 ] && [ \$(cat $T/c/rc* | wc -l) = 32 ] &&
	 ! grep -q . $T/c/err*"
t "2 x 16 concurrent -f --show get 32 distinct devices" sh -c \
	"[ \$(sort -u $T/c/all | grep -c '^/dev/loop[0-9]*\$') = 32 ]"
t "each concurrent device is backed by the file it was given" sh -c \
	"for j in \$(seq 1 32); do d=\$(cat $T/c/out\$j);
	   [ \"\$(cat /sys/block/\${d#/dev/}/loop/backing_file)\" = '$T/c/f'\$j ] || exit 1; done"
$L -d $(cat "$T/c/all") 2> "$T/c/derr"
rc=$?
t "all 32 concurrent devices detach" sh -c \
	"[ $rc = 0 ] && for d in \$(cat $T/c/all); do
	   case \$(cat /sys/block/\${d#/dev/}/loop/backing_file 2>/dev/null) in
	   '$T'/c/*) exit 1 ;; esac; done"

ns_done
