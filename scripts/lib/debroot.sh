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
#   (boot.sh kernel_sources says the same for kernels).

debian_root() {
	dr_name=$1 dr_suite=$2 dr_pkgs=$(echo "$3" | tr ', ' '\n\n' | sed '/^$/d' | sort -u | paste -sd, -)
	shift 3
	dr_dir=$BUILD/debroot/$dr_name
	dr_stamp="$dr_suite $dr_pkgs $*"
	DEBROOT=$dr_dir/root
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
