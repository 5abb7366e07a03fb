# live.sh - building blocks of the live-boot scenarios (tests/boot/
# live_*.sh), `make demo` (scripts/demo), demo-iso and bench-boot. Sourced
# after boot.sh and boot_kernel.
#
# live_rootfs DIR          a small busybox-static root filesystem whose
#                          /sbin/init is the live check script below
# live_squashfs DIR OUT    pack it (mksquashfs, reproducible)
# live_ext4 OUT LABEL SIZE_MB [SRCDIR]
#                          an ext4 image, labelled, holding SRCDIR
# live_initramfs OUT [mkinitramfs args]
#                          scripts/mkinitramfs for the test kernel
# live_meminfo LOG KEY     a "LIVE: KEY: N kB" value printed by the live init
#
# The live init (the new root's /sbin/init) prints "LIVE: ..." lines:
# uptime at its start, /init's own start and switch times
# (/run/initbox/times), MemTotal/MemFree/MemAvailable/Shmem, then runs the checks
# named by livecheck=a,b on the kernel command line (live medium freed
# toram unplugged disk verity verity-eio persist-write persist-read
# persist-big persist-count hold handback handback-reboot hook powercut) and prints
# "BOOT-RESULT: PASS" or "BOOT-RESULT: FAIL: why", and powers off.

live_rootfs() { # DIR
	d=$1
	rm -rf "$d"
	mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/run" \
		"$d/tmp" "$d/root" "$d/etc" "$d/mnt" "$d/var"
	bb=$(command -v busybox) || return 1
	cp "$bb" "$d/bin/busybox"
	for a in sh cat grep sed awk mount umount sync poweroff ls stat df dd \
		readlink sleep head tr wc basename find xargs md5sum du cut mkdir; do
		ln -s busybox "$d/bin/$a"
	done
	cat > "$d/sbin/init" <<'EOF'
#!/bin/sh
# The live system's init: report what the boot left behind, check it.
read -r up _ < /proc/uptime
echo "LIVE: init started at $up s"
if [ -r /run/initbox/times ]; then
	echo "LIVE: initramfs $(cat /run/initbox/times)"
fi
mem() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
for k in MemTotal MemFree MemAvailable Shmem; do
	echo "LIVE: $k: $(mem $k) kB"
done
echo "LIVE: modules: $(awk '{ printf "%s ", $1 }' /proc/modules)"
fails=
bad() { fails="$fails; $*"; echo "LIVE: check failed: $*"; }
ok() { echo "LIVE: check passed: $*"; }
mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
fstype() { awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { print t }' /proc/self/mountinfo; }
checks=$(sed -n 's/.*livecheck=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
for c in $checks; do
	case $c in
	live)
		[ "$(fstype /)" = overlay ] && ok "/ is an overlay" || bad "/ is $(fstype /), not an overlay"
		mounted /run/initbox/rootfs && ok "/run/initbox/rootfs is mounted in the new root" ||
			bad "/run/initbox/rootfs not visible in the new root"
		# The writable layer: a tmpfs, or the live.cow device.
		if mounted /run/initbox/cow || mounted /run/initbox/persist; then
			ok "the overlay's writable layer is mounted in the new root"
		else
			bad "neither /run/initbox/cow nor /run/initbox/persist is visible in the new root"
		fi
		# /run: the tmpfs /init made, moved in, sized 20 % of RAM
		rs=$(awk '$5 == "/run" { for (i = 7; $i != "-"; i++); n = split($(i + 3), o, ","); for (j = 1; j <= n; j++) if (o[j] ~ /^size=/) print substr(o[j], 6) }' /proc/self/mountinfo)
		want=$(( $(mem MemTotal) / 5 / 4 * 4 ))
		case $rs in
		*k) [ $(( ${rs%k} - want )) -le 4 ] && [ $(( want - ${rs%k} )) -le 4 ] &&
			ok "/run is /init's tmpfs, size=${rs} (20 % of RAM)" ||
			bad "/run has size=$rs, not 20 % of RAM (${want}k)" ;;
		*) bad "/run has no size= (${rs:-none})" ;;
		esac ;;
	medium)
		mounted /run/initbox/medium && ok "the medium is mounted at /run/initbox/medium" ||
			bad "/run/initbox/medium not mounted" ;;
	freed)
		# The initramfs was on the tmpfs rootfs: had it survived, Shmem
		# would hold its whole unpacked size.
		s0=$(mem Shmem)
		[ "$s0" -lt 1024 ] && ok "Shmem after the switch is $s0 kB (< 1 MiB)" ||
			bad "Shmem after the switch is $s0 kB: the initramfs was not freed"
		dd if=/dev/zero of=/root/written bs=1024 count=4096 2>/dev/null
		s1=$(mem Shmem)
		[ $((s1 - s0)) -ge 4000 ] && ok "4 MiB written to / shows in Shmem (+$((s1 - s0)) kB)" ||
			bad "4 MiB written to / added only $((s1 - s0)) kB to Shmem" ;;
	toram)
		mounted /run/initbox/toram && ok "the image copy is on /run/initbox/toram" ||
			bad "/run/initbox/toram not mounted"
		mounted /run/initbox/medium && bad "the medium is still mounted" ||
			ok "the medium is not mounted"
		n=0
		for b in /sys/block/loop*/loop/backing_file; do
			[ -r "$b" ] || continue
			n=$((n + 1))
			case $(cat "$b") in
			/run/initbox/toram/*) ok "loop $(cat "$b") is backed by RAM" ;;
			*) bad "a loop device is backed by $(cat "$b")" ;;
			esac
		done
		[ $n -gt 0 ] || bad "no loop device at all"
		grep -qE '^/dev/(vd|sr|sd)' /proc/mounts && bad "a disk is still mounted: $(grep -E '^/dev/(vd|sr|sd)' /proc/mounts)" ||
			ok "no disk is mounted" ;;
	unplugged)
		# live.toram from a USB stick: the test unplugs the stick (qemu's
		# device_del) once this line is out; the root, a loop on the RAM
		# copy, reads back whole without it
		echo "LIVE: waiting for the medium to go"
		n=0
		while ls /sys/block | grep -q '^sd' && [ $n -lt 600 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if ls /sys/block | grep -q '^sd'; then
			bad "the stick's disk is still there after 60 s"
		else
			ok "the stick's disk is gone (after $((n / 10)) s)"
			echo 3 > /proc/sys/vm/drop_caches
			nf=$(find / -xdev -type f | wc -l)
			find / -xdev -type f -print0 | xargs -0 cat > /dev/null &&
				ok "all $nf files of / read back with the page cache dropped" ||
				bad "reading / failed after the stick went"
		fi ;;
	disk)
		t=$(fstype /)
		[ "$t" = ext4 ] && ok "/ is ext4" || bad "/ is $t, not ext4"
		[ -f /etc/disk-root ] && ok "/ is the disk's filesystem" || bad "/etc/disk-root missing" ;;
	verity)
		# the image's lower layer is the dm-verity mapping, and all of
		# it reads (every block verified on the way)
		src=$(awk '$5 == "/run/initbox/rootfs" { for (i = 7; $i != "-"; i++); print $(i + 2) }' /proc/self/mountinfo)
		[ "$src" = /dev/mapper/live-root ] && [ -b /dev/mapper/live-root ] &&
			ok "the lower layer is $src" || bad "the lower layer is ${src:-nothing}, not /dev/mapper/live-root"
		find /run/initbox/rootfs -xdev -type f -print0 | xargs -0 cat > /dev/null 2> /tmp/verity.err &&
			ok "every file of the image reads through verity" ||
			bad "reading the image through verity failed: $(head -n 2 /tmp/verity.err)" ;;
	verity-eio)
		# a byte of /data/blob was flipped on the medium: its read fails
		if cat /data/blob > /dev/null 2> /tmp/verity.err; then
			bad "/data/blob read without error on a damaged medium"
		elif grep -q 'I/O error\|Input/output error' /tmp/verity.err; then
			ok "/data/blob fails with EIO: $(cat /tmp/verity.err)"
			# the watcher speaks after 200 ms without a new bad block
			sleep 1
		else
			bad "/data/blob failed otherwise: $(cat /tmp/verity.err)"
		fi ;;
	persist-write)
		echo "written in boot 1" > /var/persist-marker && sync &&
			ok "wrote /var/persist-marker" || bad "cannot write /var/persist-marker" ;;
	hold)
		# a process that ignores SIGTERM and keeps a file open on the
		# persistence, for the hand-back to name and end
		sh -c "trap '' TERM; exec sleep 600" 3< /var/persist-marker &
		ok "pid $! ignores SIGTERM and holds /var/persist-marker" ;;
	persist-read)
		[ "$(cat /var/persist-marker 2>/dev/null)" = "written in boot 1" ] &&
			ok "/var/persist-marker from boot 1 is there" || bad "/var/persist-marker from boot 1 is missing" ;;
	persist-big)
		# 16 MiB on the persistent layer, its digest for the host
		dd if=/dev/urandom of=/var/big bs=1M count=16 2> /dev/null &&
			echo "LIVE: md5 /var/big $(md5sum < /var/big | cut -c 1-32)" ||
			bad "cannot write /var/big" ;;
	persist-count)
		# one more file each boot: /var/cycle/N
		mkdir -p /var/cycle
		n=$(ls /var/cycle | wc -l)
		echo "boot $((n + 1))" > /var/cycle/$((n + 1)) &&
			echo "LIVE: cycle files: $((n + 1))" || bad "cannot write /var/cycle/$((n + 1))" ;;
	handback | handback-reboot | hook)
		# /init's hand-back: initbox and the shutdown link
		[ -x /run/initramfs/shutdown ] && [ -x /run/initramfs/bin/initbox ] &&
			ok "/run/initramfs holds the hand-back ($(du -sk /run/initramfs | cut -f 1) kB)" ||
			bad "no hand-back in /run/initramfs" ;;
	powercut) ;;
	*) bad "unknown check $c" ;;
	esac
done
if [ -z "$fails" ]; then
	echo "BOOT-RESULT: PASS"
else
	echo "BOOT-RESULT: FAIL:${fails#;}"
fi
sync
case " $checks " in
*" powercut "*)
	# what was synced is on the disk; then writes until qemu is killed
	echo "LIVE: writing /var/B until the power is cut"
	while :; do dd if=/dev/zero of=/var/B bs=1M count=32 2> /dev/null; done ;;
*" handback "*)
	# the last step a busybox-style init takes: the hand-back as PID 1
	exec /run/initramfs/shutdown poweroff ;;
*" handback-reboot "*)
	# the same for a reboot (qemu -no-reboot ends there)
	exec /run/initramfs/shutdown reboot ;;
*" hook "*)
	# the hook of an init that stays PID 1 (docs/live-boot.md)
	/run/initramfs/shutdown
	echo "LIVE: the hook exited $?" ;;
esac
poweroff -f
EOF
	chmod 0755 "$d/sbin/init"
}

live_squashfs() { # DIR OUT
	rm -f "$2"
	SOURCE_DATE_EPOCH=0 mksquashfs "$1" "$2" -noappend -quiet -all-root \
		-comp lz4 > /dev/null
}

live_ext4() { # OUT LABEL SIZE_MB [SRCDIR]
	rm -f "$1"
	truncate -s "${3}M" "$1"
	mkfs.ext4 -q -F -L "$2" ${4:+-d "$4"} "$1"
}

live_initramfs() { # OUT [mkinitramfs args]
	o=$1
	shift
	sh "$TOP/scripts/mkinitramfs" \
		-o "$o" -b "$KROOT" -k "$KVER" "$@"
}

live_meminfo() { # LOG KEY
	sed -n "s/^LIVE: $2: \([0-9]*\) kB.*/\1/p" "$1" | tail -n 1
}
