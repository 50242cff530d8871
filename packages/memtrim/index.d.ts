/**
 * Give every whole free page of malloc's heaps back to the system (glibc's malloc_trim(0)); true when
 * some memory was released. Does nothing, and returns false, on a C library other than glibc.
 */
export function releaseFreedMemory(): boolean;

/**
 * Unmap, from this process only, the pages of its program's read-only load segments that are resident
 * and still the file's own (never written): what start-up touched once. They stay in the page cache, so
 * a page needed again comes back without a read. Returns the bytes unmapped; 0 without Linux's pagemap.
 */
export function releaseStartupCodePages(): number;

/** The [start, end) address ranges releaseStartupCodePages works in (its test checks them). */
export function startupCodeRanges(): Array<[number, number]>;
