import { drain } from '../body.js';
import type { HttpResponse } from '../http/transport.js';

/** What a request's authorization asks of the authenticator after a 401. */
export interface Reauthorizer {
  reauthorize(
    repository: string,
    res: HttpResponse,
    scope: string,
    refused: { carried: boolean },
  ): Promise<string | undefined>;
}

/** The Authorization header one request carries, from hop to hop, renewed at most once. */
export class RequestAuthorization {
  private header: string | undefined;
  private readonly repository: string;
  private readonly scope: string;
  private renewable: boolean;

  constructor(
    private readonly authenticator: Reauthorizer,
    request: { repository: string; scope: string; header: string | undefined; renewable: boolean },
  ) {
    this.repository = request.repository;
    this.scope = request.scope;
    this.header = request.header;
    this.renewable = request.renewable;
  }

  /** The request went to another origin: its credentials are not sent there. */
  leftOrigin(): void {
    this.header = undefined;
  }

  /**
   * Sends `hop` with the current header; after the request's first 401, once more with a fresh header, when the
   * authenticator has one that differs. Otherwise the 401 is the answer.
   */
  async send(hop: (authorization: string | undefined) => Promise<HttpResponse>): Promise<HttpResponse> {
    for (;;) {
      const res = await hop(this.header);
      if (res.status !== 401 || !this.renewable) return res;
      this.renewable = false;
      const refused = { carried: this.header !== undefined };
      const fresh = await this.authenticator
        .reauthorize(this.repository, res, this.scope, refused)
        .catch(async (error) => {
          await drain(res);
          throw error;
        });
      if (fresh === undefined || fresh === this.header) return res;
      await drain(res);
      this.header = fresh;
    }
  }
}
