/** The few ANSI styles the renderers use; every one is the identity when colour is off. */
export interface Palette {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  magenta(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Palette = {
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  red: sgr(31, 39),
  magenta: sgr(35, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

const plain = (text: string): string => text;
const PLAIN: Palette = { green: plain, yellow: plain, red: plain, magenta: plain, dim: plain, bold: plain };

export function palette(color: boolean): Palette {
  return color ? ANSI : PLAIN;
}
