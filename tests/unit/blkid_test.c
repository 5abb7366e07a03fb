/* blkid_test.c - lib/blkid.c on hand-made superblocks and partition tables:
 * exact strings, and no crash or false match on short or garbage input. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "initbox.h"
#include "t.h"

static uint8_t img[1 << 20];

/* img[0..len) as a file; returns an fd */
static int as_file(size_t len)
{
	char path[] = "/tmp/blkid_test.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, img, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void iso_date_uuid(void)
{
	struct blkid_info bi;
	uint8_t *pvd = img + 0x8000;
	int fd;

	memset(img, 0, sizeof(img));
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	memset(pvd + 40, ' ', 32);
	memcpy(pvd + 40, "MY_LABEL", 8);
	memcpy(pvd + 813, "2024010203040506", 16); /* created */
	memset(pvd + 830, '0', 16);		    /* modified: unset */
	img[0x8800] = 0xFF;			    /* terminator */
	fd = as_file(0x9000);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "iso9660");
	CHECK_STR(bi.label, "MY_LABEL");
	/* the modification date is unset: the creation date is used */
	CHECK_STR(bi.uuid, "2024-01-02-03-04-05-06");
	close(fd);
}

/* A system identifier "LCDROM" puts "CDROM" where High Sierra has its
 * magic: still ISO 9660, with its label and date UUID. */
static void iso_sysid_cdrom(void)
{
	struct blkid_info bi;
	uint8_t *pvd = img + 0x8000;
	int fd;

	memset(img, 0, sizeof(img));
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	memset(pvd + 8, ' ', 64);
	memcpy(pvd + 8, "LCDROM", 6);
	memcpy(pvd + 40, "SYSID_LABEL", 11);
	memcpy(pvd + 830, "2024010203040506", 16);
	img[0x8800] = 0xFF;
	fd = as_file(0x9000);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "iso9660");
	CHECK_STR(bi.label, "SYSID_LABEL");
	CHECK_STR(bi.uuid, "2024-01-02-03-04-05-06");
	close(fd);
	/* High Sierra proper: "CDROM" at 9, no "CD001" at 1 */
	memset(pvd, 0, 0x800);
	pvd[8] = 1;
	memcpy(pvd + 9, "CDROM", 5);
	memcpy(pvd + 48, "HSFS_LABEL", 10);
	fd = as_file(0x9000);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "iso9660");
	CHECK_STR(bi.label, "HSFS_LABEL");
	CHECK_STR(bi.uuid, "");
	close(fd);
}

static void erofs_label_uuid(void)
{
	struct blkid_info bi;
	uint8_t *sb = img + 1024;
	int fd, i;

	memset(img, 0, sizeof(img));
	put32(sb, 0xE0F5E1E2);
	sb[12] = 12;
	for (i = 0; i < 16; i++)
		sb[48 + i] = (uint8_t)(0xa0 + i);
	memcpy(sb + 64, "ero lab  ", 9);
	fd = as_file(8192);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "erofs");
	CHECK_STR(bi.label, "ero lab"); /* trailing blanks trimmed */
	CHECK_STR(bi.uuid, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	close(fd);
	/* the checksum feature with a wrong checksum: not erofs */
	put32(sb + 8, 1);
	put32(sb + 4, 0x12345678);
	fd = as_file(8192);
	CHECK(blkid_probe(fd, &bi) == -1 && errno == ENODATA);
	close(fd);
}

/* ASCII s as UTF-16BE into p, n characters, space-padded */
static void put_utf16(uint8_t *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[2 * i] = 0;
		p[2 * i + 1] = *s ? (uint8_t)*s++ : ' ';
	}
}

static void iso_joliet_long_label(void)
{
	struct blkid_info bi;
	uint8_t *pvd = img + 0x8000, *svd = img + 0x8800;
	int fd;

	memset(img, 0, sizeof(img));
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	memcpy(pvd + 40, "NA_VE AND VERY LOOOOOOOONG_LABEL", 32);
	svd[0] = 2;
	memcpy(svd + 1, "CD001", 5);
	memcpy(svd + 88, "%/E", 3);
	put_utf16(svd + 40, "Na_ve and very l", 16);
	svd[40 + 5] = 0xEF; /* U+00EF 'i' with diaeresis */
	img[0x9000] = 0xFF;
	fd = as_file(0x9800);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	/* Joliet's 16 characters, then the rest of the PVD's 32 */
	CHECK_STR(bi.label, "Na\xC3\xAFve and very lOOOOOOOONG_LABEL");
	close(fd);
	/* Joliet's label is no prefix of the PVD's: Joliet's alone */
	put_utf16(svd + 40, "Other", 16);
	fd = as_file(0x9800);
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.label, "Other");
	close(fd);
}

/* A UDF volume with 2048-byte blocks: VRS at 32 KiB (after an ISO 9660
 * bridge when iso), anchor at sector 256, PVD, LVD and TD at 32..34. */
static int udf_image(bool iso, uint8_t cid, const char *volset)
{
	uint8_t *v = img + 0x8000, *d = img + 32 * 2048;
	size_t i;

	memset(img, 0, sizeof(img));
	if (iso) {
		v[0] = 1;
		memcpy(v + 1, "CD001", 5);
		memcpy(v + 40, "ISO_LABEL", 9);
		v[2048] = 0xFF;
		memcpy(v + 2049, "CD001", 5);
		v += 4096;
	}
	memcpy(v + 1, "BEA01", 5);
	memcpy(v + 2049, "NSR02", 5);
	memcpy(v + 4097, "TEA01", 5);
	v = img + 256 * 2048;
	v[0] = 2; /* AVDP */
	put32(v + 12, 256);
	put32(v + 16, 16 * 2048);
	put32(v + 20, 32);
	d[0] = 1; /* PVD */
	put32(d + 12, 32);
	memcpy(d + 201, "OSTA Compressed Unicode", 23);
	d[72] = 8;
	memcpy(d + 73, volset, strlen(volset));
	d[72 + 127] = (uint8_t)(strlen(volset) + 1);
	d += 2048;
	d[0] = 6; /* LVD: the label, 16-bit */
	put32(d + 12, 33);
	memcpy(d + 21, "OSTA Compressed Unicode", 23);
	d[84] = cid;
	for (i = 0; i < 8; i++) {
		d[85 + 2 * i] = 0;
		d[86 + 2 * i] = (uint8_t)("UDF Vol "[i]);
	}
	d[85 + 16] = 0xD8; /* U+1F600 as a surrogate pair */
	d[86 + 16] = 0x3D;
	d[87 + 16] = 0xDE;
	d[88 + 16] = 0x00;
	d[84 + 127] = 21;
	d += 2048;
	d[0] = 8; /* TD */
	put32(d + 12, 34);
	return as_file(257 * 2048);
}

static void udf_label_uuid(void)
{
	struct blkid_info bi;
	int fd;

	fd = udf_image(false, 16, "47A83A8000000000 rest");
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "udf");
	CHECK_STR(bi.label, "UDF Vol \xF0\x9F\x98\x80");
	CHECK_STR(bi.uuid, "47a83a8000000000");
	close(fd);
	/* an ISO 9660 bridge in front: still udf, as libblkid ranks it */
	fd = udf_image(true, 16, "5914E5D4Linux UDF");
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "udf");
	/* 8 hex digits, then the next 4 bytes in hex ("Linu") */
	CHECK_STR(bi.uuid, "5914e5d44c696e75");
	close(fd);
	/* not hex at all: the first 8 bytes in hex; an unknown compression
	 * id: no label */
	fd = udf_image(false, 9, "Label set");
	CHECK(fd >= 0 && blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.uuid, "4c6162656c207365");
	CHECK_STR(bi.label, "");
	close(fd);
	/* no anchor where the VRS says UDF: the bridge's iso9660 */
	fd = udf_image(true, 16, "x");
	CHECK(pwrite(fd, "\0", 1, 256 * 2048) == 1);
	CHECK(blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "iso9660");
	CHECK_STR(bi.label, "ISO_LABEL");
	close(fd);
}

static void short_and_garbage(void)
{
	struct blkid_info bi;
	size_t len;
	int fd;

	/* squashfs magic with a truncated rest, at every short length */
	memset(img, 0, sizeof(img));
	memcpy(img, "hsqs", 4);
	img[28] = 4;
	for (len = 0; len < 96; len += 7) {
		fd = as_file(len);
		CHECK(blkid_probe(fd, &bi) == -1 && errno == ENODATA);
		close(fd);
	}
	fd = as_file(4096);
	CHECK(blkid_probe(fd, &bi) == 0);
	CHECK_STR(bi.type, "squashfs");
	CHECK_STR(bi.uuid, "");
	close(fd);
	/* pseudo-random bytes: nothing */
	srand(1);
	for (len = 0; len < sizeof(img); len++)
		img[len] = (uint8_t)rand();
	img[0x438] = 0; /* no accidental ext magic */
	fd = as_file(sizeof(img));
	CHECK(blkid_probe(fd, &bi) == -1 && errno == ENODATA);
	close(fd);
}

static void mbr_logical_partuuid(void)
{
	char out[64];
	uint8_t *e;
	int fd;

	memset(img, 0, sizeof(img));
	put32(img + 440, 0x1234abcd);
	e = img + 446;			/* p1: primary */
	e[4] = 0x83;
	put32(e + 8, 2048);
	put32(e + 12, 100);
	e += 16;			/* p2: extended at LBA 200 */
	e[4] = 0x05;
	put32(e + 8, 200);
	put32(e + 12, 1000);
	img[510] = 0x55;
	img[511] = 0xAA;
	/* EBR 1 at 200: logical p5, next EBR at ext + 300 */
	e = img + 200 * 512 + 446;
	e[4] = 0x83;
	put32(e + 8, 1);
	put32(e + 12, 50);
	e[16 + 4] = 0x05;
	put32(e + 16 + 8, 300);
	put32(e + 16 + 12, 60);
	img[200 * 512 + 510] = 0x55;
	img[200 * 512 + 511] = 0xAA;
	/* EBR 2 at 500: logical p6 */
	e = img + 500 * 512 + 446;
	e[4] = 0x83;
	put32(e + 8, 1);
	put32(e + 12, 50);
	img[500 * 512 + 510] = 0x55;
	img[500 * 512 + 511] = 0xAA;
	fd = as_file(600 * 512);
	CHECK(blkid_partuuid(fd, 1, out, sizeof(out)) == 0);
	CHECK_STR(out, "1234abcd-01");
	CHECK(blkid_partuuid(fd, 6, out, sizeof(out)) == 0);
	CHECK_STR(out, "1234abcd-06");
	CHECK(blkid_partuuid(fd, 3, out, sizeof(out)) == -1 && errno == ENODATA);
	CHECK(blkid_partuuid(fd, 7, out, sizeof(out)) == -1 && errno == ENODATA);
	close(fd);
}

static void gpt_partuuid(void)
{
	static const uint8_t guid[16] = { 0x33, 0xdc, 0x3d, 0x82, 0x7f, 0xd4,
					  0x46, 0xe9, 0xa7, 0xf2, 0x9f, 0x4c,
					  0x30, 0xab, 0xb0, 0x8d };
	uint8_t *h = img + 512, *ent = img + 1024 + 128;
	char out[64];
	int fd;

	memset(img, 0, sizeof(img));
	img[446 + 4] = 0xEE; /* protective MBR */
	img[510] = 0x55;
	img[511] = 0xAA;
	memcpy(h, "EFI PART", 8);
	put32(h + 12, 92);
	put32(h + 72, 2);	/* entries at LBA 2 */
	put32(h + 80, 128);
	put32(h + 84, 128);
	ent[0] = 0xAF;		/* a used type GUID */
	memcpy(ent + 16, guid, 16);
	put32(h + 16, (uint32_t)crc32(0, h, 92));
	fd = as_file(64 * 1024);
	CHECK(blkid_partuuid(fd, 2, out, sizeof(out)) == 0);
	CHECK_STR(out, "823ddc33-d47f-e946-a7f2-9f4c30abb08d");
	CHECK(blkid_partuuid(fd, 1, out, sizeof(out)) == -1 && errno == ENODATA);
	close(fd);
	/* a header whose CRC does not hold is no GPT (nor an MBR here) */
	h[80] = 127;
	fd = as_file(64 * 1024);
	CHECK(blkid_partuuid(fd, 2, out, sizeof(out)) == -1);
	close(fd);
}

int main(void)
{
	RUN(iso_date_uuid);
	RUN(iso_sysid_cdrom);
	RUN(iso_joliet_long_label);
	RUN(udf_label_uuid);
	RUN(erofs_label_uuid);
	RUN(short_and_garbage);
	RUN(mbr_logical_partuuid);
	RUN(gpt_partuuid);
	T_EXIT();
}
