import { CatalogError, type CatalogProblem, type SourceLocation } from '../core/errors.js';
import type { LinePositions } from './line-positions.js';
import { SourceMap } from './source-map.js';

interface Entry {
  offset: number;
  message: string;
  refusedOnExport?: true;
}

/**
 * Every problem found in one catalog, located by JSON Pointer (as ajv reports them) or by offset,
 * turned into a CatalogError sorted by position.
 */
export class ProblemList {
  private readonly entries: Entry[] = [];
  private readonly warningEntries: Entry[] = [];
  private readonly pointers = new Set<string>();

  /**
   * @param source where each value was written: filled while the YAML document is turned into plain values, unless
   *   the values were read with it
   */
  constructor(
    private readonly file: string,
    private readonly lines: LinePositions,
    readonly source = new SourceMap(),
  ) {}

  get size(): number {
    return this.entries.length;
  }

  addAtOffset(offset: number, message: string): void {
    this.entries.push({ offset, message });
  }

  /** A problem with the value at `pointer` (its key when `at` is 'key'). */
  add(pointer: string, message: string, at: 'key' | 'value' = 'value'): void {
    this.pointers.add(pointer);
    this.entries.push({ offset: this.source.offsetOf(pointer, at), message });
  }

  /** Something that is allowed but most likely a mistake: reported, without making the catalog invalid. */
  warn(pointer: string, message: string): void {
    this.warningEntries.push({ offset: this.source.offsetOf(pointer, 'value'), message });
  }

  /** Allowed in the catalog, but the API server would refuse an ImageStream holding it: a warning `export` stops on. */
  warnRefusedOnExport(pointer: string, message: string, at: 'key' | 'value'): void {
    this.warningEntries.push({ offset: this.source.offsetOf(pointer, at), message, refusedOnExport: true });
  }

  /** The warnings reported so far, in the order of the file. */
  warnings(): CatalogProblem[] {
    return this.located(this.warningEntries);
  }

  /** True when a problem was already reported for exactly this place: later checks stay quiet about it. */
  has(pointer: string): boolean {
    return this.pointers.has(pointer);
  }

  locationOf(pointer: string, at: 'key' | 'value' = 'key'): SourceLocation {
    return this.locationAt(this.source.offsetOf(pointer, at));
  }

  lineAt(offset: number): number {
    return this.locationAt(offset).line;
  }

  /** Reports what was found so far and stops: for problems after which nothing else can be checked. */
  fatal(offset: number, message: string): never {
    this.addAtOffset(offset, message);
    throw this.toError();
  }

  throwIfAny(): void {
    if (this.entries.length > 0) throw this.toError();
  }

  toError(): CatalogError {
    return new CatalogError(this.located(this.entries), this.warnings());
  }

  private located(entries: Entry[]): CatalogProblem[] {
    const sorted = entries.map((entry, index) => ({ entry, index }));
    sorted.sort((a, b) => a.entry.offset - b.entry.offset || a.index - b.index);
    return sorted.map(({ entry }) => ({
      location: this.locationAt(entry.offset),
      message: entry.message,
      ...(entry.refusedOnExport && { refusedOnExport: entry.refusedOnExport }),
    }));
  }

  private locationAt(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(line, 1), column: Math.max(col, 1) };
  }
}

/** A problem with the catalog file as a whole (unreadable, too large, not text): located at its start. */
export function fileProblem(file: string, message: string): CatalogError {
  return new CatalogError([{ location: { file, line: 1, column: 1 }, message }]);
}
