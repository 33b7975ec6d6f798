import { ImagestreamsError } from '../core/errors.js';

/** A credentials file or credential helper that cannot be used; the message never holds a secret. */
export class CredentialsError extends ImagestreamsError {
  readonly code = 'CREDENTIALS';
}

/** Something wrong inside a credentials document; the file loader turns it into a CredentialsError naming the file. */
export class DocumentProblem extends Error {
  constructor(
    message: string,
    readonly position?: { line: number; column: number },
  ) {
    super(message);
  }
}
