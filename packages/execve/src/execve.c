// execProgram(path, argv): execv(2) from Node, for sluice-exclude. The helper moves this very process
// (its pid, from the kernel's peer credentials) out of the tunnel; exec then runs the program in it:
// same pid, same cgroup, every socket excluded from its first packet, environment untouched (no setuid
// step that would drop LD_PRELOAD). Node has no exec; this is the one call it needs.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>

extern char **environ;

static char *string_of(napi_env env, napi_value value) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *text = malloc(length + 1);
  if (!text) return NULL;
  if (napi_get_value_string_utf8(env, value, text, length + 1, &length) != napi_ok) {
    free(text);
    return NULL;
  }
  // A NUL inside the string would silently cut an argument short.
  if (strlen(text) != length) {
    free(text);
    return NULL;
  }
  return text;
}

static const char *errno_name(int err) {
  switch (err) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case E2BIG: return "E2BIG";
    case ENOMEM: return "ENOMEM";
    case ETXTBSY: return "ETXTBSY";
    case EPERM: return "EPERM";
    default: return "EEXEC";
  }
}

/** Undo what Node set up that a program would inherit: ignored signals, a mask, stdio non-blocking or close-on-exec. */
static void reset_process_state(void) {
  signal(SIGPIPE, SIG_DFL);
  signal(SIGXFSZ, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFL);
    if (flags != -1 && (flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    // Node's runtime marks its standard streams close-on-exec; the program must keep them.
    int fd_flags = fcntl(fd, F_GETFD);
    if (fd_flags != -1 && (fd_flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, fd_flags & ~FD_CLOEXEC);
  }
}

static napi_value exec_program(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok) return NULL;
  bool is_array = false;
  if (argc < 2 || napi_is_array(env, args[1], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, "EINVAL", "execProgram(path, argv) needs a path and an array of arguments");
    return NULL;
  }
  uint32_t count = 0;
  if (napi_get_array_length(env, args[1], &count) != napi_ok || count == 0 || count > 100000) {
    napi_throw_type_error(env, "EINVAL", "execProgram: argv must hold argv[0] and at most 100000 arguments");
    return NULL;
  }
  char *path = string_of(env, args[0]);
  char **argv = calloc((size_t)count + 1, sizeof *argv);
  int ok = path != NULL && argv != NULL;
  for (uint32_t i = 0; ok && i < count; i++) {
    napi_value element;
    ok = napi_get_element(env, args[1], i, &element) == napi_ok && (argv[i] = string_of(env, element)) != NULL;
  }
  if (!ok) {
    free(path);
    if (argv)
      for (uint32_t i = 0; i < count; i++) free(argv[i]);
    free(argv);
    napi_throw_type_error(env, "EINVAL", "execProgram: every argument must be a string without NUL bytes");
    return NULL;
  }
  reset_process_state();
  execv(path, argv);
  int err = errno;
  free(path);
  for (uint32_t i = 0; i < count; i++) free(argv[i]);
  free(argv);
  napi_throw_error(env, errno_name(err), strerror(err));
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "execProgram", NAPI_AUTO_LENGTH, exec_program, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "execProgram", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
