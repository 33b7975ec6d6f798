/** Lines that may be cut in the middle to fit, and the line that replaces what was cut. */
export interface ElasticLines {
  lines: string[];
  omission: (omitted: number) => string;
}

/** A document: fixed lines, never cut, and elastic ones. */
export type Block = string[] | ElasticLines;

/**
 * Joins the blocks' lines (each ended by a newline). When that is longer than `limit` characters, the elastic blocks
 * are cut in the middle: small ones are kept whole where they fit and the large ones share what is left equally.
 */
export function fitLines(blocks: Block[], limit: number): string {
  const elastic = blocks.filter((block): block is ElasticLines => !Array.isArray(block));
  const fixedSize = blocks.filter((block) => Array.isArray(block)).reduce((sum, block) => sum + size(block), 0);
  const budgets = shareBudget(
    elastic.map((block) => size(block.lines)),
    limit - fixedSize,
  );
  const fitted = new Map(elastic.map((block, i) => [block, cutMiddle(block, budgets[i]!)]));
  return blocks
    .map((block) => (Array.isArray(block) ? block : fitted.get(block)!))
    .flatMap(withNewlines)
    .join('');
}

/** Characters the lines take once each is ended by a newline. */
function size(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + line.length + 1, 0);
}

function withNewlines(lines: string[]): string[] {
  return lines.map((line) => `${line}\n`);
}

/** Max-min fair shares: every need is met when the budget allows, otherwise the largest needs get equal shares. */
function shareBudget(needs: number[], budget: number): number[] {
  const shares = needs.map(() => 0);
  let left = Math.max(0, budget);
  const order = needs.map((_, i) => i).sort((a, b) => needs[a]! - needs[b]!);
  order.forEach((index, position) => {
    const share = Math.min(needs[index]!, Math.floor(left / (order.length - position)));
    shares[index] = share;
    left -= share;
  });
  return shares;
}

/** The first and last lines that fit in `budget` around the omission line; all of them when they fit. */
function cutMiddle(block: ElasticLines, budget: number): string[] {
  const { lines } = block;
  if (size(lines) <= budget) return lines;
  const room = budget - block.omission(lines.length).length - 1;
  let head = 0;
  let used = 0;
  while (head < lines.length && used + lines[head]!.length + 1 <= room / 2) used += lines[head++]!.length + 1;
  let tail = lines.length;
  while (tail > head && used + lines[tail - 1]!.length + 1 <= room) used += lines[--tail]!.length + 1;
  return [...lines.slice(0, head), block.omission(tail - head), ...lines.slice(tail)];
}

/**
 * A line of plain text (no escape sequences) cut to fit a terminal `columns` wide without wrapping: at most
 * `columns - 1` characters, the last one `…` when cut (the last column is left free, as some terminals wrap there).
 */
export function fitWidth(line: string, columns: number): string {
  const room = Math.max(1, columns - 1);
  const characters = [...line];
  if (characters.length <= room) return line;
  return `${characters.slice(0, room - 1).join('')}…`;
}
