# minimal: only the root-switching applets, no codecs.
# For a hand-written initramfs that needs nothing but a safe hand-over.
APPLETS = chroot pivot_root run_init switch_root
CODECS =
ENCODERS =
