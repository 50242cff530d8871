// Search as you type in the app-exclusion picker: every word of the query must start a word of the
// app's name, comment, program or ID (accents and case ignored); names that start with it come first.
import type { InstalledAppView } from '../../shared/ipc';

export interface SearchableApp {
  app: InstalledAppView;
  /** The name, folded. */
  name: string;
  /** Words of the name, comment, program file name and ID, folded. */
  words: string[];
}

export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function wordsOf(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** Build once per list; searching is then a scan over short arrays. */
export function searchIndex(apps: readonly InstalledAppView[]): SearchableApp[] {
  return apps.map((app) => ({
    app,
    name: fold(app.name),
    words: [
      ...wordsOf(app.name),
      ...wordsOf(app.comment ?? ''),
      ...wordsOf(app.executable.split('/').pop() ?? ''),
      ...wordsOf(app.id.replace(/\.desktop$/, '')),
    ],
  }));
}

export function searchApps(index: readonly SearchableApp[], query: string): InstalledAppView[] {
  const terms = wordsOf(query);
  if (terms.length === 0) return index.map((entry) => entry.app);
  const folded = fold(query.trim());
  const matches = index.filter((entry) =>
    terms.every((term) => entry.words.some((word) => word.startsWith(term))),
  );
  // Stable: the list's own (collated) order within each rank.
  const rank = (entry: SearchableApp): number => (entry.name.startsWith(folded) ? 0 : 1);
  return matches
    .map((entry, position) => ({ entry, position }))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.position - b.position)
    .map(({ entry }) => entry.app);
}
