# live_debian.sh - the live root users boot: Debian 12 minbase with systemd
# as init (debroot.sh), for tests/boot/live_systemd.sh, live_mklive.sh and
# `make demo ROOT=debian`. Sourced after boot.sh, debroot.sh and live.sh.
#
# live_debian_rootfs DIR   the cached root (debian_systemd_root) copied to
#                          DIR, plus initbox-check.service: once the boot
#                          has finished it prints "LIVE: ..." lines and
#                          "BOOT-RESULT: PASS|FAIL: why" on the console,
#                          writes /var/big (16 MiB, its md5 printed) when
#                          the upper layer is a live.cow= device, then
#                          powers the system off (systemctl poweroff)
# live_debian_iso DIR OUT LABEL
#                          DIR as live/rootfs.squashfs on an ISO 9660
#                          image (xorriso), the layout of a live CD; the
#                          same image written to a USB stick is a live
#                          stick, as with Debian's hybrid ISOs
#
# The root holds no /lib/modules: the kernel's 400 MB tree would be most of
# the image. udev in the live system loads nothing, so the memory measured
# is what the initramfs loaded plus systemd's own.

live_debian_rootfs() { # DIR
	d=$1
	debian_systemd_root || return 1
	rm -rf "$d"
	# Hard links: the copy costs no space, and everything added below
	# is a new file, so the cached root is never written through a link.
	cp -al "$DEBROOT" "$d" 2> /dev/null || cp -a "$DEBROOT" "$d" || return 1
	mkdir -p "$d/usr/local/sbin" || return 1
	cat > "$d/etc/systemd/system/initbox-check.service" <<'EOF'
[Unit]
Description=initbox live check (prints LIVE: lines, powers off)
After=multi-user.target

[Service]
# simple, not oneshot: the boot is finished once it has started, so that
# it can wait for the end of the boot and ask systemd-analyze
Type=simple
ExecStart=/usr/local/sbin/initbox-check

[Install]
WantedBy=multi-user.target
EOF
	ln -s ../initbox-check.service \
		"$d/etc/systemd/system/multi-user.target.wants/initbox-check.service" ||
		return 1
	cat > "$d/usr/local/sbin/initbox-check" <<'EOF'
#!/bin/sh
# What the live system looks like once systemd has finished the boot.
# Gathered first, printed once the serial getty is stopped: its login
# prompt ends in no newline, and a line printed after it would not start
# with "LIVE:".
report() {
	# when systemd started, for the same "init started" line as the busybox
	# root's (scripts/lib/live.sh)
	us=$(systemctl show -P UserspaceTimestampMonotonic)
	echo "LIVE: init started at $(awk -v u="$us" 'BEGIN { printf "%.2f", u / 1e6 }') s"
	state=$(systemctl is-system-running --wait)
	read -r up _ < /proc/uptime
	echo "LIVE: boot finished at $up s, system $state"
	[ -r /run/initbox/times ] && echo "LIVE: initramfs $(cat /run/initbox/times)"
	systemd-analyze time | sed 's/^/LIVE: analyze: /'
	systemd-analyze blame --no-pager | head -n 5 | sed 's/^ */LIVE: blame: /'
	mem() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
	for k in MemTotal MemFree MemAvailable Shmem; do
		echo "LIVE: $k: $(mem $k) kB"
	done
	echo "LIVE: modules: $(awk '{ printf "%s ", $1 }' /proc/modules)"
	fails=
	bad() { fails="$fails; $*"; echo "LIVE: check failed: $*"; }
	ok() { echo "LIVE: check passed: $*"; }
	# mountinfo: id parent major:minor root mountpoint options ... - fstype src sb-options
	mi() { awk -v m="$1" -v f="$2" '$5 == m { for (i = 7; $i != "-"; i++); v["id"] = $1; v["dev"] = $3; v["type"] = $(i + 1); v["opts"] = $(i + 3); n++ } END { if (f == "count") print n + 0; else print v[f] }' /proc/self/mountinfo; }

	[ "$(systemctl is-active multi-user.target)" = active ] &&
		ok "multi-user.target reached" || bad "multi-user.target is $(systemctl is-active multi-user.target)"
	failed=$(systemctl --failed --plain --no-legend --no-pager | awk '{ printf "%s ", $1 }')
	if [ -z "$failed" ]; then
		ok "systemctl --failed lists nothing"
	else
		bad "failed units: $failed"
		for u in $failed; do
			journalctl -b -u "$u" --no-pager | tail -n 5 | sed "s/^/LIVE: $u: /"
		done
	fi
	[ "$(mi / type)" = overlay ] && ok "/ is an overlay" || bad "/ is $(mi / type), not an overlay"

	# /run: the tmpfs /init mounted before the live root, moved in by
	# switch_root. systemd mounts its own only where none is (mount_setup);
	# one made after the switch would have a mount id above the root's, hide
	# /init's files, and carry systemd's nr_inodes=819200.
	echo "LIVE: /run: id $(mi /run id) $(mi /run type) $(mi /run opts); / id $(mi / id)"
	[ "$(mi /run count)" = 1 ] && ok "one mount on /run" || bad "$(mi /run count) mounts on /run"
	[ "$(mi /run id)" -lt "$(mi / id)" ] &&
		ok "/run (mount id $(mi /run id)) was mounted before the live root (id $(mi / id)): /init's, moved" ||
		bad "/run (mount id $(mi /run id)) is newer than the live root (id $(mi / id))"
	[ -s /run/initbox/times ] && ok "/init's /run/initbox/times is in /run" ||
		bad "/run/initbox/times missing: /run is not the tmpfs /init made"
	case ,$(mi /run opts), in
	*,nr_inodes=819200,*) bad "/run has systemd's nr_inodes=819200: systemd mounted it" ;;
	*,size=*) ok "/run keeps /init's options ($(mi /run opts))" ;;
	*) bad "/run has no size=: $(mi /run opts)" ;;
	esac
	# the writable layer: the cow tmpfs, or the live.cow= device
	cowm=cow
	[ "$(mi /run/initbox/persist count)" -ge 1 ] && cowm=persist
	for m in medium rootfs $cowm; do
		if [ "$(mi /run/initbox/$m count)" -ge 1 ]; then
			ok "/run/initbox/$m is visible: $(awk -v m=/run/initbox/$m '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1), $(i + 2) }' /proc/self/mountinfo)"
		else
			bad "/run/initbox/$m is not mounted"
		fi
	done

	# Shmem: the pages of every tmpfs (one line per superblock, counted
	# once) and the shared memory systemd and the journal map. The
	# initramfs, had it survived the switch, would add its unpacked size.
	shm=$(mem Shmem)
	tot=0
	for dev in $(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "tmpfs" || $(i + 1) == "devtmpfs") print $3 }' /proc/self/mountinfo | sort -u); do
		m=$(awk -v d="$dev" '$3 == d { print $5; exit }' /proc/self/mountinfo)
		u=$(df -k --output=used "$m" | tail -n 1 | tr -d ' ')
		echo "LIVE: tmpfs $m: $u kB"
		tot=$((tot + u))
	done
	# Debian's systemd keeps its journal in /var/log/journal: the overlay's
	# upper layer, the cow tmpfs
	for j in /run/log/journal /var/log/journal; do
		[ -d $j ] && echo "LIVE: journal: $(du -sk $j | cut -f 1) kB in $j"
	done
	echo "LIVE: shmem: $shm kB, of which tmpfs files $tot kB, other shared memory $((shm - tot)) kB"
	[ $((shm - tot)) -lt 1024 ] &&
		ok "Shmem ($shm kB) is the live system's tmpfs files ($tot kB) and less than 1 MiB more" ||
		bad "Shmem ($shm kB) is $((shm - tot)) kB above the live system's tmpfs files ($tot kB)"

	if [ -z "$fails" ]; then
		echo "BOOT-RESULT: PASS"
	else
		echo "BOOT-RESULT: FAIL:${fails#;}"
	fi
}
out=$(report 2>&1)
# With persistence: a file for the host to find after the poweroff
if [ -d /run/initbox/persist/upper ]; then
	dd if=/dev/urandom of=/var/big bs=1M count=16 2> /dev/null
	out="$out
LIVE: md5 /var/big $(md5sum < /var/big | cut -c 1-32)"
fi
systemctl stop 'serial-getty@*.service'
read -r up _ < /proc/uptime
printf '\n%s\nLIVE: poweroff requested at %s s\n' "$out" "$up" > /dev/console
systemctl --no-block poweroff
EOF
	chmod 0755 "$d/usr/local/sbin/initbox-check"
}

live_debian_iso() { # DIR OUT LABEL
	ld_w=$(dirname "$2")/iso-staging
	rm -rf "$ld_w" && mkdir -p "$ld_w/live" || return 1
	# mksquashfs warns of the POSIX ACLs of Debian's /var/log/journal,
	# which it cannot store (the journal works without them)
	live_squashfs "$1" "$ld_w/live/rootfs.squashfs" 2>&1 |
		grep -v '^Unrecognised xattr prefix system.posix_acl_' >&2
	[ -s "$ld_w/live/rootfs.squashfs" ] || return 1
	xorriso -as mkisofs -quiet -V "$3" -J -R -o "$2" "$ld_w" \
		2> "$ld_w.err" || { tail -n 3 "$ld_w.err" >&2; return 1; }
	rm -rf "$ld_w"
}
