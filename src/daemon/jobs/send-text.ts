// `#!send TEXT`: the C-style escapes an agent uses to type keys it cannot put on a text line.
//   \n \r \t \e (ESC) \a \b \0 \\ and \xHH (any byte). Anything else after a backslash is an error,
//   so a typo never types something unexpected into a program.

export type Decoded = { ok: true; bytes: Buffer } | { ok: false; message: string };

const SIMPLE: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, e: 0x1b, a: 0x07, b: 0x08, '0': 0x00, '\\': 0x5c };

// Decodes TEXT into the bytes to type.
export function decodeSendText(text: string): Decoded {
  const out: number[] = [];
  const utf8 = Buffer.from(text, 'utf8');
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i] as number;
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    const c = String.fromCharCode(utf8[i + 1] ?? 0);
    if (i + 1 >= utf8.length) return { ok: false, message: '#!send: a lone backslash ends the text (write \\\\ for a backslash)' };
    if (c === 'x') {
      const hex = utf8.toString('latin1', i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { ok: false, message: `#!send: \\x takes two hex digits, got "\\x${hex}"` };
      out.push(parseInt(hex, 16));
      i += 3;
      continue;
    }
    const v = SIMPLE[c];
    if (v === undefined) return { ok: false, message: `#!send: unknown escape "\\${c}" (known: \\n \\r \\t \\e \\a \\b \\0 \\\\ \\xHH)` };
    out.push(v);
    i += 1;
  }
  return { ok: true, bytes: Buffer.from(out) };
}
