// Shown when the app cannot (or will not) talk to the helper: what is wrong and what to do. The store
// keeps listening, so this view goes away by itself when the helper is back.
import type { ReactNode } from 'react';
import type { HelperStatus } from '../../shared/ipc';
import { useFocusOnMount } from '../components/hooks';

type HelperProblem = Extract<HelperStatus, { kind: 'unreachable' | 'untrusted' }>;

export function HelperProblemView({ problem }: { problem: HelperProblem }): ReactNode {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const untrusted = problem.kind === 'untrusted';
  return (
    <main className="view view--problem" aria-labelledby="problem-title">
      <div className="view-body problem-body">
        <h1 id="problem-title" ref={heading} tabIndex={-1} className="problem-title">
          {untrusted ? 'The helper socket is not trusted' : 'The Sluice helper is not running'}
        </h1>
        {untrusted ? <UntrustedText problem={problem} /> : <UnreachableText problem={problem} />}
        <p className="problem-detail">
          Details: <span className="problem-message">{problem.message}</span>
        </p>
        <p role="status" aria-live="polite" className="problem-waiting">
          <span className="spinner" aria-hidden="true" />
          Waiting for the helper. Sluice reconnects by itself.
        </p>
      </div>
    </main>
  );
}

function UnreachableText({ problem }: { problem: HelperProblem }): ReactNode {
  return (
    <>
      <p>
        Sluice needs its system service, <code>sluiced</code>, to manage the tunnel, but nothing answers at{' '}
        <code>{problem.socketPath}</code>.
      </p>
      <p>Start it with:</p>
      <pre className="command">sudo systemctl start sluiced</pre>
      <p>If it stops again, its log says why:</p>
      <pre className="command">journalctl -u sluiced</pre>
    </>
  );
}

function UntrustedText({ problem }: { problem: HelperProblem }): ReactNode {
  return (
    <>
      <p>
        The socket at <code>{problem.socketPath}</code> is not owned by root, so it may not be the real
        helper. Sluice refuses to talk to it.
      </p>
      <p>See who owns it:</p>
      <pre className="command">ls -l {problem.socketPath}</pre>
      <p>Stop whatever created it, then restart the real helper:</p>
      <pre className="command">sudo systemctl restart sluiced</pre>
    </>
  );
}
