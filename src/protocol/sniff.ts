// What kind of client is this? Decided from the first byte of a connection.
//
//   0x00          a framed (attach) client: no shell text starts with NUL
//   anything else shell text for exec mode (HTTP is refused later, once its first line is in)
export type Sniffed = 'frames' | 'text';

export const FRAME_MAGIC = 0x00;

// Classifies a connection by its first chunk (which is never empty).
export function sniff(first: Buffer): Sniffed {
  return first[0] === FRAME_MAGIC ? 'frames' : 'text';
}
