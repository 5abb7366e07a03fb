/* lzma-memcpy.h - forced into liblzma's build by scripts/deps.sh
 * (-include): its LZMA decoder copies every match with memcpy(), mostly a
 * few bytes long, and musl's memcpy (rep movsq) pays a start-up cost each
 * time that made xz unpacking 25% slower than with glibc. Short copies are
 * done inline with overlapping word moves; long ones go to memcpy().
 * Callers never pass overlapping buffers (memcpy's contract).
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t lzc_u64 __attribute__((may_alias, aligned(1)));
typedef uint32_t lzc_u32 __attribute__((may_alias, aligned(1)));

static inline void *lzc_memcpy(void *restrict d, const void *restrict s,
			       size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	uint64_t a, b;
	size_t i;

	if (n <= 16) {
		if (n >= 8) {
			a = *(const lzc_u64 *)sp;
			b = *(const lzc_u64 *)(sp + n - 8);
			*(lzc_u64 *)dp = a;
			*(lzc_u64 *)(dp + n - 8) = b;
		} else if (n >= 4) {
			uint32_t x = *(const lzc_u32 *)sp;
			uint32_t y = *(const lzc_u32 *)(sp + n - 4);

			*(lzc_u32 *)dp = x;
			*(lzc_u32 *)(dp + n - 4) = y;
		} else if (n) {
			unsigned char x = sp[0], y = sp[n >> 1], z = sp[n - 1];

			dp[0] = x;
			dp[n >> 1] = y;
			dp[n - 1] = z;
		}
		return d;
	}
	if (n > 512)
		return memcpy(d, s, n);
	for (i = 0; i + 16 <= n; i += 16) {
		a = *(const lzc_u64 *)(sp + i);
		b = *(const lzc_u64 *)(sp + i + 8);
		*(lzc_u64 *)(dp + i) = a;
		*(lzc_u64 *)(dp + i + 8) = b;
	}
	if (i < n) {
		a = *(const lzc_u64 *)(sp + n - 16);
		b = *(const lzc_u64 *)(sp + n - 8);
		*(lzc_u64 *)(dp + n - 16) = a;
		*(lzc_u64 *)(dp + n - 8) = b;
	}
	return d;
}

#define memcpy lzc_memcpy
