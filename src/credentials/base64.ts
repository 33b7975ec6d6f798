const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes standard base64 (padding optional, white space ignored); undefined when the text is not base64. */
export function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
