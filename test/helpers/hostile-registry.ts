import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ListeningServer, listenOnLoopback, readBody, type ServerTls } from './http-server.js';

/** How the registry answers one request. */
export type Answer = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HostileRequest {
  method: string;
  path: string;
  /** The Authorization header it carried: kept in memory only, to tell what was sent where. */
  authorization?: string;
  /** The form a POST carried (a token request's refresh_token, …), in memory only. */
  form?: URLSearchParams;
}

export interface HostileRegistryOptions {
  /** Serve https with this certificate. */
  tls?: ServerTls;
  /**
   * The `WWW-Authenticate` of a 401 to a request without Authorization (a function of the registry's own origin, to
   * name its own token endpoint); without it no credentials are asked for.
   */
  challenge?: string | ((origin: string) => string);
  /** Answers that take precedence over the content served, the first matching one winning. */
  answers?: { method?: string; path: RegExp; answer: Answer }[];
  /** Other paths, such as a token endpoint (`/token`), answered whatever the Authorization. */
  routes?: Record<string, Answer>;
}

export interface HostileRegistry {
  /** `http(s)://127.0.0.1:PORT` */
  origin: string;
  /** `127.0.0.1:PORT` */
  host: string;
  readonly requests: HostileRequest[];
  /** Serves `bytes` as a manifest of `repository` at each of `references` and at its digest; returns the digest. */
  putManifest(repository: string, references: string[], bytes: Buffer, mediaType: string): string;
  putBlob(repository: string, bytes: Buffer): string;
  stop(): Promise<void>;
}

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Content {
  bytes: Buffer;
  mediaType: string;
}

/**
 * A registry that speaks just enough of the distribution API to serve small images from memory, and misbehaves as a
 * test scripts it to: echo credentials, trickle bodies, name odd token realms. Binds 127.0.0.1 only.
 */
export async function startHostileRegistry(options: HostileRegistryOptions = {}): Promise<HostileRegistry> {
  const manifests = new Map<string, Content>();
  const blobs = new Map<string, Content>();
  const requests: HostileRequest[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    const seen: HostileRequest = { method: request.method ?? '', path: url.pathname };
    if (request.headers.authorization) seen.authorization = request.headers.authorization;
    if (request.method === 'POST') seen.form = new URLSearchParams((await readBody(request, 64 * 1024)).toString());
    requests.push(seen);
    const route = options.routes?.[url.pathname];
    if (route) return route(request, response);
    if (options.challenge && !request.headers.authorization) {
      const challenge = typeof options.challenge === 'string' ? options.challenge : options.challenge(origin);
      response.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
      response.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const scripted = options.answers?.find(
      (a) => (!a.method || a.method === request.method) && a.path.test(url.pathname),
    );
    if (scripted) return scripted.answer(request, response);
    if (url.pathname === '/v2/') return json(response, 200, {});
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const content = match && (match[2] === 'manifests' ? manifests : blobs).get(`${match[1]}@${match[3]}`);
    if (!content) return json(response, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] });
    response.writeHead(200, {
      'content-type': content.mediaType,
      'content-length': content.bytes.length,
      'docker-content-digest': sha256(content.bytes),
    });
    response.end(request.method === 'HEAD' ? undefined : content.bytes);
  }

  const listening: ListeningServer = await listenOnLoopback((request, response) => {
    handle(request, response).catch(() => response.destroy());
  }, options.tls);
  const origin = listening.origin;

  return {
    origin: listening.origin,
    host: `127.0.0.1:${listening.port}`,
    requests,
    putManifest(repository, references, bytes, mediaType) {
      const digest = sha256(bytes);
      for (const reference of [...references, digest])
        manifests.set(`${repository}@${reference}`, { bytes, mediaType });
      return digest;
    },
    putBlob(repository, bytes) {
      const digest = sha256(bytes);
      blobs.set(`${repository}@${digest}`, { bytes, mediaType: 'application/octet-stream' });
      return digest;
    },
    stop: () => listening.close(),
  };
}

export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  response.end(bytes);
}

/** A registry answering like a misconfigured one that repeats the request's Authorization in its error (and a header). */
export function echoAuthorization(status = 403): Answer {
  return (request, response) => {
    const authorization = request.headers.authorization ?? '';
    const body = { errors: [{ code: 'DENIED', message: `denied: ${authorization}` }] };
    json(response, request.method === 'HEAD' ? 200 : status, request.method === 'HEAD' ? {} : body, {
      'x-echo': authorization,
    });
  };
}

/** Headers at once (with a correct Content-Length), then the body one byte every `intervalMs`. */
export function trickle(bytes: Buffer, mediaType: string, intervalMs: number): Answer {
  return async (request, response) => {
    response.writeHead(200, {
      'content-type': mediaType,
      'content-length': bytes.length,
      'docker-content-digest': sha256(bytes),
    });
    if (request.method === 'HEAD') return void response.end();
    for (let offset = 0; offset < bytes.length && !response.destroyed; offset++) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      response.write(bytes.subarray(offset, offset + 1));
    }
    response.end();
  };
}

/** A token endpoint that issues `token` to any request, or only to those `accepts` lets through. */
export function tokenEndpoint(token: string, accepts: (request: IncomingMessage) => boolean = () => true): Answer {
  return (request, response) => {
    if (!accepts(request)) return json(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'refused' }] });
    json(response, 200, { token, access_token: token, expires_in: 300 });
  };
}

/** An OCI image manifest of `config` and no layers. */
export function manifestFor(config: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [],
    }),
  );
}

/** A single-platform (linux/amd64) image: its config, its manifest and an index holding it. */
export function tinyImage(seed: string): { config: Buffer; manifest: Buffer; index: Buffer } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' }, seed }));
  const manifest = manifestFor(config);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: sha256(manifest),
          size: manifest.length,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    }),
  );
  return { config, manifest, index };
}
