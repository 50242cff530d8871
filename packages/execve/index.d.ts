/**
 * Replace this process with `path`, run with `argv` (argv[0] included) and the environment exactly as
 * it is (`environ`). Node ignores SIGPIPE and SIGXFSZ; both go back to their defaults, the signal mask
 * is cleared and standard input, output and error are made blocking again, so the program starts as a
 * shell would start it. Returns only when exec fails: it throws an Error whose `code` is the errno name
 * (ENOENT, EACCES, ENOEXEC, ...).
 */
export function execProgram(path: string, argv: readonly string[]): never;
