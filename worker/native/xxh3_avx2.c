// XXH3's update compiled for AVX2 (scripts/build-native.mjs builds this file alone with -mavx2, on
// x86-64 only); ferry_native.c calls it where the CPU has AVX2 and its own SSE2 build elsewhere.
// The vector width changes how fast XXH3 runs, never what it computes, and both files include
// xxHash the same way, so the state is the same type in both. Here it hashes ~3× faster than
// SSE2 (512 MiB: 18 against 56 ms).
#define XXH_INLINE_ALL
#include <stddef.h>
#include <xxhash.h>

#ifndef __AVX2__
#error "build this file with -mavx2"
#endif

__attribute__((visibility("hidden"))) void ferry_xxh3_update_avx2(XXH3_state_t *state, const void *input, size_t length) {
  XXH3_64bits_update(state, input, length);
}
