import type { Catalog } from '../core/catalog.js';
import { type CatalogProblem, formatCatalogWarning } from '../core/errors.js';
import { renderCatalogWarnings } from '../render/validate-report.js';
import type { Io } from './output.js';

/** The catalog's warnings on stderr, as `validate` prints them: `file:line:col: warning: …`. */
export function writeCatalogWarnings(catalog: Catalog, io: Io): void {
  io.stderr.write(renderCatalogWarnings(catalog.warnings ?? []));
}

/** The catalog's warnings not in `seen`, which gains them: each is reported once however often the file is read. */
export function unseenCatalogWarnings(catalog: Catalog, seen: Set<string>): CatalogProblem[] {
  return (catalog.warnings ?? []).filter((warning) => {
    const key = formatCatalogWarning(warning);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
