# live_handback.sh - the hand-back (/run/initramfs/shutdown) with the
# persistence on an ext4 disk, the busybox live root:
#  - its init execs /run/initramfs/shutdown poweroff as its last step:
#    the console shows the hand-back's lines, and on the host e2fsck -fn
#    is clean with no journal to recover, a 16 MiB file holds its bytes;
#  - side by side, the same boot without it (initbox.handback=no,
#    poweroff -f): the journal the kernel leaves (measured, not asserted);
#  - the hook of an init that stays PID 1: everything read-only, clean;
#  - a power cut while a file is written after a sync: the next boot comes
#    up, the synced file is intact, and its own hand-back leaves the
#    filesystem clean;
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
for c in e2fsck dumpe2fs debugfs; do
	command -v $c > /dev/null || { echo "FAIL: live_handback: needs $c (e2fsprogs)"; exit 1; }
done
boot_kernel || { echo "FAIL: live_handback: cannot fetch the test kernel"; exit 1; }
w=$BUILD/boot-work/live_handback
rm -rf "$w" && mkdir -p "$w/medium/live"
live_rootfs "$w/rootfs" && live_squashfs "$w/rootfs" "$w/medium/live/rootfs.squashfs" &&
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

features() { dumpe2fs -h "$cow" 2> /dev/null | sed -n 's/^Filesystem features: *//p'; }
clean() { # NAME: e2fsck -fn finds nothing, no journal to recover
	if e2fsck -fn "$cow" > "$w/fsck.out" 2>&1; then
		echo "PASS: $1: e2fsck -fn is clean"
	else
		echo "FAIL: $1: e2fsck -fn: $(tail -n 4 "$w/fsck.out" | tr '\n' '|')"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
	fi
	case " $(features) " in
	*" needs_recovery "*) echo "FAIL: $1: needs_recovery is set (the journal was never closed)"
		LIVE_FAILS=$((${LIVE_FAILS:-0} + 1)) ;;
	*) echo "PASS: $1: no journal left to recover" ;;
	esac
}

# --- the hand-back as the init's last step ----------------------------------
fresh_cow || exit 1
# shellcheck disable=SC2086
BOOT_MEM=128M BOOT_UNTIL=$until_off live_boot handback "the live init hands back at poweroff" \
	"$w/initrd.img" "$args livecheck=live,persist-write,persist-big,handback" $drives
log=$LOGS/boot-handback.serial
live_expect "the hand-back takes /oldroot apart" "$log" '^shutdown: poweroff: taking apart /oldroot$'
live_expect "it unmounts the overlay, the persistence, the image and the medium" "$log" '^shutdown: unmounted [5-9] filesystems under /oldroot$'
live_expect "the persistence disk is released" "$log" '^shutdown: /dev/vdb released$'
live_expect "the medium is released" "$log" '^shutdown: /dev/vda released$'
live_refute "nothing is still held" "$log" 'still held|still busy|stays writable'
clean "after the hand-back"
want=$(sed -n 's/^LIVE: md5 \/var\/big \([0-9a-f]*\).*/\1/p' "$log")
got=$(debugfs -R "dump /upper/var/big $w/big" "$cow" > /dev/null 2>&1 && md5sum < "$w/big" | cut -c 1-32)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	echo "PASS: the 16 MiB file written before the poweroff holds its bytes on the disk"
else
	echo "FAIL: the 16 MiB file holds its bytes: guest ${want:-?}, disk ${got:-?}"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
sed -n 's/^LIVE: check passed: \/run\/initramfs holds the hand-back (\([0-9]*\) kB)/    hand-back in \/run: \1 kB/p' "$log"
grep '^shutdown: poweroff after' "$log" | sed 's/^/    /'

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
clean "after the cut and boot 2's hand-back"

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
