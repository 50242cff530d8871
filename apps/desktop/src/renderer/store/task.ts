// A request whose answer a view shows in place: not yet asked, on its way, answered, or failed (in words).
export type Task<T> =
  { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; value: T } | { kind: 'failed'; message: string };
