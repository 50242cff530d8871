// What a wg-quick file's name says: provider, location and relay hostname ("mullvad-se-got-wg-001.conf").
import { isIsoCountryCode } from './names.js';

export interface NameLocation {
  country: string;
  city: string;
}

export interface FileNameInfo {
  /** The file name without directories and ".conf", lower-case, reduced to hostname characters. */
  stem: string;
  /** The relay hostname the name suggests: from the location on when there is one, else the stem. */
  hostname: string;
  /** Text before the location ("mullvad" in mullvad-se-got-wg-001), "" when none. */
  provider: string;
  location?: NameLocation;
  /** A country code with no city after it ("wg-se-12"): worth naming in an error message. */
  countryOnly?: string;
}

const CITY = /^[a-z]{2,3}$/;
// Tokens that end a "<country>-<city>" pattern in the hostnames providers use: -wg, a number, the end.
const AFTER_CITY = /^(wg|\d+)$/;

/**
 * Read a location from a file name. `se-got-wg-001.conf`, `se-got-001.conf` and `mullvad-se-got-wg-001.conf`
 * all give se / got; the country must be an ISO 3166 code and the city 2-3 letters. When several places
 * in the name look like a location, one followed by "wg", a number or the end of the name wins
 * (`my-vpn-se-got-wg-001` is se / got, not my / vpn).
 */
export function readFileName(fileName: string): FileNameInfo {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const withoutExtension = base.replace(/\.conf$/i, '');
  const tokens = withoutExtension
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
  const stem = tokens.join('-');

  let weak: number | undefined;
  let strong: number | undefined;
  tokens.forEach((token, i) => {
    const city = tokens[i + 1];
    if (strong !== undefined || !isIsoCountryCode(token) || city === undefined) return;
    if (!CITY.test(city) || city === 'wg') return;
    const after = tokens[i + 2];
    if (after === undefined || AFTER_CITY.test(after)) strong = i;
    else weak ??= i;
  });
  const at = strong ?? weak;
  if (at === undefined) {
    const countryOnly = tokens.find(
      (t, i) => isIsoCountryCode(t) && (tokens[i + 1] === undefined || /^\d+$/.test(tokens[i + 1] ?? '')),
    );
    return countryOnly === undefined
      ? { stem, hostname: stem, provider: '' }
      : { stem, hostname: stem, provider: '', countryOnly };
  }
  return {
    stem,
    hostname: tokens.slice(at).join('-'),
    provider: tokens.slice(0, at).join('-'),
    location: { country: tokens[at] ?? '', city: tokens[at + 1] ?? '' },
  };
}
