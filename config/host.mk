# host: the build-host tool; the default profile's applets (one list, in
# config/default.mk), decoders and encoders.
# scripts/mkinitramfs packs and compresses initramfs images with it.
include config/default.mk
ENCODERS = gzip xz zstd
