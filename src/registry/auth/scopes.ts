/** Token scopes (Docker token spec): `repository:NAME:ACTIONS`, several separated by spaces. */

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** The scopes of a space-separated scope string, each sent as its own `scope` parameter of a token request. */
export function scopeList(scope: string): string[] {
  return scope.split(' ').filter(Boolean);
}
