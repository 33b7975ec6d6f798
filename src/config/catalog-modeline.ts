import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEMA_FILE = join('schemas', 'imagestreams.schema.json');

/** The catalog schema of the running installation. */
export const INSTALLED_SCHEMA_PATH = fileURLToPath(new URL(`../../${SCHEMA_FILE}`, import.meta.url));

/** The first line of a catalog: tells editors with the YAML language server which schema the file follows. */
export function catalogModeline(schema: string): string {
  return `# yaml-language-server: $schema=${schema}`;
}

/**
 * Where a catalog in `catalogDir` should find the schema: a relative path to the imagestreams package that Node
 * finds from that directory (a project dependency in node_modules, or this repository itself), which works on every
 * clone; otherwise the absolute path of the running installation's schema (a global install).
 */
export function schemaLocationFor(catalogDir: string): string {
  const packageDir = projectPackageDir(catalogDir);
  if (packageDir === undefined) return INSTALLED_SCHEMA_PATH;
  const path = relative(catalogDir, join(packageDir, SCHEMA_FILE)).split(sep).join('/');
  return path.startsWith('../') ? path : `./${path}`;
}

function projectPackageDir(catalogDir: string): string | undefined {
  try {
    const manifest = createRequire(join(catalogDir, 'catalog.yaml')).resolve('imagestreams/package.json');
    return isAbsolute(manifest) ? dirname(manifest) : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a new catalog with no streams, its modeline naming `schema`. */
export function newCatalogText(schema: string): string {
  return `${catalogModeline(schema)}\napiVersion: imagestreams/v1\nkind: Catalog\nstreams: {}\n`;
}
