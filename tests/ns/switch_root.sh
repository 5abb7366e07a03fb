# switch_root.sh - switch_root as PID 1 of its own namespace on a fake
# initramfs (a tmpfs made the root), with real mounts.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
. "$TOP/tests/ns/lib_root.sh"

# What the new init reports about the world it finds itself in.
REPORT='
echo "INIT-ARGS: $0|$1|$2"
echo "INIT-PID: $$"
for m in /dev /proc /sys /run /image /bound /run/initramfs/bound; do
	/bin/busybox grep -q "^[0-9]* [0-9]* [^ ]* [^ ]* $m " /proc/self/mountinfo && echo "MOUNTED: $m"
done
for f in /run/canary /image/canary /bound/canary /run/initramfs/bound/canary; do
	[ -f $f ] && echo "CANARY: $f $(/bin/busybox cat $f)"
done
echo "ROOT-ENTRIES: $(/bin/busybox ls -A / | /bin/busybox tr "\n" " ")"'
O=$T/out


# --- the switch itself (pivot_root path: a mount namespace allows it) -----
root_fresh || { fail "setup" "cannot build the fake initramfs"; exit 1; }
root_init "$T/nr" sbin/init "$REPORT"
mkdir "$T/nr/usr"
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root -v /newroot /sbin/init "a 1" b2'
expect "INIT runs as PID 1 with its arguments" "INIT-ARGS: /sbin/init|a 1|b2" "INIT-PID: 1"
expect "/dev /proc /sys /run are moved into the new root" \
	"MOUNTED: /dev" "MOUNTED: /proc" "MOUNTED: /sys" "MOUNTED: /run" \
	"mount /dev: moved to /dev" "mount /proc: moved to /proc"
expect "a tmpfs at /image is moved to /image with its files" \
	"MOUNTED: /image" "CANARY: /image/canary image-canary"
expect "/run content survives" "CANARY: /run/canary run-canary"
expect "a bind mount with no directory in NEWROOT is moved under /run/initramfs" \
	"MOUNTED: /run/initramfs/bound" "CANARY: /run/initramfs/bound/canary bound-canary" \
	"mount /bound: moved aside to /run/initramfs/bound"
expect "the new root is NEWROOT, nothing of the initramfs shows" \
	"ROOT-ENTRIES: bin dev etc image proc run sbin sys usr "
if [ -z "$(ls -A "$T/ir")" ]; then
	pass "every file and directory of the old root is deleted"
else
	fail "every file and directory of the old root is deleted" "left: $(ls -A "$T/ir" | tr '\n' ' ')"
fi
# 6 MiB padding + busybox + initbox + small files, all on tmpfs
freed=$(sed -n 's/^switch_root: freed \([0-9.]*\) MiB (\([0-9]*\) files); nothing pinned$/\1 \2/p' "$O")
if [ -n "$freed" ] && awk -v f="${freed% *}" 'BEGIN { exit !(f >= 6.5) }' &&
	[ "${freed#* }" -ge 20 ]; then
	pass "the summary line tells bytes and files freed and that nothing is pinned ($freed)"
else
	fail "the summary line tells bytes and files freed and that nothing is pinned" "$(grep 'switch_root: freed' "$O")"
fi
expect "-v names the switch method and the deletion" \
	"switched with pivot_root" "deleted 21 files" "and 13 directories"
[ "$(cat "$T/other/canary")" = bound-canary ] && pass "files behind a bind mount from another fs are untouched" ||
	fail "files behind a bind mount from another fs are untouched" "canary changed"

# --- the move + chroot path: the initramfs is a chroot into a directory,
# so pivot_root refuses it (EINVAL), as with the real rootfs. --------------
root_fresh || exit 1
root_init "$T/nr" sbin/init "$REPORT"
mkdir "$T/ir/sub"
(cd "$T/ir" && for f in *; do case $f in sub|proc) ;; *) mv "$f" sub/ ;; esac; done)
mkdir "$T/ir/sub/proc" "$T/ir/bin"
cp "$BUSYBOX" "$T/ir/bin/busybox"	# root_boot's own, outside the chroot
ROOT_PREFIX=sub/ root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/busybox chroot /sub /bin/switch_root -v /newroot /sbin/init x'
expect "without pivot_root it moves NEWROOT onto / and chroots" \
	"switched with mount --move and chroot (pivot_root: Invalid argument)" "INIT-ARGS: /sbin/init|x|" "INIT-PID: 1"
expect "moves the mounts on the chrooted initramfs too" \
	"MOUNTED: /proc" "MOUNTED: /run" "CANARY: /image/canary image-canary" "CANARY: /run/initramfs/bound/canary bound-canary"
left=$(ls -A "$T/ir/sub" 2>/dev/null)
if [ -d "$T/ir/sub" ] && [ -z "$left" ]; then
	pass "the move path deletes the old root's files through the saved descriptor"
else
	fail "the move path deletes the old root's files through the saved descriptor" "left: $(echo $left)"
fi

# --- refusals: nothing changes, a reason, no usage text; not PID 1 (or -n)
# exits 1, PID 1 starts the initramfs's /bin/sh (here a script saying so)
# instead of exiting, which would panic the kernel -----------------------
RESCUE_SH='echo "RESCUE-SH: pid $$ args $*"'
refuse() { # NAME EXPECTED-MESSAGE SETUP-EXTRA STAGE [overlay] [STATUS]
	root_fresh "${5:-}" || { fail "$1" "setup failed"; return; }
	root_init "$T/nr" sbin/init 'echo INIT-RAN'
	rm "$T/ir/bin/sh" && root_init "$T/ir" bin/sh "$RESCUE_SH"
	eval "$3"
	before="$(root_sum "$T/ir") $(root_sum "$T/nr")"
	root_boot "$T/ir" "$O" "$ROOT_STD" "$4"
	rc=$?
	after="$(root_sum "$T/ir") $(root_sum "$T/nr")"
	if [ "$before" != "$after" ]; then
		fail "$1" "the trees changed"
	elif has INIT-RAN; then
		fail "$1" "init ran"
	elif ! grep -q "^switch_root: .*$2" "$O"; then
		fail "$1" "no '$2' in: $(head -n 3 "$O" | tr '\n' '|')"
	elif has "usage:"; then
		fail "$1" "printed usage text"
	elif [ -n "${6:-}" ] && [ "$rc" != "$6" ] && ! grep -q "RC=$6" "$O"; then
		fail "$1" "exit status $rc"
	elif [ -n "${6:-}" ] && has RESCUE-SH; then
		fail "$1" "started a shell though not PID 1"
	elif [ -z "${6:-}" ] && ! { has "switch_root: nothing was changed; starting /bin/sh on the initramfs" &&
		has "RESCUE-SH: pid 1 args -i"; }; then
		fail "$1" "no rescue shell as PID 1: $(tail -n 3 "$O" | tr '\n' '|')"
	else
		pass "$1"
	fi
}
refuse "refuses when not PID 1, tree untouched, exit 1" "not running as PID 1" "" \
	'/bin/switch_root /newroot /sbin/init; echo RC=$?' "" 1
refuse "refuses when / is not tmpfs or ramfs, tree untouched, rescue shell" "not an initramfs (ramfs or tmpfs)" "" \
	'exec /bin/switch_root /newroot /sbin/init' overlay
refuse "refuses a NEWROOT that does not exist" "NEWROOT /nowhere: does not exist" "" \
	'exec /bin/switch_root /nowhere /sbin/init'
refuse "refuses a NEWROOT that is not a mount point" "NEWROOT /etc: not a mount point" "" \
	'exec /bin/switch_root /etc /sbin/init'
refuse "refuses NEWROOT = /" "NEWROOT /: is the current root" "" \
	'exec /bin/switch_root / /sbin/init'
refuse "refuses a missing INIT when NEWROOT has no init at all" "INIT /sbin/nope: does not exist in NEWROOT" \
	'rm "$T/nr/sbin/init"' 'exec /bin/switch_root /newroot /sbin/nope'
refuse "refuses an INIT that is not executable" "INIT /sbin/init: not executable" \
	'chmod 644 "$T/nr/sbin/init"' 'exec /bin/switch_root /newroot /sbin/init'
refuse "refuses a dangling INIT symlink" "INIT /sbin/init: dangling symlink to /nonexistent" \
	'rm "$T/nr/sbin/init"; ln -s /nonexistent "$T/nr/sbin/init"' 'exec /bin/switch_root /newroot /sbin/init'
refuse "refuses an absolute INIT symlink valid only in the old root" "INIT /sbin/init: dangling symlink to /bin/oldonly" \
	'rm "$T/nr/sbin/init"; ln -s /bin/oldonly "$T/nr/sbin/init"' 'exec /bin/switch_root /newroot /sbin/init'
refuse "refuses a console that does not open" "open console /dev/nottyhere: No such file" "" \
	'exec /bin/switch_root -c /dev/nottyhere /newroot /sbin/init'
refuse "-n checks, answers 0, says ready and changes nothing" "ready: /newroot is a mount point and /sbin/init runs in it" "" \
	'/bin/switch_root -n /newroot /sbin/init; echo RC=$?' "" 0
refuse "-n as PID 1 answers 1 for a bad NEWROOT, no shell" "NEWROOT /nowhere: does not exist" "" \
	'exec /bin/switch_root -n /nowhere /sbin/init' "" 1

# A refusal with no /bin/sh on the initramfs: PID 1 says so and stays.
root_fresh || exit 1
rm "$T/ir/bin/sh"
before=$(root_sum "$T/ir")
ROOT_TIMEOUT=4 root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root /nowhere /sbin/init'
rc=$?
if [ "$rc" = 137 ] && [ "$before" = "$(root_sum "$T/ir")" ] &&
	has "switch_root: NEWROOT /nowhere: does not exist" &&
	has "switch_root: run /bin/sh: No such file or directory; staying alive as PID 1"; then
	pass "a refusal without /bin/sh on the initramfs: says so and stays alive as PID 1"
else
	fail "a refusal without /bin/sh on the initramfs: says so and stays alive as PID 1" "rc=$rc $(tail -n 2 "$O" | tr '\n' '|')"
fi

# --- INIT resolution and fallbacks --------------------------------------
root_fresh || exit 1
root_init "$T/nr" bin/realinit "$REPORT"
ln -s /bin/realinit "$T/nr/sbin/init"
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root /newroot /sbin/init abs'
expect "an absolute INIT symlink is resolved inside NEWROOT" "INIT-ARGS: /sbin/init|abs|" "INIT-PID: 1"

root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo "FALLBACK-RAN: $0 $1"'
printf '#!/no/such/interpreter\n' > "$T/nr/sbin/broken" && chmod 755 "$T/nr/sbin/broken"
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root /newroot /sbin/broken arg'
expect "an INIT that fails to exec falls back to /sbin/init, saying so" \
	"run /sbin/broken: No such file or directory; trying /sbin/init" "FALLBACK-RAN: /sbin/init arg"

root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo "FALLBACK-RAN: $0 $1"'
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root /newroot /sbin/typo arg'
expect "a missing INIT with an init in NEWROOT: warns and uses it (as the kernel does)" \
	"INIT /sbin/typo: does not exist in NEWROOT /newroot; using /sbin/init instead" "FALLBACK-RAN: /sbin/init arg"

root_fresh || exit 1
printf '#!/no/such/interpreter\n' > "$T/nr/sbin/broken" && chmod 755 "$T/nr/sbin/broken"
ROOT_TIMEOUT=5 root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root /newroot /sbin/broken'
rc=$?
if [ "$rc" = 137 ] && has "run /bin/sh: No such file or directory; no init could run: staying alive as PID 1" &&
	has "trying /etc/init"; then
	pass "when no init can run it says why and stays alive as PID 1"
else
	fail "when no init can run it says why and stays alive as PID 1" "rc=$rc $(tail -n 2 "$O" | tr '\n' '|')"
fi

# --- accounting: a process keeps a deleted file open ------------------------
root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo INIT-RAN'
dd if=/dev/urandom of="$T/ir/held" bs=1M count=4 2>/dev/null
# The holder must have exec'd sleep with /held open before the switch.
root_boot "$T/ir" "$O" "$ROOT_STD" '/bin/sleep 30 < /held &
h=$! i=0
while [ $i -lt 100 ] && ! { [ "$(cat /proc/$h/comm)" = sleep ] && [ "$(/bin/busybox readlink /proc/$h/fd/0)" = /held ]; }; do
	sleep 0.05
	i=$((i + 1))
done
echo "HOLDER: $h"
exec /bin/switch_root -v /newroot /sbin/init'
holder=$(sed -n 's/^HOLDER: //p' "$O")
line=$(grep '^switch_root: freed' "$O")
# The holder is busybox run from the initramfs: its executable pins too.
held=$(printf '%s' "$line" | sed -n "s/.*still pinned \([0-9.]*\) MiB: pid $holder (sleep) \([0-9.]*\) MiB fd 0 \/held +1 more$/\1 \2/p")
if [ -n "$held" ] && awk -v a="${held% *}" -v b="${held#* }" 'BEGIN { exit !(a == b && a >= 4.5) }'; then
	pass "names the process, pid, bytes and file that still pin the old root"
else
	fail "names the process, pid, bytes and file that still pin the old root" "holder $holder: $line"
fi
expect "-v lists every pinned item: the file and the executable" \
	"pinned by pid $holder (sleep):" "  fd 0 /held 4.0 MiB" "  exe /bin/busybox"
deleted=$(sed -n 's/^switch_root: deleted [0-9]* files (\([0-9.]*\) MiB).*/\1/p' "$O")
freed=$(printf '%s' "$line" | sed -n 's/^switch_root: freed \([0-9.]*\) MiB.*/\1/p')
if [ -n "$freed" ] && [ -n "$deleted" ] &&
	awk -v f="$freed" -v d="$deleted" -v p="${held% *}" 'BEGIN { x = d - p - f; exit !(x < 0.11 && x > -0.11) }'; then
	pass "held files are not counted as freed (deleted $deleted = freed $freed + pinned ${held% *} MiB)"
else
	fail "held files are not counted as freed" "deleted $deleted, $line"
fi

# --- console: -c puts stdio on it, opened again in the new root -------------
root_fresh || exit 1
mkdir "$T/nr/bound"
root_init "$T/nr" sbin/init 'echo "ON-CONSOLE: $0"; echo "ERR-ON-CONSOLE" >&2'
: > "$T/other/console"
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root -c /bound/console /newroot /sbin/init'
if grep -q "ON-CONSOLE: /sbin/init" "$T/other/console" && grep -q ERR-ON-CONSOLE "$T/other/console" &&
	grep -q "^switch_root: freed" "$T/other/console" && ! has "ON-CONSOLE"; then
	pass "-c puts stdin, stdout and stderr (the report too) on the console"
else
	fail "-c puts stdin, stdout and stderr (the report too) on the console" "console: $(cat "$T/other/console" | tr '\n' '|')"
fi

# --- an overlay NEWROOT ------------------------------------------------------
root_fresh || exit 1
mkdir -p "$T/lower" "$T/upper" "$T/work"
root_newroot "$T/lower"
root_init "$T/lower" sbin/init "$REPORT"
root_boot "$T/ir" "$O" "$ROOT_STD
umount newroot
mount -t overlay -o lowerdir=$T/lower,upperdir=$T/upper,workdir=$T/work ov newroot" \
	'exec /bin/switch_root /newroot /sbin/init ov'
expect "switches into an overlay NEWROOT" "INIT-ARGS: /sbin/init|ov|" "CANARY: /image/canary image-canary" "MOUNTED: /run"

# --- NEWROOT a directory of the initramfs bind-mounted onto itself (what
# util-linux's manual and our own "not a mount point" message advise) -----
root_fresh || exit 1
root_newroot "$T/ir/newroot"
root_init "$T/ir/newroot" sbin/init "$REPORT"
echo keep-me > "$T/ir/newroot/etc/canary"
root_boot "$T/ir" "$O" "$(printf '%s\n' "$ROOT_STD" | grep -v 'T/nr')
mount --bind \${P}newroot \${P}newroot" 'exec /bin/switch_root -v /newroot /sbin/init bound'
expect "a NEWROOT bound from an initramfs directory is spared: init runs from it" \
	"INIT-ARGS: /sbin/init|bound|" "switch_root: spared /newroot: it is the new root"
if [ "$(cat "$T/ir/newroot/etc/canary" 2>/dev/null)" = keep-me ] && [ "$(ls -A "$T/ir")" = newroot ]; then
	pass "with NEWROOT bound from the initramfs, all but that directory is deleted"
else
	fail "with NEWROOT bound from the initramfs, all but that directory is deleted" \
		"left: $(ls -A "$T/ir" | tr '\n' ' '); canary: $(cat "$T/ir/newroot/etc/canary" 2>&1)"
fi

# --- an initramfs directory bind-mounted into NEWROOT (say the modules a
# live system shares with its root) travels with it and is spared ---------
root_fresh || exit 1
mkdir -p "$T/ir/mods" "$T/nr/lib/modules" && echo modfile > "$T/ir/mods/m.ko"
root_init "$T/nr" sbin/init 'echo "MODS: $(/bin/busybox cat /lib/modules/m.ko)"'
root_boot "$T/ir" "$O" "$ROOT_STD
mount --bind \${P}mods \${P}newroot/lib/modules" 'exec /bin/switch_root -v /newroot /sbin/init'
expect "an initramfs directory bound into NEWROOT keeps its files in the new root" \
	"MODS: modfile" "switch_root: spared /mods: bind-mounted elsewhere"
if [ "$(cat "$T/ir/mods/m.ko" 2>/dev/null)" = modfile ] && [ "$(ls -A "$T/ir")" = mods ]; then
	pass "with a directory bound into NEWROOT, all but that directory is deleted"
else
	fail "with a directory bound into NEWROOT, all but that directory is deleted" "left: $(ls -A "$T/ir" | tr '\n' ' ')"
fi

# The same from a chroot into a directory of the initramfs (the move +
# chroot path), where mountinfo names the source /sub/mods, not /mods: the
# source is found by inode.
root_fresh || exit 1
mkdir -p "$T/ir/mods" "$T/nr/lib/modules" && echo modfile > "$T/ir/mods/m.ko"
root_init "$T/nr" sbin/init 'echo "MODS: $(/bin/busybox cat /lib/modules/m.ko)"'
mkdir "$T/ir/sub"
(cd "$T/ir" && for f in *; do case $f in sub|proc) ;; *) mv "$f" sub/ ;; esac; done)
mkdir "$T/ir/sub/proc" "$T/ir/bin"
cp "$BUSYBOX" "$T/ir/bin/busybox"
ROOT_PREFIX=sub/ root_boot "$T/ir" "$O" "$ROOT_STD
mount --bind \${P}mods \${P}newroot/lib/modules" \
	'exec /bin/busybox chroot /sub /bin/switch_root -v /newroot /sbin/init'
if has "MODS: modfile" && has "switch_root: spared /mods: bind-mounted elsewhere" &&
	[ "$(ls -A "$T/ir/sub")" = mods ]; then
	pass "from a chroot too, a directory bound into NEWROOT is spared, the rest deleted"
else
	fail "from a chroot too, a directory bound into NEWROOT is spared, the rest deleted" \
		"$(grep -E 'MODS|spared' "$O" | tr '\n' '|') left: $(ls -A "$T/ir/sub" | tr '\n' ' ')"
fi

# --- a mount point with a long path (over 600 bytes) is moved aside like
# any other, once ------------------------------------------------------------
root_fresh || exit 1
n=$(printf '%0200d' 0)
long=long/$n/$n/$n
mkdir -p "$T/ir/$long"
root_init "$T/nr" sbin/init "echo \"LONG: \$(/bin/busybox cat /run/initramfs/$long/c)\""
root_boot "$T/ir" "$O" "$ROOT_STD
mount -t tmpfs longfs \${P}$long && echo long-canary > \${P}$long/c" 'exec /bin/switch_root /newroot /sbin/init'
if has "LONG: long-canary" && ! grep -q '^switch_root: mount ' "$O"; then
	pass "a mount at a 600-byte path is moved aside and readable in the new root"
else
	fail "a mount at a 600-byte path is moved aside and readable in the new root" \
		"$(grep -c '^switch_root: mount ' "$O") mount lines; $(grep LONG "$O")"
fi

# --- a tree deeper than PATH_MAX (20 levels of 250-byte names, built with
# renames since no path may be that long) is deleted; PID 1 survives -------
root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo INIT-RAN'
n=$(printf '%0250d' 0)
mkdir "$T/ir/d" && echo bottom > "$T/ir/d/f"
for i in $(seq 20); do mkdir "$T/ir/w" && mv "$T/ir/d" "$T/ir/w/$n" && mv "$T/ir/w" "$T/ir/d"; done
deep=$(find "$T/ir/d" -name f | awk '{ print length($0) }')
root_boot "$T/ir" "$O" "$ROOT_STD" 'exec /bin/switch_root -v /newroot /sbin/init'
rc=$?
if [ "${deep:-0}" -gt 4096 ] && [ "$rc" = 0 ] && has INIT-RAN && has "and 34 directories" && [ -z "$(ls -A "$T/ir")" ]; then
	pass "a tree deeper than PATH_MAX is deleted and init runs"
else
	fail "a tree deeper than PATH_MAX is deleted and init runs" "path ${deep:-?} bytes, rc $rc: $(tail -n 2 "$O" | tr '\n' '|') left: $(ls -A "$T/ir" | tr '\n' ' ')"
fi

# --- accounting: a loop device backed by an initramfs file ------------------
# Attached from outside (the file is on the fake initramfs's tmpfs); the new
# root's /dev is the moved tmpfs, so it gets the device node switch_root
# opens to read the backing inode.
root_fresh || exit 1
root_init "$T/nr" sbin/init 'echo INIT-RAN'
dd if=/dev/urandom of="$T/ir/disk.img" bs=1M count=3 2>/dev/null
loop=$("$INITBOX" losetup -f --show "$T/ir/disk.img")
if [ -z "$loop" ] || [ ! -b "$loop" ]; then
	fail "names a loop device backed by an initramfs file, with its bytes" "initbox losetup -f --show gave '$loop'"
else
	track_loop "$loop"
	ln=${loop#/dev/}
	root_boot "$T/ir" "$O" "$ROOT_STD
mknod \${P}dev/$ln b $(tr ':' ' ' < "/sys/block/$ln/dev")" 'exec /bin/switch_root -v /newroot /sbin/init'
	line=$(grep '^switch_root: freed' "$O")
	if printf '%s' "$line" | grep -q "; still pinned 3.0 MiB: $ln 3.0 MiB backing [^ ]*/disk.img"; then
		pass "names a loop device backed by an initramfs file, with its bytes ($line)"
	else
		fail "names a loop device backed by an initramfs file, with its bytes" "$ln: $line"
	fi
	expect "-v gives the loop device, its bytes and backing file" \
		"switch_root: pinned by $ln: 3.0 MiB, backing file " "INIT-RAN"
	deleted=$(sed -n 's/^switch_root: deleted [0-9]* files (\([0-9.]*\) MiB).*/\1/p' "$O")
	freed=$(printf '%s' "$line" | sed -n 's/^switch_root: freed \([0-9.]*\) MiB.*/\1/p')
	if [ -n "$freed" ] && [ -n "$deleted" ] &&
		awk -v f="$freed" -v d="$deleted" 'BEGIN { x = d - 3 - f; exit !(x < 0.11 && x > -0.11) }'; then
		pass "a loop device's backing file is not counted as freed (deleted $deleted = freed $freed + 3.0 MiB)"
	else
		fail "a loop device's backing file is not counted as freed" "deleted $deleted, $line"
	fi
	# Deleted, the file no longer matches what track_loop recorded: detach
	# it here, after checking it is still the one attached above.
	case $(cat "/sys/block/$ln/loop/backing_file" 2>/dev/null) in
	"$T/ir/disk.img"*) "$INITBOX" losetup -d "$loop" ;;
	esac
fi

# --- a mount that cannot be moved: NEWROOT and /run read-only, so /bound
# (no such directory in NEWROOT) has nowhere to go -------------------------
root_fresh || exit 1
root_init "$T/nr" sbin/init "$REPORT"
root_boot "$T/ir" "$O" "$ROOT_STD
mount -o remount,bind,ro \${P}newroot
mount -o remount,ro \${P}run" 'exec /bin/switch_root /newroot /sbin/init'
expect "a mount that cannot be moved is reported without -v, detached, and the boot goes on" \
	"switch_root: mount /bound: could not move, detached: Read-only file system" \
	"INIT-ARGS: /sbin/init||" "MOUNTED: /run" "CANARY: /image/canary image-canary"
if has "MOUNTED: /bound" || has "MOUNTED: /run/initramfs/bound"; then
	fail "the detached mount is gone from the new root" "$(grep MOUNTED "$O" | tr '\n' ' ')"
else
	pass "the detached mount is gone from the new root"
fi
[ "$(cat "$T/other/canary")" = bound-canary ] && pass "the detached bind mount's files are untouched" ||
	fail "the detached bind mount's files are untouched" "canary changed"
if [ -z "$(ls -A "$T/ir")" ]; then
	pass "with a mount detached, the old root is still deleted"
else
	fail "with a mount detached, the old root is still deleted" "left: $(ls -A "$T/ir" | tr '\n' ' ')"
fi

ns_done
