// ferry_native: the inner loops of a conversion, in C, behind Node-API.
//
// zlib streams (RFC 1950) for VMDK grains through libdeflate, a whole-buffer DEFLATE that needs
// about half of zlib's CPU per byte at the same level and ratio (grains are whole buffers of at
// most 64 KiB, the case libdeflate is made for):
//   compress(level, input, output, offset)  -> bytes written at output[offset..], or -1 (no room)
//   decompress(input, output, offset, max)  -> bytes inflated at output[offset..], or -1 when the
//                                              stream is damaged or holds more than max bytes
// XXH3-64 from xxHash's own header, for the verification's digest; it hashes the caller's memory
// in place, where a WebAssembly hash copies it in first:
//   xxh3Create() -> state; xxh3Update(state, input); xxh3Digest(state) -> bigint
// A read that takes only what the page cache holds (Linux's preadv2 with RWF_NOWAIT), so that a
// cached read needs no trip through libuv's threads:
//   readCached(fd, buffer, offset, length, position) -> bytes read, or -1 where it cannot tell
// Where a buffer's memory starts within its page, so that reads can be given page-aligned memory
// (docs/architecture.md, "Where read buffers start"):
//   pageOffset(buffer) -> the buffer's address modulo 4096
//
// Node-API only, so one build serves Node and Electron alike; where this is not built the engine
// uses node:zlib and XXH64 in WebAssembly. Each thread that loads the module has its own
// Node-API environment, and so its own compressors (one per level) and decompressor, kept as the
// environment's instance data.
#ifdef __linux__
#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#endif
#include <libdeflate.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#ifdef FERRY_XXH3_AVX2
// worker/native/xxh3_avx2.c, built with -mavx2.
void ferry_xxh3_update_avx2(XXH3_state_t *state, const void *input, size_t length);
#endif

static void xxh3_update_sse2(XXH3_state_t *state, const void *input, size_t length) { XXH3_64bits_update(state, input, length); }

// XXH3's update as this CPU runs it fastest; chosen once, when the module loads.
static void (*xxh3_update_best)(XXH3_state_t *, const void *, size_t) = xxh3_update_sse2;
static const char *xxh3_build = "";

static void choose_xxh3(void) {
#ifdef FERRY_XXH3_AVX2
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    xxh3_update_best = ferry_xxh3_update_avx2;
    xxh3_build = " AVX2";
  }
#endif
}

#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)

#define MAX_LEVEL 12

typedef struct {
  struct libdeflate_compressor *compressors[MAX_LEVEL + 1];
  struct libdeflate_decompressor *decompressor;
} coders;

static void free_coders(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  coders *c = data;
  for (int i = 0; i <= MAX_LEVEL; i++) libdeflate_free_compressor(c->compressors[i]);
  libdeflate_free_decompressor(c->decompressor);
  free(c);
}

static coders *coders_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

static int buffer_arg(napi_env env, napi_value value, void **data, size_t *length) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) return 0;
  return napi_get_buffer_info(env, value, data, length) == napi_ok;
}

static napi_value number(napi_env env, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  return v;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value compress(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t level = 0;
  int64_t offset = 0;
  void *in, *out;
  size_t in_len, out_len;
  if (argc != 4 || napi_get_value_int32(env, argv[0], &level) != napi_ok || level < 0 || level > MAX_LEVEL ||
      !buffer_arg(env, argv[1], &in, &in_len) || !buffer_arg(env, argv[2], &out, &out_len) ||
      napi_get_value_int64(env, argv[3], &offset) != napi_ok || offset < 0 || (size_t)offset > out_len)
    return fail(env, "compress(level 0-12, input buffer, output buffer, offset within output)");
  coders *c = coders_of(env);
  if (!c->compressors[level]) c->compressors[level] = libdeflate_alloc_compressor(level);
  if (!c->compressors[level]) return fail(env, "libdeflate could not allocate a compressor");
  size_t n = libdeflate_zlib_compress(c->compressors[level], in, in_len, (char *)out + offset, out_len - (size_t)offset);
  return number(env, n == 0 ? -1 : (double)n);
}

static napi_value decompress(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t offset = 0, max = 0;
  void *in, *out;
  size_t in_len, out_len;
  if (argc != 4 || !buffer_arg(env, argv[0], &in, &in_len) || !buffer_arg(env, argv[1], &out, &out_len) ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || offset < 0 || (size_t)offset > out_len ||
      napi_get_value_int64(env, argv[3], &max) != napi_ok || max < 0)
    return fail(env, "decompress(input buffer, output buffer, offset within output, max bytes)");
  coders *c = coders_of(env);
  if (!c->decompressor) c->decompressor = libdeflate_alloc_decompressor();
  if (!c->decompressor) return fail(env, "libdeflate could not allocate a decompressor");
  size_t room = out_len - (size_t)offset;
  // One byte more than allowed: a stream that fills it holds too many.
  if ((size_t)max < room) room = (size_t)max + 1;
  size_t in_used = 0, got = 0;
  enum libdeflate_result r = libdeflate_zlib_decompress_ex(c->decompressor, in, in_len, (char *)out + offset, room, &in_used, &got);
  return number(env, r == LIBDEFLATE_SUCCESS && got <= (size_t)max ? (double)got : -1);
}

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  XXH3_freeState(data);
}

static XXH3_state_t *state_arg(napi_env env, napi_value value) {
  napi_valuetype type;
  void *data = NULL;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return NULL;
  napi_get_value_external(env, value, &data);
  return data;
}

static napi_value xxh3_create(napi_env env, napi_callback_info info) {
  (void)info;
  XXH3_state_t *state = XXH3_createState();
  if (!state || XXH3_64bits_reset(state) != XXH_OK) {
    XXH3_freeState(state);
    return fail(env, "xxh3Create: out of memory");
  }
  napi_value external;
  if (napi_create_external(env, state, free_state, NULL, &external) != napi_ok) {
    XXH3_freeState(state);
    return fail(env, "xxh3Create: out of memory");
  }
  return external;
}

static napi_value xxh3_update(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  XXH3_state_t *state = argc == 2 ? state_arg(env, argv[0]) : NULL;
  void *in;
  size_t in_len;
  if (!state || !buffer_arg(env, argv[1], &in, &in_len)) return fail(env, "xxh3Update(state from xxh3Create, input buffer)");
  xxh3_update_best(state, in, in_len);
  return NULL;
}

static napi_value xxh3_digest(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  XXH3_state_t *state = argc == 1 ? state_arg(env, argv[0]) : NULL;
  if (!state) return fail(env, "xxh3Digest(state from xxh3Create)");
  napi_value digest;
  napi_create_bigint_uint64(env, XXH3_64bits_digest(state), &digest);
  return digest;
}

// readCached: bytes read from the page cache (fewer than length where the rest is not cached or
// the file ends, 0 when none is), or -1 where this system cannot tell (not Linux, or a kernel or
// file system without RWF_NOWAIT for buffered reads). Errors other than those are left to the
// ordinary read that follows, which reports them.
static napi_value read_cached(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  int64_t offset = 0, length = 0, position = 0;
  void *buf;
  size_t buf_len;
  if (argc != 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || !buffer_arg(env, argv[1], &buf, &buf_len) ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || napi_get_value_int64(env, argv[3], &length) != napi_ok ||
      napi_get_value_int64(env, argv[4], &position) != napi_ok || offset < 0 || length < 0 || position < 0 ||
      (uint64_t)offset + (uint64_t)length > buf_len)
    return fail(env, "readCached(fd, buffer, offset, length, position within the file)");
#if defined(__linux__) && defined(RWF_NOWAIT)
  size_t got = 0;
  while (got < (size_t)length) {
    struct iovec iov = {(char *)buf + offset + got, (size_t)length - got};
    ssize_t n = preadv2(fd, &iov, 1, (off_t)(position + (int64_t)got), RWF_NOWAIT);
    if (n > 0) {
      got += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // This kernel or file system cannot read without waiting.
    if (n < 0 && got == 0 && (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL)) return number(env, -1);
    break;
  }
  return number(env, (double)got);
#else
  (void)fd;
  (void)buf;
  return number(env, -1);
#endif
}

static napi_value page_offset(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *buf;
  size_t buf_len;
  if (argc != 1 || !buffer_arg(env, argv[0], &buf, &buf_len)) return fail(env, "pageOffset(buffer)");
  return number(env, (double)((uintptr_t)buf & 4095));
}

NAPI_MODULE_INIT() {
  choose_xxh3();
  coders *c = calloc(1, sizeof(coders));
  if (!c || napi_set_instance_data(env, c, free_coders, NULL) != napi_ok) {
    free(c);
    napi_throw_error(env, NULL, "ferry_native: out of memory");
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"compress", NULL, compress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"decompress", NULL, decompress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"xxh3Create", NULL, xxh3_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"xxh3Update", NULL, xxh3_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"xxh3Digest", NULL, xxh3_digest, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readCached", NULL, read_cached, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pageOffset", NULL, page_offset, NULL, NULL, NULL, napi_enumerable, NULL},
      {"version", NULL, NULL, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value version;
  char text[96];
  snprintf(text, sizeof text, "libdeflate %s, xxHash %s%s", LIBDEFLATE_VERSION_STRING, TEXT(XXH_VERSION_MAJOR) "." TEXT(XXH_VERSION_MINOR) "." TEXT(XXH_VERSION_RELEASE), xxh3_build);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &version);
  props[7].value = version;
  napi_define_properties(env, exports, 8, props);
  return exports;
}
