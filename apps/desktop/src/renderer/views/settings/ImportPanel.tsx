// Import: a button that opens the file dialog (in the trusted side) and what the last import did, its
// warnings, or the helper's error naming the file and line.
import type { ReactNode } from 'react';
import { useControlRefusal } from '../../components/ReadOnlyBanner';
import { ToolCard } from '../../components/ToolCard';
import { useApp } from '../../store/store-context';

export function ImportPanel(): ReactNode {
  const status = useApp((s) => s.importStatus);
  const importFiles = useApp((s) => s.importFiles);
  const refused = useControlRefusal() !== undefined;
  const relayCount = useApp((s) =>
    s.relayList?.countries.reduce(
      (sum, country) => sum + country.cities.reduce((n, city) => n + city.relays.length, 0),
      0,
    ),
  );
  return (
    <ToolCard
      label="Import relays"
      action={
        <button
          type="button"
          className="small-button"
          disabled={status.kind === 'busy' || refused}
          onClick={importFiles}
        >
          {status.kind === 'busy' ? 'Importing…' : 'Choose files…'}
        </button>
      }
      description={`WireGuard configurations (.conf) from any provider, or a relay list (.json). Several at once; nothing changes unless every file is valid.${relayCount === undefined ? '' : ` ${relayCount} relay${relayCount === 1 ? '' : 's'} known now.`}`}
    >
      {status.kind === 'done' && (
        <div className="result result--ok">
          <p>
            Imported {status.summary.relaysImported} relay{status.summary.relaysImported === 1 ? '' : 's'}
            {status.summary.identityImported ? ' and the identity' : ''} from{' '}
            {status.summary.files.join(', ')}.
          </p>
          {status.summary.warnings.length > 0 && (
            <ul className="plain-list warnings" aria-label="Import warnings">
              {status.summary.warnings.map((warning) => (
                <li key={warning} className="warning-line">
                  {warning}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {status.kind === 'failed' && (
        <p className="result result--failed" role="alert">
          Nothing was imported: {status.message}
        </p>
      )}
    </ToolCard>
  );
}
