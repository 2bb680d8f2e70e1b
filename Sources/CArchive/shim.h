#ifndef FIRMTRACE_CARCHIVE_SHIM_H
#define FIRMTRACE_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
