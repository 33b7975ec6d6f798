import { readFile } from 'node:fs/promises';
import type { AuthConfig } from './auth-config.js';
import { type DocumentRole, parseCredentialsDocument } from './credentials-document.js';
import { CredentialsError, DocumentProblem } from './errors.js';

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

/** One credentials file, read and parsed on first use only. */
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

  private async read(): Promise<AuthConfig | undefined> {
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.missing = true;
        if (!this.options.required) return undefined;
        throw new CredentialsError(`${this.label}: the file does not exist`);
      }
      const why = code === 'EISDIR' ? 'it is a directory' : `cannot be read (${code ?? 'unknown error'})`;
      throw new CredentialsError(`${this.label}: ${why}`);
    }
    try {
      return parseCredentialsDocument(text, this.options.role);
    } catch (error) {
      if (!(error instanceof DocumentProblem)) throw error;
      const at = error.position ? `:${error.position.line}:${error.position.column}` : '';
      throw new CredentialsError(`${this.options.displayPath}${at}: ${error.message}`);
    }
  }
}
