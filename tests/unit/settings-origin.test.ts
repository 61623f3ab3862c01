import { describe, expect, it } from 'vitest';
import { normalizeOrigin, originPermissionPattern, validateLeaf } from '@/lib/settings';

describe('portal origin normalization', () => {
  it.each([
    ['https://Portal.Example.com/agents/list?x=1#top', 'https://portal.example.com'],
    ['https://portal.example.com:443/', 'https://portal.example.com'],
    ['https://portal.example.com:8443', 'https://portal.example.com:8443'],
    ['  http://127.0.0.1:8080/demo  ', 'http://127.0.0.1:8080'],
    ['http://LOCALHOST:3000', 'http://localhost:3000'],
  ])('%s → %s', (input, origin) => {
    expect(normalizeOrigin(input)).toBe(origin);
    const result = validateLeaf('portal.origin', input);
    expect(result.ok && result.value).toBe(origin);
  });

  it.each([
    ['https://portal.example.com:8443', 'https://portal.example.com/*'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1/*'],
  ])('permission pattern of %s leaves the port out (Firefox match patterns cannot carry one)', (origin, pattern) => {
    expect(originPermissionPattern(origin)).toBe(pattern);
  });
});
