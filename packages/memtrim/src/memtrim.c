// Two ways the helper gives memory it no longer uses back to the system, for a process that starts once
// and then idles for days. N-API keeps one build working on Node and on Electron's runtime.
//
// releaseFreedMemory(): malloc_trim(0), which gives back every whole free page of glibc's heaps, also
// those below memory still in use. glibc by itself only ever shortens a heap at its top, so what a burst
// of work frees (parsing a script or a relay list) stays resident under one live block. Node has no such
// call. On a C library other than glibc it does nothing.
//
// releaseStartupCodePages(): unmaps, from this process only, the pages of its program that start-up
// read once and that are still the file's own (never written): the dynamic symbol tables the loader
// walks, start-up code, ICU and V8 data. They stay in the page cache, so a page needed again comes back
// at once, from memory; the kernel no longer counts them as resident, nor keeps them as a running
// program's code (under memory pressure they now go first).
// - Where: whole pages of the program's own read-only PT_LOAD segments, mapped for the life of the
//   process. Not the /proc/self/maps lines naming the executable: V8 maps the binary's builtins again in
//   each isolate's code range and unmaps them when a worker ends, so such a range can hold other memory
//   by the time the madvise lands.
// - Which: only pages pagemap shows as the file's. The loader's relocated copies are anonymous, and stay.
//   An outside writer (a debugger's breakpoint, a uprobe) copying a page between our pagemap read and
//   the madvise would lose that copy: its breakpoint, never our data.
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// A failed N-API call throws in JavaScript (unless it already did), rather than returning undefined.
static napi_value failed(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && !pending)
    napi_throw_error(env, NULL, "memtrim: a Node-API call failed");
  return NULL;
}

static napi_value release_freed_memory(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  if (napi_get_boolean(env, released != 0, &result) != napi_ok) return failed(env);
  return result;
}

#define MAX_RANGES 16
#define PAGEMAP_BATCH 512
// /proc/<pid>/pagemap: bit 63 the page is present, bit 61 it is a page of the file (not an anonymous copy).
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_FILE (UINT64_C(1) << 61)

struct range {
  uintptr_t start, end;
};

struct ranges {
  struct range items[MAX_RANGES];
  int count;
  uintptr_t page;
};

// dl_iterate_phdr calls back for the program first, then its libraries: the program's read-only
// PT_LOAD segments, shrunk to the whole pages inside them (a page shared with a writable segment is not
// ours to drop), and then stop.
static int program_segments(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct ranges *out = data;
  // The program has no name here; should a library ever come first, it is not ours to work on.
  if (info->dlpi_name != NULL && info->dlpi_name[0] != '\0') return 1;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && out->count < MAX_RANGES; i++) {
    const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
    if (segment->p_type != PT_LOAD || (segment->p_flags & PF_W) != 0) continue;
    uintptr_t start = (uintptr_t)info->dlpi_addr + segment->p_vaddr;
    uintptr_t end = start + segment->p_filesz;  // what is mapped from the file; any rest is zero-fill
    start = (start + out->page - 1) / out->page * out->page;
    end = end / out->page * out->page;
    if (end > start) out->items[out->count++] = (struct range){start, end};
  }
  return 1;
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

static void startup_code_ranges(struct ranges *out) {
  out->count = 0;
  out->page = (uintptr_t)sysconf(_SC_PAGESIZE);
  dl_iterate_phdr(program_segments, out);
}

static napi_value release_startup_code_pages(napi_env env, napi_callback_info info) {
  (void)info;
  double released = 0;
  struct ranges ranges;
  startup_code_ranges(&ranges);
  int pagemap = ranges.count > 0 ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
  if (pagemap >= 0) {
    for (int i = 0; i < ranges.count; i++)
      released += release_range(pagemap, ranges.items[i].start, ranges.items[i].end, ranges.page);
    close(pagemap);
  }
  napi_value result;
  if (napi_create_double(env, released, &result) != napi_ok) return failed(env);
  return result;
}

// startupCodeRanges(): the [start, end) addresses releaseStartupCodePages works in, for its test.
static napi_value startup_code_ranges_js(napi_env env, napi_callback_info info) {
  (void)info;
  struct ranges ranges;
  startup_code_ranges(&ranges);
  napi_value list;
  if (napi_create_array_with_length(env, (size_t)ranges.count, &list) != napi_ok) return failed(env);
  for (int i = 0; i < ranges.count; i++) {
    napi_value pair, start, end;
    if (napi_create_array_with_length(env, 2, &pair) != napi_ok ||
        napi_create_double(env, (double)ranges.items[i].start, &start) != napi_ok ||
        napi_create_double(env, (double)ranges.items[i].end, &end) != napi_ok ||
        napi_set_element(env, pair, 0, start) != napi_ok || napi_set_element(env, pair, 1, end) != napi_ok ||
        napi_set_element(env, list, (uint32_t)i, pair) != napi_ok)
      return failed(env);
  }
  return list;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "releaseFreedMemory", NAPI_AUTO_LENGTH, release_freed_memory, NULL, &fn) !=
      napi_ok)
    return failed(env);
  if (napi_set_named_property(env, exports, "releaseFreedMemory", fn) != napi_ok) return failed(env);
  if (napi_create_function(env, "releaseStartupCodePages", NAPI_AUTO_LENGTH, release_startup_code_pages, NULL,
                           &fn) != napi_ok)
    return failed(env);
  if (napi_set_named_property(env, exports, "releaseStartupCodePages", fn) != napi_ok) return failed(env);
  if (napi_create_function(env, "startupCodeRanges", NAPI_AUTO_LENGTH, startup_code_ranges_js, NULL, &fn) !=
      napi_ok)
    return failed(env);
  if (napi_set_named_property(env, exports, "startupCodeRanges", fn) != napi_ok) return failed(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
