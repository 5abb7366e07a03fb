/* blkid_test.c - lib/media/blkid.c on hand-made superblocks and partition tables:
 * exact strings, and no crash or false match on short or garbage input. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "media/media.h"
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
	CHECK(blkid_partuuid(fd, 1, 0, out, sizeof(out)) == 0);
	CHECK_STR(out, "1234abcd-01");
	CHECK(blkid_partuuid(fd, 6, 0, out, sizeof(out)) == 0);
	CHECK_STR(out, "1234abcd-06");
	CHECK(blkid_partuuid(fd, 3, 0, out, sizeof(out)) == -1 && errno == ENODATA);
	CHECK(blkid_partuuid(fd, 7, 0, out, sizeof(out)) == -1 && errno == ENODATA);
	close(fd);
}

/* An MBR entry: type, first LBA, size */
static void mbr_put(uint8_t *m, int slot, uint8_t type, uint32_t lba,
		    uint32_t size)
{
	uint8_t *e = m + 446 + 16 * slot;

	e[4] = type;
	put32(e + 8, lba);
	put32(e + 12, size);
	m[510] = 0x55;
	m[511] = 0xAA;
}

enum { GPT_DISK = 128 }; /* sectors: the image is 64 KiB, last LBA 127 */

/* A GPT header at LBA at (entries at LBA ent), whose entry 2 is in use
 * with unique GUID g; both CRCs right. */
static void gpt_put(uint64_t at, uint64_t ent, const uint8_t g[16])
{
	uint8_t *h = img + at * 512, *e = img + ent * 512;

	memset(h, 0, 512);
	memset(e, 0, 128 * 128);
	memcpy(h, "EFI PART", 8);
	put32(h + 12, 92);
	put32(h + 24, (uint32_t)at);	 /* my_lba */
	put32(h + 32, (uint32_t)(GPT_DISK - 1 - at + 1)); /* the other */
	put32(h + 40, 34);		 /* first usable */
	put32(h + 48, GPT_DISK - 34);	 /* last usable */
	put32(h + 72, (uint32_t)ent);
	put32(h + 80, 128);
	put32(h + 84, 128);
	e[128] = 0xAF; /* entry 2: a used type GUID, LBAs 40..50 */
	put32(e + 128 + 32, 40);
	put32(e + 128 + 40, 50);
	memcpy(e + 128 + 16, g, 16);
	put32(h + 88, (uint32_t)crc32(0, e, 128 * 128));
	put32(h + 16, (uint32_t)crc32(0, h, 92));
}

static const uint8_t guid_a[16] = {0x33, 0xdc, 0x3d, 0x82, 0x7f, 0xd4,
				   0x46, 0xe9, 0xa7, 0xf2, 0x9f, 0x4c,
				   0x30, 0xab, 0xb0, 0x8d};
static const uint8_t guid_b[16] = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
				   0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb,
				   0xbc, 0xbd, 0xbe, 0xbf};
#define GUID_A "823ddc33-d47f-e946-a7f2-9f4c30abb08d"
#define GUID_B "b3b2b1b0-b5b4-b7b6-b8b9-babbbcbdbebf"

/* PARTUUID of partition PARTNO of img[0..64 KiB) read with flags, or
 * "-" when there is none */
static const char *partuuid(unsigned partno, unsigned flags)
{
	static char out[64];
	int fd = as_file(GPT_DISK * 512);

	if (fd < 0 || blkid_partuuid(fd, partno, flags, out, sizeof(out)) < 0)
		snprintf(out, sizeof(out), "-");
	if (fd >= 0)
		close(fd);
	return out;
}

/* a protective MBR, primary at 1 (entries at 2), backup at 127 (at 95) */
static void gpt_disk(void)
{
	memset(img, 0, sizeof(img));
	put32(img + 440, 0x1234abcd);
	mbr_put(img, 0, 0xEE, 1, GPT_DISK - 1);
	gpt_put(1, 2, guid_a);
	gpt_put(GPT_DISK - 1, GPT_DISK - 33, guid_b);
}

static void gpt_partuuid(void)
{
	gpt_disk();
	CHECK_STR(partuuid(2, 0), GUID_A);
	CHECK_STR(partuuid(1, 0), "-"); /* unused entry, and no MBR read */
	/* an entry ending past the last LBA: is_pte_valid refuses it */
	put32(img + 2 * 512 + 128 + 40, GPT_DISK);
	put32(img + 512 + 88, (uint32_t)crc32(0, img + 1024, 128 * 128));
	put32(img + 512 + 16, 0);
	put32(img + 512 + 16, (uint32_t)crc32(0, img + 512, 92));
	CHECK_STR(partuuid(2, 0), "-");
	/* a hybrid MBR (0xEE beside other entries) is GPT's too */
	gpt_disk();
	mbr_put(img, 1, 0x83, 40, 11);
	CHECK_STR(partuuid(2, 0), GUID_A);
	/* 0xEE not from LBA 1 is no protective MBR: then it is no MBR
	 * either (msdos.c leaves any disk with 0xEE to efi.c) */
	gpt_disk();
	mbr_put(img, 0, 0xEE, 2, GPT_DISK - 2);
	CHECK_STR(partuuid(2, 0), "-");
}

/* issue 19, finding 4: efi.c without "gpt" needs a protective MBR; a
 * valid GPT under a plain MBR is read as the MBR */
static void gpt_without_protective_mbr(void)
{
	gpt_disk();
	memset(img + 446, 0, 64);
	mbr_put(img, 0, 0x83, 34, 10);
	mbr_put(img, 1, 0x0C, 44, 20);
	CHECK_STR(partuuid(1, 0), "1234abcd-01");
	CHECK_STR(partuuid(2, 0), "1234abcd-02");
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), GUID_A);
	CHECK_STR(partuuid(1, BLKID_FORCE_GPT), "-");
}

/* issue 19, finding 5: a broken primary header or entry array; the
 * backup at the last LBA is read only with "gpt" (find_valid_gpt reads
 * the alternate only after a good primary unless forced), and only
 * when it is valid itself */
static void gpt_backup(void)
{
	gpt_disk();
	img[512 + 56] ^= 1; /* disk GUID: the header CRC fails */
	CHECK_STR(partuuid(2, 0), "-");
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), GUID_B);
	gpt_disk();
	img[2 * 512 + 128 + 56] ^= 1; /* a name: the entries' CRC fails */
	CHECK_STR(partuuid(2, 0), "-");
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), GUID_B);
	/* a backup whose my_lba is not where it lies */
	put32(img + (GPT_DISK - 1) * 512 + 24, 126);
	put32(img + (GPT_DISK - 1) * 512 + 16, 0);
	put32(img + (GPT_DISK - 1) * 512 + 16,
	      (uint32_t)crc32(0, img + (GPT_DISK - 1) * 512, 92));
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), "-");
	/* a backup whose entries do not match their CRC */
	gpt_disk();
	img[512 + 56] ^= 1;
	img[(GPT_DISK - 33) * 512 + 128 + 56] ^= 1;
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), "-");
	/* an intact primary wins over the backup */
	gpt_disk();
	CHECK_STR(partuuid(2, BLKID_FORCE_GPT), GUID_A);
}

/* issue 19, finding 6: msdos.c skips only entries of size 0, primary or
 * logical; type 0 with a size is a partition */
static void mbr_type0(void)
{
	memset(img, 0, sizeof(img));
	put32(img + 440, 0xdeadbeef);
	mbr_put(img, 0, 0x00, 2, 10);
	mbr_put(img, 1, 0x83, 0, 0);	/* a type, no size: none */
	mbr_put(img, 2, 0x05, 20, 100); /* extended at 20 */
	mbr_put(img + 20 * 512, 0, 0x00, 1, 10);
	mbr_put(img + 20 * 512, 1, 0x05, 20, 20); /* next EBR at 40 */
	mbr_put(img + 40 * 512, 0, 0x83, 1, 10);
	/* a 3rd entry outside the extended partition is garbage */
	mbr_put(img + 40 * 512, 2, 0x83, 100, 10);
	CHECK_STR(partuuid(1, 0), "deadbeef-01");
	CHECK_STR(partuuid(2, 0), "-");
	CHECK_STR(partuuid(3, 0), "deadbeef-03");
	CHECK_STR(partuuid(5, 0), "deadbeef-05");
	CHECK_STR(partuuid(6, 0), "deadbeef-06");
	CHECK_STR(partuuid(7, 0), "-");
	/* "gpt" changes nothing on a disk without a GPT */
	CHECK_STR(partuuid(1, BLKID_FORCE_GPT), "deadbeef-01");
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
	RUN(gpt_without_protective_mbr);
	RUN(gpt_backup);
	RUN(mbr_type0);
	T_EXIT();
}
