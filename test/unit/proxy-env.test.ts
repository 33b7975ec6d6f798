import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../src/registry/http/proxy-env.js';

const PROXY = 'http://proxy.example:3128';

describe('proxyFor', () => {
  it.each([
    ['https with HTTPS_PROXY', 'https://quay.io/v2/', { HTTPS_PROXY: PROXY }, PROXY],
    ['http with HTTP_PROXY', 'http://registry.local:5000/v2/', { HTTP_PROXY: PROXY }, PROXY],
    ['lower case first', 'https://quay.io/v2/', { https_proxy: PROXY, HTTPS_PROXY: 'http://other:1' }, PROXY],
    ['https never through HTTP_PROXY', 'https://quay.io/v2/', { HTTP_PROXY: PROXY }, undefined],
    ['http never through HTTPS_PROXY', 'http://registry.local/v2/', { HTTPS_PROXY: PROXY }, undefined],
    ['an empty variable as unset', 'https://quay.io/v2/', { https_proxy: '', HTTPS_PROXY: PROXY }, PROXY],
    ['no variables', 'https://quay.io/v2/', {}, undefined],
    ['a value without scheme as http://', 'https://quay.io/v2/', { HTTPS_PROXY: 'proxy.example:3128' }, PROXY],
  ])('%s', (_name, url, env, expected) => {
    expect(proxyFor(new URL(url), env)).toBe(expected);
  });

  it.each([
    ['the host', 'quay.io', 'https://quay.io/v2/', true],
    ['a list with spaces and commas', 'a.example, quay.io ,b.example', 'https://quay.io/v2/', true],
    ['*', '*', 'https://quay.io/v2/', true],
    ['a domain with a leading dot', '.example.com', 'https://registry.example.com/v2/', true],
    ['a domain with *.', '*.example.com', 'https://registry.example.com/v2/', true],
    ['a bare domain, for its subdomains', 'example.com', 'https://registry.example.com/v2/', true],
    ['not a suffix of a longer name', 'example.com', 'https://badexample.com/v2/', false],
    ['host:port, that port', 'registry.local:5000', 'http://registry.local:5000/v2/', true],
    ['host:port, another port', 'registry.local:5000', 'http://registry.local:5001/v2/', false],
    ['host:443 for an https URL without port', 'quay.io:443', 'https://quay.io/v2/', true],
    ['case-insensitively', 'Quay.IO', 'https://quay.io/v2/', true],
    ['an IPv6 address', '::1', 'https://[::1]:5000/v2/', true],
    ['a bracketed IPv6 address with its port', '[::1]:5000', 'https://[::1]:5000/v2/', true],
    ['a bracketed IPv6 address with another port', '[::1]:5001', 'https://[::1]:5000/v2/', false],
  ])('NO_PROXY naming %s (%s), for %s: bypassed %s', (_name, noProxy, url, bypassed) => {
    const env = { HTTPS_PROXY: PROXY, HTTP_PROXY: PROXY, NO_PROXY: noProxy };
    expect(proxyFor(new URL(url), env)).toBe(bypassed ? undefined : PROXY);
  });
});
