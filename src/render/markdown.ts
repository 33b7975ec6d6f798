/** Inline text with the characters that would start markup backslash-escaped, on one line. */
export function escapeInline(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/** A code span holding `text` verbatim, whatever backticks it contains. */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  const fence = '`'.repeat(longestRun(oneLine, '`') + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A code span inside a table cell: GFM splits cells at pipes before it reads spans, so they are escaped there too. */
export function tableCode(text: string): string {
  return codeSpan(text).replace(/\|/g, '\\|');
}

/** The opening and closing lines of a fenced block that `lines` cannot close early. */
export function fenceFor(lines: readonly string[], info: string): { open: string; close: string } {
  const longest = Math.max(0, ...lines.map((line) => longestRun(line, '`')));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return { open: `${fence}${info}`, close: fence };
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
