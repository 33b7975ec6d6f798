/** The most characters of one input (a reference, a realm, a header) an error message repeats. */
export const ECHO_LIMIT = 200;

/** `text` as a message repeats it: whole when short, else its first `limit` characters and how long it was. */
export function clipped(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return text;
  return `${head(text, limit)}… (${text.length} characters)`;
}

/** `text` as a JSON string, clipped like `clipped`; what could move the cursor or reorder the line is escaped. */
export function quoted(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return jsonString(text);
  return `${jsonString(head(text, limit))}… (${text.length} characters)`;
}

/** Control characters, line and paragraph separators, bidirectional overrides: what JSON.stringify leaves of them too. */
const CURSOR_MOVING = /[\p{Cc}\u200b-\u200f\u2028-\u202e\u2066-\u2069]/gu;

/** `text` with each character that could move the cursor or reorder the line written as a `\uXXXX` escape. */
export function escaped(text: string): string {
  return text.replace(CURSOR_MOVING, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonString(text: string): string {
  return escaped(JSON.stringify(text));
}

/** The first `limit` UTF-16 units of `text`, without splitting a surrogate pair. */
function head(text: string, limit: number): string {
  const last = text.charCodeAt(limit - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}

/** Line breaks and tabs: shown as spaces. */
const BREAKS = /[\t\n\v\f\r\u2028\u2029]/g;
/** Other control characters (C0, DEL, C1, escape sequences' ESC) and bidirectional overrides. */
const UNPRINTABLE = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` read from a file someone else may have written (a lock's holder), as a message shows it: on one line, with
 * no control character that could move the cursor or forge another line, clipped like `clipped`.
 */
export function printable(text: string, limit = ECHO_LIMIT): string {
  return clipped(text.replace(BREAKS, ' ').replace(UNPRINTABLE, ''), limit);
}
