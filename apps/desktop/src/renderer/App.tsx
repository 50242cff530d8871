// Which view the window shows: the helper's reachability comes first, then the view the user opened.
import type { ReactNode } from 'react';
import { useApp } from './store/store-context';
import { DiagnosticsView } from './views/DiagnosticsView';
import { HelperProblemView } from './views/HelperProblemView';
import { SelectLocationView } from './views/location/SelectLocationView';
import { MainView } from './views/MainView';
import { SettingsView } from './views/SettingsView';
import { SplitTunnelView } from './views/SplitTunnelView';
import { StartingView } from './views/StartingView';

export function App(): ReactNode {
  const helper = useApp((s) => s.helper);
  const view = useApp((s) => s.view);
  if (helper.kind === 'unreachable' || helper.kind === 'untrusted')
    return <HelperProblemView problem={helper} />;
  if (helper.kind === 'connecting') return <StartingView />;
  switch (view) {
    case 'location':
      return <SelectLocationView />;
    case 'settings':
      return <SettingsView />;
    case 'split-tunnel':
      return <SplitTunnelView />;
    case 'diagnostics':
      return <DiagnosticsView />;
    case 'main':
      return <MainView />;
  }
}
