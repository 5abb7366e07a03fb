# debroot.sh - Debian root directories for the boot tests, the demo and the
# benches, built once with mmdebstrap from the Debian archive and cached
# under build/debroot/. Sourced after boot.sh (BUILD, TOP).
#
# debian_root NAME SUITE "PACKAGES" [MMDEBSTRAP-ARGS...]
#   sets DEBROOT to build/debroot/NAME/root: a minbase root of SUITE with
#   PACKAGES (comma or blank separated). The cache holds while the suite,
#   the package list and the extra arguments are the same (a stamp records
#   them); anything else rebuilds it. The root is made as root, in a
#   directory of its own; nothing on the host changes.
#   The mirror is deb.debian.org, the only archive this project may reach
#   (apt.sh derives the same for kernels and sources).
#
# debroot ROOT OUT SCRIPT [ARG...]
#   runs the shell text SCRIPT (with set -eu) in a mount namespace of its
#   own, where ROOT (a debian_root) is the lower layer of an overlay on a
#   tmpfs, so that the cache is never written; the test kernel's modules
#   (boot_kernel: KROOT, KVER) are bound read-only at /usr/lib/modules/KVER
#   and its config is in /boot; /proc, /sys, /dev and a tmpfs /tmp are
#   mounted, and the host's directory OUT is bound at /out. In SCRIPT, $r
#   is the root's path on the host, $KVER the kernel, "$@" the ARGs, and
#   `in_root CMD...` runs CMD chrooted in the root with a clean
#   environment. Every mount goes with the namespace. For Debian's own
#   initramfs builders: tests/boot/initramfs_tools.sh, scripts/bench-live.

debian_root() {
	dr_name=$1 dr_suite=$2 dr_pkgs=$(echo "$3" | tr ', ' '\n\n' | sed '/^$/d' | sort -u | paste -sd, -)
	shift 3
	dr_dir=$BUILD/debroot/$dr_name
	DEBROOT=$dr_dir/root
	mkdir -p "$BUILD/debroot" || return 1
	# tests/run boots the kernels side by side, and their tests want the
	# same roots: one builds a root, the others wait for it (flock: a
	# killed builder leaves no lock behind)
	( flock 9 && debian_root_make "$@" ) 9> "$dr_dir.lock"
}

debian_root_make() { # MMDEBSTRAP-ARGS...; dr_dir, dr_suite, dr_pkgs set
	dr_stamp="$dr_suite $dr_pkgs $*"
	if [ -f "$dr_dir/ok" ] && [ "$(cat "$dr_dir/ok")" = "$dr_stamp" ]; then
		return 0
	fi
	command -v mmdebstrap >/dev/null 2>&1 ||
		{ echo "debroot: mmdebstrap missing (scripts/deps.sh tools installs it)" >&2; return 1; }
	rm -rf "$dr_dir" && mkdir -p "$dr_dir" || return 1
	# mmdebstrap's own log is kept; a failure prints its tail
	# Check-Valid-Until: the archive this machine reaches may be a frozen
	# snapshot, whose sid Release file has expired (apt refuses it then,
	# and mmdebstrap fails on any apt error)
	if ! mmdebstrap --mode=root --variant=minbase --include="$dr_pkgs" \
		--aptopt='Acquire::Retries "3"' \
		--aptopt='Acquire::Check-Valid-Until "false"' "$@" \
		"$dr_suite" "$DEBROOT" http://deb.debian.org/debian \
		> "$dr_dir/log" 2>&1; then
		echo "debroot: mmdebstrap $dr_suite ($dr_pkgs) failed; the end of $dr_dir/log:" >&2
		tail -n 20 "$dr_dir/log" | sed 's/^/    | /' >&2
		return 1
	fi
	echo "$dr_stamp" > "$dr_dir/ok"
}

# debian_systemd_root: the live root users boot, Debian 12 minbase with
# systemd as init (sets DEBROOT). One package list for every test, the
# demo and mklive, so that the cache is built once.
DEBIAN_SYSTEMD_PKGS="systemd-sysv udev dbus kmod procps"
debian_systemd_root() {
	debian_root systemd bookworm "$DEBIAN_SYSTEMD_PKGS"
}

debroot() {
	dr_root=$1 dr_out=$2 dr_script=$3
	shift 3
	mkdir -p "$BUILD/debroot" && dr_ns=$(mktemp -d "$BUILD/debroot/ns.XXXXXX") || return 1
	unshare --mount --fork sh -c '
		set -eu
		ns=$1 lower=$2 out=$3 kroot=$4 KVER=$5 script=$6
		shift 6
		# the upper layer takes what the builders write (their staging
		# trees of modules): a bound, not an estimate
		mount -t tmpfs -o size=2g debroot "$ns"
		mkdir "$ns/upper" "$ns/work" "$ns/root"
		mount -t overlay -o "lowerdir=$lower,upperdir=$ns/upper,workdir=$ns/work" debroot "$ns/root"
		r=$ns/root
		mkdir -p "$r/usr/lib/modules/$KVER" "$r/out" "$r/boot"
		mount --bind "$kroot/lib/modules/$KVER" "$r/usr/lib/modules/$KVER"
		mount -o remount,bind,ro "$r/usr/lib/modules/$KVER"
		cp "$kroot/boot/config-$KVER" "$r/boot/"
		mount -t proc proc "$r/proc"
		mount -t sysfs sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmp "$r/tmp"
		mount --bind "$out" "$r/out"
		in_root() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$r" "$@"; }
		eval "$script"' sh "$dr_ns" "$dr_root" "$dr_out" "$KROOT" "$KVER" "$dr_script" "$@"
	dr_rc=$?
	rmdir "$dr_ns"
	return $dr_rc
}
