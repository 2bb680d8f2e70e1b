#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <fcntl.h>
#endif
#include "CShims.h"

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

int firmtrace_active_cores(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}
