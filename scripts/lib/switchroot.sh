# switchroot.sh - images for the switch_root boot scenarios (sourced by
# tests/boot/switch_root_*.sh, legacy_initrd.sh, live_legacy.sh,
# modules_compressed.sh, initramfs_tools.sh and scripts/bench-switchroot
# after boot.sh and boot_kernel).
#
# sr_initramfs DIR SWITCH  an initramfs tree in DIR: static busybox, initbox,
#                          the modules virtio_pci and virtio_blk need
#                          (boot_modules; initbox modprobe loads them, none
#                          on kernels where they are built in) and an
#                          /init that mounts
#                          /dev/vda (ext4) on /newroot, runs $SR_PRE (shell
#                          text) and execs SWITCH (a command line, with
#                          $INIT for init=; give applets by path: busybox
#                          sh runs its own applet for a bare name).
# sr_rootdisk DIR IMG      an ext4 image of DIR (mkfs.ext4 -d)
# sr_newroot DIR INIT-TEXT a real root: busybox, /sbin/init = INIT-TEXT

sr_initramfs() { # DIR SWITCH
	rm -rf "$1" && mkdir -p "$1/bin" "$1/dev" "$1/proc" "$1/sys" "$1/run" "$1/newroot"
	cp "$(command -v busybox)" "$1/bin/busybox" && cp "$INITBOX" "$1/bin/initbox" || return 1
	for a in sh mount sleep cat dd; do ln -s busybox "$1/bin/$a"; done
	for a in switch_root pivot_root; do ln -s initbox "$1/bin/$a"; done
	boot_modules "$1" virtio_pci virtio_blk || return 1
	cat > "$1/init" <<EOI
#!/bin/busybox sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
/bin/initbox modprobe -a virtio_pci virtio_blk || echo "BOOT-RESULT: FAIL: modprobe virtio_blk"
i=0
while [ ! -b /dev/vda ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
mount -t ext4 /dev/vda /newroot || { echo "BOOT-RESULT: FAIL: cannot mount /dev/vda"; exec sh; }
INIT=/sbin/init
for w in \$(cat /proc/cmdline); do case \$w in init=*) INIT=\${w#init=} ;; esac; done
${SR_PRE:-}
exec $2
EOI
	chmod 755 "$1/init"
}

sr_newroot() { # DIR INIT-TEXT
	rm -rf "$1" && mkdir -p "$1/bin" "$1/sbin" "$1/dev" "$1/proc" "$1/sys" "$1/run" "$1/image" "$1/tmp"
	cp "$(command -v busybox)" "$1/bin/busybox" && ln -s busybox "$1/bin/sh" || return 1
	printf '#!/bin/busybox sh\nexport PATH=/bin\n%s\n' "$2" > "$1/sbin/init" && chmod 755 "$1/sbin/init"
}

sr_rootdisk() { # DIR IMG
	rm -f "$2"
	mkfs.ext4 -q -F -d "$1" "$2" 64M
}

# What the new root's init prints: MemAvailable once the caches are
# dropped, plus the free pages the per-CPU lists hold (/proc/zoneinfo's
# "count:" lines). From Linux 6.7 the page allocator sizes those lists
# itself and lets them decay about once a second, so right after 40 MiB are
# freed MemFree on 7.2 is ~10 MiB short of where it is 10 s later; the sum
# is the same then and now (measured: 187 072 and 186 836 kB).
SR_FREE='free_kb() {
	/bin/busybox sync; echo 3 > /proc/sys/vm/drop_caches
	/bin/busybox awk "/^MemAvailable:/ { a = \$2 } \$1 == \"count:\" { p += \$2 } END { print a + p * 4 }" /proc/meminfo /proc/zoneinfo
}'
SR_MEMINIT="/bin/busybox mount -t proc proc /proc 2>/dev/null
$SR_FREE"'
echo "MEMAVAIL: $(free_kb)"
/bin/busybox awk "{ printf \"MEMINFO: %s %s\\n\", \$1, \$2 }" /proc/meminfo'

# sr_dynamic DIR BINARY DEST: a dynamic BINARY at DIR/DEST, with every
# library ldd lists (the loader too) at its own path under DIR, so that it
# runs in the initramfs (util-linux's switch_root is dynamic on Debian).
sr_dynamic() {
	mkdir -p "$1$(dirname "$3")" && cp -L "$2" "$1$3" || return 1
	libs=$(ldd "$2" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') || return 1
	[ -n "$libs" ] || return 1
	for l in $libs; do
		mkdir -p "$1$(dirname "$l")" && cp -L "$l" "$1$l" || return 1
	done
}

# sr_said LOG: what the switcher printed, one line each: the console lines
# between "SWITCH-START:" (the initramfs's last word) and the new root's
# "MEMAVAIL:", less kernel messages and the new root's own "NR:" lines.
# util-linux deletes in a forked child whose words may follow the new
# init's first lines, so the window closes at the measurement, not before.
sr_said() {
	awk '/^SWITCH-START:/ { on = 1; next } /^MEMAVAIL:/ { on = 0 }
		on && !/^\[/ && !/^NR:/ && NF { print }' "$1"
}
