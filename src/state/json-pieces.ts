import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from '../core/json-characters.js';

/** The text is not something `JsonPieces` reads: the caller parses the whole text with JSON.parse instead. */
export class NotPiecewise extends Error {}

type Expect = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'next' | 'done';

interface Frame {
  container: Record<string, unknown> | unknown[];
  /** The key whose value is being read, in an object. */
  key: string;
}

interface Token {
  kind: 'string' | 'primitive' | 'container';
  pieces: Buffer[];
  /** Open brackets of a container token. */
  depth: number;
  inString: boolean;
  escaped: boolean;
}

/**
 * Parses JSON given as UTF-8 byte chunks without ever holding the whole text: each object or array opened
 * `cutDepth` levels down is parsed on its own by JSON.parse, and the levels above are built here. For a large
 * document of many small parts (the state file's tags) the text is only ever held a part at a time.
 *
 * Only well-formed JSON without a byte order mark is read: anything else throws NotPiecewise, so that the caller
 * gets JSON.parse's own error for the whole text. What it returns is what JSON.parse returns for the same text.
 */
export class JsonPieces {
  private readonly stack: Frame[] = [];
  private expect: Expect = 'value';
  private root: unknown;
  private token: Token | undefined;
  /** Where the token being read started in the current chunk (0 when it started in an earlier one). */
  private tokenStart = 0;

  constructor(private readonly cutDepth: number) {}

  write(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.token) {
        i = this.continueToken(chunk, i);
        continue;
      }
      const byte = chunk[i]!;
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) {
        i++;
        continue;
      }
      this.structural(byte, i);
      i++;
    }
    if (this.token) {
      this.token.pieces.push(Buffer.from(chunk.subarray(this.tokenStart)));
      this.tokenStart = 0;
    }
  }

  end(): unknown {
    if (this.token?.kind === 'primitive') this.finishToken(undefined, 0);
    if (this.token || this.expect !== 'done') throw new NotPiecewise();
    return this.root;
  }

  private structural(byte: number, i: number): void {
    if (this.expect === 'value' || this.expect === 'first-value') this.valueStart(byte, i);
    else if (this.expect === 'key' || this.expect === 'first-key') this.keyStart(byte, i);
    else if (this.expect === 'colon' && byte === COLON) this.expect = 'value';
    else if (this.expect === 'next') this.afterValue(byte);
    else throw new NotPiecewise();
  }

  private valueStart(byte: number, i: number): void {
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.open(byte === OPEN_OBJECT, i);
    else if (byte === CLOSE_ARRAY && this.expect === 'first-value') this.closeFrame();
    else if (byte === QUOTE) this.startToken('string', i);
    else if (startsPrimitive(byte)) this.startToken('primitive', i);
    else throw new NotPiecewise();
  }

  private keyStart(byte: number, i: number): void {
    if (byte === QUOTE) this.startToken('string', i);
    else if (byte === CLOSE_OBJECT && this.expect === 'first-key') this.closeFrame();
    else throw new NotPiecewise();
  }

  /** An object or array opens: read here above the cut depth, by JSON.parse below it. */
  private open(isObject: boolean, i: number): void {
    if (this.stack.length >= this.cutDepth) {
      this.startToken('container', i);
      return;
    }
    this.stack.push({ container: isObject ? {} : [], key: '' });
    this.expect = isObject ? 'first-key' : 'first-value';
  }

  private afterValue(byte: number): void {
    const frame = this.stack.at(-1);
    if (!frame) throw new NotPiecewise();
    const isArray = Array.isArray(frame.container);
    if (byte === COMMA) this.expect = isArray ? 'value' : 'key';
    else if (byte === (isArray ? CLOSE_ARRAY : CLOSE_OBJECT)) this.closeFrame();
    else throw new NotPiecewise();
  }

  /** A token starts at `chunk[i]`, its first byte, which the caller has read. */
  private startToken(kind: Token['kind'], i: number): void {
    this.token = { kind, pieces: [], depth: kind === 'container' ? 1 : 0, inString: kind === 'string', escaped: false };
    this.tokenStart = i;
  }

  /** Reads the token on from `chunk[i]`; returns where reading goes on (past the token if it ended). */
  private continueToken(chunk: Buffer, i: number): number {
    const token = this.token!;
    let at = i;
    for (; at < chunk.length; at++) {
      const byte = chunk[at]!;
      if (token.kind === 'primitive') {
        if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || byte <= 0x20) {
          return this.finishToken(chunk, at);
        }
        continue;
      }
      if (token.inString) {
        if (token.escaped) token.escaped = false;
        else if (byte === BACKSLASH) token.escaped = true;
        else if (byte === QUOTE) {
          token.inString = false;
          if (token.kind === 'string') return this.finishToken(chunk, at + 1);
        }
        continue;
      }
      if (byte === QUOTE) token.inString = true;
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) token.depth++;
      else if ((byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) && --token.depth === 0) {
        return this.finishToken(chunk, at + 1);
      }
    }
    return at;
  }

  /** Parses the token that ends before `chunk[end]` (at the end of the text when `chunk` is undefined). */
  private finishToken(chunk: Buffer | undefined, end: number): number {
    const token = this.token!;
    const last = chunk ? [chunk.subarray(this.tokenStart, end)] : [];
    const bytes = token.pieces.length === 0 && last[0] ? last[0] : Buffer.concat([...token.pieces, ...last]);
    this.token = undefined;
    this.tokenStart = 0;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new NotPiecewise();
    }
    if (token.kind === 'string' && (this.expect === 'key' || this.expect === 'first-key')) {
      this.stack.at(-1)!.key = value as string;
      this.expect = 'colon';
    } else {
      this.addValue(value);
    }
    return end;
  }

  private closeFrame(): void {
    const frame = this.stack.pop()!;
    this.addValue(frame.container);
  }

  private addValue(value: unknown): void {
    const frame = this.stack.at(-1);
    if (!frame) {
      this.root = value;
      this.expect = 'done';
      return;
    }
    if (Array.isArray(frame.container)) frame.container.push(value);
    else
      Object.defineProperty(frame.container, frame.key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    this.expect = 'next';
  }
}

/** `-`, a digit, or the first letter of true, false or null. */
function startsPrimitive(byte: number): boolean {
  return byte === 0x2d || (byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e;
}
