import { assertDigest } from './digest.js';
import { quoted } from './echoed-text.js';
import { InvalidReferenceError } from './errors.js';

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
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Parses a Docker image reference (distribution/reference grammar) with Docker Hub normalisation:
 * `alpine` → docker.io/library/alpine:latest. Throws InvalidReferenceError on invalid input.
 */
export function parseReference(text: string): ImageReference {
  if (typeof text !== 'string' || text.length === 0) throw invalid(text, 'reference is empty');
  if (text.trim() !== text || /\s/.test(text)) throw invalid(text, 'reference contains white space');
  if (text.includes('://')) throw invalid(text, 'a reference has no scheme (remove "http://" or "docker://")');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      assertDigest(digest);
    } catch {
      throw invalid(text, `invalid digest ${quoted(digest)}`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalid(text, `invalid tag ${quoted(tag)}`);
  }

  const { registry, path } = splitDomain(rest, text);
  if (path.length === 0) throw invalid(text, 'repository name is empty');
  for (const component of path.split('/')) {
    if (component.length === 0) throw invalid(text, 'repository name has an empty path component');
    if (component !== component.toLowerCase()) throw invalid(text, 'repository name must be lowercase');
    if (!PATH_COMPONENT.test(component)) throw invalid(text, `invalid repository path component ${quoted(component)}`);
  }
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  if (`${registry}/${repository}`.length > MAX_NAME_LENGTH) {
    throw invalid(text, `repository name must not be longer than ${MAX_NAME_LENGTH} characters`);
  }

  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

function splitDomain(name: string, original: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const looksLikeDomain = first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first);
  if (slash < 0 || !looksLikeDomain) return { registry: DOCKER_HUB, path: name };
  if (!DOMAIN.test(first)) throw invalid(original, `invalid registry host ${quoted(first)}`);
  const registry = first === DOCKER_HUB_INDEX_HOST ? DOCKER_HUB : first;
  return { registry, path: name.slice(slash + 1) };
}

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
