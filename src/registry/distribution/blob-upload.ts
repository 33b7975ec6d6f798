import type { Readable } from 'node:stream';
import { RegistryError } from '../../core/errors.js';
import { drain } from '../body.js';
import { retryDelay, sleep } from '../http/retry.js';
import { type HttpResponse, headerValue } from '../http/transport.js';
import { ChunkReader } from './chunk-reader.js';
import type { RegistryClient } from './client.js';

/** The blob an upload must store. */
export interface UploadedBlob {
  digest: string;
  size: number;
}

/** Opens the blob's bytes, verified while they stream; called again for every attempt. */
export type OpenBlob = () => Promise<Readable>;

export interface BlobUploadOptions {
  /**
   * Always upload in chunks of this many bytes, or of the session's `OCI-Chunk-Min-Length` when that is larger
   * (otherwise chunks are sent only when the registry refuses a whole blob, HTTP 413).
   */
  chunkBytes?: number;
  /** Whole uploads tried (a new upload session each) when the connection or the registry fails. */
  attempts?: number;
}

/** Chunk size after a registry refused a whole blob, unless it asks for bigger chunks (`OCI-Chunk-Min-Length`). */
export const FALLBACK_CHUNK_BYTES = 8 * 1024 * 1024;
const DEFAULT_ATTEMPTS = 3;

type Session = { mounted: true } | { mounted: false; location: string; minChunkBytes: number };

export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

/**
 * The distribution blob upload protocol for one repository: `POST` to open a session (or mount a blob from another
 * repository of the registry), then one streamed `PUT` of the whole blob, or `PATCH` chunks and a closing `PUT` when
 * the registry requires it; every chunk but the last is at least the `OCI-Chunk-Min-Length` the `POST` answered
 * with. A failed upload is started again in a new session.
 */
export class BlobUpload {
  private readonly scope: string;

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly options: BlobUploadOptions = {},
  ) {
    this.scope = pushScope(repository);
  }

  /** Mounts the blob from `from`; when the registry opens an ordinary upload session instead, uploads in that session. */
  async mount(blob: UploadedBlob, from: string, open: OpenBlob): Promise<'mounted' | 'uploaded'> {
    const session = await this.start(`?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`, {
      scope: `${this.scope} repository:${from}:pull`,
    }).catch(() => undefined);
    if (session?.mounted) return 'mounted';
    await this.upload(blob, open, session);
    return 'uploaded';
  }

  async upload(blob: UploadedBlob, open: OpenBlob, started?: Session): Promise<void> {
    const attempts = this.options.attempts ?? DEFAULT_ATTEMPTS;
    let chunkBytes = this.options.chunkBytes;
    let session = started?.mounted === false ? started : undefined;
    for (let attempt = 0; ; ) {
      const current = session ?? (await this.openSession());
      session = undefined;
      try {
        if (chunkBytes === undefined) {
          if ((await this.putWhole(current.location, blob, open)) === 'too large') {
            chunkBytes = Math.max(FALLBACK_CHUNK_BYTES, current.minChunkBytes);
            continue;
          }
        } else await this.putChunks(current.location, blob, open, Math.max(chunkBytes, current.minChunkBytes));
        return;
      } catch (error) {
        if (++attempt >= attempts || !isTransient(error)) throw error;
        await sleep(retryDelay(attempt - 1, undefined, this.client.options.retry));
      }
    }
  }

  private async openSession(): Promise<Extract<Session, { mounted: false }>> {
    const session = await this.start('', { scope: this.scope });
    if (session.mounted) throw new RegistryError('InternalError', `${this.name}: the registry did not open an upload`);
    return session;
  }

  private async start(query: string, options: { scope: string }): Promise<Session> {
    const res = await this.client.request({
      method: 'POST',
      path: `/v2/${this.repository}/blobs/uploads/${query}`,
      repository: this.repository,
      scope: options.scope,
      headers: { 'content-length': '0' },
    });
    await drain(res);
    if (res.status === 201) return { mounted: true };
    if (res.status !== 202) throw await this.client.statusError(res, `blob upload to ${this.name}`, this.repository);
    const minChunk = Number(headerValue(res.headers, 'oci-chunk-min-length'));
    return {
      mounted: false,
      location: this.location(res),
      minChunkBytes: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0,
    };
  }

  /** One `PUT` with the whole blob streamed as its body; 'too large' when the registry wants chunks. */
  private async putWhole(location: string, blob: UploadedBlob, open: OpenBlob): Promise<'done' | 'too large'> {
    const body = await open();
    const res = await this.send('PUT', withDigest(location, blob.digest), body, blob.size).finally(() =>
      body.destroy(),
    );
    if (res.status === 413) {
      await drain(res);
      return 'too large';
    }
    await this.expect(res, 201, blob);
    return 'done';
  }

  /** `PATCH` chunk after chunk (each a slice of the one stream), then an empty `PUT` that names the digest. */
  private async putChunks(location: string, blob: UploadedBlob, open: OpenBlob, chunkBytes: number): Promise<void> {
    const reader = new ChunkReader(await open());
    try {
      let next = location;
      for (let start = 0; start < blob.size; start += chunkBytes) {
        const length = Math.min(chunkBytes, blob.size - start);
        const res = await this.send('PATCH', next, reader.next(length), length, {
          'content-range': `${start}-${start + length - 1}`,
        });
        await this.expect(res, 202, blob);
        next = this.location(res);
      }
      await reader.end();
      await this.expect(await this.send('PUT', withDigest(next, blob.digest), '', 0), 201, blob);
    } finally {
      reader.destroy();
    }
  }

  private send(
    method: 'PUT' | 'PATCH',
    path: string,
    body: Readable | string,
    length: number,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse> {
    return this.client.request({
      method,
      path,
      repository: this.repository,
      scope: this.scope,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length), ...headers },
      body,
    });
  }

  private async expect(res: HttpResponse, status: number, blob: UploadedBlob): Promise<void> {
    if (res.status === status) return drain(res);
    throw await this.client.statusError(res, `upload of blob ${blob.digest} to ${this.name}`, this.repository);
  }

  private location(res: HttpResponse): string {
    const location = headerValue(res.headers, 'location');
    if (!location) throw new RegistryError('InternalError', `${this.name}: the registry gave no upload location`);
    return location;
  }

  private get name(): string {
    return `${this.client.options.registry}/${this.repository}`;
  }
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Worth a new upload session: the connection failed, or the registry failed or asked to slow down. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.reason === 'Unreachable' || error.reason === 'TooManyRequests') return true;
  return error.reason === 'InternalError' && (error.status === undefined || error.status >= 500);
}
