import { describe, expect, it } from 'vitest';
import { followRedirects, requestUrl } from '../../src/registry/http/redirects.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import { answer } from './fake-http.js';

const START = new URL('https://registry.example/v2/team/app/blobs/sha256:aa');

/** Follows from START through hops answered by `locations` (url → Location), recording hops and origin changes. */
async function follow(locations: Record<string, string>, follow = true) {
  const hops: string[] = [];
  const events: string[] = [];
  const hop = async (url: URL) => {
    hops.push(url.href);
    events.push(`hop ${url.host}`);
    const location = locations[url.href];
    return location ? answer(307, { location }) : answer(200);
  };
  const leftOrigin = () => events.push('left origin');
  const res = await followRedirects(START, hop, { follow, path: START.pathname, text: new RegistryText(), leftOrigin });
  return { res, hops, events };
}

describe('the redirect policy', () => {
  it('returns a redirect as it is when not asked to follow', async () => {
    const { res, hops } = await follow({ [START.href]: '/elsewhere' }, false);
    expect(res.status).toBe(307);
    expect(hops).toEqual([START.href]);
  });

  it('follows a relative Location on the same origin, keeping the credentials', async () => {
    const { hops, events } = await follow({ [START.href]: '/v2/team/app/blobs/sha256:aa?part=2' });
    expect(hops).toEqual([START.href, 'https://registry.example/v2/team/app/blobs/sha256:aa?part=2']);
    expect(events).not.toContain('left origin');
  });

  it('leaves the credentials behind before the first hop to another origin', async () => {
    const { events } = await follow({ [START.href]: 'https://cdn.example/blob' });
    expect(events).toEqual(['hop registry.example', 'left origin', 'hop cdn.example']);
  });

  it('refuses a redirect from https to plain http, without going there', async () => {
    await expect(follow({ [START.href]: 'http://cdn.example/blob' })).rejects.toThrow(
      'refusing a redirect from https to http://cdn.example',
    );
  });

  it('refuses a sixth redirect', async () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < 6; i++)
      chain[i === 0 ? START.href : `https://cdn.example/${i}`] = `https://cdn.example/${i + 1}`;
    await expect(follow(chain)).rejects.toThrow(`too many redirects fetching ${START.pathname}`);
  });

  it('refuses a Location that is not an address, quoted', async () => {
    await expect(follow({ [START.href]: 'http://[::1' })).rejects.toThrow(
      'the registry redirected to an invalid address "http://[::1"',
    );
  });
});

describe('the URL of a request', () => {
  const text = new RegistryText();
  it('is below the API root, or the URL the registry gave', () => {
    const base = new URL('https://registry.example/');
    expect(requestUrl('/v2/', base, text).href).toBe('https://registry.example/v2/');
    expect(requestUrl('https://upload.example/u/1', base, text).href).toBe('https://upload.example/u/1');
  });

  it('is never plain http when the registry is reached over https', () => {
    expect(() => requestUrl('http://upload.example/u/1', new URL('https://registry.example/'), text)).toThrow(
      'refusing to send a request for http://upload.example/u/1 over plain http',
    );
  });

  it('may be plain http when the registry is', () => {
    expect(requestUrl('/v2/', new URL('http://registry.example/'), text).protocol).toBe('http:');
  });
});
