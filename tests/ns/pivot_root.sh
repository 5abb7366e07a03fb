# pivot_root.sh - pivot_root works where the kernel allows it and names the
# cause of each EINVAL.
. "$TOP/tests/ns/lib.sh"
ns_enter "$0" "$@"
ns_tmp
need unshare busybox
PR=$T/bin/pivot_root
mkdir -p "$T/bin" && ln -s "$INITBOX" "$PR"

# Each case runs in a namespace of its own, so a successful pivot cannot
# touch this script's view.
case_ns() { # SCRIPT
	unshare --mount --propagation private sh -c "$1" 2>&1
}
msg_is() { # NAME EXPECTED OUTPUT
	case $3 in
	*"$2"*) pass "$1" ;;
	*) fail "$1" "got: $3" ;;
	esac
}

mkdir -p "$T/nr/old" "$T/plain/old"
mount -t tmpfs nr "$T/nr" && mkdir -p "$T/nr/old" "$T/nr/sub"
out=$(case_ns "'$PR' '$T/plain' '$T/plain/old'; echo rc=\$?")
msg_is "NEW_ROOT not a mount point is named" \
	"NEW_ROOT $T/plain is not a mount point (mount --bind it onto itself)" "$out"
msg_is "a refusal exits 1" "rc=1" "$out"

out=$(case_ns "'$PR' '$T/nr' '$T/plain/old'")
msg_is "PUT_OLD outside NEW_ROOT is named" "PUT_OLD $T/plain/old is not at or under NEW_ROOT $T/nr" "$out"

out=$(case_ns "mount --make-shared '$T' && '$PR' '$T/nr' '$T/nr/old'")
msg_is "shared propagation is named with its fix" "is shared: run 'mount --make-rprivate /' first" "$out"

mkdir -p "$T/ch/bin" "$T/ch/nr"
cp "$(command -v busybox)" "$T/ch/bin/busybox" && cp "$INITBOX" "$T/ch/bin/pivot_root"
out=$(case_ns "mount -t tmpfs x '$T/ch/nr' && mkdir '$T/ch/nr/old' && mount -t proc proc /proc 2>/dev/null; mkdir -p '$T/ch/proc' && mount --bind /proc '$T/ch/proc' && chroot '$T/ch' /bin/pivot_root /nr /nr/old")
msg_is "a chroot into a directory is named" "the current root is not a mount point (a chroot into a directory?)" "$out"

out=$(case_ns "cd '$T/nr' && '$PR' . old && echo rc=\$? && [ -d /old/proc ] && [ ! -e /old/old ] && echo PIVOTED")
msg_is "where the kernel allows it, it pivots (old root under PUT_OLD)" "rc=0
PIVOTED" "$out"

out=$(case_ns "'$PR' '$T/nr'; echo rc=\$?")
msg_is "a missing operand is a usage error (2)" "rc=2" "$out"
ns_done
