import { appendFile, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { schemaLocationFor } from '../config/catalog-modeline.js';
import { UsageError } from '../core/errors.js';
import { isErrorCode } from '../files/atomic-file.js';
import { describeSystemError } from '../files/errno.js';
import { kindOf } from '../files/regular-file.js';
import {
  CI_RECIPES,
  type CiProvider,
  GITIGNORE_HEADER,
  gitignoreLines,
  INSTALLED_RECIPES_DIR,
  initialCatalogText,
} from './init-files.js';

export { CI_RECIPES, type CiProvider } from './init-files.js';

export interface InitRequest {
  /** The catalog to create (absolute); the other files go into its directory. */
  catalogPath: string;
  /** What the catalog's modeline names; by default a path to the schema that works from the catalog's directory. */
  schema?: string;
  /** Also write this CI system's recipe. */
  ci?: CiProvider;
  /** Where the CI recipes are: by default the installation's examples/ci. */
  recipesDir?: string;
}

/** `created`: written new; `kept`: it existed and was left as it is; `extended`: lines were appended. */
export interface InitFile {
  path: string;
  action: 'created' | 'kept' | 'extended';
  /** The lines appended to an existing .gitignore. */
  added?: string[];
}

export interface InitResult {
  files: InitFile[];
  /** The schema location the new catalog's modeline names. */
  schema: string;
}

/**
 * `init`: a new catalog with the schema modeline, a .gitignore for the files beside it that are not committed, and
 * optionally a CI recipe. Safe to run again: no existing file is replaced; a .gitignore only gains missing lines.
 */
export async function initOperation(request: InitRequest): Promise<InitResult> {
  const dir = dirname(request.catalogPath);
  const recipe = request.ci ? await readRecipe(request.ci, request.recipesDir ?? INSTALLED_RECIPES_DIR) : undefined;
  if (request.ci) await refuseLinkedDirectories(dir, CI_RECIPES[request.ci].target);
  const gitignorePath = join(dir, '.gitignore');
  const gitignore = await existingGitignore(gitignorePath);
  const schema = request.schema ?? schemaLocationFor(dir);
  const files = [
    await createUnlessPresent(request.catalogPath, initialCatalogText(schema)),
    await extendGitignore(gitignorePath, gitignore, gitignoreLines(basename(request.catalogPath))),
  ];
  if (request.ci && recipe !== undefined) {
    files.push(await createUnlessPresent(join(dir, CI_RECIPES[request.ci].target), recipe));
  }
  return { files, schema };
}

async function readRecipe(ci: CiProvider, recipesDir: string): Promise<string> {
  const path = join(recipesDir, CI_RECIPES[ci].source);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) {
      throw new UsageError(`this installation has no ${ci} CI recipe: ${path} does not exist; nothing was written`);
    }
    throw fileProblem(`cannot read ${path}`, error);
  }
}

/** A directory on the way from `dir` to the file `target` that is a symbolic link (it could lead anywhere): an error. */
async function refuseLinkedDirectories(dir: string, target: string): Promise<void> {
  let path = dir;
  for (const name of dirname(target)
    .split(sep)
    .filter((part) => part !== '.')) {
    path = join(path, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isSymbolicLink()) {
      throw new UsageError(`${path} is a symbolic link; init writes only inside the directory; nothing was written`);
    }
  }
}

/** The text of the .gitignore; undefined when there is none. Anything but a regular file there is an error. */
async function existingGitignore(path: string): Promise<string | undefined> {
  const stats = await lstat(path).catch((error: unknown) => {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw fileProblem(`cannot read ${path}`, error);
  });
  if (stats === undefined) return undefined;
  if (!stats.isFile()) throw new UsageError(`${path} is ${kindOf(stats)}, not a file; nothing was written`);
  return readFile(path, 'utf8').catch((error: unknown) => {
    throw fileProblem(`cannot read ${path}`, error);
  });
}

/** Writes a new file (and its directory); a file, link or directory already at `path` is left as it is. */
async function createUnlessPresent(path: string, text: string): Promise<InitFile> {
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw fileProblem(`cannot create the directory of ${path}`, error);
  });
  try {
    await writeFile(path, text, { flag: 'wx' });
    return { path, action: 'created' };
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) return { path, action: 'kept' };
    throw fileProblem(`cannot write ${path}`, error);
  }
}

/** A system error as a clear one (`cannot write PATH: permission denied`); anything else as it is. */
function fileProblem(what: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? error : new UsageError(`${what}: ${describeSystemError(error)}`);
}

async function extendGitignore(path: string, text: string | undefined, lines: string[]): Promise<InitFile> {
  if (text === undefined) return createUnlessPresent(path, `${[GITIGNORE_HEADER, ...lines].join('\n')}\n`);
  const present = new Set(text.split('\n').map((line) => line.trim()));
  const added = lines.filter((line) => !present.has(line));
  if (added.length === 0) return { path, action: 'kept' };
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${[GITIGNORE_HEADER, ...added].join('\n')}\n`).catch((error: unknown) => {
    throw fileProblem(`cannot write ${path}`, error);
  });
  return { path, action: 'extended', added };
}
