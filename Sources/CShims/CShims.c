#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <fcntl.h>
#endif
#include "CShims.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

const void *firmtrace_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

const void *firmtrace_memrchr(const void *bytes, int byte, size_t length) {
    return memrchr(bytes, byte, length);
}

int firmtrace_release_file_range(int descriptor, long long offset, long long length) {
#if defined(__linux__) && defined(FALLOC_FL_PUNCH_HOLE)
    return fallocate(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
#else
    (void)descriptor; (void)offset; (void)length;
    return -1;
#endif
}

int firmtrace_start_writeback(int descriptor, long long offset, long long length) {
#if defined(__linux__)
    return sync_file_range(descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor; (void)offset; (void)length;
    return -1;
#endif
}

int firmtrace_drop_cached(int descriptor, long long offset, long long length) {
#if defined(__linux__)
    return posix_fadvise(descriptor, offset, length, POSIX_FADV_DONTNEED);
#else
    (void)descriptor; (void)offset; (void)length;
    return -1;
#endif
}

int firmtrace_active_cores(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

/* Byte classes, sixteen bytes at a time: whole vectors, then the last sixteen bytes again (overlapping what
   was seen, so no byte loop); fewer than sixteen are padded with 'A', which is in no class. In C: Swift's
   SIMD types compiled these to a lane at a time, slower than the eight-byte words they were to replace. */
#if defined(__SSE2__)
typedef __m128i (*firmtrace_byte_class)(__m128i);

static inline __m128i firmtrace_non_ascii(__m128i bytes) {
    return bytes;
}

static inline __m128i firmtrace_json_special(__m128i bytes) {
    __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    return _mm_or_si128(control, _mm_or_si128(quote, backslash));
}

static inline __m128i firmtrace_csv_special(__m128i bytes) {
    __m128i comma = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(','));
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i newline = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\n'));
    __m128i carriage = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\r'));
    return _mm_or_si128(_mm_or_si128(comma, quote), _mm_or_si128(newline, carriage));
}

/* Fewer than sixteen bytes (most keys and values of an event's fields): when the sixteen bytes from the
   first lie in one page they are loaded whole and the bytes past the end masked off, as glibc's string
   functions do; a read that cannot fault, but outside the object, so the sanitizers are told to let it be.
   Copying into a padded block cost two library calls, most of the time scanning a short string took. */
__attribute__((no_sanitize("address", "thread")))
static inline int firmtrace_scan_short(const unsigned char *bytes, size_t count, firmtrace_byte_class in_class) {
    enum { page = 4096 };
    if (((uintptr_t)bytes & (page - 1)) <= page - 16) {
        int mask = _mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)bytes)));
        return (mask & ((1 << count) - 1)) != 0;
    }
    unsigned char padded[16];
    memset(padded, 'A', sizeof padded);
    memcpy(padded, bytes, count);
    return _mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)padded))) != 0;
}

/* Only the high bit of each byte of a class's result counts, as _mm_movemask_epi8 reads it. */
static inline int firmtrace_scan(const unsigned char *bytes, size_t count, firmtrace_byte_class in_class) {
    if (count < 16) return count != 0 && firmtrace_scan_short(bytes, count, in_class);
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        if (_mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)(bytes + index))))) return 1;
    }
    return index < count && _mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)(bytes + count - 16)))) != 0;
}

int firmtrace_contains_non_ascii(const void *bytes, size_t count) {
    return firmtrace_scan(bytes, count, firmtrace_non_ascii);
}

int firmtrace_contains_json_special(const void *bytes, size_t count) {
    return firmtrace_scan(bytes, count, firmtrace_json_special);
}

int firmtrace_contains_csv_special(const void *bytes, size_t count) {
    return firmtrace_scan(bytes, count, firmtrace_csv_special);
}
#else
int firmtrace_contains_non_ascii(const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < count; index++) if (byte[index] >= 0x80) return 1;
    return 0;
}

int firmtrace_contains_json_special(const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < count; index++) {
        if (byte[index] < 0x20 || byte[index] == '"' || byte[index] == '\\') return 1;
    }
    return 0;
}

int firmtrace_contains_csv_special(const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < count; index++) {
        if (byte[index] == ',' || byte[index] == '"' || byte[index] == '\n' || byte[index] == '\r') return 1;
    }
    return 0;
}
#endif
