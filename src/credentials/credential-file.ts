import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { kindOf, NotRegularFileError, readRegularFile } from '../files/regular-file.js';
import type { AuthConfig } from './auth-config.js';
import { type DocumentRole, isYamlText, parseCredentialsDocument } from './credentials-document.js';
import { CredentialsError, DocumentProblem } from './errors.js';
import { loadYamlLibrary } from './yaml-library.js';

export interface CredentialFileOptions {
  /** Where the file is read from. */
  path: string;
  /** The path as shown in messages. */
  displayPath: string;
  /** What the file is, as shown in messages: "docker config ~/.docker/config.json". */
  label: string;
  role: DocumentRole;
  /** A required file that does not exist is an error; an optional one is skipped. */
  required: boolean;
}

/** Larger than any credentials file (a Kubernetes Secret holds at most 1 MiB): a larger one is refused unread. */
export const CREDENTIAL_FILE_LIMIT = 8 << 20;

/** A credentials file over CREDENTIAL_FILE_LIMIT. */
class OversizeFileError extends Error {}

/** One credentials file, read and parsed on first use only (or at once, with `loadNow`). */
export class CredentialFile {
  private loaded: Promise<AuthConfig | undefined> | undefined;
  private missing = false;

  constructor(readonly options: CredentialFileOptions) {}

  get label(): string {
    return this.options.label;
  }

  /** True once the file was looked for and found missing. */
  get knownMissing(): boolean {
    return this.missing;
  }

  /** The file's credentials; undefined when an optional file does not exist. */
  load(): Promise<AuthConfig | undefined> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  /** Reads and parses the file now, throwing CredentialsError at once when it cannot be used. */
  loadNow(): void {
    let text: string;
    try {
      text = readRegularFileNow(this.options.path);
    } catch (error) {
      this.unread(error);
      this.loaded = Promise.resolve(undefined);
      return;
    }
    this.loaded = Promise.resolve(this.parse(text));
  }

  private async read(): Promise<AuthConfig | undefined> {
    let text: string;
    try {
      const bytes = await readRegularFile(this.options.path, { maxBytes: CREDENTIAL_FILE_LIMIT + 1 });
      if (bytes.length > CREDENTIAL_FILE_LIMIT) throw new OversizeFileError();
      text = bytes.toString('utf8');
    } catch (error) {
      this.unread(error);
      return undefined;
    }
    if (isYamlText(text)) await loadYamlLibrary();
    return this.parse(text);
  }

  /** Returns when an optional file is missing; throws CredentialsError naming the file otherwise. */
  private unread(error: unknown): void {
    if (error instanceof NotRegularFileError) throw new CredentialsError(`${this.label}: it is ${error.kind}`);
    if (error instanceof OversizeFileError) {
      throw new CredentialsError(`${this.label}: the file is larger than ${CREDENTIAL_FILE_LIMIT >> 20} MiB; refused`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      this.missing = true;
      if (!this.options.required) return;
      throw new CredentialsError(`${this.label}: the file does not exist`);
    }
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'unknown error');
    throw new CredentialsError(`${this.label}: the file cannot be read (${why})`);
  }

  /**
   * Where a problem in the file is: its label when that ends with its path (`--authfile ./auth.json`, `docker config
   * ~/.docker/config.json`), so that a position can follow it; its path otherwise.
   */
  private placeOf(): string {
    const { label, displayPath } = this.options;
    return label.endsWith(` ${displayPath}`) ? label : displayPath;
  }

  private parse(text: string): AuthConfig {
    try {
      return parseCredentialsDocument(text, this.options.role);
    } catch (error) {
      if (!(error instanceof DocumentProblem)) throw error;
      const at = error.position ? `:${error.position.line}:${error.position.column}` : '';
      throw new CredentialsError(`${this.placeOf()}${at}: ${error.message}`);
    }
  }
}

/** `readRegularFile`, synchronously: a FIFO or a device is refused without being read. */
function readRegularFileNow(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFileError(path, kindOf(stats));
    if (stats.size > CREDENTIAL_FILE_LIMIT) throw new OversizeFileError();
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
