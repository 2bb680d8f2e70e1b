#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for harnesses whose executable has its own entry point (SwiftPM links every
/// executable's `main` to `<module>_main`), so libFuzzer's `main` is never linked in.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
