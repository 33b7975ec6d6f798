/** Visible ASCII only: what a token sent as a header value may hold. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

export function isHeaderSafe(token: string): boolean {
  return HEADER_SAFE_TOKEN.test(token);
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
