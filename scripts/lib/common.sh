# common.sh - what every script under scripts/ starts with; sourced first,
# relative to the script, so that it runs by any path from anywhere:
#
#   . "$(dirname "$0")/lib/common.sh"
#
# TOP                the tree (the script's folder's parent; exported for the
#                    scripts and libraries it runs)
# INITBOX, INITBOX_HOST
#                    the default and host builds (make sets them; else
#                    build/initbox, build/host/initbox); exported
# PROG               the script's name, the first word of its messages
# say TEXT           "PROG: TEXT" on stderr
# die TEXT           say TEXT, exit 1
# step TEXT, info TEXT
#                    a demo's headline ("==> TEXT") and its indented detail,
#                    on stdout; B G R N are bold, green, red and normal when
#                    stdout is a terminal, empty otherwise
# mib BYTES [DIGITS] BYTES in MiB, DIGITS decimals (default 2), no unit
# median             of the numbers on stdin, one a line ("" for none)
#
# Libraries beside it (sourced after this one, in this order where several):
# boot.sh (the test kernel, qemu), debroot.sh (Debian roots, chroots in
# them), live.sh and live_debian.sh (live roots and images), switchroot.sh
# (the switch_root scenarios' images).

TOP=$(cd "$(dirname "$0")/.." && pwd)
PROG=${0##*/}
: "${INITBOX:=$TOP/build/initbox}"
: "${INITBOX_HOST:=$TOP/build/host/initbox}"
export TOP INITBOX INITBOX_HOST

say() { echo "$PROG: $*" >&2; }
die() { say "$@"; exit 1; }

if [ -t 1 ]; then
	B=$(printf '\033[1m') G=$(printf '\033[32m') N=$(printf '\033[0m')
else
	B= G= N=
fi
step() { printf '%s==>%s %s\n' "$B" "$N" "$*"; }
info() { printf '    %s\n' "$*"; }

mib() { awk -v b="$1" "BEGIN { printf \"%.${2:-2}f\", b / 1048576 }"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
