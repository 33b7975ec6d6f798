import type { SpareBatch } from '../http/spare-connections.js';

/** The requests `RegistryClient.prepare` was told of for one repository, and the authorization they wait for. */
export interface Prepared {
  readonly requests: number;
  readonly authorized: Promise<unknown>;
}

/**
 * The prepared requests no connections have been set up for yet, set up for together. When every authorization of
 * such a batch fails nothing will be sent for it, and the connections set up for it still unclaimed are closed,
 * unless a prepare whose authorization has not failed (on its way, or given) might send over them.
 */
export class PreparedRequests {
  private waiting: Prepared[] = [];
  /** Prepares whose authorization is on its way or was given: their requests may claim any connection set up. */
  private hopeful = 0;

  add(requests: number, authorized: Promise<unknown>): Prepared {
    const prepared = { requests, authorized };
    this.waiting.push(prepared);
    this.hopeful += 1;
    authorized.catch(() => {
      this.hopeful -= 1;
    });
    return prepared;
  }

  /** Forgets a prepare no connections will be set up for (its ping or credential failed). */
  forget(prepared: Prepared): void {
    this.waiting = this.waiting.filter((p) => p !== prepared);
  }

  /** Sets up, with `warm`, the connections of every prepare waiting. */
  warm(warm: (requests: number) => SpareBatch | undefined): void {
    const batch = this.waiting.splice(0);
    const requests = batch.reduce((sum, prepared) => sum + prepared.requests, 0);
    const spares = requests > 0 ? warm(requests) : undefined;
    if (spares === undefined) return;
    void Promise.allSettled(batch.map((prepared) => prepared.authorized)).then((outcomes) => {
      if (this.hopeful === 0 && outcomes.every((o) => o.status === 'rejected')) spares.close();
    });
  }
}
