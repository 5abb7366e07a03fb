# default: the profile that goes into an initramfs.
# Every applet; decoders for every codec the kernel's initramfs may use.
# cpio-pack writes uncompressed archives here; compressing ones come from
# the host profile (encoders are large and an initramfs never needs them).
APPLETS = blockdev chroot cmdline cpio cpio_pack cpio_unpack findmedia initrd_host insmod losetup \
	  modprobe mount mount_overlay pivot_root run_init shutdown switch_root umount verity
CODECS = gzip xz zstd
ENCODERS =
