#ifndef FIRMTRACE_CSHIMS_H
#define FIRMTRACE_CSHIMS_H
#include <stddef.h>

/* glibc's memmem and memrchr are GNU extensions the Swift importer does not see without _GNU_SOURCE. */
const void *firmtrace_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
const void *firmtrace_memrchr(const void *bytes, int byte, size_t length);

/* Gives the pages of a byte range of a file back (a hole punched in it, the size kept); -1 where that
   cannot be done (not Linux, or a filesystem without holes). */
int firmtrace_release_file_range(int descriptor, long long offset, long long length);

/* Starts writing a byte range of a file to disk without waiting for it (sync_file_range), and drops a
   range's clean pages from the page cache (posix_fadvise DONTNEED; pages not yet on disk stay); -1 where
   that cannot be done. */
int firmtrace_start_writeback(int descriptor, long long offset, long long length);
int firmtrace_drop_cached(int descriptor, long long offset, long long length);

/* Whether bytes hold any byte outside ASCII. Copying bytes to `target` (room for `count + 16` needed) unless
   one makes a CSV field need quotes (',', '"', CR, LF), and whether they were copied. Sixteen bytes at a
   time where SSE2 is there. */
int firmtrace_contains_non_ascii(const void *bytes, size_t count);
int firmtrace_copy_unless_csv_special(void *target, const void *bytes, size_t count);

/* Writes bytes to `target` as the inside of a JSON string (controls, '"' and '\\' escaped; with
   `doubling_quotes`, each '"' written twice after its backslash, for JSON inside a quoted CSV field); how
   many bytes it wrote. `target` needs room for `6 * count + 16`. */
size_t firmtrace_escape_json(void *target, const void *bytes, size_t count, int doubling_quotes);

/* Cores online, at least 1. In C: once zlib's headers are imported, which include unistd.h again in
   their own module, Swift stops seeing glibc's _SC_ constants in files that do not import them too. */
int firmtrace_active_cores(void);

/* Turns off SQLite's count of the memory it holds, which takes a process-wide lock on every allocation (a
   fifth of inserting a row). A setting of the whole library: it takes only before SQLite is first used in
   the process, and is ignored after; whether it took. */
int firmtrace_sqlite_skip_memory_statistics(void);

#endif
