#ifndef FIRMTRACE_CCOMPRESSION_SHIM_H
#define FIRMTRACE_CCOMPRESSION_SHIM_H
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>
#endif
