/** How a manifest list or OCI index is imported (DESIGN §4). */
export type ImportMode = 'Legacy' | 'PreserveOriginal';
/** Where consumers pull an imported image from: its source, or the catalog's local mirror. */
export type ReferencePolicy = 'Source' | 'Local';
