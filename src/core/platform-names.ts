/**
 * The operating systems and architectures Go knows (go/build's syslist, as containerd's platforms package lists
 * them), after normalisation. Others parse, but are most likely a typing mistake.
 */
export const KNOWN_OPERATING_SYSTEMS: readonly string[] = [
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
  'zos',
];

export const KNOWN_ARCHITECTURES: readonly string[] = [
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'ppc64',
  'ppc64le',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
];

/** Spellings the normalisation turns into a known architecture: suggested too. */
export const ARCHITECTURE_ALIASES: readonly string[] = ['aarch64', 'armhf', 'armel', 'i386', 'x86_64', 'x86-64'];

export const OPERATING_SYSTEM_ALIASES: readonly string[] = ['macos'];

export function isKnownOperatingSystem(os: string): boolean {
  return KNOWN_OPERATING_SYSTEMS.includes(os);
}

export function isKnownArchitecture(architecture: string): boolean {
  return KNOWN_ARCHITECTURES.includes(architecture);
}
