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

/** containerd's component syntax: an OS has no "."; an architecture or a variant may. */
const OS_NAME = /^[A-Za-z0-9_-]+$/;
const COMPONENT = /^[A-Za-z0-9_.-]+$/;
const OS_VERSION = /^[A-Za-z0-9_.+-]+$/;
/** containerd's `os(osversion)` form of the first component. */
const OS_WITH_VERSION = /^([A-Za-z0-9_-]+)\(([A-Za-z0-9_.%+-]*)\)$/;
const EXPECTED = 'expected os/arch[/variant][:osversion], such as linux/amd64 or linux/arm/v7';

/**
 * Parses `os/arch[/variant][:osversion]` (or containerd's `os(osversion)/arch[/variant]`) and normalises it as
 * containerd's platforms.Normalize does (`aarch64`→`arm64`, `arm64/v8`≡`arm64`, `armhf`→`arm/v7`, `x86_64`→`amd64`,
 * `macos`→`darwin`). Unlike containerd, both the OS and the architecture must be written: nothing is taken from the
 * machine that runs. Throws InvalidPlatformError.
 */
export function parsePlatform(text: string): Platform {
  if (typeof text !== 'string' || text.trim() === '') throw invalidPlatform(String(text ?? ''), EXPECTED);
  const trimmed = text.trim();
  if (trimmed.includes('*')) throw invalidPlatform(text, 'wildcards are not supported');
  const colon = trimmed.indexOf(':');
  const written = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const parts = written.split('/');
  if (parts.length < 2 || parts.length > 3) throw invalidPlatform(text, EXPECTED);
  const { os, osVersion: inParentheses } = osComponent(parts[0]!, text);
  const bad = parts.slice(1).find((part) => !COMPONENT.test(part));
  if (bad !== undefined) throw invalidPlatform(text, `bad component ${quoted(bad)}; ${EXPECTED}`);
  if (colon >= 0 && inParentheses !== undefined) throw invalidPlatform(text, 'give the os version once, as :osversion');
  const osVersion = colon < 0 ? inParentheses : trimmed.slice(colon + 1);
  if (osVersion !== undefined && !OS_VERSION.test(osVersion)) {
    throw invalidPlatform(text, `bad os version ${quoted(osVersion)}`);
  }
  return normalizePlatform({ os, architecture: parts[1]!, variant: parts[2], osVersion });
}

function osComponent(part: string, text: string): { os: string; osVersion?: string } {
  if (OS_NAME.test(part)) return { os: part };
  const match = OS_WITH_VERSION.exec(part);
  if (!match) throw invalidPlatform(text, `bad operating system ${quoted(part)}; ${EXPECTED}`);
  const written = match[2]!;
  if (written.includes('+')) throw invalidPlatform(text, 'OS features (+feature) are not supported');
  let osVersion: string;
  try {
    osVersion = decodeURIComponent(written);
  } catch {
    throw invalidPlatform(text, `bad os version ${quoted(written)}`);
  }
  return osVersion === '' ? { os: match[1]! } : { os: match[1]!, osVersion };
}

function invalidPlatform(text: string, why: string): InvalidPlatformError {
  return new InvalidPlatformError(`invalid platform ${quoted(text)}: ${why}`);
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
      return ['arm64', arm64Variant(variant)];
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

function arm64Variant(variant: string | undefined): string | undefined {
  if (variant === '8' || variant === 'v8' || variant === 'v8.0') return undefined;
  if (variant === '9' || variant === '9.0' || variant === 'v9.0') return 'v9';
  return variant;
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
