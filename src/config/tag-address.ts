import { UsageError } from '../core/errors.js';

/** What the catalog schema allows as a stream name and a tag name (`schemas/imagestreams.schema.json`). */
const STREAM_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MAX_STREAM_NAME = 253;
const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface TagAddress {
  stream: string;
  tag: string;
}

/**
 * `STREAM:TAG` as a command argument; with `defaultTag`, `STREAM` alone names that tag (`import-image app` is
 * `app:latest`, as in oc). Throws UsageError naming what is wrong.
 */
export function parseTagAddress(text: string, defaultTag?: string): TagAddress {
  if (text.includes('@')) throw new UsageError(`"${text}" names an image by digest: give STREAM:TAG`);
  const colon = text.indexOf(':');
  if (colon < 0 && defaultTag === undefined) throw new UsageError(`"${text}" must be of the form <stream_name>:<tag>`);
  const stream = colon < 0 ? text : text.slice(0, colon);
  const tag = colon < 0 ? defaultTag! : text.slice(colon + 1);
  if (!STREAM_NAME.test(stream) || stream.length > MAX_STREAM_NAME) {
    throw new UsageError(
      `invalid image stream name "${stream}": use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
  }
  if (!TAG_NAME.test(tag)) {
    throw new UsageError(
      `invalid tag "${tag}": use at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
    );
  }
  return { stream, tag };
}
