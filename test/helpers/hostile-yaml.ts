/**
 * A billion laughs: nine levels of YAML anchors, each a list of nine aliases of the one before, indented by `indent`
 * (about 387 million strings once expanded).
 */
export function aliasBombLines(indent: string): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return lines.map((line) => `${indent}${line}`).join('\n');
}
