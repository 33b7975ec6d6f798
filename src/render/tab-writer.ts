/**
 * Text laid out as oc's describers lay it out: Go's text/tabwriter with minimum width 0, tab width 8, padding 1 and
 * tabs as padding, with the tabs expanded to the spaces a terminal shows. A tab ends a cell; the cells of one column
 * line up over the consecutive lines that have a cell in that column, each column as wide as its widest cell plus
 * one, rounded up to a multiple of 8. The text after a line's last tab is no cell and never pads.
 */
const TAB_WIDTH = 8;
const PADDING = 1;

export function alignTabs(text: string): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  formatColumns(lines, 0, lines.length, [], out);
  return out.join('\n');
}

/** Lays out lines [from, to) whose columns left of `widths.length` have the given widths. */
function formatColumns(lines: string[][], from: number, to: number, widths: number[], out: string[]): void {
  const column = widths.length;
  let written = from;
  let line = from;
  while (line < to) {
    if (!hasCell(lines[line]!, column)) {
      line++;
      continue;
    }
    writeLines(lines, written, line, widths, out);
    let end = line;
    let width = 0;
    for (; end < to && hasCell(lines[end]!, column); end++) {
      width = Math.max(width, textWidth(lines[end]![column]!) + PADDING);
    }
    formatColumns(lines, line, end, [...widths, roundUp(width)], out);
    written = end;
    line = end;
  }
  writeLines(lines, written, to, widths, out);
}

/** Whether the line has a tab-terminated cell in `column`. */
function hasCell(cells: string[], column: number): boolean {
  return column < cells.length - 1;
}

function writeLines(lines: string[][], from: number, to: number, widths: number[], out: string[]): void {
  for (let i = from; i < to; i++) {
    out.push(lines[i]!.map((cell, j) => (j < widths.length ? padded(cell, widths[j]!) : cell)).join(''));
  }
}

function padded(cell: string, width: number): string {
  return cell + ' '.repeat(width - textWidth(cell));
}

function roundUp(width: number): number {
  return Math.ceil(width / TAB_WIDTH) * TAB_WIDTH;
}

/** Go's tabwriter counts runes. */
function textWidth(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
