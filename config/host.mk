# host: the build-host tool; every applet, decoders and encoders.
# scripts/mkinitramfs packs and compresses initramfs images with it.
APPLETS = blockdev chroot cpio_pack cpio_unpack findmedia initrd_host insmod losetup \
	  modprobe mount mount_overlay pivot_root run_init switch_root umount
CODECS = gzip xz zstd
ENCODERS = gzip xz zstd
