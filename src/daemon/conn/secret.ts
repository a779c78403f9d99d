// The shared secret (--secret, and the web token's check): compared in constant time, never logged.
import * as crypto from 'node:crypto';

// Compares a presented secret with the configured one in constant time.
export function secretMatches(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
