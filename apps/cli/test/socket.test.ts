// What the CLI decides before it loads gRPC: where the helper is, and that it is certainly not there.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SOCKET_PATH as API_DEFAULT_SOCKET_PATH } from '@sluice/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET_PATH, socketIsMissing } from '../src/socket.js';

describe('the socket, without gRPC', () => {
  it('defaults to the path the API client uses', () => {
    expect(DEFAULT_SOCKET_PATH).toBe(API_DEFAULT_SOCKET_PATH);
  });

  it('is missing only when nothing is at the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-socket-'));
    try {
      expect(socketIsMissing(join(dir, 'none.sock'))).toBe(true);
      expect(socketIsMissing(join(dir, 'no-dir', 'none.sock'))).toBe(true);
      // Something is there: gRPC is to say whether a helper answers.
      await writeFile(join(dir, 'file'), '');
      expect(socketIsMissing(join(dir, 'file'))).toBe(false);
      expect(socketIsMissing(join(dir, 'file', 'below-a-file.sock'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
