# shutdown.sh - /run/initramfs/shutdown, the hand-back, on a live root
# built as /init builds one: a /run tmpfs holding the persistence (ext4 on
# a loop device) and the hand-back, an overlay with its upper layer there,
# /run moved into it. PID 1 of a namespace of its own runs from the
# overlay and execs /run/initramfs/shutdown; its reboot(2) ends only that
# namespace (a PID namespace's init is killed, nothing else).
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
. "$TOP/tests/ns/lib_root.sh"
need mkfs.ext4 e2fsck dumpe2fs debugfs losetup
O=$T/out

# live_files: the image ($T/lower), the persistence ($T/cow.img on a loop
# device, named in $T/loopdev) and /run's content ($T/runsrc: the skeleton
# mkinitramfs makes, the hand-back /init leaves). LIVE_SETUP mounts them
# inside the test's namespace, as /init does, so that nothing outside it
# holds the filesystems. root_boot writes its stage into the image (R is
# $T/lower), which LIVE_SETUP then covers with the overlay.
live_files() {
	# the last test's device, which nothing holds any more
	[ -z "${LOOPDEV:-}" ] || losetup -d "$LOOPDEV" 2> /dev/null
	rm -rf "$T/lower" "$T/runsrc" "$T/root" "$T/run" "$T/cow.img"
	mkdir -p "$T/lower/bin" "$T/lower/proc" "$T/lower/sys" "$T/lower/dev" \
		"$T/lower/run" "$T/lower/data" "$T/runsrc" "$T/run" "$T/root" || return 1
	cp "$BUSYBOX" "$T/lower/bin/busybox" || return 1
	for a in sh cat ls grep sleep mount umount echo dd sync awk; do
		ln -s busybox "$T/lower/bin/$a"
	done
	echo "from the image" > "$T/lower/data/lower-file"
	truncate -s 32M "$T/cow.img" && mkfs.ext4 -q -F -L TESTCOW "$T/cow.img" || return 1
	"$INITBOX" cpio-unpack -C "$T/runsrc" "$SKEL" || return 1
	cp "$INITBOX" "$T/runsrc/initramfs/bin/initbox" &&
		ln -s bin/initbox "$T/runsrc/initramfs/shutdown" || return 1
	LOOPDEV=$(losetup -f --show "$T/cow.img") || return 1
	track_loop "$LOOPDEV"
	echo "$LOOPDEV" > "$T/loopdev"
	echo "$LOOPDEV" > "$T/runsrc/initbox/persist.dev"
}
LIVE_SETUP='
mount -t tmpfs -o mode=0755 run "$T/run"
cp -a "$T/runsrc/." "$T/run/"
mount "$(cat "$T/loopdev")" "$T/run/initbox/persist"
mkdir -p "$T/run/initbox/persist/upper" "$T/run/initbox/persist/work"
mount -t overlay -o "lowerdir=$T/lower,upperdir=$T/run/initbox/persist/upper,workdir=$T/run/initbox/persist/work" live "$T/root"
mount --move "$T/run" "$T/root/run"
cd "$T/root"'
clean_fs() { # NAME: the image is clean, without a journal to replay
	if e2fsck -fn "$T/cow.img" > "$T/fsck" 2>&1; then
		pass "$1: e2fsck -fn finds nothing"
	else
		fail "$1: e2fsck -fn finds nothing" "$(tail -n 4 "$T/fsck" | tr '\n' '|')"
	fi
	f=$(dumpe2fs -h "$T/cow.img" 2> /dev/null | sed -n 's/^Filesystem features: *//p')
	case " $f " in
	*" needs_recovery "*) fail "$1: no journal left to recover" "features: $f" ;;
	*) pass "$1: no journal left to recover" ;;
	esac
}

# the /run skeleton mkinitramfs makes (scripts/run-skeleton)
SKEL=$T/run.cpio
mkdir -p "$T/skel"
while read -r d _; do
	case $d in '' | '#'*) continue ;; esac
	mkdir -p "$T/skel/$d"
done < "$TOP/scripts/run-skeleton"
"$INITBOX" cpio-pack -o "$SKEL" -R 0:0 "$T/skel" || { fail setup "cpio-pack of the skeleton"; exit 1; }

STAGE_MOUNTS='
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev'

# --- PID 1 execs /shutdown: the switch to /run/initramfs, then everything
# under /oldroot unmounted, the persistence closed ----------------------------
live_files || { fail setup "cannot build the live root"; exit 1; }
root_boot "$T/lower" "$O" "$LIVE_SETUP" "$STAGE_MOUNTS
dd if=/dev/urandom of=/data/big bs=1M count=8 2> /dev/null
echo written > /data/small
exec /run/initramfs/shutdown poweroff"
cat "$O"
expect "as PID 1 it takes apart /oldroot and powers off" \
	"shutdown: poweroff: taking apart /oldroot" "shutdown: poweroff after"
grep -q '^shutdown: unmounted [4-9] filesystems under /oldroot$' "$O" &&
	pass "every mount under /oldroot is unmounted (proc, sys, dev, run, the persistence, the overlay)" ||
	fail "every mount under /oldroot is unmounted" "$(grep unmounted "$O")"
# The kernel's word: an exclusive open of the device succeeds only once
# no filesystem holds it (the superblock ended, the journal closed).
expect "the persistence's device is released" "shutdown: $(cat "$T/loopdev") released"
refute "no device is still held" "still held" "released"
clean_fs "after the hand-back"
got=$(debugfs -R "cat /upper/data/small" "$T/cow.img" 2> /dev/null)
[ "$got" = written ] && pass "the file written before the shutdown is on the disk" ||
	fail "the file written before the shutdown is on the disk" "got '$got'"
sz=$(debugfs -R "stat /upper/data/big" "$T/cow.img" 2> /dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1)
[ "$sz" = 8388608 ] && pass "the 8 MiB file is there whole" || fail "the 8 MiB file is there whole" "size ${sz:-none}"

# --- a process that ignores SIGTERM and holds a file open on the
# persistence: named, ended, and the filesystem still clean -------------------
live_files || exit 1
root_boot "$T/lower" "$O" "$LIVE_SETUP" "$STAGE_MOUNTS
echo held > /data/held
/bin/sh -c \"trap '' TERM; exec sleep 600\" 3< /data/held &
sleep 0.2
exec /run/initramfs/shutdown -t 2 poweroff"
cat "$O"
grep -q '^shutdown: pid [0-9]* (sleep) holds /oldroot/.*: SIGTERM$' "$O" &&
	pass "the process holding the persistence is named with what it holds" ||
	fail "the process holding the persistence is named with what it holds" "$(grep 'shutdown: pid' "$O" | head -n 2)"
expect "it ignored SIGTERM and got SIGKILL after half the bound" \
	"shutdown: still running after 1 s: ending them" "(sleep) holds"
grep -q '^shutdown: pid [0-9]* (sleep) holds .*: SIGKILL$' "$O" &&
	pass "SIGKILL is named too" || fail "SIGKILL is named too" "$(grep SIGKILL "$O")"
clean_fs "after a blocked unmount"

# --- not PID 1: a hook of the root's own init. The init keeps the root
# busy, so everything is remounted read-only, and the caller goes on --------
live_files || exit 1
root_boot "$T/lower" "$O" "$LIVE_SETUP" "$STAGE_MOUNTS
echo hooked > /data/hooked
/run/initramfs/shutdown; echo HOOK-EXIT=\$?
awk '\$2 == \"/run/initbox/persist\" { print \"PERSIST-OPTS=\" \$4 }' /proc/mounts
awk '\$2 == \"/\" { print \"ROOT-OPTS=\" \$4 }' /proc/mounts
echo > /data/after 2> /dev/null && echo WRITE-AFTER=ok || echo WRITE-AFTER=refused"
cat "$O"
expect "the hook remounts and returns 0" "shutdown: remount: taking apart /" "HOOK-EXIT=0" \
	"shutdown: every filesystem read-only"
grep -q '^PERSIST-OPTS=ro' "$O" && pass "the persistence is read-only after the hook" ||
	fail "the persistence is read-only after the hook" "$(grep OPTS "$O")"
expect "nothing can be written after it" "WRITE-AFTER=refused"

# --- the refusals: not on a system /init did not start ------------------------
out=$(cd / && NS_X=1 "$INITBOX" shutdown 2>&1; echo "rc=$?")
case $out in
*"not a system initbox's /init started"*"rc=1") pass "outside an initbox live system it refuses, touching nothing" ;;
*) fail "outside an initbox live system it refuses, touching nothing" "$out" ;;
esac
out=$("$INITBOX" shutdown bogus 2>&1; echo "rc=$?")
case $out in
*"unknown verb bogus"*"rc=2") pass "an unknown verb is a usage error" ;;
*) fail "an unknown verb is a usage error" "$out" ;;
esac
ns_done
