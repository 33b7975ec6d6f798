import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { readRegularFile } from '../files/regular-file.js';
import { CREDENTIAL_FILE_LIMIT, type CredentialFile } from './credential-file.js';

/** The credentials files a long-running process follows, to use new credentials when one of them changes. */
export interface FollowedCredentialFiles {
  /**
   * By absolute path: the catalog's pull secrets and the named auth file, and those of the user's files that exist
   * or whose directory does.
   */
  readonly paths: readonly string[];
  /** Those of `paths` that must exist and be usable: the catalog's pull secrets and the named auth file. */
  readonly named: readonly string[];
  /** A digest of what each file holds now, by path; a missing or unreadable file has one too. */
  digests(): Promise<Map<string, string>>;
  /**
   * Reads the files among `paths` now, as they will be used: a CredentialsError names the first that cannot be
   * (a user's file that does not exist is skipped, as always).
   */
  check(paths: readonly string[]): Promise<void>;
}

export function followedCredentialFiles(files: readonly CredentialFile[]): FollowedCredentialFiles {
  const followed = files.filter((file) => file.options.required || nearlyExists(file.options.path));
  const byPath = new Map(followed.map((file) => [file.options.path, file]));
  return {
    paths: [...byPath.keys()],
    named: followed.filter((file) => file.options.required).map((file) => file.options.path),
    async digests() {
      const entries = await Promise.all([...byPath.keys()].map(async (path) => [path, await digestOf(path)] as const));
      return new Map(entries);
    },
    async check(paths) {
      for (const path of paths) await byPath.get(path)?.load();
    },
  };
}

function nearlyExists(path: string): boolean {
  return existsSync(path) || existsSync(dirname(path));
}

async function digestOf(path: string): Promise<string> {
  try {
    const bytes = await readRegularFile(path, { maxBytes: CREDENTIAL_FILE_LIMIT + 1 });
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  } catch (error) {
    return `unread:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}
