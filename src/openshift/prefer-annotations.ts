import { PREFER_ARCH_ANNOTATION, PREFER_OS_ANNOTATION } from '../config/platform-preference.js';
import { parsePlatform } from '../core/platform.js';

/**
 * OpenShift's prefer-arch/prefer-os tag annotations for a preferred platform, unless the tag already carries either
 * (the catalog took its preference from them).
 */
export function preferenceAnnotations(
  preferPlatform: string | null,
  annotations: Record<string, string>,
): Record<string, string> {
  if (!preferPlatform || PREFER_ARCH_ANNOTATION in annotations || PREFER_OS_ANNOTATION in annotations) return {};
  const platform = parsePlatform(preferPlatform);
  const arch = platform.variant ? `${platform.architecture}/${platform.variant}` : platform.architecture;
  return { [PREFER_ARCH_ANNOTATION]: arch, [PREFER_OS_ANNOTATION]: platform.os };
}
