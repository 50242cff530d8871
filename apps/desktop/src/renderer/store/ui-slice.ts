// Which view is open and other things only the window cares about.
import type { LocationConstraint } from '@sluice/api/domain';
import type { SliceContext } from './slice';

export type ViewName = 'main' | 'location' | 'settings' | 'split-tunnel';

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
      if (view !== 'main') set({ view: 'main', returnedFrom: view });
    },
    toggleDetails() {
      set({ detailsOpen: !get().detailsOpen });
    },
    dismissError() {
      set({ error: undefined });
    },
    pickLocation(location) {
      get().changeSetting('location', location);
      get().closeView();
    },
  };
}
