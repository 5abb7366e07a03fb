# live_handback.sh - the hand-back (/run/initramfs/shutdown) with the
# persistence on an ext4 disk, the busybox live root:
#  - its init execs /run/initramfs/shutdown poweroff as its last step:
#    the console shows the hand-back's lines, a process that ignores
#    SIGTERM and holds a file on the persistence is named and ended, and
#    on the host e2fsck -fn is clean with no journal to recover, a 16 MiB
#    file holds its bytes;
#  - the same with reboot, and the next boot finds the file;
#  - side by side, the same boot without it (initbox.handback=no,
#    poweroff -f): the journal the kernel leaves (measured, not asserted);
#  - the hook of an init that stays PID 1: everything read-only, clean;
#  - a power cut while a file is written after a sync: the next boot comes
#    up, the synced file is intact, and whatever a forced e2fsck then names
#    is the file being written at the cut;
#  - a persistence e2fsck -p refuses: not mounted, a tmpfs instead; with
#    fsck.mode=force fsck.repair=yes it is repaired and used;
#  - mklive -p's image as a stick (live.persist: the changes in its
#    partition, clean after the hand-back, there at the next boot) and
#    as a CD (one line, the changes in RAM);
#  - poweroff cycles in a row, each adding a file: all there, the
#    filesystem clean after each (HANDBACK_CYCLES, 20 on bookworm, 3 on
#    the other kernels: the steps are the same, the kernel's part is the
#    unmount and the device release each cycle already shows).
# The Debian systemd root's hand-back (systemd-shutdown's protocol) is
# tests/boot/live_systemd.sh's persistence boot.
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_handback
for c in e2fsck dumpe2fs debugfs mkfs.vfat fsck.vfat mcopy ldd; do
	command -v $c > /dev/null || { echo "FAIL: live_handback: needs $c (scripts/deps.sh test-tools: e2fsprogs, dosfstools, mtools)"; exit 1; }
done
boot_kernel || { echo "FAIL: live_handback: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_handback
rm -rf "$w" && mkdir -p "$w/medium/live"
# the root carries the host's e2fsck with its libraries: /init checks
# the persistence with the live root's own fsck
with_e2fsck() { # ROOT
	mkdir -p "$1/sbin" && cp /sbin/e2fsck "$1/sbin/e2fsck" || return 1
	for l in $(ldd /sbin/e2fsck | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		mkdir -p "$1$(dirname "$l")" && cp -L "$l" "$1$l" || return 1
	done
}
live_rootfs "$w/rootfs" && with_e2fsck "$w/rootfs" &&
	live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
	live_ext4 "$w/medium.img" INITBOX_LIVE 16 "$w/medium" ||
	{ echo "FAIL: live_handback: cannot build the media"; exit 1; }
live_initramfs "$w/initrd.img" > /dev/null ||
	{ echo "FAIL: live_handback: mkinitramfs failed"; exit 1; }
cow=$w/cow.img
fresh_cow() { live_ext4 "$cow" INITBOX_COW 64; }
drives="-drive file=$w/medium.img,format=raw,if=virtio -drive file=$cow,format=raw,if=virtio"
args="live.media=LABEL=INITBOX_LIVE live.cow=LABEL=INITBOX_COW"
# the hand-back's last line; without it a boot ends 5 s after its result
until_off='^shutdown: poweroff after|reboot: Power down'

features() { ext4_features "$cow"; }
clean() { ext4_clean "$1" "$cow"; } # NAME
# --- the hand-back as the init's last step ----------------------------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot handback "the live init hands back at poweroff" \
	"$w/initrd.img" "$args livecheck=live,persist-write,persist-big,hold,handback" $drives
log=$LOGS/boot-handback.serial
live_expect "the hand-back takes /oldroot apart" "$log" '^shutdown: poweroff: taking apart /oldroot$'
live_expect "a process holding a file on the persistence is named with what it holds" "$log" \
	'^shutdown: pid [0-9]+ \(sleep\) holds /oldroot/.*: SIGTERM$'
live_expect "it ignores SIGTERM and gets SIGKILL after half the bound" "$log" \
	'^shutdown: pid [0-9]+ \(sleep\) holds /oldroot/.*: SIGKILL$'
live_expect "it unmounts the overlay, the persistence, the image and the medium" "$log" '^shutdown: unmounted [5-9] filesystems under /oldroot$'
live_expect "the persistence disk is released" "$log" '^shutdown: /dev/vdb released$'
live_expect "the medium is released" "$log" '^shutdown: /dev/vda released$'
live_refute "nothing is still held" "$log" 'still held|still busy|stays writable'
clean "after the hand-back"
big_file "after the hand-back" "$log" "$cow"
sed -n 's/^LIVE: check passed: \/run\/initramfs holds the hand-back (\([0-9]*\) kB)/    hand-back in \/run: \1 kB/p' "$log"
grep '^shutdown: poweroff after' "$log" | sed 's/^/    /'

# --- a reboot: the same hand-back, and the next boot finds the file ---------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL='^shutdown: reboot after|reboot: Restarting' live_boot handback-reboot \
	"the live init hands back at reboot" "$w/initrd.img" "$args livecheck=persist-write,handback-reboot" $drives
log=$LOGS/boot-handback-reboot.serial
live_expect "reboot: the hand-back releases the persistence, then reboots" "$log" '^shutdown: /dev/vdb released$'
live_expect "reboot: it reboots" "$log" '^shutdown: reboot after'
clean "after the hand-back's reboot"
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot handback-reboot-2 "the boot after the reboot finds the file" \
	"$w/initrd.img" "$args livecheck=persist-read,handback" $drives

# --- the same without it: what the kernel's poweroff leaves ---------------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot handback-off "without the hand-back (initbox.handback=no)" \
	"$w/initrd.img" "$args initbox.handback=no livecheck=persist-write" $drives
case " $(features) " in
*" needs_recovery "*) echo "    without the hand-back: needs_recovery set, $(e2fsck -fn "$cow" 2>&1 | grep -c -i 'wrong\|differ') count(s) wrong (e2fsck -fn)" ;;
*) echo "    without the hand-back: the filesystem happened to be clean" ;;
esac

# --- the hook of an init that stays PID 1 ----------------------------------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot handback-hook "the hook of an init that stays PID 1" \
	"$w/initrd.img" "$args livecheck=persist-write,hook" $drives
log=$LOGS/boot-handback-hook.serial
live_expect "the hook remounts everything read-only and returns 0" "$log" '^LIVE: the hook exited 0$'
clean "after the hook and poweroff -f"

# --- a power cut -----------------------------------------------------------------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot powercut "boot 1 syncs a file, then the power is cut while it writes" \
	"$w/initrd.img" "$args livecheck=persist-write,powercut" $drives
live_expect "the power was cut while writing" "$LOGS/boot-powercut.serial" '^LIVE: writing /var/B until the power is cut'
echo "    after the cut: features $(features)"
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot powercut-2 "boot 2 after the cut finds the synced file" \
	"$w/initrd.img" "$args livecheck=persist-read,handback" $drives
live_refute "boot 2: no kernel panic" "$LOGS/boot-powercut-2.serial" 'Kernel panic'
live_expect "boot 2: /init checked the persistence with the root's e2fsck first" "$LOGS/boot-powercut-2.serial" \
	'^initbox: /dev/vdb \(ext4\) checked: (clean|errors fixed)'
sed -n 's/^initbox: \/dev\/vdb (ext4) checked: /    boot 2: /p' "$LOGS/boot-powercut-2.serial"
# What the cut may leave, as on any ext4 after one: e2fsck -p (systemd-fsck's
# way, and /init's) replays the journal and trusts it; a forced pass may then
# find the file that was being written with an extent past its size (seen on
# 6.12: "end of extent exceeds allowed value", which preen does not mend).
# Whatever a forced pass names must be that file, /var/B, nothing synced.
case " $(features) " in
*" needs_recovery "*) live_fail "after the cut and boot 2's hand-back: needs_recovery is set (the journal was never closed)" ;;
*) echo "PASS: after the cut and boot 2's hand-back: no journal left to recover" ;;
esac
e2fsck -fn "$cow" > "$w/cut.fsck" 2>&1
bino=$(debugfs -R "stat /upper/var/B" "$cow" 2> /dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')
# what is left once B's lines, the passes, the prompts and pass 5's counts
# (which follow from them) are taken out: nothing
rest=$(grep -vE "^(e2fsck [0-9]|Pass [1-5]:|Inode ${bino:-none}[ ,]|	\(logical block|(Fix|Clear)\? no|Block bitmap differences|Free (blocks|inodes) count wrong|\*|\$|\s*$)" "$w/cut.fsck" |
	grep -v '^INITBOX_COW: ')
if [ -n "$rest" ]; then
	live_fail "after the cut: a forced e2fsck -fn names more than /var/B (inode $bino): $(echo "$rest" | head -n 4 | tr '\n' '|')"
else
	echo "PASS: after the cut: a forced e2fsck -fn names nothing but the file being written (/var/B)"
fi
if grep -q "^Inode $bino[ ,]" "$w/cut.fsck"; then
	echo "    after the cut, e2fsck -fn on /var/B: $(grep "^Inode $bino[ ,]" "$w/cut.fsck" | head -n 1)"
else
	echo "    after the cut, e2fsck -fn: clean"
fi

# --- a persistence e2fsck -p cannot repair: not used, not written --------------
fresh_cow || exit 1
# the root directory cleared, the superblock marked as the kernel marks a
# filesystem it found damaged (state 2, errors): e2fsck -p checks it and
# stops with UNEXPECTED INCONSISTENCY (exit 4)
debugfs -w -R "clri <2>" "$cow" > /dev/null 2>&1 &&
	debugfs -w -R "ssv state 2" "$cow" > /dev/null 2>&1
mounts() { dumpe2fs -h "$cow" 2> /dev/null | sed -n 's/^\(Mount count\|Last mount time\): *//p' | tr '\n' ' '; }
m0=$(mounts)
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot broken-cow "a persistence that fails its check: the boot goes on with a tmpfs upper layer" \
	"$w/initrd.img" "$args livecheck=live" $drives
live_expect "broken-cow: the check's failure is said, and what the session does instead" "$LOGS/boot-broken-cow.serial" \
	'^initbox: persistence not used: /dev/vdb: /sbin/e2fsck left errors \(exit [4-9]'
# e2fsck -p may have made its safe fixes; the filesystem was never mounted
if [ -n "$m0" ] && [ "$(mounts)" = "$m0" ]; then
	echo "PASS: broken-cow: the damaged persistence was never mounted (mount count and time unchanged: $m0)"
else
	echo "FAIL: broken-cow: the damaged persistence was mounted: before $m0, after $(mounts)"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
# the same disk with fsck.mode=force fsck.repair=yes (systemd's keys, as the
# refusal advises): e2fsck -y -f mends it, the session keeps its changes there
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot broken-cow-repair "fsck.mode=force fsck.repair=yes: the persistence repaired and used" \
	"$w/initrd.img" "$args fsck.mode=force fsck.repair=yes livecheck=persist-write,handback" $drives
log=$LOGS/boot-broken-cow-repair.serial
live_expect "broken-cow-repair: e2fsck ran in full, answering yes" "$log" '^Pass 5: Checking group summary information'
live_expect "broken-cow-repair: errors fixed, the persistence used" "$log" '^initbox: /dev/vdb \(ext4\) checked: errors fixed'
live_refute "broken-cow-repair: not refused" "$log" 'persistence not used'
clean "broken-cow-repair: after the repair and the hand-back"
if [ "$(debugfs -R "cat /upper/var/persist-marker" "$cow" 2> /dev/null)" = "written in boot 1" ]; then
	echo "PASS: broken-cow-repair: the session's file is on the repaired persistence"
else
	live_fail "broken-cow-repair: no /upper/var/persist-marker on the repaired persistence"
fi

# --- persistence in a file on a FAT stick (live.cow=SPEC:/PATH) -----------------
stick=$w/stick.img
fresh_stick() {
	rm -f "$stick" "$w/persist.img"
	mkfs.vfat -C -n INITBOXFAT "$stick" 65536 > /dev/null &&
		live_ext4 "$w/persist.img" INITBOX_PF 32 && mcopy -i "$stick" "$w/persist.img" ::/persist.img
}
fat_clean() { # NAME: no dirty bit; the file's ext4 clean
	if fsck.vfat -n "$stick" > "$w/fsckfat.out" 2>&1 && ! grep -qi 'dirty bit' "$w/fsckfat.out"; then
		echo "PASS: $1: the FAT stick is clean (fsck.vfat -n: no dirty bit)"
	else
		echo "FAIL: $1: fsck.vfat -n: $(head -n 3 "$w/fsckfat.out" | tr '\n' '|')"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	fi
	rm -f "$w/persist.out"
	if mcopy -i "$stick" ::/persist.img "$w/persist.out"; then
		ext4_clean "$1: the persistence file" "$w/persist.out"
	else
		live_fail "$1: cannot copy /persist.img off the stick"
	fi
}
sdrives="-drive file=$w/medium.img,format=raw,if=virtio -drive file=$stick,format=raw,if=virtio"
sargs="live.media=LABEL=INITBOX_LIVE live.cow=LABEL=INITBOXFAT:/persist.img"
fresh_stick || { echo "FAIL: live_handback: cannot build the FAT stick"; exit 1; }
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot fat-file "persistence in a file on a FAT stick, handed back at poweroff" \
	"$w/initrd.img" "$sargs livecheck=live,persist-write,persist-big,handback" $sdrives
log=$LOGS/boot-fat-file.serial
live_expect "fat-file: the file is checked through its loop device" "$log" '^initbox: /dev/loop[0-9]+ \(ext4\) checked: clean'
live_expect "fat-file: the stick is released at poweroff" "$log" '^shutdown: /dev/vdb released$'
live_refute "fat-file: nothing is still held" "$log" '^shutdown: .*(still held|still busy|stays writable)'
fat_clean "fat-file"
big_file "fat-file" "$log" "$w/persist.out"
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot fat-file-2 "the next boot finds the file in the FAT stick's persistence" \
	"$w/initrd.img" "$sargs livecheck=persist-read,handback" $sdrives
fat_clean "fat-file-2"
fresh_stick || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot fat-file-off "the FAT stick without the hand-back (initbox.handback=no)" \
	"$w/initrd.img" "$sargs initbox.handback=no livecheck=persist-write" $sdrives
if fsck.vfat -n "$stick" 2>&1 | grep -qi 'dirty bit'; then
	echo "    FAT without the hand-back: the dirty bit is set (fsck.vfat -n)"
else
	echo "    FAT without the hand-back: no dirty bit"
fi

# --- persistence on the boot stick: mklive -p, live.persist --------------------------
command -v xorriso > /dev/null && command -v sfdisk > /dev/null ||
	{ echo "FAIL: live_handback: needs xorriso and sfdisk (scripts/deps.sh test-tools)"; exit 1; }
SOURCE_DATE_EPOCH=1700000000 sh "$TOP/scripts/mklive" -o "$w/stick.iso" -L INITBOX_STICK -c lz4 \
	-k "$VMLINUZ" -b "$KROOT" -P virt -p 32 "$w/rootfs" > "$w/mklive.out" 2>&1 &&
	xorriso -osirrox on -indev "$w/stick.iso" -extract /live/initrd.img "$w/stick.initrd" \
		-extract /boot/grub/grub.cfg "$w/stick.cfg" > /dev/null 2>&1 ||
	{ echo "FAIL: live_handback: mklive -p: $(tail -n 3 "$w/mklive.out")"; exit 1; }
grep -q 'linux /live/vmlinuz live.media=LABEL=INITBOX_STICK live.persist$' "$w/stick.cfg" &&
	echo "PASS: mklive -p: the menu's default entry carries live.persist" ||
	live_fail "mklive -p: the menu's default entry carries live.persist: $(grep -m1 linux "$w/stick.cfg")"
# the partition mklive appended: its ext4, taken out of the image
part_out() { # OUT
	set -- "$1" $(sfdisk -d "$w/stick.iso" 2> /dev/null |
		sed -n 's/.*start= *\([0-9]*\), size= *\([0-9]*\),.*name="Appended3".*/\1 \2/p')
	[ $# = 3 ] && dd if="$w/stick.iso" of="$1" bs=512 skip="$2" count="$3" status=none
}
sargs="live.media=LABEL=INITBOX_STICK live.persist"
stdrive="-drive file=$w/stick.iso,format=raw,if=virtio"
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot stick "mklive -p's image on a stick: live.persist keeps the changes there" \
	"$w/stick.initrd" "$sargs livecheck=live,persist-write,persist-big,handback" $stdrive
log=$LOGS/boot-stick.serial
live_expect "stick: the partition on the boot stick is used" "$log" '^initbox: live.persist: the changes of this session are kept on /dev/vda[0-9]+$'
live_expect "stick: the stick is released at poweroff" "$log" '^shutdown: /dev/vda released$'
if part_out "$w/stick-part.img"; then
	ext4_clean "stick: the persistence partition" "$w/stick-part.img"
	big_file "stick" "$log" "$w/stick-part.img"
else
	live_fail "stick: cannot find the appended partition in the image"
fi
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot stick-2 "the next boot from the stick finds the file" \
	"$w/stick.initrd" "$sargs livecheck=persist-read,handback" $stdrive
# shellcheck disable=SC2086
BOOT_MEM=128M live_boot stick-cd "the same image as a CD: one line, the changes in RAM" \
	"$w/stick.initrd" "$sargs livecheck=live" -device virtio-scsi-pci,id=scsi \
	-drive "if=none,id=cd,media=cdrom,format=raw,file=$w/stick.iso" -device scsi-cd,drive=cd,bus=scsi.0
live_expect "stick-cd: a CD says it has no persistence partition" "$LOGS/boot-stick-cd.serial" \
	'^initbox: live.persist: /dev/sr0 has no partition labelled INITBOX_PERSIST'

# --- poweroff cycles -------------------------------------------------------------------
n=${HANDBACK_CYCLES:-3}
[ "$KERNEL" != bookworm ] || n=${HANDBACK_CYCLES:-20}
fresh_cow || exit 1
i=0 bad=0 cyc_t0=$(date +%s)
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	BOOT_MEM=128M BOOT_UNTIL=$until_off boot_run handback-cycle "$w/initrd.img" \
		"$args livecheck=persist-count,handback" $drives > /dev/null
	log=$LOGS/boot-handback-cycle.serial
	if ! grep -q "^LIVE: cycle files: $i\$" "$log" || ! grep -q '^shutdown: /dev/vdb released$' "$log" ||
		! e2fsck -fn "$cow" > /dev/null 2>&1; then
		cp "$log" "$LOGS/boot-handback-cycle-$i.serial"
		bad=$i
		break
	fi
	case " $(features) " in *" needs_recovery "*) bad=$i; break ;; esac
done
if [ "$bad" = 0 ]; then
	echo "PASS: $n poweroff cycles, a file each: all $n there, the filesystem clean after each ($(( $(date +%s) - cyc_t0 )) s)"
else
	echo "FAIL: poweroff cycle $bad of $n: files or filesystem wrong (serial log: $LOGS/boot-handback-cycle-$bad.serial)"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
live_done
