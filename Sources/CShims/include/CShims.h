#ifndef FIRMTRACE_CSHIMS_H
#define FIRMTRACE_CSHIMS_H
#include <stddef.h>

/* glibc's memmem and memrchr are GNU extensions the Swift importer does not see without _GNU_SOURCE. */
const void *firmtrace_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
const void *firmtrace_memrchr(const void *bytes, int byte, size_t length);

#endif
