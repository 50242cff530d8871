// Two ways the helper gives memory it no longer uses back to the system, for a process that starts once
// and then idles for days. N-API keeps one build working on Node and on Electron's runtime.
//
// releaseFreedMemory(): malloc_trim(0), which gives back every whole free page of glibc's heaps, also
// those below memory still in use. glibc by itself only ever shortens a heap at its top, so what a burst
// of work frees (parsing a script or a relay list) stays resident under one live block. Node has no such
// call. On a C library other than glibc it does nothing.
//
// releaseStartupCodePages(): unmaps, from this process only, the pages of its own executable that were
// read once and are still the file's own (never written): the dynamic symbol tables the loader walks at
// start, start-up code, ICU and V8 data touched on the way. They stay in the page cache, so a page the
// process needs again comes back at once, from memory; the rest stop counting as resident, and the
// kernel no longer keeps them as the mapped code of a running program. Pages the process wrote (relocated
// data: those are its own copies) are left alone, and so are every other file and all writable mappings.
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
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

#define MAX_RANGES 64
#define PAGEMAP_BATCH 512
// /proc/<pid>/pagemap: bit 63 the page is present, bit 61 it is a page of the file (not an anonymous copy).
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_FILE (UINT64_C(1) << 61)

struct range {
  uintptr_t start, end;
};

// The executable's mappings that nothing can write: no 'w', private. The executable is never unmapped,
// so these ranges stay what they are while we work on them, whatever other threads map meanwhile.
static int executable_ranges(struct range *ranges) {
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return 0;
  exe[len] = '\0';
  FILE *maps = fopen("/proc/self/maps", "re");
  if (maps == NULL) return 0;
  int count = 0;
  char line[PATH_MAX + 128];
  while (count < MAX_RANGES && fgets(line, sizeof line, maps) != NULL) {
    if (line[strcspn(line, "\n")] != '\n') {
      // Longer than any path: not the executable's line. Its rest must not be read as a line of its own.
      int c;
      while ((c = fgetc(maps)) != EOF && c != '\n') {
      }
      continue;
    }
    unsigned long start, end;
    char perms[5];
    int path_at = 0;
    if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %*u %n", &start, &end, perms, &path_at) < 3 || path_at == 0)
      continue;
    char *path = line + path_at;
    path[strcspn(path, "\n")] = '\0';
    if (perms[1] == 'w' || perms[3] != 'p' || strcmp(path, exe) != 0) continue;
    ranges[count].start = start;
    ranges[count].end = end;
    count++;
  }
  fclose(maps);
  return count;
}

// Unmaps the runs of present, unwritten file pages in [start, end); returns the bytes unmapped.
static double release_range(int pagemap, uintptr_t start, uintptr_t end, uintptr_t page) {
  uint64_t entries[PAGEMAP_BATCH];
  double released = 0;
  uintptr_t run = 0;  // start of the current run of pages to unmap, 0 when none
  uintptr_t addr = start;
  while (addr < end) {
    size_t want = (end - addr) / page;
    if (want > PAGEMAP_BATCH) want = PAGEMAP_BATCH;
    ssize_t got = pread(pagemap, entries, want * sizeof entries[0], (off_t)(addr / page * sizeof entries[0]));
    if (got < (ssize_t)sizeof entries[0]) break;
    size_t n = (size_t)got / sizeof entries[0];
    for (size_t i = 0; i < n; i++, addr += page) {
      int releasable = (entries[i] & PM_PRESENT) && (entries[i] & PM_FILE);
      if (releasable && run == 0) run = addr;
      if (!releasable && run != 0) {
        if (madvise((void *)run, addr - run, MADV_DONTNEED) == 0) released += (double)(addr - run);
        run = 0;
      }
    }
  }
  if (run != 0 && madvise((void *)run, addr - run, MADV_DONTNEED) == 0) released += (double)(addr - run);
  return released;
}

static napi_value release_startup_code_pages(napi_env env, napi_callback_info info) {
  (void)info;
  double released = 0;
#ifdef __linux__
  struct range ranges[MAX_RANGES];
  int count = executable_ranges(ranges);
  int pagemap = count > 0 ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
  if (pagemap >= 0) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < count; i++) released += release_range(pagemap, ranges[i].start, ranges[i].end, page);
    close(pagemap);
  }
#endif
  napi_value result;
  if (napi_create_double(env, released, &result) != napi_ok) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "releaseFreedMemory", NAPI_AUTO_LENGTH, release_freed_memory, NULL, &fn) !=
      napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "releaseFreedMemory", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "releaseStartupCodePages", NAPI_AUTO_LENGTH, release_startup_code_pages, NULL,
                           &fn) != napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "releaseStartupCodePages", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
