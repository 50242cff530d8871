// Diagnostics: the leak self-test as a list of checks, the helper's recent log filtered by level, and a
// problem report (redacted) copied to the clipboard.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ErrorBanner } from '../components/ErrorBanner';
import { ReadOnlyBanner, useControlRefusal } from '../components/ReadOnlyBanner';
import { ToolCard } from '../components/ToolCard';
import { ViewHeader } from '../components/ViewHeader';
import { formatLogLine, LOG_LEVELS, parseLogLine, type LogLevel } from '../model/log-lines';
import { leakCheckTitle } from '../model/leak-checks';
import { useApp } from '../store/store-context';

function LeakTestSection(): ReactNode {
  const leakTest = useApp((s) => s.leakTest);
  const run = useApp((s) => s.runLeakTest);
  // The test reads the live firewall and probes the network: the helper allows it to root and group "sluice".
  const refused = useControlRefusal() !== undefined;
  return (
    <section className="settings-group" aria-labelledby="leak-heading">
      <h2 id="leak-heading" className="section-title">
        Leak self-test
      </h2>
      <ToolCard
        label="Check for leaks"
        action={
          <button
            type="button"
            className="small-button"
            disabled={leakTest.kind === 'busy' || refused}
            onClick={run}
          >
            {leakTest.kind === 'busy' ? 'Testing…' : leakTest.kind === 'idle' ? 'Run test' : 'Run again'}
          </button>
        }
        description="Compares the live firewall with the policy, checks that DNS goes only to the chosen resolvers, and asks which address the world sees."
      >
        {leakTest.kind === 'failed' && (
          <p className="result result--failed" role="alert">
            The test could not run: {leakTest.message}
          </p>
        )}
        {leakTest.kind === 'done' && (
          <>
            <p className={`result ${leakTest.value.passed ? 'result--ok' : 'result--failed'}`}>
              {leakTest.value.passed ? 'Passed: no leaks found.' : 'Failed: see the checks below.'}
              {leakTest.value.observedAddress && ` The world sees ${leakTest.value.observedAddress}.`}
            </p>
            <ul className="check-list" aria-label="Leak checks">
              {leakTest.value.checks.map((check) => (
                <li key={check.name} className={`check check--${check.passed ? 'pass' : 'fail'}`}>
                  <span className="check-mark" aria-hidden="true">
                    {check.passed ? '✓' : '✗'}
                  </span>
                  <span className="check-text">
                    <span className="check-name">
                      {leakCheckTitle(check.name)}: {check.passed ? 'pass' : 'fail'}
                    </span>
                    <span className="check-detail">{check.detail}</span>
                  </span>
                </li>
              ))}
            </ul>
            {leakTest.value.ruleHits.length > 0 && (
              <details className="rule-hits">
                <summary>Firewall rule hits</summary>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Rule</th>
                      <th scope="col">Packets</th>
                    </tr>
                  </thead>
                  <tbody>
                    {leakTest.value.ruleHits.map((hit) => (
                      <tr key={hit.rule}>
                        <td className="mono">{hit.rule}</td>
                        <td className="number">{hit.packets.toLocaleString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </>
        )}
      </ToolCard>
    </section>
  );
}

function LogsSection(): ReactNode {
  const logs = useApp((s) => s.logs);
  const load = useApp((s) => s.loadLogs);
  const [level, setLevel] = useState<LogLevel>('info');
  useEffect(() => {
    if (logs.kind === 'idle') load();
  }, [logs.kind, load]);
  const shown = useMemo(() => {
    if (logs.kind !== 'done') return [];
    const floor = LOG_LEVELS.indexOf(level);
    return logs.value
      .filter((line) => LOG_LEVELS.indexOf(parseLogLine(line).level) >= floor)
      .map(formatLogLine);
  }, [logs, level]);
  return (
    <section className="settings-group" aria-labelledby="logs-heading">
      <h2 id="logs-heading" className="section-title">
        Helper log
      </h2>
      <div className="setting">
        <div className="setting-row">
          <label className="setting-label" htmlFor="log-level">
            Show
          </label>
          <div className="log-tools">
            <select
              id="log-level"
              className="select"
              value={level}
              onChange={(event) => {
                const picked = LOG_LEVELS.find((candidate) => candidate === event.target.value);
                if (picked) setLevel(picked);
              }}
            >
              {LOG_LEVELS.map((name) => (
                <option key={name} value={name}>
                  {name === 'debug' ? 'everything' : `${name} and above`}
                </option>
              ))}
            </select>
            <button type="button" className="small-button" disabled={logs.kind === 'busy'} onClick={load}>
              Refresh
            </button>
          </div>
        </div>
        {logs.kind === 'failed' && (
          <p className="result result--failed" role="alert">
            The log could not be read: {logs.message}
          </p>
        )}
        {logs.kind === 'done' && (
          <pre className="log-lines" tabIndex={0} aria-label={`Helper log, ${shown.length} lines`}>
            {shown.length === 0 ? 'No lines at this level.' : shown.join('\n')}
          </pre>
        )}
      </div>
    </section>
  );
}

function ReportSection(): ReactNode {
  const report = useApp((s) => s.problemReport);
  const copy = useApp((s) => s.copyProblemReport);
  return (
    <section className="settings-group" aria-labelledby="report-heading">
      <h2 id="report-heading" className="section-title">
        Problem report
      </h2>
      <ToolCard
        label="Report a problem"
        action={
          <button type="button" className="small-button" disabled={report.kind === 'busy'} onClick={copy}>
            Copy problem report
          </button>
        }
        description="Versions, platform, settings, the relay in use and the last log lines, with keys and addresses taken out. Paste it into your bug report."
      >
        {report.kind === 'done' && (
          <>
            <p className="result result--ok">Copied to the clipboard.</p>
            <details className="report-preview">
              <summary>What was copied</summary>
              <pre className="log-lines">{report.value}</pre>
            </details>
          </>
        )}
        {report.kind === 'failed' && (
          <p className="result result--failed" role="alert">
            The report could not be made: {report.message}
          </p>
        )}
      </ToolCard>
    </section>
  );
}

export function DiagnosticsView(): ReactNode {
  const closeView = useApp((s) => s.closeView);
  return (
    <main className="view view--diagnostics" aria-labelledby="diagnostics-title">
      <ViewHeader title="Diagnostics" titleId="diagnostics-title" onBack={closeView} />
      <ErrorBanner />
      <div className="view-body settings-body">
        <ReadOnlyBanner />
        <LeakTestSection />
        <LogsSection />
        <ReportSection />
      </div>
    </main>
  );
}
