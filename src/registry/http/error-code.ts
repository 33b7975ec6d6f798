/** The error code of `error` or of the first cause that has one (undici wraps the socket's error), past generic ones. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && !code.startsWith('ERR_STREAM')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
