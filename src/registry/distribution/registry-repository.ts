import { isDigest, sha256Digest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import { normalizeContentType, parseManifest, refuseSchema1 } from '../../core/manifest.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from '../../core/media-types.js';
import { drain, readCapped, verifyDigest } from '../body.js';
import type { ContentCache } from '../content-cache.js';
import { type HttpResponse, headerValue } from '../http/transport.js';
import type { BlobReader, FetchedManifest, ImageRepository, ManifestHead, RegistryLocation } from '../repository.js';
import { aboutSubject, interruptedRead } from '../wording/reads.js';
import type { RegistryClient } from './client.js';
import { tagPages } from './tag-pages.js';

/** A parsed manifest takes a few times the memory of its bytes. */
const CACHED_MANIFEST_OVERHEAD = 3;

/** A repository in a remote registry, spoken to with the distribution API. */
export class RegistryRepository implements ImageRepository {
  readonly name: string;
  readonly location: RegistryLocation;

  constructor(
    readonly client: RegistryClient,
    readonly repository: string,
    private readonly cache?: ContentCache,
  ) {
    this.name = `${client.options.registry}/${repository}`;
    this.location = { registry: client.options.registry, repository };
  }

  shown(text: string): Promise<string> {
    return this.client.shown(text, this.repository);
  }

  /**
   * HEAD with the full Accept set; falls back to GET when the registry gives no digest or refuses HEAD. Schema 1 is
   * refused here already, so that the message names the reference asked for, not a digest of a signed payload.
   */
  async head(reference: string): Promise<ManifestHead> {
    return this.described(reference, await this.sendHead(reference));
  }

  prepare(requests?: number): Promise<void> {
    return this.client.prepare(this.repository, undefined, requests);
  }

  /** One HEAD with `If-None-Match`: an unchanged tag costs the registry no more than looking the tag up. */
  async headUnlessAt(reference: string, digest: string): Promise<ManifestHead | undefined> {
    const res = await this.sendHead(reference, { 'if-none-match': `"${digest}"` });
    if (res.status === 304) return undefined;
    const head = await this.described(reference, res);
    return head.digest === digest ? undefined : head;
  }

  private async sendHead(reference: string, headers?: Record<string, string>): Promise<HttpResponse> {
    const res = await this.client.request({
      method: 'HEAD',
      path: this.manifestPath(reference),
      repository: this.repository,
      accept: MANIFEST_ACCEPT,
      ...(headers && { headers }),
    });
    await drain(res);
    return res;
  }

  private async described(reference: string, res: HttpResponse): Promise<ManifestHead> {
    if (res.status === 200) refuseSchema1(headerValue(res.headers, 'content-type'), this.describe(reference));
    const digest = headerValue(res.headers, 'docker-content-digest');
    const mediaType = normalizeContentType(headerValue(res.headers, 'content-type'));
    const size = Number(headerValue(res.headers, 'content-length'));
    const usable = res.status === 200 && digest && isDigest(digest) && mediaType && Number.isFinite(size);
    if (usable && (!isDigest(reference) || digest === reference)) return { digest, mediaType, size };
    if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) {
      throw await this.client.statusError(res, this.describe(reference), this.repository);
    }
    const fetched = await this.getManifest(reference);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    const fetch = async () => this.cachedManifest(await this.fetchManifest(reference));
    const cache = this.cache;
    if (!cache || !isDigest(reference)) return fetch();
    const key = this.cacheKey(reference);
    return cache.get<FetchedManifest>(key) ?? cache.once(key, fetch);
  }

  private cachedManifest(fetched: FetchedManifest): FetchedManifest {
    this.cache?.set(this.cacheKey(fetched.digest), fetched, fetched.size * CACHED_MANIFEST_OVERHEAD);
    return fetched;
  }

  private async fetchManifest(reference: string): Promise<FetchedManifest> {
    const what = this.describe(reference);
    const res = await this.client.request({
      method: 'GET',
      path: this.manifestPath(reference),
      repository: this.repository,
      accept: MANIFEST_ACCEPT,
    });
    if (res.status === 404) throw await this.manifestNotFound(res, reference);
    if (res.status !== 200) throw await this.client.statusError(res, what, this.repository);
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, what);
    refuseSchema1(headerValue(res.headers, 'content-type'), what);
    const served = headerValue(res.headers, 'docker-content-digest');
    const expected = isDigest(reference) ? reference : served && isDigest(served) ? served : undefined;
    if (expected) verifyDigest(bytes, expected, what);
    const digest = expected ?? sha256Digest(bytes);
    const manifest = parseManifest(bytes, headerValue(res.headers, 'content-type'), what);
    return { digest, mediaType: manifest.mediaType, size: bytes.length, bytes, manifest };
  }

  async getBlob(digest: string, maxBytes: number): Promise<Uint8Array> {
    checkedBlobDigest(digest);
    const key = this.cacheKey(digest);
    const cached = this.cache?.get<Uint8Array>(key);
    if (cached && cached.length <= maxBytes) return cached;
    const fetchBlob = async () => {
      const bytes = await this.fetchBlob(digest, maxBytes);
      this.cache?.set(key, bytes, bytes.length);
      return bytes;
    };
    return this.cache ? this.cache.once(`${key} within ${maxBytes}`, fetchBlob) : fetchBlob();
  }

  private async fetchBlob(digest: string, maxBytes: number): Promise<Uint8Array> {
    const what = `blob ${this.name}@${digest}`;
    const res = await this.requestBlob(digest, what);
    const bytes = await readBody(res, maxBytes, what);
    verifyDigest(bytes, digest, what);
    return bytes;
  }

  async openBlob(digest: string): Promise<BlobReader> {
    const res = await this.requestBlob(checkedBlobDigest(digest), `blob ${this.name}@${digest}`);
    const declared = Number(headerValue(res.headers, 'content-length'));
    return { body: res.body, size: Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined };
  }

  /** GET of a blob (redirects followed), answered 200; a failure names the blob. */
  private async requestBlob(digest: string, what: string): Promise<HttpResponse> {
    const res = await this.client
      .request({
        method: 'GET',
        path: `/v2/${this.repository}/blobs/${digest}`,
        repository: this.repository,
        followRedirects: true,
      })
      .catch((error: unknown) => {
        throw aboutSubject(error, what, digest);
      });
    if (res.status !== 200) throw await this.client.statusError(res, what, this.repository);
    return res;
  }

  /** Per repository: a digest found in one repository says nothing of another (nor of access to it). */
  private cacheKey(digest: string): string {
    return `${this.name}@${digest}`;
  }

  /** Distribution answers MANIFEST_UNKNOWN for a missing repository too: the tag list tells which is missing. */
  private async manifestNotFound(res: HttpResponse, reference: string): Promise<RegistryError> {
    const what = this.describe(reference);
    await drain(res);
    const tags = await this.client.request({
      method: 'GET',
      path: `/v2/${this.repository}/tags/list?n=1`,
      repository: this.repository,
    });
    await drain(tags);
    const missing = isDigest(reference) ? `no manifest ${reference}` : `no tag "${reference}"`;
    if (tags.status === 404)
      return new RegistryError('NotFound', `${what} not found: repository ${this.name} does not exist`, {
        status: 404,
      });
    if (tags.status === 200)
      return new RegistryError('NotFound', `${what} not found: repository ${this.name} has ${missing}`, {
        status: 404,
      });
    return new RegistryError('NotFound', `${what} not found (HTTP 404)`, { status: 404 });
  }

  listTags(): AsyncIterable<readonly string[]> {
    return tagPages(this.client, this.repository, { missing: 'error' });
  }

  pullSpec(digest: string): string {
    return `${this.name}@${digest}`;
  }

  private manifestPath(reference: string): string {
    return `/v2/${this.repository}/manifests/${reference}`;
  }

  private describe(reference: string): string {
    return isDigest(reference) ? `${this.name}@${reference}` : `${this.name}:${reference}`;
  }
}

/** Digests become URL paths only once validated. */
function checkedBlobDigest(digest: string): string {
  if (!isDigest(digest)) throw new RegistryError('InvalidManifest', 'invalid blob digest; refused');
  return digest;
}

/** A response body read into memory; a connection lost on the way is an Unreachable error naming `what`. */
async function readBody(res: HttpResponse, maxBytes: number, what: string): Promise<Uint8Array> {
  try {
    return await readCapped(res, maxBytes, what);
  } catch (error) {
    throw interruptedRead(error, what);
  }
}
