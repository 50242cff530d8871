// releaseFreedMemory(): malloc_trim(0), which gives back to the system every whole free page of glibc's
// heaps, also those below memory still in use. glibc by itself only ever shortens a heap at its top, so
// what a burst of work frees (parsing a script or a relay list) stays resident under one live block.
// Node has no such call. N-API keeps one build working on Node and on Electron's runtime; on a C
// library other than glibc it does nothing.
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static napi_value release_freed_memory(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "releaseFreedMemory", NAPI_AUTO_LENGTH, release_freed_memory, NULL, &fn) !=
      napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "releaseFreedMemory", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
