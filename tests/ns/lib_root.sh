# lib_root.sh - a fake initramfs for the root-switching tests; sourced after
# lib.sh, inside ns_enter, after ns_tmp.
#
# root_make R [overlay]  mount a fresh tmpfs (or an overlay, whose statfs is
#                     not tmpfs) on R and fill it like an initramfs: static
#                     busybox with sh links, initbox with its links, /dev
#                     /proc /sys /run /newroot /image, 6 MiB in /padding and
#                     a small nested tree
# root_newroot N      fill NEWROOT directory N: busybox (no sh link), dirs
#                     dev proc sys run image; add /sbin/init with root_init
# root_init N PATH TEXT  write N/PATH, an executable busybox sh script
# root_boot R OUT SETUP STAGE
#                     in a nested unshare --mount --pid --fork: run SETUP
#                     (host sh, cwd R), make R the root (pivot_root, old root
#                     lazily unmounted) and run STAGE with busybox sh as
#                     PID 1. stdout and stderr to OUT; killed after
#                     ROOT_TIMEOUT (default 20) s. Returns PID 1's status.
# ROOT_STD            a SETUP (under $ROOT_PREFIX, e.g. "sub/"): proc, sysfs, a /dev tmpfs with null, a /run
#                     tmpfs and an /image tmpfs holding canaries, $T/other
#                     bound on /bound, $T/nr (NEWROOT, a tmpfs of the outer
#                     namespace, so tests can look at it afterwards) bound
#                     on /newroot
# root_sum DIR        one checksum of a tree: names, types, modes, sizes,
#                     contents (not times; not root_boot's own /stage0)
#
# Everything the new init prints reaches OUT through the inherited stdout;
# the initramfs's tmpfs is the same superblock seen from the test, so what
# switch_root deleted is visible at R afterwards.

BUSYBOX=$(command -v busybox)
need busybox unshare pivot_root timeout md5sum
file -b "$BUSYBOX" | grep -q 'statically linked' ||
	{ echo "FAIL: $(basename "$0" .sh): busybox must be static (busybox-static)"; exit 1; }

root_make() { # R [overlay]
	mkdir -p "$1"
	if [ "${2:-}" = overlay ]; then
		mkdir -p "$1.lo" "$1.up" "$1.wk"
		mount -t overlay -o "lowerdir=$1.lo,upperdir=$1.up,workdir=$1.wk" ov "$1" || return 1
	else
		mount -t tmpfs -o mode=0755 ir "$1" || return 1
	fi
	mkdir -p "$1/bin" "$1/sbin" "$1/dev" "$1/proc" "$1/sys" "$1/run" \
		"$1/newroot" "$1/image" "$1/bound" "$1/etc/deep/er/est" || return 1
	cp "$BUSYBOX" "$1/bin/busybox" && cp "$INITBOX" "$1/bin/initbox" || return 1
	for a in sh cat ls grep sleep mount umount echo; do ln -s busybox "$1/bin/$a"; done
	for a in switch_root run_init run-init pivot_root chroot; do ln -s initbox "$1/bin/$a"; done
	dd if=/dev/urandom of="$1/padding" bs=1M count=6 2>/dev/null || return 1
	echo a > "$1/etc/deep/er/est/file"
	ln -s /etc/deep "$1/etc/link"
	ln "$1/etc/deep/er/est/file" "$1/etc/hardlink"
	echo "only in the initramfs" > "$1/bin/oldonly" && chmod +x "$1/bin/oldonly"
}

root_newroot() { # N
	mkdir -p "$1/bin" "$1/sbin" "$1/dev" "$1/proc" "$1/sys" "$1/run" \
		"$1/image" "$1/etc" || return 1
	cp "$BUSYBOX" "$1/bin/busybox"
}

root_init() { # N PATH TEXT
	printf '#!/bin/busybox sh\n%s\n' "$3" > "$1/$2" && chmod 755 "$1/$2"
}

ROOT_STD='
mount -t proc proc ${P}proc
mount -t sysfs sys ${P}sys
mount -t tmpfs -o mode=0755 devfs ${P}dev
touch ${P}dev/null && mount --bind /dev/null ${P}dev/null
mount -t tmpfs -o mode=0755 runfs ${P}run
echo run-canary > ${P}run/canary
mount -t tmpfs -o size=8m imgfs ${P}image
echo image-canary > ${P}image/canary
mount --bind "$T/other" ${P}bound
mount --bind "$T/nr" ${P}newroot
'

root_boot() { # R OUT SETUP STAGE
	printf '%s\n' "$4" > "$1/stage0"
	cat > "$T/setup.sh" <<EOSETUP
set -e
T='$T'
P='${ROOT_PREFIX:-}'
cd '$1'
$3
mkdir -p .old
pivot_root . .old
exec /bin/busybox sh -c 'umount -l /.old && rmdir /.old && exec /bin/busybox sh /stage0'
EOSETUP
	timeout -s KILL "${ROOT_TIMEOUT:-20}" unshare --mount --pid --fork \
		--kill-child --propagation private sh "$T/setup.sh" > "$2" 2>&1
}

root_sum() { # DIR
	(cd "$1" && find . -xdev ! -path ./stage0 | LC_ALL=C sort | while read -r f; do
		if [ -L "$f" ]; then
			echo "$f L $(readlink "$f")"
		elif [ -f "$f" ]; then
			echo "$f F $(stat -c %a:%s "$f") $(md5sum < "$f")"
		else
			echo "$f $(stat -c %F:%a "$f")"
		fi
	done) | md5sum
}

# A fresh fake initramfs at $T/ir, with $T/nr (NEWROOT) and $T/other.
root_fresh() { # [overlay]
	for d in "$T/ir" "$T/nr" "$T/ir.lo" "$T/ir.up" "$T/ir.wk" "$T/other"; do
		while mountpoint -q "$d"; do umount -l "$d"; done
		rm -rf "$d"
	done
	mkdir -p "$T/nr" "$T/other" && mount -t tmpfs -o mode=0755 nr "$T/nr" &&
		echo bound-canary > "$T/other/canary" &&
		root_make "$T/ir" "${1:-}" && root_newroot "$T/nr"
}
