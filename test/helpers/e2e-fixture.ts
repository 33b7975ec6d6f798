import { afterAll, beforeAll } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type RegistryHandle, type RegistryOptions, startRegistry } from './registry.js';
import { Upstream } from './upstream.js';

export interface RegistryFixtureOptions extends RegistryOptions {
  /** Put a fault proxy in front of the registry (`proxy`). */
  faultProxy?: boolean;
}

export interface RegistryFixture {
  registry: RegistryHandle;
  /** The fault proxy in front of `registry`; only with `faultProxy: true`. */
  proxy: FaultProxy;
  /** Pushes generated images to `registry`. */
  upstream: Upstream;
}

interface Started {
  registry?: RegistryHandle;
  proxy?: FaultProxy;
  upstream?: Upstream;
}

/**
 * Starts a registry in `mode` (plain HTTP, `basic`: TLS and basic auth, `token`), and with `faultProxy` a fault proxy in
 * front of it, before the tests of the enclosing file or `describe` block, and stops them after those tests.
 *
 * The handles can be destructured where the fixture is declared: each stands for the object started later, and reading
 * any of its properties before the tests run fails.
 */
export function useRegistry(options: RegistryFixtureOptions = {}): RegistryFixture {
  const { faultProxy, ...registryOptions } = options;
  const started: Started = {};
  beforeAll(async () => {
    const registry = await startRegistry(registryOptions);
    started.registry = registry;
    if (faultProxy) started.proxy = await startFaultProxy(registry.url);
    started.upstream = new Upstream(registry);
  });
  afterAll(async () => {
    await started.proxy?.stop();
    await started.registry?.stop();
  });
  return {
    registry: startedLater('the registry', () => started.registry),
    proxy: startedLater('the fault proxy (useRegistry({ faultProxy: true }))', () => started.proxy),
    upstream: startedLater('the upstream', () => started.upstream),
  };
}

/** An object that forwards every property read to what `current()` returns once it returns something. */
function startedLater<T extends object>(what: string, current: () => T | undefined): T {
  const target = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${what} is not started: use it inside tests and hooks`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const value = Reflect.get(target(), key);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
    has: (_, key) => Reflect.has(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, value),
  });
}
