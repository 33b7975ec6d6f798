import { flattened } from './loose-text.js';

/**
 * A secret as it could be echoed and cut out again precisely: raw, base64 and base64url (without padding),
 * URL-encoded and JSON-escaped.
 */
export function exactForms(value: string): string[] {
  if (value === '') return [];
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    value,
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ];
  return unique(forms);
}

/**
 * A secret as `looseView` (loose-text.ts) would leave it wherever it was repeated: raw, hex, and base64 and base64url
 * at each of the three alignments it may start at inside a longer encoded text (after a `user=` prefix, say) — the
 * characters that depend on the secret's bytes alone — flattened like the view.
 */
export function looseForms(value: string): string[] {
  if (value === '') return [];
  const bytes = Buffer.from(value, 'utf8');
  const forms = [value, bytes.toString('hex')];
  for (let offset = 0; offset < 3; offset++) {
    const middle = base64Middle(bytes, offset);
    forms.push(middle, middle.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return unique(forms.map(flattened).filter((form) => form !== ''));
}

/** The base64 characters of `bytes` after `offset` other bytes that do not depend on what comes before or after. */
function base64Middle(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
}

function unique(forms: string[]): string[] {
  return [...new Set(forms.filter((form) => form !== ''))];
}
