#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <fcntl.h>
#endif
#include <sqlite3.h>
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
   first lie in one page they are loaded whole, as glibc's string functions do (the bytes past the end are
   then masked off or ignored); a read that cannot fault, but outside the object, so the sanitizers are told
   to let it be. Otherwise they are copied into a block padded with 'A'. Copying into a padded block every
   time cost two library calls, most of the time scanning a short string took. */
__attribute__((no_sanitize("address", "thread")))
static inline __m128i firmtrace_load_short(const unsigned char *bytes, size_t count) {
    enum { page = 4096 };
    if (((uintptr_t)bytes & (page - 1)) <= page - 16) return _mm_loadu_si128((const __m128i *)bytes);
    unsigned char padded[16];
    memset(padded, 'A', sizeof padded);
    memcpy(padded, bytes, count);
    return _mm_loadu_si128((const __m128i *)padded);
}

/* Only the high bit of each byte of a class's result counts, as _mm_movemask_epi8 reads it. */
static inline int firmtrace_scan(const unsigned char *bytes, size_t count, firmtrace_byte_class in_class) {
    if (count < 16) {
        return count != 0 && (_mm_movemask_epi8(in_class(firmtrace_load_short(bytes, count))) & ((1 << count) - 1)) != 0;
    }
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        if (_mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)(bytes + index))))) return 1;
    }
    return index < count && _mm_movemask_epi8(in_class(_mm_loadu_si128((const __m128i *)(bytes + count - 16)))) != 0;
}

/* Copies the bytes to `target` as they are checked, when none is in the class; whether it did. Up to
   sixteen bytes past `count` may be written, and when none is copied some may have been: `target` needs
   room for `count + 16`, and the caller keeps nothing of it then. Checking and copying in one pass saved a
   call and a second read of each string, for every key and value of every event's fields. */
static inline int firmtrace_copy_unless(void *target, const unsigned char *bytes, size_t count, firmtrace_byte_class in_class) {
    unsigned char *out = target;
    if (count < 16) {
        if (count == 0) return 1;
        __m128i block = firmtrace_load_short(bytes, count);
        if (_mm_movemask_epi8(in_class(block)) & ((1 << count) - 1)) return 0;
        _mm_storeu_si128((__m128i *)out, block);
        return 1;
    }
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(bytes + index));
        if (_mm_movemask_epi8(in_class(block))) return 0;
        _mm_storeu_si128((__m128i *)(out + index), block);
    }
    if (index < count) {
        __m128i block = _mm_loadu_si128((const __m128i *)(bytes + count - 16));
        if (_mm_movemask_epi8(in_class(block))) return 0;
        _mm_storeu_si128((__m128i *)(out + count - 16), block);
    }
    return 1;
}

int firmtrace_contains_non_ascii(const void *bytes, size_t count) {
    return firmtrace_scan(bytes, count, firmtrace_non_ascii);
}

/* Copies the bytes to `target` as they are checked, up to the first in the class; how many come before
   it (`count` for none). As `firmtrace_copy_unless`, up to sixteen bytes past those may be written. A
   string with bytes to escape is then copied a stretch at a time between them, not a byte at a time. */
static inline size_t firmtrace_copy_until(void *target, const unsigned char *bytes, size_t count, firmtrace_byte_class in_class) {
    unsigned char *out = target;
    if (count < 16) {
        if (count == 0) return 0;
        __m128i block = firmtrace_load_short(bytes, count);
        _mm_storeu_si128((__m128i *)out, block);
        unsigned mask = (unsigned)_mm_movemask_epi8(in_class(block)) & ((1u << count) - 1);
        return mask ? (size_t)__builtin_ctz(mask) : count;
    }
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(bytes + index));
        _mm_storeu_si128((__m128i *)(out + index), block);
        unsigned mask = (unsigned)_mm_movemask_epi8(in_class(block));
        if (mask) return index + (size_t)__builtin_ctz(mask);
    }
    if (index < count) {
        /* The last sixteen bytes again: those not yet checked are its last `count - index`. */
        __m128i block = _mm_loadu_si128((const __m128i *)(bytes + count - 16));
        _mm_storeu_si128((__m128i *)(out + count - 16), block);
        unsigned mask = (unsigned)_mm_movemask_epi8(in_class(block)) >> (16 - (count - index));
        if (mask) return index + (size_t)__builtin_ctz(mask);
    }
    return count;
}

static size_t firmtrace_copy_until_json_special(void *target, const void *bytes, size_t count) {
    return firmtrace_copy_until(target, bytes, count, firmtrace_json_special);
}

int firmtrace_copy_unless_csv_special(void *target, const void *bytes, size_t count) {
    return firmtrace_copy_unless(target, bytes, count, firmtrace_csv_special);
}
#else
int firmtrace_contains_non_ascii(const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < count; index++) if (byte[index] >= 0x80) return 1;
    return 0;
}

static size_t firmtrace_copy_until_json_special(void *target, const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    size_t index = 0;
    while (index < count && byte[index] >= 0x20 && byte[index] != '"' && byte[index] != '\\') index++;
    memcpy(target, bytes, index);
    return index;
}

int firmtrace_copy_unless_csv_special(void *target, const void *bytes, size_t count) {
    const unsigned char *byte = bytes;
    for (size_t index = 0; index < count; index++) {
        if (byte[index] == ',' || byte[index] == '"' || byte[index] == '\n' || byte[index] == '\r') return 0;
    }
    memcpy(target, bytes, count);
    return 1;
}
#endif

/* The stretches between bytes to escape are copied whole; each escape is written here, not back in Swift,
   where a call per string and a closure per stretch cost more than scanning the string did. */
size_t firmtrace_escape_json(void *target, const void *source, size_t count, int doubling_quotes) {
    static const char hex[] = "0123456789abcdef";
    unsigned char *out = target;
    const unsigned char *bytes = source;
    size_t written = 0, index = 0;
    for (;;) {
        size_t copied = firmtrace_copy_until_json_special(out + written, bytes + index, count - index);
        written += copied;
        index += copied;
        if (index == count) return written;
        unsigned char byte = bytes[index++];
        out[written++] = '\\';
        switch (byte) {
        case '"':
            out[written++] = '"';
            if (doubling_quotes) out[written++] = '"';
            break;
        case '\\': out[written++] = '\\'; break;
        case '\n': out[written++] = 'n'; break;
        case '\r': out[written++] = 'r'; break;
        case '\t': out[written++] = 't'; break;
        default:
            out[written++] = 'u';
            out[written++] = '0';
            out[written++] = '0';
            out[written++] = (unsigned char)hex[byte >> 4];
            out[written++] = (unsigned char)hex[byte & 0x0F];
        }
    }
}

int firmtrace_sqlite_skip_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
}
