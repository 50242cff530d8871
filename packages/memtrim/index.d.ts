/**
 * Give every whole free page of malloc's heaps back to the system (glibc's malloc_trim(0)); true when
 * some memory was released. Does nothing, and returns false, on a C library other than glibc.
 */
export function releaseFreedMemory(): boolean;
