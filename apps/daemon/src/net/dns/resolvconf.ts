// DNS through resolvconf (Debian's or openresolv): register our servers under the tunnel's name.
import type { Runner } from '../exec.js';
import type { DnsBackend } from './backend.js';
import { resolvConfText } from './static-file.js';

export class ResolvconfDns implements DnsBackend {
  readonly name = 'resolvconf';
  private record: string | undefined;

  constructor(
    private readonly runner: Runner,
    private readonly interfaceName: string,
  ) {}

  private recordFor(interfaceName: string): string {
    // Same naming as wg-quick, so resolvconf's interface-order puts it first.
    return `tun.${interfaceName}`;
  }

  async apply(interfaceName: string, servers: readonly string[]): Promise<void> {
    this.record = this.recordFor(interfaceName);
    await this.runner.run(['resolvconf', '-a', this.record, '-m', '0', '-x'], {
      input: resolvConfText(servers),
    });
  }

  async revert(): Promise<void> {
    if (!this.record) return;
    await this.runner.run(['resolvconf', '-d', this.record, '-f']);
    this.record = undefined;
  }

  async recover(): Promise<void> {
    await this.runner.run(['resolvconf', '-d', this.recordFor(this.interfaceName), '-f'], { okCodes: [1] });
  }
}
