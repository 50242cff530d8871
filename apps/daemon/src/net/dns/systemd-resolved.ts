// DNS through systemd-resolved: the tunnel link gets our servers and the "~." routing domain, so every
// query goes to it; the settings vanish with the link, and `revert` removes them explicitly.
import type { Runner } from '../exec.js';
import type { DnsBackend } from './backend.js';

export class SystemdResolvedDns implements DnsBackend {
  readonly name = 'systemd-resolved';
  private link: string | undefined;

  constructor(private readonly runner: Runner) {}

  async apply(interfaceName: string, servers: readonly string[]): Promise<void> {
    this.link = interfaceName;
    await this.runner.run(['resolvectl', 'dns', interfaceName, ...servers]);
    await this.runner.run(['resolvectl', 'domain', interfaceName, '~.']);
    await this.runner.run(['resolvectl', 'default-route', interfaceName, 'true']);
  }

  async revert(): Promise<void> {
    if (!this.link) return;
    // The link may already be gone with the tunnel: resolved then forgets it by itself.
    await this.runner.run(['resolvectl', 'revert', this.link], { okCodes: [1] });
    this.link = undefined;
  }

  async recover(): Promise<void> {
    // Per-link settings die with the link; nothing outlives a crashed helper.
  }
}
