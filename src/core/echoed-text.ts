/** The most characters of one input (a reference, a realm, a header) an error message repeats. */
export const ECHO_LIMIT = 200;

/** `text` as a message repeats it: whole when short, else its first `limit` characters and how long it was. */
export function clipped(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return text;
  return `${head(text, limit)}… (${text.length} characters)`;
}

/** `text` as a JSON string, clipped like `clipped`. */
export function quoted(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return JSON.stringify(text);
  return `${JSON.stringify(head(text, limit))}… (${text.length} characters)`;
}

/** The first `limit` UTF-16 units of `text`, without splitting a surrogate pair. */
function head(text: string, limit: number): string {
  const last = text.charCodeAt(limit - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}
