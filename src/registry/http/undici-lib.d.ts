// The files of undici that undici-parts.ts imports; it gives them the types of undici's index.
declare module 'undici/lib/*' {
  const part: unknown;
  export = part;
}
