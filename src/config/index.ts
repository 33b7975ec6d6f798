export { parseDuration } from './duration.js';
export { type LoadCatalogOptions, loadCatalog, MAX_CATALOG_BYTES } from './load-catalog.js';
export { PREFER_ARCH_ANNOTATION, PREFER_OS_ANNOTATION } from './platform-preference.js';
export { matchRegistrySettings, registrySettingsOfHost } from './registry-key.js';
