import { describe, expect, it } from 'vitest';
import { type Reauthorizer, RequestAuthorization } from '../../src/registry/auth/request-authorization.js';
import type { HttpResponse } from '../../src/registry/http/transport.js';
import { answer } from './fake-http.js';

/** An authenticator whose fresh headers are `Bearer fresh-1`, `Bearer fresh-2`, … (or what `fresh` gives). */
function reauthorizer(fresh?: () => Promise<string | undefined>) {
  let calls = 0;
  const authenticator: Reauthorizer = {
    reauthorize: async () => {
      calls++;
      return fresh ? fresh() : `Bearer fresh-${calls}`;
    },
  };
  return { authenticator, calls: () => calls };
}

/** Sends a request whose hops are answered in turn by `statuses`, returning the headers each hop carried. */
async function send(authorization: RequestAuthorization, statuses: number[]) {
  const sent: (string | undefined)[] = [];
  const res = await authorization.send(async (header): Promise<HttpResponse> => {
    sent.push(header);
    return answer(statuses[sent.length - 1] ?? 200);
  });
  return { status: res.status, sent };
}

const request = { repository: 'team/app', scope: 'repository:team/app:pull', header: 'Bearer old', renewable: true };

describe('the authorization of one request', () => {
  it('is renewed after a 401, and the request sent once more with the fresh header', async () => {
    const { authenticator } = reauthorizer();
    const result = await send(new RequestAuthorization(authenticator, request), [401, 200]);
    expect(result).toEqual({ status: 200, sent: ['Bearer old', 'Bearer fresh-1'] });
  });

  it('is renewed only once: a second 401 is the answer', async () => {
    const { authenticator, calls } = reauthorizer();
    const result = await send(new RequestAuthorization(authenticator, request), [401, 401, 200]);
    expect(result).toEqual({ status: 401, sent: ['Bearer old', 'Bearer fresh-1'] });
    expect(calls()).toBe(1);
  });

  it('is not renewed for a body that cannot be sent twice', async () => {
    const { authenticator, calls } = reauthorizer();
    const result = await send(new RequestAuthorization(authenticator, { ...request, renewable: false }), [401]);
    expect(result).toEqual({ status: 401, sent: ['Bearer old'] });
    expect(calls()).toBe(0);
  });

  it('answers the 401 when the authenticator has nothing new', async () => {
    for (const fresh of [undefined, 'Bearer old']) {
      const { authenticator } = reauthorizer(async () => fresh);
      const result = await send(new RequestAuthorization(authenticator, request), [401]);
      expect(result).toEqual({ status: 401, sent: ['Bearer old'] });
    }
  });

  it('fails as the renewal does', async () => {
    const { authenticator } = reauthorizer(() => Promise.reject(new Error('token server down')));
    await expect(send(new RequestAuthorization(authenticator, request), [401])).rejects.toThrow('token server down');
  });

  it('is not carried once the request left the registry origin', async () => {
    const authorization = new RequestAuthorization(reauthorizer().authenticator, request);
    authorization.leftOrigin();
    expect((await send(authorization, [200])).sent).toEqual([undefined]);
  });
});
