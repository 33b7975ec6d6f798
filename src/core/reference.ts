import { assertDigest } from './digest.js';
import { quoted } from './echoed-text.js';
import { InvalidReferenceError } from './errors.js';
import {
  badPathComponent,
  digestProblem,
  isDomain,
  isIdentifier,
  isTag,
  MAX_PATH_LENGTH,
  MAX_TAG_LENGTH,
} from './reference-grammar.js';

/** A reference to an image in a registry, normalised as Docker does. */
export interface ImageReference {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path, `library/alpine` for Docker Hub official images. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** An image in an OCI image layout directory: skopeo's `oci:PATH[:TAG|@DIGEST]`. */
export interface LayoutReference {
  path: string;
  tag?: string;
  digest?: string;
}

export type ImageSourceReference =
  | { transport: 'registry'; ref: ImageReference }
  | { transport: 'layout'; ref: LayoutReference };

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's legacy index host, still written in references and auth files. */
export const DOCKER_HUB_INDEX_HOST = 'index.docker.io';
/** The host that serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** The key docker writes for Docker Hub in auth files, and the server URL its credential helpers are asked for. */
export const DOCKER_HUB_SERVER_URL = `https://${DOCKER_HUB_INDEX_HOST}/v1/`;

/**
 * Parses a Docker image reference exactly as distribution/reference's ParseDockerRef does: Docker Hub normalisation
 * (`alpine` → docker.io/library/alpine:latest, `index.docker.io` → docker.io), `latest` when neither tag nor digest is
 * given, and only the digest kept when both are. Throws InvalidReferenceError, saying why, on anything it refuses.
 */
export function parseReference(text: string): ImageReference {
  const { registry, repository, tag, digest } = parseNormalizedNamed(text);
  if (digest !== undefined) return { registry, repository, digest };
  return { registry, repository, tag: tag ?? 'latest' };
}

/** distribution/reference's ParseNormalizedNamed: the name normalised, with the tag and the digest as written. */
function parseNormalizedNamed(text: string): ImageReference {
  refuseObviousMistakes(text);
  if (isIdentifier(text)) {
    throw invalid(text, 'a name of 64 hex digits cannot be told from an image ID; write docker.io/library/NAME');
  }
  const full = withDockerDomain(text);
  const slash = full.indexOf('/');
  const registry = full.slice(0, slash);
  if (!isDomain(registry)) throw invalid(text, `invalid registry host ${quoted(registry)}: ${DOMAIN_RULE}`);
  const rest = full.slice(slash + 1);
  const at = rest.indexOf('@');
  const digest = at < 0 ? undefined : rest.slice(at + 1);
  const pathAndTag = at < 0 ? rest : rest.slice(0, at);
  const colon = pathAndTag.lastIndexOf(':');
  const tag = colon > pathAndTag.lastIndexOf('/') ? pathAndTag.slice(colon + 1) : undefined;
  const repository = tag === undefined ? pathAndTag : pathAndTag.slice(0, colon);

  checkRepository(repository, text);
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) {
    if (!isTag(tag)) throw invalid(text, `invalid tag ${quoted(tag)}: ${TAG_RULE}`);
    ref.tag = tag;
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) throw invalid(text, `invalid digest ${quoted(digest)}: ${problem}`);
    ref.digest = digest;
  }
  return ref;
}

const TAG_RULE = `a tag is 1 to ${MAX_TAG_LENGTH} letters, digits, "_", "." or "-", not starting with "." or "-"`;

function refuseObviousMistakes(text: string): void {
  if (typeof text !== 'string' || text.length === 0) throw invalid(text, 'reference is empty');
  if (/\s/.test(text)) throw invalid(text, 'reference contains white space');
  if (text.includes('://')) throw invalid(text, 'a reference has no scheme (remove "http://" or "docker://")');
}

/**
 * `domain/remainder` as distribution/reference reads a familiar name: the first component is the registry when it
 * is `localhost`, holds a "." or a ":", or has an uppercase letter; otherwise the name is on Docker Hub, where a
 * one-component name is an official image under `library/`.
 */
function withDockerDomain(text: string): string {
  const slash = text.indexOf('/');
  if (slash < 0) return `${DOCKER_HUB}/library/${text}`;
  const first = text.slice(0, slash);
  const namesHost = first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase();
  if (!namesHost) return `${DOCKER_HUB}/${text}`;
  const domain = first === DOCKER_HUB_INDEX_HOST ? DOCKER_HUB : first;
  const rest = text.slice(slash + 1);
  return domain === DOCKER_HUB && !rest.includes('/') ? `${DOCKER_HUB}/library/${rest}` : `${domain}/${rest}`;
}

function checkRepository(repository: string, text: string): void {
  if (repository === '') throw invalid(text, 'repository name is empty');
  const bad = badPathComponent(repository);
  if (bad === '') throw invalid(text, 'repository name has an empty path component');
  if (bad !== undefined && badPathComponent(bad.toLowerCase()) === undefined) {
    throw invalid(text, `repository name must be lowercase (${quoted(bad)})`);
  }
  if (bad !== undefined) throw invalid(text, `invalid repository path component ${quoted(bad)}: ${PATH_RULE}`);
  if (repository.length > MAX_PATH_LENGTH) {
    const why = `repository path is ${repository.length} characters long; at most ${MAX_PATH_LENGTH} are allowed`;
    throw invalid(text, `${why} (the registry host does not count)`);
  }
}

const DOMAIN_RULE =
  'a host is dot-separated letters, digits and inner "-", or an IPv6 address in [ ], with an optional :port';
const PATH_RULE = 'lowercase letters and digits, separated by one ".", one or two "_", or "-"s';

function invalid(text: string, why: string): InvalidReferenceError {
  return new InvalidReferenceError(`invalid image reference ${quoted(text)}: ${why}`);
}

/** `registry/repository[:tag][@digest]`, always fully qualified. */
export function formatReference(ref: ImageReference): string {
  let out = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

/** `registry/repository@digest`: the pull spec of an item. */
export function pullSpecByDigest(ref: ImageReference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}

/** The tag or digest to ask the registry for; the digest wins when both are given. */
export function manifestReference(ref: { tag?: string; digest?: string }): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/**
 * Parses a tag source: `oci:PATH[:TAG|@DIGEST]` for an OCI image layout, anything else as a registry reference.
 * `docker://` (skopeo's transport prefix) is accepted and stripped.
 */
export function parseImageSource(text: string): ImageSourceReference {
  if (text.startsWith('oci:')) return { transport: 'layout', ref: parseLayoutReference(text) };
  const bare = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  return { transport: 'registry', ref: parseReference(bare) };
}

function parseLayoutReference(text: string): LayoutReference {
  let rest = text.slice('oci:'.length);
  const ref: LayoutReference = { path: '' };
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    try {
      ref.digest = assertDigest(digest);
    } catch {
      throw invalid(text, `invalid digest ${quoted(digest)}`);
    }
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
      const tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (tag.length > 0) {
        if (!/^[\w][\w.:/@+-]{0,127}$/.test(tag)) throw invalid(text, `invalid layout tag ${quoted(tag)}`);
        ref.tag = tag;
      }
    }
  }
  if (rest.length === 0) throw invalid(text, 'an oci: reference needs a path');
  ref.path = rest;
  return ref;
}

/** `oci:PATH[:TAG][@DIGEST]`. */
export function formatLayoutReference(ref: LayoutReference): string {
  let out = `oci:${ref.path}`;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

export function formatImageSource(source: ImageSourceReference): string {
  return source.transport === 'layout' ? formatLayoutReference(source.ref) : formatReference(source.ref);
}
