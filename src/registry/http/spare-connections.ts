import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/** Where a connection goes, as undici's pool asks its connector for one. */
export type ConnectTarget = buildConnector.Options;

/** undici's connector, which returns the socket it is setting up. */
export type SocketConnector = (target: ConnectTarget, callback: buildConnector.Callback) => Socket | undefined;

/** The places the spares of one host take, all its clients' together (see RequestLimiter.sparePlaces). */
export interface SparePlaces {
  /** Takes the place of one more spare, when the host has one left. */
  take(): boolean;
  /** Gives back the place of a spare a request has claimed, or that is closed. */
  give(): void;
}

/** Runs `fire` after `ms` unless cancelled first, keeping no process alive. */
export type IdleTimer = (ms: number, fire: () => void) => () => void;

/** The spares one `warm` set up: `close` closes those of them nobody has asked for. */
export interface SpareBatch {
  close(): void;
}

export interface SpareSettings {
  /** How long a spare that is up waits to be asked for before it is closed: as long as an idle pooled connection. */
  idleMs: number;
  timer?: IdleTimer;
}

interface Spare {
  readonly socket: Socket;
  readonly batch: object;
  /** Set up and not yet asked for. */
  ready: boolean;
  /** The pool's request for a connection this one, still being set up, will answer. */
  claim?: buildConnector.Callback;
  /** Held until the spare is claimed or closed. */
  place?: SparePlaces;
  cancelIdle?: () => void;
}

const UNBOUNDED: SparePlaces = { take: () => true, give: () => {} };

const unrefTimer: IdleTimer = (ms, fire) => {
  const timer = setTimeout(fire, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Connections to one origin opened ahead of the requests that will use them: while a token is fetched, the
 * connections its requests will need are set up (TCP, TLS) at the same time, not one round trip after it arrives.
 * The pool's connector takes a spare before it opens anything; `warm` never makes the connections up or being set up
 * more than it is asked for, nor the host's spares more than its places allow. A spare that is up keeps no process
 * alive (one still connecting does until it connects or its connect timeout ends it, as any TCP connect does); one
 * the pool does not ask for is closed after the pool's keep-alive time, or with the pool.
 */
export class SpareConnections {
  private readonly spares: Spare[] = [];
  /** Connections made through this connector that are up or being set up, spares included. */
  private open = 0;
  private closed = false;

  constructor(
    private readonly connect: SocketConnector,
    private readonly settings: SpareSettings,
  ) {}

  /** The connector the pool calls: a spare when there is one, set up or on its way, else a new connection. */
  readonly connector = (target: ConnectTarget, callback: buildConnector.Callback): Socket | undefined => {
    const spare = this.takeUsable();
    if (spare === undefined) return this.opened(target, callback);
    spare.socket.ref();
    if (!spare.ready) {
      spare.claim = callback;
      givePlace(spare);
      return spare.socket;
    }
    this.remove(spare);
    queueMicrotask(() => callback(null, spare.socket));
    return spare.socket;
  };

  /**
   * Opens connections to `target` until `wanted` of this origin's are up or being set up, each taking one of
   * `places` until it is claimed or closed. A connection that cannot even be started is left to the request that
   * needs it, which meets the same error.
   */
  warm(target: ConnectTarget, wanted: number, places = UNBOUNDED): SpareBatch {
    const batch = {};
    while (!this.closed && this.open < wanted && places.take()) {
      if (!this.openSpare(target, batch, places)) {
        places.give();
        break;
      }
    }
    return { close: () => this.discardUnclaimed((s) => s.batch === batch) };
  }

  /** Closes the spares nobody asked for; those the pool is waiting on are its own. */
  close(): void {
    this.closed = true;
    this.discardUnclaimed(() => true);
  }

  private discardUnclaimed(chosen: (spare: Spare) => boolean): void {
    for (const spare of this.spares.filter((s) => s.claim === undefined && chosen(s))) this.discard(spare);
  }

  private discard(spare: Spare): void {
    this.remove(spare);
    spare.socket.destroy();
  }

  private openSpare(target: ConnectTarget, batch: object, place: SparePlaces): boolean {
    let spare: Spare | undefined;
    let early: Parameters<buildConnector.Callback> | undefined;
    let socket: Socket | undefined;
    try {
      socket = this.opened(target, (...outcome) => {
        if (spare === undefined) early = outcome;
        else this.settle(spare, outcome);
      });
    } catch {
      return false;
    }
    if (socket === undefined) return false;
    socket.unref();
    spare = { socket, batch, ready: false, place };
    this.spares.push(spare);
    if (early !== undefined) this.settle(spare, early);
    return true;
  }

  /** A spare is up, or failed: it waits for the pool, or answers the pool's request it was claimed for. */
  private settle(spare: Spare, outcome: Parameters<buildConnector.Callback>): void {
    const claim = spare.claim;
    if (claim === undefined && outcome[0] === null) {
      spare.ready = true;
      spare.cancelIdle = (this.settings.timer ?? unrefTimer)(this.settings.idleMs, () => this.discard(spare));
      return;
    }
    this.remove(spare);
    claim?.(...outcome);
  }

  private opened(target: ConnectTarget, callback: buildConnector.Callback): Socket | undefined {
    const socket = this.connect(target, callback);
    if (socket === undefined) return undefined;
    this.open += 1;
    socket.once('close', () => {
      this.open -= 1;
      const spare = this.spares.find((s) => s.socket === socket);
      if (spare !== undefined && spare.claim === undefined) this.remove(spare);
    });
    return socket;
  }

  /** The first spare not yet claimed that can still carry a request; spares the peer has closed are dropped. */
  private takeUsable(): Spare | undefined {
    for (;;) {
      const spare = this.spares.find((s) => s.claim === undefined);
      if (spare === undefined || !spare.ready || usable(spare.socket)) return spare;
      this.discard(spare);
    }
  }

  /** A spare leaves when it is handed to the pool, fails or closes: its place and idle timer go with it. */
  private remove(spare: Spare): void {
    const at = this.spares.indexOf(spare);
    if (at !== -1) this.spares.splice(at, 1);
    spare.cancelIdle?.();
    givePlace(spare);
  }
}

function givePlace(spare: Spare): void {
  spare.place?.give();
  delete spare.place;
}

function usable(socket: Socket): boolean {
  return !socket.destroyed && socket.writable && !socket.readableEnded;
}
