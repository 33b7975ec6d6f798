import { clipped, ECHO_LIMIT, quoted } from '../../core/echoed-text.js';
import { secretValues } from '../../credentials/secret-values.js';
import type { Credential } from '../../credentials/types.js';
import { flattened, looseView } from './loose-text.js';
import { exactForms, looseForms } from './secret-forms.js';

/** What a secret found in registry text is replaced with. */
export const REDACTED = '[redacted]';

/** What a text that hides a secret in a form that cannot be cut out precisely is shown as, whole. */
export const WITHHELD = "(the registry's message repeated a credential sent to it; not shown)";

/**
 * Shorter forms are not looked for in the data a registry serves (headers, manifests, configs): they would match
 * ordinary bytes by chance and refuse good images. Messages are scrubbed of every exact form, however short; the
 * loose forms (decoded, in any case: see secret-forms.ts) of a shorter secret are looked for nowhere, as they would
 * match ordinary words.
 */
const MIN_DATA_FORM_LENGTH = 8;

/** How many echo checks are kept for reuse. */
const MAX_CHECKS = 64;

/** How many header values an echo check remembers the verdict of. */
const MAX_HEADER_VERDICTS = 256;

/** A bearer token stays a secret a little after it expires: a registry may echo it late. */
const TOKEN_AFTERLIFE_MS = 60_000;

/** Stands for a secret while text is scrubbed, so that a later pass never mistakes `[redacted]` for part of one. */
const HOLE = '\uE000';

/** Line breaks and tabs: shown as spaces, to keep a message on one line. */
const BREAKS = /[\t\n\v\f\r\u2028\u2029]/g;
/** Other control characters (C0, DEL, C1) and format characters (zero-width ones, bidirectional marks): dropped. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * The one way text a registry or its token server sent (an error message, a realm, a redirect's host) enters a
 * message: it is scrubbed of every secret sent to them, made printable on one line and clipped. A secret repeated in
 * a form that can be cut out precisely (raw, base64, URL-encoded, JSON-escaped) is replaced by `[redacted]`; a text
 * that still hides one once decoded every other way (percent-encoded in lower case, form-encoded, HTML-escaped, hex,
 * base64 shifted or wrapped, in another case, split by invisible characters: see loose-text.ts) is `WITHHELD` whole.
 * It also gives the checks that keep those secrets out of the data a registry serves (see `EchoCheck`).
 */
export class RegistryText {
  private readonly credentialValues = new Set<string>();
  private readonly travellingValues = new Set<string>();
  private readonly tokens = new Map<string, number>();
  private sortedForms: string[] | undefined;
  private looseSecretForms: string[] | undefined;
  /** The echo checks of the few authorizations in use (one per bearer token): built once each. */
  private readonly checks = new Map<string, EchoCheck>();
  /** Each secret's forms, worked out once: every token a token server issues adds one secret, not all of them again. */
  private readonly formsOf = new SecretForms();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds the secrets of a credential that is (or may be) sent to the registry or its token server. */
  remember(credential: Credential): void {
    for (const value of secretValues(credential)) this.credentialValues.add(value);
    for (const value of travellingValues(credential)) this.travellingValues.add(value);
    this.forgetForms();
    this.checks.clear();
  }

  /** Adds a bearer token a token server issued, a secret until a little after `expiresAt`. */
  rememberToken(token: string, expiresAt: number): void {
    this.tokens.set(token, Math.max(expiresAt, this.tokens.get(token) ?? 0) + TOKEN_AFTERLIFE_MS);
    this.forgetExpiredTokens();
    this.forgetForms();
  }

  /** `text` safe to show: no secret in any form, no control character, at most `limit` characters (then clipped). */
  show(text: string, limit = ECHO_LIMIT): string {
    return clipped(this.scrubbed(text), limit);
  }

  /** Like `show`, as a JSON string: for text that may be empty or hold spaces (a realm, a header value). */
  quote(text: string, limit = ECHO_LIMIT): string {
    return quoted(this.scrubbed(text), limit);
  }

  /** The check for the answer to a request that carried `authorization` (a bearer token is looked for as well). */
  echoCheck(authorization = ''): EchoCheck {
    let check = this.checks.get(authorization);
    if (!check) {
      const bearer = /^Bearer (.+)$/.exec(authorization)?.[1];
      const values = [...this.travellingValues, ...(bearer ? [bearer] : [])];
      const exact = values.flatMap((v) => this.formsOf.exact(v)).filter((form) => form.length >= MIN_DATA_FORM_LENGTH);
      check = new EchoCheck([...new Set(exact)], this.formsOf.looseOfAll(values));
      if (this.checks.size >= MAX_CHECKS) this.checks.clear();
      this.checks.set(authorization, check);
    }
    return check;
  }

  private scrubbed(text: string): string {
    const printable = this.redact(this.redact(text).replace(BREAKS, ' ').replace(UNPRINTABLE, ''));
    if (this.hidesSecret(printable)) return WITHHELD;
    return printable.trim().replaceAll(HOLE, REDACTED);
  }

  private redact(text: string): string {
    let out = text;
    for (const form of this.forms()) if (out.includes(form)) out = out.split(form).join(HOLE);
    return out;
  }

  /** Whether `text`, once decoded every way a secret could hide in it, still holds one. */
  private hidesSecret(text: string): boolean {
    this.forgetExpiredTokens();
    this.looseSecretForms ??= this.formsOf.looseOfAll([...this.credentialValues, ...this.tokens.keys()]);
    if (this.looseSecretForms.length === 0) return false;
    const view = looseView(text);
    return this.looseSecretForms.some((form) => view.includes(form));
  }

  /** Every exact form of every secret, longest first, so that a secret inside another is never left half shown. */
  private forms(): string[] {
    this.forgetExpiredTokens();
    if (!this.sortedForms) {
      const values = [...this.credentialValues, ...this.tokens.keys()];
      const forms = values.flatMap((v) => this.formsOf.exact(v));
      this.sortedForms = [...new Set(forms)].sort((a, b) => b.length - a.length);
    }
    return this.sortedForms;
  }

  private forgetForms(): void {
    this.sortedForms = undefined;
    this.looseSecretForms = undefined;
  }

  private forgetExpiredTokens(): void {
    const now = this.now();
    for (const [token, until] of this.tokens) {
      if (until < now) {
        this.tokens.delete(token);
        this.formsOf.forget(token);
        this.forgetForms();
      }
    }
  }
}

/**
 * Looks for the secrets a request carried in what the registry answered: a registry that echoes them in a header
 * or in a manifest or config (which end up in the state and the plan) is caught before they get anywhere. The bytes
 * are searched as served, then decoded every way a secret could hide in them (see loose-text.ts): a JSON string, key
 * or value, written with Go's `\u0026`, Python's `\u00f6` or PHP's `\/` escapes is searched as JSON.parse reads it.
 */
export class EchoCheck {
  private bytes: Buffer[] | undefined;
  /** Header values already looked at: most repeat from answer to answer (a media type, a date, a digest). */
  private readonly headerVerdicts = new Map<string, boolean>();

  constructor(
    private readonly forms: string[],
    private readonly looseForms: string[] = [],
  ) {}

  foundInText(text: string): boolean {
    return this.forms.some((form) => text.includes(form)) || this.foundLoosely(text);
  }

  foundInBytes(data: Uint8Array): boolean {
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.bytes ??= this.forms.map((form) => Buffer.from(form));
    if (this.bytes.some((form) => buffer.includes(form))) return true;
    // Decoded only when there is something to look for that way: most answers are read without a copy as text.
    return this.looseForms.length > 0 && this.foundLoosely(buffer.toString('utf8'));
  }

  /**
   * `headers` with every value that holds a secret replaced by `[redacted]`: a copy when one does, `headers` itself
   * when none does (most answers).
   */
  scrubHeaders<T extends Record<string, string | string[] | undefined>>(headers: T): T {
    if (this.forms.length === 0 && this.looseForms.length === 0) return headers;
    let out: Record<string, string | string[] | undefined> | undefined;
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      const scrubbed = Array.isArray(value) ? this.scrubbedValues(value) : this.scrubbedValue(value);
      if (scrubbed === value) continue;
      out ??= { ...headers };
      out[name] = scrubbed;
    }
    return (out ?? headers) as T;
  }

  /** `values`, or a copy with those that hold a secret replaced by `[redacted]`. */
  private scrubbedValues(values: string[]): string[] {
    return values.some((one) => this.foundInHeader(one)) ? values.map((one) => this.scrubbedValue(one)) : values;
  }

  private scrubbedValue<V extends string | undefined>(value: V): V | typeof REDACTED {
    return value !== undefined && this.foundInHeader(value) ? REDACTED : value;
  }

  private foundInHeader(value: string): boolean {
    let found = this.headerVerdicts.get(value);
    if (found === undefined) {
      found = this.foundInText(value);
      if (this.headerVerdicts.size >= MAX_HEADER_VERDICTS) this.headerVerdicts.clear();
      this.headerVerdicts.set(value, found);
    }
    return found;
  }

  private foundLoosely(text: string): boolean {
    if (this.looseForms.length === 0) return false;
    const view = looseView(text);
    return this.looseForms.some((form) => view.includes(form));
  }
}

/** The exact and loose forms of secrets, remembered per secret. */
class SecretForms {
  private readonly exactForms = new Map<string, string[]>();
  private readonly looseForms = new Map<string, string[]>();

  exact(value: string): string[] {
    let forms = this.exactForms.get(value);
    if (!forms) {
      forms = exactForms(value);
      this.exactForms.set(value, forms);
    }
    return forms;
  }

  /** The loose forms of the secrets long enough to be looked for that way (see MIN_DATA_FORM_LENGTH). */
  looseOfAll(values: string[]): string[] {
    return [...new Set(values.flatMap((value) => this.loose(value)))];
  }

  forget(value: string): void {
    this.exactForms.delete(value);
    this.looseForms.delete(value);
  }

  private loose(value: string): string[] {
    let forms = this.looseForms.get(value);
    if (!forms) {
      const long = flattened(value).length >= MIN_DATA_FORM_LENGTH;
      forms = long ? looseForms(value).filter((form) => form.length >= MIN_DATA_FORM_LENGTH) : [];
      this.looseForms.set(value, forms);
    }
    return forms;
  }
}

/**
 * What data is searched for: a credential as it travels (the `username:password` pair Basic encodes, a token), not a
 * bare password, which an ordinary word of a manifest or config could be (`password`, `changeme`).
 */
function travellingValues(credential: Credential): string[] {
  return credential.kind === 'basic' ? [`${credential.username}:${credential.password}`] : secretValues(credential);
}
