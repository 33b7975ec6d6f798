/** Deepest nesting of the YAML parser's stack accepted; a catalog needs about ten levels. */
export const MAX_YAML_NESTING = 64;
/**
 * Most YAML tokens accepted. The parser keeps about a kilobyte per token; a catalog of 10,000 tags has some 290,000,
 * so this bounds memory for hostile input (a flow list of a million items) without limiting real catalogs.
 */
export const MAX_YAML_TOKENS = 350_000;
