# multicall.sh - the initbox entry: dispatch, --list, --install, --help
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp

t "the binary is static and stripped" sh -c \
	"file -b '$INITBOX' | grep -q 'statically linked' && file -b '$INITBOX' | grep -q stripped"

t "--list names every applet of the profile" sh -c \
	"'$INITBOX' --list > $T/list && grep -qx switch_root $T/list && grep -qx run-init $T/list && grep -qx cpio-unpack $T/list"

t "an unknown applet exits 127 with a message" sh -c \
	"'$INITBOX' no-such-applet 2> $T/err; [ \$? = 127 ] && grep -q 'no-such-applet: applet not found' $T/err"

# Hard links need the binary on the same filesystem, as when staging an
# initramfs tree: install from a copy inside $T.
mkdir "$T/bin" "$T/sbin"
cp "$INITBOX" "$T/bin/initbox"
t "--install makes hard links for every applet" sh -c \
	"'$T/bin/initbox' --install $T/bin && [ \$(ls $T/bin | wc -l) = \$(( \$('$INITBOX' --list | wc -l) + 1 )) ] &&
	 [ \$(stat -c %i $T/bin/switch_root) = \$(stat -c %i $T/bin/initbox) ]"
t "--install across filesystems says why" sh -c \
	"mkdir $T/x && ! '$INITBOX' --install $T/x 2> $T/err && grep -q 'Cross-device link' $T/err"
t "--install -s makes symlinks" sh -c \
	"'$INITBOX' --install -s $T/sbin && [ -L $T/sbin/losetup ]"
t "--install leaves a foreign file alone and says so" sh -c \
	"echo mine > $T/sbin2 && mkdir $T/i && echo mine > $T/i/chroot &&
	 ! '$INITBOX' --install $T/i 2> $T/err && grep -q 'exists, left alone' $T/err && [ \"\$(cat $T/i/chroot)\" = mine ]"
t "called by its link name, the applet runs" sh -c \
	"$T/bin/chroot --help | grep -q '^usage: chroot DIR'"
t "APPLET --help prints the usage beside the code" sh -c \
	"'$INITBOX' switch_root --help | grep -q '^usage: switch_root'"
t "a usage error exits 2 and points to --help, not the usage text" sh -c \
	"'$INITBOX' chroot 2> $T/err; [ \$? = 2 ] && grep -q \"try 'chroot --help'\" $T/err && ! grep -q usage: $T/err"
t "a failed write to stdout is an error" sh -c \
	"! '$INITBOX' --list > /dev/full 2> $T/err && grep -q 'write stdout' $T/err"
t "the minimal profile holds only the root-switching applets" sh -c \
	"[ \"\$('$INITBOX_MINIMAL' --list | sort | tr '\n' ' ')\" = 'chroot pivot_root run-init run_init switch_root ' ]"

# STYLE: no writable globals except prog. Writable data is what sits in
# .data* or .bss* (or COMMON) of our objects; .data.rel.ro* is read-only
# once relocated (const tables of pointers land there; nm calls them d).
# The objects are those the binary was linked from, in $O/obj.
writable_globals() { # OBJDIR
	find "$1" -name '*.o' | sort | while read -r o; do
		objdump -t "$o" | awk -v o="${o#"$1"/}" '
			/ O / && ($4 ~ /^\.(data|bss)/ || $4 == "*COM*") &&
			$4 !~ /^\.data\.rel\.ro/ { print o ": " $NF }'
	done | grep -v '^applets/msg\.o: prog$'
}
n="no writable globals in the objects but prog (objdump -t: .data, .bss)"
objs=$(dirname "$INITBOX")/obj
if [ ! -f "$objs/applets/msg.o" ]; then
	fail "$n" "no objects beside $INITBOX (build it with make O=...)"
elif ! command -v objdump > /dev/null; then
	fail "$n" "needs objdump (binutils)"
elif out=$(writable_globals "$objs") && [ -n "$out" ]; then
	fail "$n" "$(echo $out)"
else
	pass "$n"
fi

ns_done
