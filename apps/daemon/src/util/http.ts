// Reading an HTTP answer without trusting its size: the body is read as it streams and reading stops
// at a limit, so a 200 MB answer costs the helper at most the limit (not all of it first).

/** The body as text, at most `maxBytes`; `complete` false when there was more (then not all read). */
export async function readBodyLimited(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; complete: boolean }> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const chunk: { done: boolean; value?: unknown } = await reader.read();
    if (chunk.done || !(chunk.value instanceof Uint8Array)) break;
    chunks.push(chunk.value);
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), complete: false };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
}
