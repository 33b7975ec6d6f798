import { printable } from '../core/echoed-text.js';

/** What oc prints for an empty value. */
export const NONE = '<none>';

/** The most characters of one recorded value a description repeats. */
const CELL_LIMIT = 1000;

/**
 * oc's `Label:<TAB>value` line (formatString); each further line of the value on its own line after a tab, so it
 * lines up under the first. An empty value is `<none>`.
 */
export function field(label: string, value: string): string[] {
  const [first, ...more] = (value === '' ? NONE : value).split('\n');
  return [`${label}:\t${first}`, ...more.map((line) => `\t${line}`)];
}

/** oc's map as `key=value` lines sorted by key (formatMapStringString); `<none>` when empty. */
export function mapField(label: string, map: Record<string, string>): string[] {
  const keys = Object.keys(map).sort();
  return field(label, keys.map((key) => `${cell(key)}=${cell(map[key]!)}`).join('\n'));
}

/** A value on one line, without tabs or control characters, as a cell of the layout. */
export function cell(text: string): string {
  return printable(text, CELL_LIMIT);
}
