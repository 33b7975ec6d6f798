import { Composer, type CST, type Document, Lexer, LineCounter, Parser } from 'yaml';
import { MAX_YAML_NESTING, MAX_YAML_TOKENS } from '../core/yaml-limits.js';

export { MAX_YAML_NESTING, MAX_YAML_TOKENS };

export interface YamlProblem {
  offset: number;
  message: string;
}

export interface ParsedYaml {
  /** Undefined when the text could not be parsed far enough to give one. */
  doc: Document.Parsed | undefined;
  lines: LineCounter;
  problems: YamlProblem[];
}

/** Parsing stopped early: the input is over a limit, or a second document starts. */
class StopParsing extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/**
 * Parses one YAML 1.2 document, keeping node ranges and counting lines for positions. Refuses documents nested
 * deeper than MAX_YAML_NESTING as they are read, so that hostile input costs no more than its first bytes.
 * Duplicate keys are left to the caller, which compares them as written (`1.0` and `"1.0"` are the same tag name).
 */
export function parseYaml(text: string): ParsedYaml {
  const parsed = parseYamlDocuments(text, 'the catalog', 2);
  const [doc, extra] = parsed.docs;
  const { lines } = parsed;
  if (!doc) return { doc: undefined, lines, problems: parsed.problems };
  const problems = documentProblems(doc);
  if (extra) {
    problems.push({ offset: extra.range[0], message: 'the catalog must be a single YAML document (remove "---")' });
  }
  return { doc, lines, problems };
}

export interface ParsedYamlDocuments {
  docs: Document.Parsed[];
  lines: LineCounter;
  problems: YamlProblem[];
}

/**
 * Parses up to `maxDocuments` YAML 1.2 documents of `text` (`noun` names it in messages), within the nesting and
 * token limits; a limit reached leaves no documents and one problem.
 */
export function parseYamlDocuments(text: string, noun: string, maxDocuments: number): ParsedYamlDocuments {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, strict: true, version: '1.2' });
  const docs: Document.Parsed[] = [];
  lines.addNewLine(0);
  try {
    for (const doc of composer.compose(guardedTokens(text, parser, noun), true, text.length)) {
      docs.push(doc);
      if (docs.length >= maxDocuments) break;
    }
  } catch (error) {
    if (!(error instanceof StopParsing)) throw error;
    return { docs: [], lines, problems: [{ offset: error.offset, message: error.problem }] };
  }
  return { docs, lines, problems: docs.flatMap(documentProblems) };
}

function documentProblems(doc: Document.Parsed): YamlProblem[] {
  return [...doc.errors, ...doc.warnings].map((error) => ({
    offset: error.pos[0],
    message: `invalid YAML: ${error.message}`,
  }));
}

function* guardedTokens(text: string, parser: Parser, noun: string): Generator<CST.Token> {
  let tokens = 0;
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    if (parser.stack.length > MAX_YAML_NESTING) {
      throw new StopParsing(parser.offset, `${noun} is nested too deeply (more than ${MAX_YAML_NESTING} levels)`);
    }
    if (++tokens > MAX_YAML_TOKENS) {
      throw new StopParsing(parser.offset, `${noun} has too many YAML tokens (more than ${MAX_YAML_TOKENS})`);
    }
  }
  yield* parser.end();
}
