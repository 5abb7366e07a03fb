# live_nomedium.sh - scenario 5: no medium at all. Within live.timeout
# plus a few seconds /init says what it looked for and gives a rescue shell
# on the console; the kernel does not panic. The shell is driven through
# the serial console: it must run what is typed, and a new shell must come
# up after `exit` (PID 1 never exits).
. "$TOP/scripts/lib/boot.sh"
. "$TOP/tests/boot/lib_report.sh"
. "$TOP/scripts/lib/live.sh"
boot_need live_nomedium
boot_kernel || { echo "FAIL: live_nomedium: cannot fetch the test kernel"; exit 1; }
w=$BOOT_WORK/live_nomedium
rm -rf "$w" && mkdir -p "$w"
live_initramfs "$w/initrd.img" > /dev/null ||
	{ echo "FAIL: live_nomedium: mkinitramfs failed"; exit 1; }
timeout=5
# A SCSI disk no driver takes (the default image has virtio_scsi for CD
# drives, and no sd_mod): the failure names it.
truncate -s 4M "$w/blank.img"
# Typed into the rescue shell. The result words are assembled at run time
# so the echo of the typed line never matches. The three lines arrive at
# once: a shell without line editing (dash) leaves their echo to the tty,
# which shows them as they come, so replies may start mid-line, after the
# echo or the prompt; the checks below are not anchored at line start.
cat > "$w/input" <<'IN'
read -r up _ < /proc/uptime; echo "RESCUE: uptime $up"
exit
read -r c < /proc/1/comm; r=PASS; echo "RESCUE: pid 1 is $c"; echo "BOOT-RESULT: $r"
IN
log=$LOGS/boot-live-nomedium.serial
BOOT_MEM=128M BOOT_TIMEOUT=60 BOOT_INPUT=$w/input BOOT_INPUT_AFTER='rescue shell on the console' \
	live_boot live-nomedium "with no medium, a rescue shell runs commands typed on the console" \
	"$w/initrd.img" "live.timeout=$timeout" \
	-device virtio-scsi-pci,id=scsi -drive "file=$w/blank.img,if=none,id=d0,format=raw" \
	-device scsi-hd,drive=d0
live_expect "one line says what was searched and for how long" "$log" \
	"^initbox: no medium holding /live/rootfs.squashfs or /live/rootfs.erofs found within $timeout s"
live_expect "the failure names the SCSI disk no driver took, and why" "$log" \
	'^initbox: no medium holding .*; SCSI disk [0-9]+:0:0:0 \(QEMU QEMU HARDDISK\) has no driver \(sd_mod not in the initramfs\)'
live_expect "the rescue shell comes back after exit" "$log" 'initbox: rescue shell exited; starting another'
live_expect "PID 1 is still the /init shell" "$log" 'RESCUE: pid 1 is (init|sh)'
up=$(sed -n 's/.*RESCUE: uptime \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
if [ -n "$up" ] && [ "$up" -le $((timeout + 10)) ]; then
	echo "PASS: the rescue shell is up within live.timeout + 10 s (at ${up} s of uptime)"
else
	echo "FAIL: the rescue shell is up within live.timeout + 10 s: uptime '${up:-none}'"
	LIVE_FAILS=$((${LIVE_FAILS:-0} + 1))
fi
live_refute "no kernel panic" "$log" 'Kernel panic'
live_done
