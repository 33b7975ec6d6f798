import { quoted } from './echoed-text.js';
import { InvalidPlatformError } from './errors.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

/** The `platform` object of an OCI descriptor or image config, as found on the wire. */
export interface WirePlatform {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
  'os.version'?: unknown;
}

const TOKEN = /^[a-z0-9_.-]+$/;

/**
 * Parses `os/arch[/variant][:osversion]` and normalises it as containerd does
 * (`aarch64`→`arm64`, `arm64/v8`≡`arm64`, `armhf`→`arm/v7`, `x86_64`→`amd64`). Throws InvalidPlatformError.
 */
export function parsePlatform(text: string): Platform {
  if (typeof text !== 'string' || text.trim() === '')
    throw new InvalidPlatformError('invalid platform "": expected os/arch[/variant]');
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const osVersion = colon >= 0 ? trimmed.slice(colon + 1) : undefined;
  const parts = (colon >= 0 ? trimmed.slice(0, colon) : trimmed).toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !TOKEN.test(p))) {
    throw new InvalidPlatformError(`invalid platform ${quoted(text)}: expected os/arch[/variant][:osversion]`);
  }
  if (osVersion !== undefined && !/^[A-Za-z0-9_.-]+$/.test(osVersion)) {
    throw new InvalidPlatformError(`invalid platform ${quoted(text)}: bad os version ${quoted(osVersion)}`);
  }
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2], osVersion });
}

/** containerd's normalisation of os, architecture and variant. */
export function normalizePlatform(platform: Platform): Platform {
  const os = normalizeOs(platform.os.toLowerCase());
  const [architecture, variant] = normalizeArch(platform.architecture.toLowerCase(), platform.variant?.toLowerCase());
  const out: Platform = { os, architecture };
  if (variant) out.variant = variant;
  if (platform.osVersion) out.osVersion = platform.osVersion;
  return out;
}

function normalizeOs(os: string): string {
  return os === 'macos' ? 'darwin' : os;
}

function normalizeArch(arch: string, variant: string | undefined): [string, string | undefined] {
  switch (arch) {
    case 'i386':
      return ['386', undefined];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? undefined : variant];
    case 'aarch64':
    case 'arm64':
      return ['arm64', variant === '8' || variant === 'v8' ? undefined : variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === undefined || variant === '' || variant === '7') return ['arm', 'v7'];
      if (/^[5-8]$/.test(variant)) return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [arch, variant];
  }
}

/** `os/arch[/variant][:osversion]`, the platform string used everywhere in output and state. */
export function formatPlatform(platform: Platform): string {
  let out = `${platform.os}/${platform.architecture}`;
  if (platform.variant) out += `/${platform.variant}`;
  if (platform.osVersion) out += `:${platform.osVersion}`;
  return out;
}

/** Reads a descriptor's or config's platform fields, normalised; `unknown/unknown` when absent. */
export function platformFromWire(wire: WirePlatform | undefined): Platform {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return normalizePlatform({
    os: str(wire?.os) ?? 'unknown',
    architecture: str(wire?.architecture) ?? 'unknown',
    variant: str(wire?.variant),
    osVersion: str(wire?.['os.version']),
  });
}

/**
 * True when `candidate` satisfies the preference `wanted`: same os and architecture, and the same variant
 * unless the preference names none. The os version only counts when the preference names one.
 */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false;
  if (wanted.variant !== undefined && wanted.variant !== candidate.variant) return false;
  if (wanted.osVersion !== undefined && wanted.osVersion !== candidate.osVersion) return false;
  return true;
}

/**
 * Parses a platform preference: like parsePlatform, but a preference written without a variant keeps none
 * (so `linux/arm` matches arm/v6 and arm/v7, where parsePlatform would default it to v7).
 */
export function parsePlatformPreference(text: string): Platform {
  const platform = parsePlatform(text);
  if (text.split(':')[0]!.split('/').length === 2) delete platform.variant;
  return platform;
}
