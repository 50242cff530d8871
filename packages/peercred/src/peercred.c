// getPeerCredentials(fd): the uid, gid and pid the kernel recorded for the process on the other end of
// a connected Unix socket when it connected (SO_PEERCRED). Node has no getsockopt; this is the one
// call it needs. N-API keeps one build working on Node and on Electron's runtime.
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int err) {
  char message[128];
  // strerror_r (GNU) returns the message it used.
  const char *text = strerror_r(err, message, sizeof message);
  napi_throw_error(env, err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : "EPEERCRED", text);
  return NULL;
}

static napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value number;
  if (napi_create_double(env, value, &number) != napi_ok) return NULL;
  if (napi_set_named_property(env, object, name, number) != napi_ok) return NULL;
  return object;
}

static napi_value get_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "EINVAL", "getPeerCredentials(fd) needs a file descriptor (an integer >= 0)");
    return NULL;
  }
  struct ucred cred;
  socklen_t length = sizeof cred;
  memset(&cred, 0, sizeof cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return throw_errno(env, errno);
  if (length != sizeof cred) return throw_errno(env, EPROTO);
  napi_value result;
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (!set_number(env, result, "pid", cred.pid)) return NULL;
  if (!set_number(env, result, "uid", cred.uid)) return NULL;
  if (!set_number(env, result, "gid", cred.gid)) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "getPeerCredentials", NAPI_AUTO_LENGTH, get_peer_credentials, NULL, &fn) != napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "getPeerCredentials", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
