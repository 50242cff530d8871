// Which view is open and other things only the window cares about.
import type { LocationConstraint } from '@sluice/api/domain';
import type { SliceContext } from './slice';

export type ViewName = 'main' | 'location' | 'settings' | 'split-tunnel' | 'diagnostics';

/** Where Back goes: views opened from Settings return there. */
const PARENT_VIEW: Record<Exclude<ViewName, 'main'>, ViewName> = {
  location: 'main',
  settings: 'main',
  'split-tunnel': 'settings',
  diagnostics: 'settings',
};

export interface ShownError {
  id: number;
  message: string;
}

export interface UiSlice {
  view: ViewName;
  /** The view just closed, so the main view can put focus back on the control that opened it. */
  returnedFrom: ViewName | undefined;
  detailsOpen: boolean;
  error: ShownError | undefined;
  openView: (view: ViewName) => void;
  closeView: () => void;
  toggleDetails: () => void;
  dismissError: () => void;
  /** Ask the helper for this location and go back to the main view, as picking a place should. */
  pickLocation: (location: LocationConstraint) => void;
}

export function createUiSlice(ctx: SliceContext): UiSlice {
  const { set, get } = ctx;
  return {
    view: 'main',
    returnedFrom: undefined,
    detailsOpen: false,
    error: undefined,
    openView(view) {
      set({ view, returnedFrom: undefined });
    },
    closeView() {
      const { view } = get();
      if (view !== 'main') set({ view: PARENT_VIEW[view], returnedFrom: view });
    },
    toggleDetails() {
      set({ detailsOpen: !get().detailsOpen });
    },
    dismissError() {
      set({ error: undefined });
    },
    pickLocation(location) {
      get().changeSetting('location', cleanLocation(location));
      get().closeView();
    },
  };
}

/** Only the parts that are set: the request schema is strict, and JSON bridges drop undefined anyway. */
function cleanLocation(location: LocationConstraint): LocationConstraint {
  const out: LocationConstraint = {};
  if (location.country) out.country = location.country;
  if (location.city) out.city = location.city;
  if (location.hostname) out.hostname = location.hostname;
  return out;
}
