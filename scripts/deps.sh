#!/bin/sh
# deps.sh - make a fresh Debian machine able to build and test initbox.
#
# usage: scripts/deps.sh [tools|libs|all] [DEPSDIR]
#   tools  install the build and test tools with apt (as root, only if missing)
#   libs   build zlib, liblzma and libzstd from Debian's source packages with
#          musl-gcc into DEPSDIR (default build/deps); nothing is vendored;
#          and a static dash (DEPSDIR/bin/dash), the initramfs's shell
#   all    both (default)
#
# Idempotent: a finished step leaves a stamp and is not run again.
# exit: 0 ok, 1 failed
set -eu

what=${1:-all}
deps=${2:-build/deps}
top=$(cd "$(dirname "$0")/.." && pwd)
case $deps in /*) ;; *) deps=$top/$deps ;; esac

say() { printf 'deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Tools the build and the three test layers need: command -> Debian package.
tool_pkgs="
musl-gcc:musl-tools
make:make
gcc:gcc
dpkg-source:dpkg-dev
qemu-system-x86_64:qemu-system-x86
busybox:busybox-static
cpio:cpio
bsdcpio:libarchive-tools
mksquashfs:squashfs-tools
mkfs.erofs:erofs-utils
mkfs.ext4:e2fsprogs
mkfs.vfat:dosfstools
xorriso:xorriso
mkfs.btrfs:btrfs-progs
mkfs.xfs:xfsprogs
sfdisk:fdisk
sgdisk:gdisk
blkid:util-linux
unshare:util-linux
depmod:kmod
file:file
zstd:zstd
xz:xz-utils
gzip:gzip
dash:dash
autoreconf:autoconf
automake:automake
/usr/lib/klibc/bin/run-init:klibc-utils
"

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	apt_updated=1
}

install_tools() {
	missing=
	for tp in $tool_pkgs; do
		cmd=${tp%%:*} pkg=${tp#*:}
		case $cmd in /*) [ -x "$cmd" ] && continue ;;
		*) command -v "$cmd" >/dev/null 2>&1 && continue ;; esac
		[ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ] && continue
		case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
	done
	# util-linux's switch_root and busybox are compared against in bench and
	# tests; linux-libc-dev gives the uapi headers musl-gcc cannot see.
	[ -f /usr/include/linux/loop.h ] || missing="$missing linux-libc-dev"
	# The unit tests build lib/ with gcc, ASan and the system's codecs.
	[ -f /usr/include/zlib.h ] || missing="$missing zlib1g-dev"
	[ -f /usr/include/lzma.h ] || missing="$missing liblzma-dev"
	[ -f /usr/include/zstd.h ] || missing="$missing libzstd-dev"
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root to install)"
	apt_update
	say "apt-get install$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2 || die "apt-get install failed:$missing"
}

# apt-get source needs a deb-src entry; add one mirroring the deb entries.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list \
	   /etc/apt/sources.list.d/; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no deb-src entry for apt-get source (run as root)"
	f=/etc/apt/sources.list.d/initbox-deb-src
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types:.*/Types: deb-src/' \
			/etc/apt/sources.list.d/debian.sources > "$f.sources"
	elif [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$f.list"
	else
		die "cannot find apt sources to mirror as deb-src"
	fi
	say "added a deb-src entry in $f.*"
	apt_updated=
	apt_update
}

fetch_src() { # PKG -> directory of the unpacked source
	pkg=$1
	d=$(ls -d "$deps/src/$pkg"-*/ 2>/dev/null | head -n 1)
	if [ -z "$d" ]; then
		ensure_deb_src
		mkdir -p "$deps/src"
		(cd "$deps/src" && apt-get source -qq "$pkg" >&2) ||
		{ apt_updated=; apt_update;
		  (cd "$deps/src" && apt-get source -qq "$pkg" >&2); } ||
			die "apt-get source $pkg failed"
		d=$(ls -d "$deps/src/$pkg"-*/ | head -n 1)
	fi
	echo "${d%/}"
}

# Size matters more than the last few percent of speed for the initramfs
# profile, but the decoders are the hot loop of cpio-unpack: -O2.
CFLAGS_DEPS="-O2 -fPIE -ffunction-sections -fdata-sections \
-fno-asynchronous-unwind-tables -fno-unwind-tables"
# Size of the initramfs profile (<= 300 KiB with every applet): zlib builds
# its CRC table at run time (-10 KiB); liblzma verifies only CRC32, the one
# check the kernel's XZ decoder knows (CRC64/SHA-256 streams are refused by
# name); zstd drops the run-time BMI2 dispatch and keeps one Huffman and one
# sequence decoder (-60 KiB); no unwind tables (-9 KiB). Measured
# (docs/cpio.md): -Os on zstd or xz's --enable-small would save 12-15 KiB
# more but cost 40-50% unpack speed. liblzma gets inline short copies
# (scripts/lzma-memcpy.h): musl's memcpy made xz unpacking 25% slower.
ZSTD_SIZE="-DDYNAMIC_BMI2=0 -DHUF_FORCE_DECOMPRESS_X1 -DZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT"

build_zlib() {
	[ -f "$deps/stamp-zlib" ] && return 0
	s=$(fetch_src zlib)
	say "building zlib from $s"
	(cd "$s" && make distclean >/dev/null 2>&1 || true
	 CC=musl-gcc CFLAGS="$CFLAGS_DEPS -DDYNAMIC_CRC_TABLE" ./configure --static \
		--prefix="$deps" >/dev/null &&
	 make -j2 libz.a >/dev/null && make install-libs install-headers >/dev/null 2>&1 ||
	 { cp libz.a "$deps/lib/" && cp zlib.h zconf.h "$deps/include/"; }) >&2 ||
		die "zlib build failed"
	[ -f "$deps/lib/libz.a" ] || die "zlib build left no libz.a"
	touch "$deps/stamp-zlib"
}

build_xz() {
	[ -f "$deps/stamp-xz" ] && return 0
	s=$(fetch_src xz-utils)
	say "building liblzma from $s"
	b=$deps/obj-xz
	rm -rf "$b" && mkdir -p "$b"
	(cd "$b" && CC=musl-gcc \
		CFLAGS="$CFLAGS_DEPS -include $top/scripts/lzma-memcpy.h" "$s/configure" \
		--prefix="$deps" --disable-shared --enable-static \
		--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-nls \
		--disable-threads --enable-checks=crc32 >/dev/null &&
	 make -j2 -C src/liblzma >/dev/null &&
	 make -C src/liblzma install >/dev/null) >&2 || die "liblzma build failed"
	touch "$deps/stamp-xz"
}

build_zstd() {
	[ -f "$deps/stamp-zstd" ] && return 0
	s=$(fetch_src libzstd)
	say "building libzstd from $s"
	(cd "$s/lib" && make clean >/dev/null 2>&1 || true
	 make -j2 -C "$s/lib" libzstd.a CC=musl-gcc \
		CFLAGS="$CFLAGS_DEPS $ZSTD_SIZE" ZSTD_LEGACY_SUPPORT=0 \
		ZSTD_LIB_DEPRECATED=0 ZSTD_LIB_DICTBUILDER=0 \
		ZSTD_MULTITHREAD_SUPPORT=0 >/dev/null &&
	 mkdir -p "$deps/lib" "$deps/include" &&
	 cp "$s/lib/libzstd.a" "$deps/lib/" &&
	 cp "$s/lib/zstd.h" "$s/lib/zstd_errors.h" "$deps/include/") >&2 ||
		die "libzstd build failed"
	touch "$deps/stamp-zstd"
}

# The initramfs's /bin/sh (scripts/mkinitramfs's default): Debian's dash,
# static with musl, stripped (~160 KiB against busybox-static's 2 MB).
# Debian's patches are applied (apt-get source does it) because they are
# what Debian's /bin/dash runs, the shell tests/ns/init_script.sh checks
# /init under: bug fixes (stack overflow on recursive functions, exec of
# non-executable files, ENOEXEC on binaries). Three of them edit
# configure.ac and src/Makefile.am, so the build system is regenerated
# with autoreconf (autoconf, automake) as Debian's dh does; configure takes
# Debian's own flags (debian/rules).
build_dash() {
	[ -f "$deps/stamp-dash" ] && [ -x "$deps/bin/dash" ] && return 0
	s=$(fetch_src dash)
	say "building dash from $s"
	# A private copy: make runs this script from every build that finds
	# it newer than the stamp, possibly several at once; autoreconf and
	# configure write into the tree they run in.
	mkdir -p "$deps/bin"
	b=$(mktemp -d "$deps/obj-dash.XXXXXX") || die "mktemp failed"
	(cp -a "$s/." "$b/" && cd "$b" && autoreconf -fi >/dev/null 2>&1 &&
	 ./configure CC=musl-gcc \
		CFLAGS="-Os -ffunction-sections -fdata-sections \
-fno-asynchronous-unwind-tables -fno-unwind-tables" \
		LDFLAGS="-static -s -Wl,--gc-sections" \
		--disable-fnmatch --disable-lineno --disable-glob >/dev/null &&
	 make -j2 >/dev/null) >&2 ||
		{ rm -rf "$b"; die "dash build failed (autoreconf, configure or make)"; }
	file -b "$b/src/dash" | grep -q 'statically linked' ||
		{ rm -rf "$b"; die "the dash built is not static"; }
	cp "$b/src/dash" "$b/dash.new" && mv -f "$b/dash.new" "$deps/bin/dash" ||
		die "cannot install $deps/bin/dash"
	rm -rf "$b"
	touch "$deps/stamp-dash"
}

# musl-gcc must not see /usr/include (glibc's headers), only the kernel's
# uapi: a directory of links to linux/, asm-generic/ and the arch's asm/.
kernel_headers() {
	k=$deps/kinclude
	[ -e "$k/linux/loop.h" ] && return 0
	mkdir -p "$k"
	arch=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
	ln -sfn /usr/include/linux "$k/linux"
	ln -sfn /usr/include/asm-generic "$k/asm-generic"
	if [ -d "/usr/include/$arch/asm" ]; then
		ln -sfn "/usr/include/$arch/asm" "$k/asm"
	else
		ln -sfn /usr/include/asm "$k/asm"
	fi
	ln -sfn /usr/include/mtd "$k/mtd" 2>/dev/null || true
}

case $what in
tools) install_tools ;;
libs) mkdir -p "$deps/lib" "$deps/include"
      build_zlib; build_xz; build_zstd; kernel_headers; build_dash ;;
all) install_tools
     mkdir -p "$deps/lib" "$deps/include"
     build_zlib; build_xz; build_zstd; kernel_headers; build_dash ;;
*) die "usage: deps.sh [tools|libs|all] [DEPSDIR]" ;;
esac
