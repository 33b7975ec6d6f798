/** How far `update` moves a version tag: within its minor version, within its major version, or to any newer one. */
export type UpdatePolicy = 'patch' | 'minor' | 'major';
export const UPDATE_POLICIES: readonly UpdatePolicy[] = ['patch', 'minor', 'major'];
/** The policy of streams that set none, unless the command line says otherwise. */
export const DEFAULT_UPDATE_POLICY: UpdatePolicy = 'minor';
