import { appendFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { schemaLocationFor } from '../config/catalog-modeline.js';
import { UsageError } from '../core/errors.js';
import { isErrorCode } from '../files/atomic-file.js';
import { describeSystemError } from '../files/errno.js';
import { kindOf } from '../files/regular-file.js';
import {
  CI_DIR,
  CI_RECIPES,
  type CiProvider,
  type CiRecipeFile,
  GITIGNORE_HEADER,
  gitignoreLines,
  INSTALLED_RECIPES_DIR,
  initialCatalogText,
  PACKED_PACKAGE,
} from './init-files.js';

export { CI_DIR, CI_RECIPES, type CiProvider } from './init-files.js';

export interface InitRequest {
  /** The catalog to create (absolute); the other files go into its directory. */
  catalogPath: string;
  /** What the catalog's modeline names; by default a path to the schema that works from the catalog's directory. */
  schema?: string;
  /** Also write this CI system's recipe. */
  ci?: CiProvider;
  /** Where the CI recipes are: by default the installation's examples/ci. */
  recipesDir?: string;
  /** Errors show paths relative to this directory (the working directory); absolute without it. */
  cwd?: string;
}

/** A path as error messages show it. */
type Show = (path: string) => string;

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
  /** With `ci`: what the recipe needs beside the files written. */
  ci?: InitCiResult;
}

export interface InitCiResult {
  provider: CiProvider;
  /** Where the recipe was written: the git repository's root (the catalog's directory outside one). */
  root: string;
  /** The packed packages (`imagestreams-*.tgz`) already in the root's ci/ folder, which the jobs install. */
  packages: string[];
}

/**
 * `init`: a new catalog with the schema modeline, a .gitignore for the files beside it that are not committed, and
 * optionally a CI recipe. Safe to run again: no existing file is replaced; a .gitignore only gains missing lines.
 */
export async function initOperation(request: InitRequest): Promise<InitResult> {
  const dir = dirname(request.catalogPath);
  const { cwd } = request;
  const show: Show = cwd === undefined ? (path) => path : (path) => relative(cwd, path) || path;
  const recipe = request.ci ? await readRecipe(request.ci, request.recipesDir ?? INSTALLED_RECIPES_DIR) : [];
  const root = request.ci ? ((await repositoryRoot(dir)) ?? dir) : dir;
  for (const { file } of recipe) await refuseLinkedDirectories(root, file.target, show);
  const gitignorePath = join(dir, '.gitignore');
  const gitignore = await existingGitignore(gitignorePath, show);
  const schema = request.schema ?? schemaLocationFor(dir);
  const files = [
    await createUnlessPresent(request.catalogPath, initialCatalogText(schema), show),
    await extendGitignore(gitignorePath, gitignore, gitignoreLines(basename(request.catalogPath)), show),
  ];
  if (!request.ci) return { files, schema };
  for (const { file, text } of recipe) {
    files.push(await createUnlessPresent(join(root, file.target), text, show, file.executable ? 0o777 : 0o666));
  }
  return { files, schema, ci: { provider: request.ci, root, packages: await packedPackages(join(root, CI_DIR)) } };
}

/** The root of the git work tree `dir` is in (the nearest directory up with a .git); undefined outside one. */
async function repositoryRoot(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    if (await lstat(join(current, '.git')).catch(() => undefined)) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** The files of the CI system's recipe, all read before anything is written. */
async function readRecipe(ci: CiProvider, recipesDir: string): Promise<{ file: CiRecipeFile; text: string }[]> {
  const read = async (file: CiRecipeFile) => {
    const path = join(recipesDir, file.source);
    try {
      return { file, text: await readFile(path, 'utf8') };
    } catch (error) {
      if (isErrorCode(error, 'ENOENT')) {
        throw new UsageError(`this installation has no ${ci} CI recipe: ${path} does not exist; nothing was written`);
      }
      throw fileProblem(`cannot read ${path}`, error);
    }
  };
  const files = [];
  for (const file of CI_RECIPES[ci]) files.push(await read(file));
  return files;
}

/** The names of the packed packages in `dir`, sorted; none when it cannot be read. */
async function packedPackages(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => []);
  return names.filter((name) => PACKED_PACKAGE.test(name)).sort();
}

/** The text of the .gitignore; undefined when there is none. Anything but a regular file there is an error. */
async function existingGitignore(path: string, show: Show): Promise<string | undefined> {
  const stats = await lstat(path).catch((error: unknown) => {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw fileProblem(`cannot read ${show(path)}`, error);
  });
  if (stats === undefined) return undefined;
  if (!stats.isFile()) throw new UsageError(`${show(path)} is ${kindOf(stats)}, not a file; nothing was written`);
  return readFile(path, 'utf8').catch((error: unknown) => {
    throw fileProblem(`cannot read ${show(path)}`, error);
  });
}

/**
 * Writes a new file (and its directory) with `mode`, less the umask; a file, link or directory already at `path` is
 * left as it is.
 */
async function createUnlessPresent(path: string, text: string, show: Show, mode = 0o666): Promise<InitFile> {
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw fileProblem(`cannot create the directory of ${show(path)}`, error);
  });
  try {
    await writeFile(path, text, { flag: 'wx', mode });
    return { path, action: 'created' };
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) return { path, action: 'kept' };
    throw fileProblem(`cannot write ${show(path)}`, error);
  }
}

/** A system error as a clear one (`cannot write PATH: permission denied`); anything else as it is. */
function fileProblem(what: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? error : new UsageError(`${what}: ${describeSystemError(error)}`);
}

async function extendGitignore(path: string, text: string | undefined, lines: string[], show: Show): Promise<InitFile> {
  if (text === undefined) return createUnlessPresent(path, `${[GITIGNORE_HEADER, ...lines].join('\n')}\n`, show);
  const present = new Set(text.split('\n').map((line) => line.trim()));
  const added = lines.filter((line) => !present.has(line));
  if (added.length === 0) return { path, action: 'kept' };
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${[GITIGNORE_HEADER, ...added].join('\n')}\n`).catch((error: unknown) => {
    throw fileProblem(`cannot write ${show(path)}`, error);
  });
  return { path, action: 'extended', added };
}

/** A directory on the way from `dir` to the file `target` that is a symbolic link (it could lead anywhere): an error. */
async function refuseLinkedDirectories(dir: string, target: string, show: Show): Promise<void> {
  let path = dir;
  for (const name of dirname(target)
    .split(sep)
    .filter((part) => part !== '.')) {
    path = join(path, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats?.isSymbolicLink()) {
      throw new UsageError(
        `${show(path)} is a symbolic link; init writes only inside the directory; nothing was written`,
      );
    }
  }
}
